-- purpose: BigQuery's twin of validate-events.sql: the same checks in the same order, with the same fields and
--   reasons, over the numbered lines of a batch of event files. Stages every row: the raw_events columns, and for a
--   row that fails, its first failing check as rej (field, rule, value) and the reason as raw_rejected stores it
-- grain: one row per line (NDJSON) or record (CSV) of the batch's files, blank lines included (flagged `blank`)
-- key: src_file, src_line
-- parameters: @p1 now (TIMESTAMP; later than now + 1 day is implausible; also loaded_at), @p2 account currency
--   (default when value is set), @p3 load ids and @p4 paths (ARRAY<STRING>, element src_file - 1)
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
    {{bq_json_queries: event_id, event_name, timestamp, source, anonymous_id, user_id, session_id, page_url, referrer, user_agent, value,
      currency, order_id, consent, properties}}
  FROM docs
),
src AS (
  -- doc_error: why an NDJSON line is not a JSON object; NULL for a blank line or a CSV record
  -- c_*: the field's text: a string unquoted; a number in its shortest form, as DuckDB writes it (1.50 → 1.5);
  --   an object or array as minified JSON, keys in their order; '' and null are absent
  -- t_*: its JSON kind: string, number, object, array, boolean (NULL when absent or null)
  SELECT src_file, src_line, raw, blank,
    {{bq_doc_error}},
    {{bq_field_texts: event_id, event_name, timestamp, source, anonymous_id, user_id, session_id, page_url, referrer, user_agent, value,
      currency, order_id, consent, properties}},
    {{bq_field_kinds: event_id, event_name, timestamp, source, anonymous_id, user_id, session_id, page_url, referrer, user_agent, value,
      currency, order_id, consent, properties}}
  FROM fragments
),
typed AS (
  SELECT *,
    -- ISO 8601 with seconds and an offset, then a real instant
    REGEXP_CONTAINS(c_timestamp, r'^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$') AS iso_ts,
    IF(REGEXP_CONTAINS(c_timestamp, r'^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$'), SAFE_CAST(c_timestamp AS TIMESTAMP), NULL) AS ts,
    LOWER(TRIM(c_source, ' ')) AS source_lc,
    -- a decimal number written plainly (no NaN, Infinity, hex or underscores); beyond FLOAT64 it is infinite, as DuckDB casts it
    {{bq_number:c_value}} AS num_value,
    IF(t_consent = 'object', JSON_QUERY(c_consent, '$.analytics'), NULL) AS q_analytics,
    IF(t_consent = 'object', JSON_QUERY(c_consent, '$.ads'), NULL) AS q_ads
  FROM src
),
consented AS (
  SELECT *,
    CASE LEFT(q_analytics, 1) WHEN 'n' THEN 'null' WHEN '"' THEN 'string' WHEN '{' THEN 'object' WHEN '[' THEN 'array' WHEN 't' THEN 'boolean' WHEN 'f' THEN 'boolean' ELSE IF(q_analytics IS NULL, NULL, 'number') END AS analytics_t,
    CASE LEFT(q_ads, 1) WHEN 'n' THEN 'null' WHEN '"' THEN 'string' WHEN '{' THEN 'object' WHEN '[' THEN 'array' WHEN 't' THEN 'boolean' WHEN 'f' THEN 'boolean' ELSE IF(q_ads IS NULL, NULL, 'number') END AS ads_t,
    COALESCE(JSON_VALUE(c_consent, '$.analytics'), IF(LEFT(q_analytics, 1) IN ('{', '['), q_analytics, NULL)) AS analytics_v,
    COALESCE(JSON_VALUE(c_consent, '$.ads'), IF(LEFT(q_ads, 1) IN ('{', '['), q_ads, NULL)) AS ads_v
  FROM typed
),
checked AS (
  SELECT *,
    CASE
      {{bq_line_checks}}

      WHEN c_event_id IS NULL THEN STRUCT('event_id', 'required', NULL)
      WHEN t_event_id NOT IN ('string', 'number') THEN STRUCT('event_id', 'must be a string or number, got ' || t_event_id, NULL)
      WHEN LENGTH(c_event_id) > 128 THEN STRUCT('event_id', 'longer than 128 characters', c_event_id)
      WHEN NOT REGEXP_CONTAINS(c_event_id, r'^[^\s"\'`;\p{Cc}\p{Cf}\p{Z}]+$') THEN STRUCT('event_id', 'must not contain whitespace, quotes, semicolons or control characters', c_event_id)

      WHEN c_event_name IS NULL THEN STRUCT('event_name', 'required', NULL)
      WHEN t_event_name NOT IN ('string', 'number') THEN STRUCT('event_name', 'must be a string, got ' || t_event_name, NULL)
      WHEN NOT REGEXP_CONTAINS(c_event_name, r'^[A-Za-z][A-Za-z0-9_.:-]{0,63}$') THEN STRUCT('event_name', 'must match ^[A-Za-z][A-Za-z0-9_.:-]{0,63}$', c_event_name)

      WHEN c_timestamp IS NULL THEN STRUCT('timestamp', 'required', NULL)
      WHEN t_timestamp NOT IN ('string', 'number') THEN STRUCT('timestamp', 'must be a string, got ' || t_timestamp, c_timestamp)
      WHEN NOT iso_ts THEN STRUCT('timestamp', 'not an ISO 8601 timestamp with offset', c_timestamp)
      WHEN ts IS NULL THEN STRUCT('timestamp', 'not a valid date and time', c_timestamp)
      WHEN ts < TIMESTAMP '2000-01-01 00:00:00+00' THEN STRUCT('timestamp', 'implausible: before 2000-01-01', c_timestamp)
      WHEN ts > TIMESTAMP_ADD(CAST(@p1 AS TIMESTAMP), INTERVAL 1 DAY) THEN STRUCT('timestamp', 'implausible: more than 1 day in the future', c_timestamp)

      WHEN c_source IS NULL THEN STRUCT('source', 'required', NULL)
      WHEN t_source NOT IN ('string', 'number') OR source_lc NOT IN ('client', 'server', 'clickbeam', 'skybeam') THEN STRUCT('source', 'unknown source (expected client, server, clickbeam or skybeam)', c_source)

      WHEN c_anonymous_id IS NULL AND c_user_id IS NULL THEN STRUCT('anonymous_id', 'anonymous_id or user_id required', NULL)
      WHEN c_anonymous_id IS NOT NULL AND t_anonymous_id NOT IN ('string', 'number') THEN STRUCT('anonymous_id', 'must be a string or number, got ' || t_anonymous_id, NULL)
      WHEN LENGTH(c_anonymous_id) > 256 THEN STRUCT('anonymous_id', 'longer than 256 characters', c_anonymous_id)
      WHEN c_user_id IS NOT NULL AND t_user_id NOT IN ('string', 'number') THEN STRUCT('user_id', 'must be a string or number, got ' || t_user_id, NULL)
      WHEN LENGTH(c_user_id) > 256 THEN STRUCT('user_id', 'longer than 256 characters', c_user_id)
      WHEN c_session_id IS NOT NULL AND t_session_id NOT IN ('string', 'number') THEN STRUCT('session_id', 'must be a string or number, got ' || t_session_id, NULL)
      WHEN LENGTH(c_session_id) > 256 THEN STRUCT('session_id', 'longer than 256 characters', c_session_id)

      WHEN c_page_url IS NOT NULL AND t_page_url NOT IN ('string', 'number') THEN STRUCT('page_url', 'must be a string, got ' || t_page_url, NULL)
      WHEN LENGTH(c_page_url) > 8192 THEN STRUCT('page_url', 'longer than 8192 characters', c_page_url)
      WHEN c_referrer IS NOT NULL AND t_referrer NOT IN ('string', 'number') THEN STRUCT('referrer', 'must be a string, got ' || t_referrer, NULL)
      WHEN LENGTH(c_referrer) > 8192 THEN STRUCT('referrer', 'longer than 8192 characters', c_referrer)
      WHEN c_user_agent IS NOT NULL AND t_user_agent NOT IN ('string', 'number') THEN STRUCT('user_agent', 'must be a string, got ' || t_user_agent, NULL)
      WHEN LENGTH(c_user_agent) > 2048 THEN STRUCT('user_agent', 'longer than 2048 characters', c_user_agent)

      WHEN c_value IS NOT NULL AND t_value NOT IN ('string', 'number') THEN STRUCT('value', 'must be a number or numeric string, got ' || t_value, c_value)
      WHEN c_value IS NOT NULL AND num_value IS NULL THEN STRUCT('value', 'not a number', c_value)
      WHEN IS_INF(num_value) OR IS_NAN(num_value) THEN STRUCT('value', 'not a finite number', c_value)
      WHEN num_value < 0 THEN STRUCT('value', 'must not be negative', c_value)
      WHEN num_value > 1e9 THEN STRUCT('value', 'must not exceed 1000000000', c_value)

      WHEN c_currency IS NOT NULL AND (t_currency NOT IN ('string', 'number') OR NOT REGEXP_CONTAINS(c_currency, r'^[A-Za-z]{3}$')) THEN STRUCT('currency', 'not a 3-letter ISO 4217 code', c_currency)

      WHEN c_order_id IS NOT NULL AND t_order_id NOT IN ('string', 'number') THEN STRUCT('order_id', 'must be a string or number, got ' || t_order_id, NULL)
      WHEN LENGTH(c_order_id) > 128 THEN STRUCT('order_id', 'longer than 128 characters', c_order_id)

      WHEN c_consent IS NOT NULL AND t_consent <> 'object' THEN STRUCT('consent', 'must be an object {analytics, ads}, got ' || t_consent, c_consent)
      WHEN analytics_t NOT IN ('boolean', 'null') THEN STRUCT('consent.analytics', 'must be a boolean, got ' || analytics_t, analytics_v)
      WHEN ads_t NOT IN ('boolean', 'null') THEN STRUCT('consent.ads', 'must be a boolean, got ' || ads_t, ads_v)

      WHEN c_properties IS NOT NULL AND t_properties <> 'object' THEN STRUCT('properties', 'must be an object, got ' || t_properties, c_properties)
      WHEN BYTE_LENGTH(c_properties) > 65536 THEN STRUCT('properties', 'larger than 64 KB', NULL)
    END AS rej
  FROM consented
),
normalised AS (
  SELECT
    src_file, src_line, blank, rej, raw,
    c_event_id AS event_id,
    c_event_name AS event_name,
    ts AS event_ts,
    CASE source_lc WHEN 'clickbeam' THEN 'client' WHEN 'skybeam' THEN 'server' ELSE source_lc END AS source,
    c_anonymous_id AS anonymous_id,
    c_user_id AS user_id,
    c_session_id AS session_id,
    c_page_url AS page_url,
    c_referrer AS referrer,
    c_user_agent AS user_agent,
    num_value AS value,
    CASE WHEN c_currency IS NOT NULL THEN UPPER(c_currency) WHEN num_value IS NOT NULL THEN CAST(@p2 AS STRING) END AS currency,
    c_order_id AS order_id,
    IF(analytics_t = 'boolean', analytics_v = 'true', NULL) AS consent_analytics,
    IF(ads_t = 'boolean', ads_v = 'true', NULL) AS consent_ads,
    c_properties AS properties
  FROM checked
)
SELECT
  {{bq_stage_columns}},
  event_id, event_name, event_ts, source, anonymous_id, user_id, session_id, page_url, referrer, user_agent,
  value, currency, order_id, consent_analytics, consent_ads, properties
FROM normalised
