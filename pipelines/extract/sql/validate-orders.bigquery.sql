-- purpose: BigQuery's twin of validate-orders.sql: the same checks in the same order, with the same fields and reasons,
--   over the numbered lines of a batch of orders-ledger files. Stages every row: the raw_orders columns, and for a
--   row that fails, its first failing check as rej (field, rule, value) and the reason as raw_rejected stores it
-- grain: one row per line (NDJSON) or record (CSV) of the batch's files, blank lines included (flagged `blank`)
-- key: src_file, src_line
-- parameters: @p1 now (TIMESTAMP; later than now + 1 day is implausible; also loaded_at), @p2 account currency
--   (default currency), @p3 load ids and @p4 paths (ARRAY<STRING>, element src_file - 1)
-- placeholders: lines (the lines table: src_file, src_line, raw, doc — doc is a CSV record's contract fields as a
--   JSON object, NULL for an NDJSON line, which is its own document)
WITH lines AS (
  SELECT src_file, src_line, doc,
    IF(STARTS_WITH(raw, '\uFEFF'), LTRIM(raw, '\uFEFF'), raw) AS raw  -- a byte-order mark is dropped
  FROM {{lines}}
),
docs AS (
  SELECT *,
    doc IS NULL AND (raw IS NULL OR TRIM(raw, ' \t\r') = '') AS blank,
    COALESCE(doc, raw) AS d,
    -- strict parse; an exponent of 3+ digits is cut first: a number beyond FLOAT64 is still valid JSON
    IF(doc IS NULL, SAFE.PARSE_JSON(REGEXP_REPLACE(raw, r'(\d)[eE][+-]?\d{3,}', r'\1'), wide_number_mode => 'round'), NULL) AS parsed,
    -- each field's JSON text as written (a string quoted, an object minified); NULL when absent
    JSON_QUERY(COALESCE(doc, raw), '$.order_id') AS q_order_id, JSON_QUERY(COALESCE(doc, raw), '$.timestamp') AS q_timestamp, JSON_QUERY(COALESCE(doc, raw), '$.revenue') AS q_revenue, JSON_QUERY(COALESCE(doc, raw), '$.currency') AS q_currency, JSON_QUERY(COALESCE(doc, raw), '$.status') AS q_status
  FROM lines
),
src AS (
  -- c_*: the field's text: a string unquoted; a number in its shortest form, as DuckDB writes it (1.50 → 1.5);
  --   an object or array as minified JSON, keys in their order; '' and null are absent
  SELECT src_file, src_line, raw, blank,
    CASE
      WHEN blank OR doc IS NOT NULL THEN NULL
      WHEN parsed IS NULL OR JSON_TYPE(parsed) = 'null' THEN 'invalid JSON'  -- a line `null` too, as on DuckDB
      WHEN JSON_TYPE(parsed) <> 'object' THEN 'not a JSON object, got ' || JSON_TYPE(parsed)
    END AS doc_error,
    NULLIF(CASE IFNULL(LEFT(q_order_id, 1), 'n') WHEN '"' THEN JSON_VALUE(d, '$.order_id') WHEN 'n' THEN NULL WHEN '{' THEN q_order_id WHEN '[' THEN q_order_id WHEN 't' THEN q_order_id WHEN 'f' THEN q_order_id
      ELSE IFNULL(NULLIF(TO_JSON_STRING(SAFE.PARSE_JSON(q_order_id, wide_number_mode => 'round')), 'null'), q_order_id) END, '') AS c_order_id,
    CASE LEFT(q_order_id, 1) WHEN 'n' THEN NULL WHEN '"' THEN 'string' WHEN '{' THEN 'object' WHEN '[' THEN 'array' WHEN 't' THEN 'boolean' WHEN 'f' THEN 'boolean' ELSE IF(q_order_id IS NULL, NULL, 'number') END AS t_order_id,
    NULLIF(CASE IFNULL(LEFT(q_timestamp, 1), 'n') WHEN '"' THEN JSON_VALUE(d, '$.timestamp') WHEN 'n' THEN NULL WHEN '{' THEN q_timestamp WHEN '[' THEN q_timestamp WHEN 't' THEN q_timestamp WHEN 'f' THEN q_timestamp
      ELSE IFNULL(NULLIF(TO_JSON_STRING(SAFE.PARSE_JSON(q_timestamp, wide_number_mode => 'round')), 'null'), q_timestamp) END, '') AS c_timestamp,
    NULLIF(CASE IFNULL(LEFT(q_revenue, 1), 'n') WHEN '"' THEN JSON_VALUE(d, '$.revenue') WHEN 'n' THEN NULL WHEN '{' THEN q_revenue WHEN '[' THEN q_revenue WHEN 't' THEN q_revenue WHEN 'f' THEN q_revenue
      ELSE IFNULL(NULLIF(TO_JSON_STRING(SAFE.PARSE_JSON(q_revenue, wide_number_mode => 'round')), 'null'), q_revenue) END, '') AS c_revenue,
    NULLIF(CASE IFNULL(LEFT(q_currency, 1), 'n') WHEN '"' THEN JSON_VALUE(d, '$.currency') WHEN 'n' THEN NULL WHEN '{' THEN q_currency WHEN '[' THEN q_currency WHEN 't' THEN q_currency WHEN 'f' THEN q_currency
      ELSE IFNULL(NULLIF(TO_JSON_STRING(SAFE.PARSE_JSON(q_currency, wide_number_mode => 'round')), 'null'), q_currency) END, '') AS c_currency,
    NULLIF(CASE IFNULL(LEFT(q_status, 1), 'n') WHEN '"' THEN JSON_VALUE(d, '$.status') WHEN 'n' THEN NULL WHEN '{' THEN q_status WHEN '[' THEN q_status WHEN 't' THEN q_status WHEN 'f' THEN q_status
      ELSE IFNULL(NULLIF(TO_JSON_STRING(SAFE.PARSE_JSON(q_status, wide_number_mode => 'round')), 'null'), q_status) END, '') AS c_status
  FROM docs
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
    IF(REGEXP_CONTAINS(TRIM(c_revenue, ' '), r'^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$'), IFNULL(SAFE_CAST(TRIM(c_revenue, ' ') AS FLOAT64), IF(STARTS_WITH(TRIM(c_revenue, ' '), '-'), CAST('-inf' AS FLOAT64), CAST('inf' AS FLOAT64))), NULL) AS revenue_num
  FROM src
),
checked AS (
  SELECT *,
    CASE
      WHEN blank THEN CAST(NULL AS STRUCT<field STRING, rule STRING, value STRING>)
      WHEN doc_error IS NOT NULL THEN STRUCT('(line)', doc_error, NULL)
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
  src_file, blank, rej,
  -- the reason as stored: the rule, then the offending value as a JSON string cut to 100 characters
  rej.rule || IF(rej.value IS NULL, '', ': ' || TO_JSON_STRING(LEFT(rej.value, 100))) AS reason,
  IF(rej IS NOT NULL, LEFT(raw, 2000), NULL) AS raw,
  @p3[OFFSET(src_file - 1)] AS load_id,
  @p4[OFFSET(src_file - 1)] AS file,
  src_line AS line,
  CAST(@p1 AS TIMESTAMP) AS loaded_at,
  c_order_id AS order_id,
  ts AS order_ts,
  -- DECIMAL(18, 4) on DuckDB: NUMERIC rounded to 4 places here
  IF(rej IS NULL, ROUND(SAFE_CAST(revenue_num AS NUMERIC), 4), NULL) AS revenue,
  UPPER(COALESCE(TRIM(c_currency, ' '), CAST(@p2 AS STRING))) AS currency,
  status_norm AS status
FROM checked
