-- purpose: BigQuery's twin of validate-fx.sql: the same checks in the same order, with the same fields and reasons,
--   over the numbered lines of a batch of FX-rate files. Stages every row: the raw_fx columns, and for a row that
--   fails, its first failing check as rej (field, rule, value) and the reason as raw_rejected stores it
-- grain: one row per line (NDJSON) or record (CSV) of the batch's files, blank lines included (flagged `blank`)
-- key: src_file, src_line
-- parameters: @p1 now (TIMESTAMP; loaded_at), @p2 account currency (unused), @p3 load ids and @p4 paths (ARRAY<STRING>, element src_file - 1)
-- placeholders: lines (the lines table: src_file, src_line, raw, doc — doc is a CSV record's contract fields as a
--   JSON object, NULL for an NDJSON line, which is its own document; read in bigquery-json-source.sql)
-- generated: the bq_* placeholders are SQL that pipelines/extract/sql.ts writes (its comment lists them), the same
--   in each validate-*.bigquery.sql; here bq_json_source (the CTEs lines and docs: bigquery-json-source.sql), per
--   field bq_json_queries (q_*) and bq_field_texts (c_*), then bq_doc_error, bq_line_checks, bq_date, bq_number and
--   bq_stage_columns
WITH {{bq_json_source}},
fragments AS (
  -- q_*: each field's JSON text as written (a string quoted, an object minified); NULL when absent
  SELECT *,
    {{bq_json_queries:date,currency,rate}}
  FROM docs
),
src AS (
  -- doc_error: why an NDJSON line is not a JSON object; NULL for a blank line or a CSV record
  -- c_*: the field's text: a string unquoted; a number in its shortest form, as DuckDB writes it (1.50 → 1.5);
  --   an object or array as minified JSON, keys in their order; '' and null are absent
  SELECT src_file, src_line, raw, blank,
    {{bq_doc_error}},
    {{bq_field_texts:date,currency,rate}}
  FROM fragments
),
typed AS (
  SELECT *,
    -- YYYY-MM-DD, or M/D/YYYY as Microsoft Ads and LinkedIn export it
    {{bq_date:c_date}} AS d,
    -- a decimal number written plainly (no NaN, Infinity, hex or underscores); beyond FLOAT64 it is infinite, as DuckDB casts it
    {{bq_number:c_rate}} AS rate_num
  FROM src
),
checked AS (
  SELECT *,
    CASE
      {{bq_line_checks}}
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
  {{bq_stage_columns}},
  d AS rate_date,
  UPPER(TRIM(c_currency, ' ')) AS currency,
  rate_num AS rate
FROM checked
