-- purpose: validate every row of one orders-ledger file in a single pass and stage it: the typed raw_orders
--   columns, and for a row that fails, its first failing check as rej (field, rule, value)
-- grain: one row per file row; key: rowid (rows are written in file order: line = rowid + the format's first line)
-- parameters: $1 now (TIMESTAMPTZ; later than now + 1 day is implausible), $2 account currency (default currency)
-- placeholders: stage (the temp table to create), source (the file(s) as a relation, in file order: (src_file, src_line, raw, blank, doc_error, c_*/t_* per field);
--   src_file/src_line are NULL for a one-file load, whose line then follows from the stage rowid)
-- generated: the duck_* placeholders are SQL that pipelines/extract/sql.ts writes (its comment lists them), the same
--   in each validate-*.sql that uses them; here duck_line_checks (blank line; doc_error → '(line)'),
--   duck_id_checks (order_id: required, string or number, length, characters), duck_timestamp_checks (timestamp:
--   ISO 8601 with offset, a real instant, plausible against $1), duck_number_checks (revenue: required, a finite
--   number) and duck_stage_columns (src_file … raw)
CREATE OR REPLACE TEMP TABLE {{stage}} AS
WITH src AS (
{{source}}
),
typed AS (
  SELECT *,
    beamline_ts(c_timestamp) AS ts,
    CASE
      WHEN lower(trim(c_status)) IN ('completed', 'complete') THEN 'completed'
      WHEN lower(trim(c_status)) IN ('refunded', 'refund') THEN 'refunded'
      WHEN lower(trim(c_status)) IN ('cancelled', 'canceled') THEN 'cancelled'
      WHEN lower(trim(c_status)) = 'pending' THEN 'pending'
    END AS status_norm,
    beamline_number(c_revenue) AS revenue_num
  FROM src
),
checked AS (
  SELECT *,
    CASE
      {{duck_line_checks}}
      {{duck_id_checks:order_id}}
      WHEN c_timestamp IS NULL THEN beamline_reject('timestamp', 'required', NULL)
      {{duck_timestamp_checks:timestamp,ts}}
      WHEN c_status IS NULL THEN beamline_reject('status', 'required', NULL)
      WHEN status_norm IS NULL THEN beamline_reject('status', 'unknown status (expected completed, refunded, cancelled or pending)', c_status)
      {{duck_number_checks:revenue,revenue_num}}
      WHEN abs(revenue_num) > 1e12 THEN beamline_reject('revenue', 'must not exceed 1000000000000 in absolute value', c_revenue)
      WHEN revenue_num < 0 AND status_norm <> 'refunded' THEN beamline_reject('revenue', 'negative revenue is allowed only when status is refunded', c_revenue)
      WHEN c_currency IS NOT NULL AND NOT regexp_full_match(trim(c_currency), '[A-Za-z]{3}') THEN beamline_reject('currency', 'not a 3-letter ISO 4217 code', c_currency)
    END AS rej
  FROM typed
)
SELECT
  {{duck_stage_columns}},
  c_order_id AS order_id,
  ts AS order_ts,
  CASE WHEN rej IS NULL THEN CAST(revenue_num AS DECIMAL(18, 4)) END AS revenue,
  upper(coalesce(trim(c_currency), CAST($2 AS VARCHAR))) AS currency,
  status_norm AS status
FROM checked
