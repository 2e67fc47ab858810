-- purpose: validate every row of one orders-ledger file in a single pass and stage it: the typed raw_orders
--   columns, and for a row that fails, its first failing check as rej (field, rule, value)
-- grain: one row per file row; key: rowid (rows are written in file order: line = rowid + the format's first line)
-- parameters: $1 now (TIMESTAMPTZ; later than now + 1 day is implausible), $2 account currency (default currency)
-- placeholders: stage (the temp table to create), source (the file(s) as a relation, in file order: (src_file, src_line, raw, blank, doc_error, c_*/t_* per field);
--   src_file/src_line are NULL for a one-file load, whose line then follows from the stage rowid)
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
      WHEN blank THEN NULL
      WHEN doc_error IS NOT NULL THEN beamline_reject('(line)', doc_error, NULL)
      WHEN c_order_id IS NULL THEN beamline_reject('order_id', 'required', NULL)
      WHEN NOT (t_order_id = 'VARCHAR' OR beamline_is_number(t_order_id)) THEN beamline_reject('order_id', 'must be a string or number, got ' || beamline_json_kind(t_order_id), NULL)
      WHEN length(c_order_id) > 128 THEN beamline_reject('order_id', 'longer than 128 characters', c_order_id)
      WHEN NOT beamline_id_ok(c_order_id) THEN beamline_reject('order_id', 'must not contain whitespace, quotes, semicolons or control characters', c_order_id)
      WHEN c_timestamp IS NULL THEN beamline_reject('timestamp', 'required', NULL)
      WHEN NOT beamline_is_iso_ts(c_timestamp) THEN beamline_reject('timestamp', 'not an ISO 8601 timestamp with offset', c_timestamp)
      WHEN ts IS NULL THEN beamline_reject('timestamp', 'not a valid date and time', c_timestamp)
      WHEN ts < TIMESTAMPTZ '2000-01-01 00:00:00+00' THEN beamline_reject('timestamp', 'implausible: before 2000-01-01', c_timestamp)
      WHEN ts > CAST($1 AS TIMESTAMPTZ) + INTERVAL 1 DAY THEN beamline_reject('timestamp', 'implausible: more than 1 day in the future', c_timestamp)
      WHEN c_status IS NULL THEN beamline_reject('status', 'required', NULL)
      WHEN status_norm IS NULL THEN beamline_reject('status', 'unknown status (expected completed, refunded, cancelled or pending)', c_status)
      WHEN c_revenue IS NULL THEN beamline_reject('revenue', 'required', NULL)
      WHEN revenue_num IS NULL THEN beamline_reject('revenue', 'not a number', c_revenue)
      WHEN NOT isfinite(revenue_num) THEN beamline_reject('revenue', 'not a finite number', c_revenue)
      WHEN abs(revenue_num) > 1e12 THEN beamline_reject('revenue', 'must not exceed 1000000000000 in absolute value', c_revenue)
      WHEN revenue_num < 0 AND status_norm <> 'refunded' THEN beamline_reject('revenue', 'negative revenue is allowed only when status is refunded', c_revenue)
      WHEN c_currency IS NOT NULL AND NOT regexp_full_match(trim(c_currency), '[A-Za-z]{3}') THEN beamline_reject('currency', 'not a 3-letter ISO 4217 code', c_currency)
    END AS rej
  FROM typed
)
SELECT
  src_file, src_line, blank, rej,
  CASE WHEN rej IS NOT NULL THEN left(raw, 2000) END AS raw,
  c_order_id AS order_id,
  ts AS order_ts,
  CASE WHEN rej IS NULL THEN CAST(revenue_num AS DECIMAL(18, 4)) END AS revenue,
  upper(coalesce(trim(c_currency), CAST($2 AS VARCHAR))) AS currency,
  status_norm AS status
FROM checked
