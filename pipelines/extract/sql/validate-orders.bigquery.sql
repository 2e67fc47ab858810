-- purpose: BigQuery's twin of validate-orders.sql: the same checks in the same order, with the same fields and reasons,
--   over the numbered lines of a batch of orders-ledger files. Stages every row: the raw_orders columns, and for a
--   row that fails, its first failing check as rej (field, rule, value) and the reason as raw_rejected stores it
-- grain: one row per line (NDJSON) or record (CSV) of the batch's files, blank lines included (flagged `blank`)
-- key: src_file, src_line
-- parameters: @p1 now (TIMESTAMP; later than now + 1 day is implausible; also loaded_at), @p2 account currency
--   (default currency), @p3 load ids and @p4 paths (ARRAY<STRING>, element src_file - 1)
-- placeholders: lines (the lines table: src_file, src_line, raw, doc — doc is a CSV record's contract fields as a
--   JSON object, NULL for an NDJSON line, which is its own document; read in bigquery-json-source.sql)
-- generated: the bq_* placeholders are SQL that pipelines/extract/sql.ts writes (its comment lists them), the same
--   in each validate-*.bigquery.sql; here bq_json_source (the CTEs lines and docs: bigquery-json-source.sql), per
--   field bq_json_queries (q_*), bq_field_texts (c_*) and bq_field_kinds (t_*), then bq_doc_error, bq_line_checks,
--   bq_number and bq_stage_columns
WITH {{bq_json_source}},
fragments AS (
  -- q_*: each field's JSON text as written (a string quoted, an object minified); NULL when absent
  SELECT *,
    {{bq_json_queries:order_id,timestamp,revenue,currency,status}}
  FROM docs
),
src AS (
  -- doc_error: why an NDJSON line is not a JSON object; NULL for a blank line or a CSV record
  -- c_*: the field's text: a string unquoted; a number in its shortest form, as DuckDB writes it (1.50 → 1.5);
  --   an object or array as minified JSON, keys in their order; '' and null are absent
  -- t_*: its JSON kind: string, number, object, array, boolean (NULL when absent or null)
  SELECT src_file, src_line, raw, blank,
    {{bq_doc_error}},
    {{bq_field_texts:order_id,timestamp,revenue,currency,status}},
    {{bq_field_kinds:order_id}}
  FROM fragments
),
typed AS (
  SELECT *,
    -- ISO 8601 with seconds and an offset, then a real instant
    REGEXP_CONTAINS(c_timestamp, r'^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$') AS iso_ts,
    IF(REGEXP_CONTAINS(c_timestamp, r'^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$'), SAFE_CAST(c_timestamp AS TIMESTAMP), NULL) AS ts,
    CASE
      WHEN LOWER(TRIM(c_status, ' ')) IN ('completed', 'complete') THEN 'completed'
      WHEN LOWER(TRIM(c_status, ' ')) IN ('refunded', 'refund') THEN 'refunded'
      WHEN LOWER(TRIM(c_status, ' ')) IN ('cancelled', 'canceled') THEN 'cancelled'
      WHEN LOWER(TRIM(c_status, ' ')) = 'pending' THEN 'pending'
    END AS status_norm,
    -- a decimal number written plainly (no NaN, Infinity, hex or underscores); beyond FLOAT64 it is infinite, as DuckDB casts it
    {{bq_number:c_revenue}} AS revenue_num
  FROM src
),
checked AS (
  SELECT *,
    CASE
      {{bq_line_checks}}
      WHEN c_order_id IS NULL THEN STRUCT('order_id', 'required', NULL)
      WHEN t_order_id NOT IN ('string', 'number') THEN STRUCT('order_id', 'must be a string or number, got ' || t_order_id, NULL)
      WHEN LENGTH(c_order_id) > 128 THEN STRUCT('order_id', 'longer than 128 characters', c_order_id)
      WHEN NOT REGEXP_CONTAINS(c_order_id, r'^[^\s"\'`;\p{Cc}\p{Cf}\p{Z}]+$') THEN STRUCT('order_id', 'must not contain whitespace, quotes, semicolons or control characters', c_order_id)
      WHEN c_timestamp IS NULL THEN STRUCT('timestamp', 'required', NULL)
      WHEN NOT iso_ts THEN STRUCT('timestamp', 'not an ISO 8601 timestamp with offset', c_timestamp)
      WHEN ts IS NULL THEN STRUCT('timestamp', 'not a valid date and time', c_timestamp)
      WHEN ts < TIMESTAMP '2000-01-01 00:00:00+00' THEN STRUCT('timestamp', 'implausible: before 2000-01-01', c_timestamp)
      WHEN ts > TIMESTAMP_ADD(CAST(@p1 AS TIMESTAMP), INTERVAL 1 DAY) THEN STRUCT('timestamp', 'implausible: more than 1 day in the future', c_timestamp)
      WHEN c_status IS NULL THEN STRUCT('status', 'required', NULL)
      WHEN status_norm IS NULL THEN STRUCT('status', 'unknown status (expected completed, refunded, cancelled or pending)', c_status)
      WHEN c_revenue IS NULL THEN STRUCT('revenue', 'required', NULL)
      WHEN revenue_num IS NULL THEN STRUCT('revenue', 'not a number', c_revenue)
      WHEN IS_INF(revenue_num) OR IS_NAN(revenue_num) THEN STRUCT('revenue', 'not a finite number', c_revenue)
      WHEN ABS(revenue_num) > 1e12 THEN STRUCT('revenue', 'must not exceed 1000000000000 in absolute value', c_revenue)
      WHEN revenue_num < 0 AND status_norm <> 'refunded' THEN STRUCT('revenue', 'negative revenue is allowed only when status is refunded', c_revenue)
      WHEN c_currency IS NOT NULL AND NOT REGEXP_CONTAINS(TRIM(c_currency, ' '), r'^[A-Za-z]{3}$') THEN STRUCT('currency', 'not a 3-letter ISO 4217 code', c_currency)
    END AS rej
  FROM typed
)
SELECT
  {{bq_stage_columns}},
  c_order_id AS order_id,
  ts AS order_ts,
  -- DECIMAL(18, 4) on DuckDB: NUMERIC rounded to 4 places here
  IF(rej IS NULL, ROUND(SAFE_CAST(revenue_num AS NUMERIC), 4), NULL) AS revenue,
  UPPER(COALESCE(TRIM(c_currency, ' '), CAST(@p2 AS STRING))) AS currency,
  status_norm AS status
FROM checked
