-- purpose: BigQuery's twin of validate-fx.sql: the same checks in the same order, with the same fields and reasons,
--   over the numbered lines of a batch of FX-rate files. Stages every row: the raw_fx columns, and for a row that
--   fails, its first failing check as rej (field, rule, value) and the reason as raw_rejected stores it
-- grain: one row per line (NDJSON) or record (CSV) of the batch's files, blank lines included (flagged `blank`)
-- key: src_file, src_line
-- parameters: @p1 now (TIMESTAMP; loaded_at), @p2 account currency (unused), @p3 load ids and @p4 paths (ARRAY<STRING>, element src_file - 1)
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
    JSON_QUERY(COALESCE(doc, raw), '$.date') AS q_date, JSON_QUERY(COALESCE(doc, raw), '$.currency') AS q_currency, JSON_QUERY(COALESCE(doc, raw), '$.rate') AS q_rate
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
    NULLIF(CASE IFNULL(LEFT(q_date, 1), 'n') WHEN '"' THEN JSON_VALUE(d, '$.date') WHEN 'n' THEN NULL WHEN '{' THEN q_date WHEN '[' THEN q_date WHEN 't' THEN q_date WHEN 'f' THEN q_date
      ELSE IFNULL(NULLIF(TO_JSON_STRING(SAFE.PARSE_JSON(q_date, wide_number_mode => 'round')), 'null'), q_date) END, '') AS c_date,
    NULLIF(CASE IFNULL(LEFT(q_currency, 1), 'n') WHEN '"' THEN JSON_VALUE(d, '$.currency') WHEN 'n' THEN NULL WHEN '{' THEN q_currency WHEN '[' THEN q_currency WHEN 't' THEN q_currency WHEN 'f' THEN q_currency
      ELSE IFNULL(NULLIF(TO_JSON_STRING(SAFE.PARSE_JSON(q_currency, wide_number_mode => 'round')), 'null'), q_currency) END, '') AS c_currency,
    NULLIF(CASE IFNULL(LEFT(q_rate, 1), 'n') WHEN '"' THEN JSON_VALUE(d, '$.rate') WHEN 'n' THEN NULL WHEN '{' THEN q_rate WHEN '[' THEN q_rate WHEN 't' THEN q_rate WHEN 'f' THEN q_rate
      ELSE IFNULL(NULLIF(TO_JSON_STRING(SAFE.PARSE_JSON(q_rate, wide_number_mode => 'round')), 'null'), q_rate) END, '') AS c_rate
  FROM docs
),
typed AS (
  SELECT *,
    -- YYYY-MM-DD, or M/D/YYYY as Microsoft Ads and LinkedIn export it
    CASE
      WHEN REGEXP_CONTAINS(TRIM(c_date, ' '), r'^\d{4}-\d{2}-\d{2}$') THEN SAFE_CAST(TRIM(c_date, ' ') AS DATE)
      WHEN REGEXP_CONTAINS(TRIM(c_date, ' '), r'^\d{1,2}/\d{1,2}/\d{4}$') THEN SAFE.PARSE_DATE('%m/%d/%Y', TRIM(c_date, ' '))
    END AS d,
    -- a decimal number written plainly (no NaN, Infinity, hex or underscores); beyond FLOAT64 it is infinite, as DuckDB casts it
    IF(REGEXP_CONTAINS(TRIM(c_rate, ' '), r'^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$'), IFNULL(SAFE_CAST(TRIM(c_rate, ' ') AS FLOAT64), IF(STARTS_WITH(TRIM(c_rate, ' '), '-'), CAST('-inf' AS FLOAT64), CAST('inf' AS FLOAT64))), NULL) AS rate_num
  FROM src
),
checked AS (
  SELECT *,
    CASE
      WHEN blank THEN CAST(NULL AS STRUCT<field STRING, rule STRING, value STRING>)
      WHEN doc_error IS NOT NULL THEN STRUCT('(line)', doc_error, NULL)
      WHEN c_date IS NULL THEN STRUCT('date', 'required', NULL)
      WHEN d IS NULL THEN STRUCT('date', 'not a date (YYYY-MM-DD or M/D/YYYY)', c_date)
      WHEN c_currency IS NULL THEN STRUCT('currency', 'required', NULL)
      WHEN NOT REGEXP_CONTAINS(TRIM(c_currency, ' '), r'^[A-Za-z]{3}$') THEN STRUCT('currency', 'not a 3-letter ISO 4217 code', c_currency)
      WHEN c_rate IS NULL THEN STRUCT('rate', 'required', NULL)
      WHEN rate_num IS NULL THEN STRUCT('rate', 'not a number', c_rate)
      WHEN IS_INF(rate_num) OR IS_NAN(rate_num) THEN STRUCT('rate', 'not a finite number', c_rate)
      WHEN rate_num <= 0 THEN STRUCT('rate', 'must be greater than 0', c_rate)
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
  d AS rate_date,
  UPPER(TRIM(c_currency, ' ')) AS currency,
  rate_num AS rate
FROM checked
