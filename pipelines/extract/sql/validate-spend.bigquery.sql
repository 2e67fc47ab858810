-- purpose: BigQuery's twin of validate-spend.sql: the same checks in the same order, with the same fields and reasons,
--   over the numbered lines of a batch of ad-spend files. Stages every row: the raw_ad_spend columns, and for a row
--   that fails, its first failing check as rej (field, rule, value) and the reason as raw_rejected stores it.
--   Exact duplicate rows are kept (staging removes and counts them).
-- grain: one row per line (NDJSON) or record (CSV) of the batch's files, blank lines included (flagged `blank`)
-- key: src_file, src_line
-- parameters: @p1 now (TIMESTAMP; a date after now + 1 day is implausible; also loaded_at), @p2 account currency
--   (default currency), @p3 load ids and @p4 paths (ARRAY<STRING>, element src_file - 1)
-- placeholders: lines (the lines table: src_file, src_line, raw, doc — doc is a CSV record's contract fields as a
--   JSON object, NULL for an NDJSON line, which is its own document; read in bigquery-json-source.sql)
-- generated: the bq_* placeholders are SQL that pipelines/extract/sql.ts writes (its comment lists them), the same
--   in each validate-*.bigquery.sql; here bq_json_source (the CTEs lines and docs: bigquery-json-source.sql), per
--   field bq_json_queries (q_*) and bq_field_texts (c_*), then bq_doc_error, bq_line_checks, bq_ungroup, bq_date,
--   bq_number and bq_stage_columns; and platform_id (the platform alias table, shared with macros.sql's
--   beamline_platform_id)
WITH {{bq_json_source}},
fragments AS (
  -- q_*: each field's JSON text as written (a string quoted, an object minified); NULL when absent
  SELECT *,
    {{bq_json_queries:date,platform,campaign_id,campaign_name,spend,currency,impressions,clicks}}
  FROM docs
),
src AS (
  -- doc_error: why an NDJSON line is not a JSON object; NULL for a blank line or a CSV record
  -- c_*: the field's text: a string unquoted; a number in its shortest form, as DuckDB writes it (1.50 → 1.5);
  --   an object or array as minified JSON, keys in their order; '' and null are absent
  SELECT src_file, src_line, raw, blank,
    {{bq_doc_error}},
    {{bq_field_texts:date,platform,campaign_id,campaign_name,spend,currency,impressions,clicks}}
  FROM fragments
),
ungrouped AS (
  -- thousands separators as platform exports write them: 1,234,567.89 → 1234567.89
  SELECT *,
    {{bq_ungroup:c_spend}} AS spend_text,
    {{bq_ungroup:c_impressions}} AS impressions_text,
    {{bq_ungroup:c_clicks}} AS clicks_text,
    REGEXP_REPLACE(LOWER(TRIM(c_platform, ' ')), r'[\s-]+', '_') AS platform_key
  FROM src
),
typed AS (
  SELECT *,
    -- YYYY-MM-DD, or M/D/YYYY as Microsoft Ads and LinkedIn export it
    {{bq_date:c_date}} AS d,
    -- ad platform names as exports and people write them → Beamline's platform ids; NULL when unknown (PLATFORM_ALIASES in sql.ts)
    {{platform_id:platform_key}} AS platform_id,
    -- a decimal number written plainly (no NaN, Infinity, hex or underscores); beyond FLOAT64 it is infinite, as DuckDB casts it
    {{bq_number:spend_text}} AS spend_num,
    IF(REGEXP_CONTAINS(impressions_text, r'^\d{1,18}$'), SAFE_CAST(impressions_text AS INT64), NULL) AS impressions_n,
    IF(REGEXP_CONTAINS(clicks_text, r'^\d{1,18}$'), SAFE_CAST(clicks_text AS INT64), NULL) AS clicks_n
  FROM ungrouped
),
checked AS (
  SELECT *,
    CASE
      {{bq_line_checks}}
      WHEN c_date IS NULL THEN STRUCT('date', 'required', NULL)
      WHEN d IS NULL THEN STRUCT('date', 'not a date (YYYY-MM-DD or M/D/YYYY)', c_date)
      WHEN d < DATE '2000-01-01' THEN STRUCT('date', 'implausible: before 2000-01-01', c_date)
      WHEN d > DATE(TIMESTAMP_ADD(CAST(@p1 AS TIMESTAMP), INTERVAL 1 DAY)) THEN STRUCT('date', 'implausible: more than 1 day in the future', c_date)
      WHEN c_platform IS NULL THEN STRUCT('platform', 'required', NULL)
      WHEN platform_id IS NULL THEN STRUCT('platform', 'unknown platform (known: google_ads, meta, microsoft_ads, linkedin, tiktok, pinterest, reddit, x)', c_platform)
      WHEN c_campaign_id IS NULL AND c_campaign_name IS NULL THEN STRUCT('campaign_id', 'campaign_id or campaign_name required', NULL)
      WHEN LENGTH(c_campaign_id) > 256 THEN STRUCT('campaign_id', 'longer than 256 characters', c_campaign_id)
      WHEN LENGTH(c_campaign_name) > 1024 THEN STRUCT('campaign_name', 'longer than 1024 characters', c_campaign_name)
      WHEN c_spend IS NULL THEN STRUCT('spend', 'required', NULL)
      WHEN spend_num IS NULL THEN STRUCT('spend', 'not a number', c_spend)
      WHEN IS_INF(spend_num) OR IS_NAN(spend_num) THEN STRUCT('spend', 'not a finite number', c_spend)
      WHEN spend_num < 0 THEN STRUCT('spend', 'must not be negative', c_spend)
      WHEN spend_num > 1e12 THEN STRUCT('spend', 'must not exceed 1000000000000', c_spend)
      WHEN c_currency IS NOT NULL AND NOT REGEXP_CONTAINS(TRIM(c_currency, ' '), r'^[A-Za-z]{3}$') THEN STRUCT('currency', 'not a 3-letter ISO 4217 code', c_currency)
      WHEN c_impressions IS NOT NULL AND impressions_n IS NULL THEN STRUCT('impressions', 'must be a non-negative integer', c_impressions)
      WHEN c_clicks IS NOT NULL AND clicks_n IS NULL THEN STRUCT('clicks', 'must be a non-negative integer', c_clicks)
    END AS rej
  FROM typed
)
SELECT
  {{bq_stage_columns}},
  d AS spend_date,
  platform_id AS platform,
  c_campaign_id AS campaign_id,
  c_campaign_name AS campaign_name,
  -- DECIMAL(18, 4) on DuckDB: NUMERIC rounded to 4 places here
  IF(rej IS NULL, ROUND(SAFE_CAST(spend_num AS NUMERIC), 4), NULL) AS spend,
  UPPER(COALESCE(TRIM(c_currency, ' '), CAST(@p2 AS STRING))) AS currency,
  impressions_n AS impressions,
  clicks_n AS clicks
FROM checked
