-- purpose: BigQuery's twin of validate-spend.sql: the same checks in the same order, with the same fields and reasons,
--   over the numbered lines of a batch of ad-spend files. Stages every row: the raw_ad_spend columns, and for a row
--   that fails, its first failing check as rej (field, rule, value) and the reason as raw_rejected stores it.
--   Exact duplicate rows are kept (staging removes and counts them).
-- grain: one row per line (NDJSON) or record (CSV) of the batch's files, blank lines included (flagged `blank`)
-- key: src_file, src_line
-- parameters: @p1 now (TIMESTAMP; a date after now + 1 day is implausible; also loaded_at), @p2 account currency
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
    JSON_QUERY(COALESCE(doc, raw), '$.date') AS q_date, JSON_QUERY(COALESCE(doc, raw), '$.platform') AS q_platform, JSON_QUERY(COALESCE(doc, raw), '$.campaign_id') AS q_campaign_id, JSON_QUERY(COALESCE(doc, raw), '$.campaign_name') AS q_campaign_name, JSON_QUERY(COALESCE(doc, raw), '$.spend') AS q_spend, JSON_QUERY(COALESCE(doc, raw), '$.currency') AS q_currency, JSON_QUERY(COALESCE(doc, raw), '$.impressions') AS q_impressions, JSON_QUERY(COALESCE(doc, raw), '$.clicks') AS q_clicks
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
    NULLIF(CASE IFNULL(LEFT(q_platform, 1), 'n') WHEN '"' THEN JSON_VALUE(d, '$.platform') WHEN 'n' THEN NULL WHEN '{' THEN q_platform WHEN '[' THEN q_platform WHEN 't' THEN q_platform WHEN 'f' THEN q_platform
      ELSE IFNULL(NULLIF(TO_JSON_STRING(SAFE.PARSE_JSON(q_platform, wide_number_mode => 'round')), 'null'), q_platform) END, '') AS c_platform,
    NULLIF(CASE IFNULL(LEFT(q_campaign_id, 1), 'n') WHEN '"' THEN JSON_VALUE(d, '$.campaign_id') WHEN 'n' THEN NULL WHEN '{' THEN q_campaign_id WHEN '[' THEN q_campaign_id WHEN 't' THEN q_campaign_id WHEN 'f' THEN q_campaign_id
      ELSE IFNULL(NULLIF(TO_JSON_STRING(SAFE.PARSE_JSON(q_campaign_id, wide_number_mode => 'round')), 'null'), q_campaign_id) END, '') AS c_campaign_id,
    NULLIF(CASE IFNULL(LEFT(q_campaign_name, 1), 'n') WHEN '"' THEN JSON_VALUE(d, '$.campaign_name') WHEN 'n' THEN NULL WHEN '{' THEN q_campaign_name WHEN '[' THEN q_campaign_name WHEN 't' THEN q_campaign_name WHEN 'f' THEN q_campaign_name
      ELSE IFNULL(NULLIF(TO_JSON_STRING(SAFE.PARSE_JSON(q_campaign_name, wide_number_mode => 'round')), 'null'), q_campaign_name) END, '') AS c_campaign_name,
    NULLIF(CASE IFNULL(LEFT(q_spend, 1), 'n') WHEN '"' THEN JSON_VALUE(d, '$.spend') WHEN 'n' THEN NULL WHEN '{' THEN q_spend WHEN '[' THEN q_spend WHEN 't' THEN q_spend WHEN 'f' THEN q_spend
      ELSE IFNULL(NULLIF(TO_JSON_STRING(SAFE.PARSE_JSON(q_spend, wide_number_mode => 'round')), 'null'), q_spend) END, '') AS c_spend,
    NULLIF(CASE IFNULL(LEFT(q_currency, 1), 'n') WHEN '"' THEN JSON_VALUE(d, '$.currency') WHEN 'n' THEN NULL WHEN '{' THEN q_currency WHEN '[' THEN q_currency WHEN 't' THEN q_currency WHEN 'f' THEN q_currency
      ELSE IFNULL(NULLIF(TO_JSON_STRING(SAFE.PARSE_JSON(q_currency, wide_number_mode => 'round')), 'null'), q_currency) END, '') AS c_currency,
    NULLIF(CASE IFNULL(LEFT(q_impressions, 1), 'n') WHEN '"' THEN JSON_VALUE(d, '$.impressions') WHEN 'n' THEN NULL WHEN '{' THEN q_impressions WHEN '[' THEN q_impressions WHEN 't' THEN q_impressions WHEN 'f' THEN q_impressions
      ELSE IFNULL(NULLIF(TO_JSON_STRING(SAFE.PARSE_JSON(q_impressions, wide_number_mode => 'round')), 'null'), q_impressions) END, '') AS c_impressions,
    NULLIF(CASE IFNULL(LEFT(q_clicks, 1), 'n') WHEN '"' THEN JSON_VALUE(d, '$.clicks') WHEN 'n' THEN NULL WHEN '{' THEN q_clicks WHEN '[' THEN q_clicks WHEN 't' THEN q_clicks WHEN 'f' THEN q_clicks
      ELSE IFNULL(NULLIF(TO_JSON_STRING(SAFE.PARSE_JSON(q_clicks, wide_number_mode => 'round')), 'null'), q_clicks) END, '') AS c_clicks
  FROM docs
),
ungrouped AS (
  -- thousands separators as platform exports write them: 1,234,567.89 → 1234567.89
  SELECT *,
    IF(REGEXP_CONTAINS(TRIM(c_spend, ' '), r'^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$'), REPLACE(TRIM(c_spend, ' '), ',', ''), TRIM(c_spend, ' ')) AS spend_text,
    IF(REGEXP_CONTAINS(TRIM(c_impressions, ' '), r'^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$'), REPLACE(TRIM(c_impressions, ' '), ',', ''), TRIM(c_impressions, ' ')) AS impressions_text,
    IF(REGEXP_CONTAINS(TRIM(c_clicks, ' '), r'^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$'), REPLACE(TRIM(c_clicks, ' '), ',', ''), TRIM(c_clicks, ' ')) AS clicks_text,
    REGEXP_REPLACE(LOWER(TRIM(c_platform, ' ')), r'[\s-]+', '_') AS platform_key
  FROM src
),
typed AS (
  SELECT *,
    -- YYYY-MM-DD, or M/D/YYYY as Microsoft Ads and LinkedIn export it
    CASE
      WHEN REGEXP_CONTAINS(TRIM(c_date, ' '), r'^\d{4}-\d{2}-\d{2}$') THEN SAFE_CAST(TRIM(c_date, ' ') AS DATE)
      WHEN REGEXP_CONTAINS(TRIM(c_date, ' '), r'^\d{1,2}/\d{1,2}/\d{4}$') THEN SAFE.PARSE_DATE('%m/%d/%Y', TRIM(c_date, ' '))
    END AS d,
    -- ad platform names as exports and people write them → Beamline's platform ids; NULL when unknown
    CASE
      WHEN platform_key IN ('google', 'google_ads', 'adwords', 'google_adwords') THEN 'google_ads'
      WHEN platform_key IN ('facebook', 'meta', 'instagram', 'facebook_ads', 'meta_ads') THEN 'meta'
      WHEN platform_key IN ('bing', 'bing_ads', 'microsoft', 'microsoft_ads', 'microsoft_advertising') THEN 'microsoft_ads'
      WHEN platform_key IN ('linkedin', 'linkedin_ads') THEN 'linkedin'
      WHEN platform_key IN ('tiktok', 'tiktok_ads') THEN 'tiktok'
      WHEN platform_key IN ('pinterest', 'pinterest_ads') THEN 'pinterest'
      WHEN platform_key IN ('reddit', 'reddit_ads') THEN 'reddit'
      WHEN platform_key IN ('x', 'twitter', 'x_ads', 'twitter_ads') THEN 'x'
    END AS platform_id,
    -- a decimal number written plainly (no NaN, Infinity, hex or underscores); beyond FLOAT64 it is infinite, as DuckDB casts it
    IF(REGEXP_CONTAINS(TRIM(spend_text, ' '), r'^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$'), IFNULL(SAFE_CAST(TRIM(spend_text, ' ') AS FLOAT64), IF(STARTS_WITH(TRIM(spend_text, ' '), '-'), CAST('-inf' AS FLOAT64), CAST('inf' AS FLOAT64))), NULL) AS spend_num,
    IF(REGEXP_CONTAINS(impressions_text, r'^\d{1,18}$'), SAFE_CAST(impressions_text AS INT64), NULL) AS impressions_n,
    IF(REGEXP_CONTAINS(clicks_text, r'^\d{1,18}$'), SAFE_CAST(clicks_text AS INT64), NULL) AS clicks_n
  FROM ungrouped
),
checked AS (
  SELECT *,
    CASE
      WHEN blank THEN CAST(NULL AS STRUCT<field STRING, rule STRING, value STRING>)
      WHEN doc_error IS NOT NULL THEN STRUCT('(line)', doc_error, NULL)
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
  src_file, blank, rej,
  -- the reason as stored: the rule, then the offending value as a JSON string cut to 100 characters
  rej.rule || IF(rej.value IS NULL, '', ': ' || TO_JSON_STRING(LEFT(rej.value, 100))) AS reason,
  IF(rej IS NOT NULL, LEFT(raw, 2000), NULL) AS raw,
  @p3[OFFSET(src_file - 1)] AS load_id,
  @p4[OFFSET(src_file - 1)] AS file,
  src_line AS line,
  CAST(@p1 AS TIMESTAMP) AS loaded_at,
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
