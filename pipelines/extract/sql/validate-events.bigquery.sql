-- purpose: BigQuery's twin of validate-events.sql: the same checks in the same order, with the same fields and
--   reasons, over the numbered lines of a batch of event files. Stages every row: the raw_events columns, and for a
--   row that fails, its first failing check as rej (field, rule, value) and the reason as raw_rejected stores it
-- grain: one row per line (NDJSON) or record (CSV) of the batch's files, blank lines included (flagged `blank`)
-- key: src_file, src_line
-- parameters: @p1 now (TIMESTAMP; later than now + 1 day is implausible; also loaded_at), @p2 account currency
--   (default when value is set), @p3 load ids and @p4 paths (ARRAY<STRING>, element src_file - 1)
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
    IF(doc IS NULL, SAFE.PARSE_JSON(REGEXP_REPLACE(raw, r'(\d)[eE][+-]?\d{3,}', r'\1'), wide_number_mode => 'round'), NULL) AS parsed
  FROM lines
),
fragments AS (
  -- each field's JSON text as written (a string quoted, an object minified); NULL when absent
  SELECT *,
    JSON_QUERY(d, '$.event_id') AS q_event_id, JSON_QUERY(d, '$.event_name') AS q_event_name, JSON_QUERY(d, '$.timestamp') AS q_timestamp,
    JSON_QUERY(d, '$.source') AS q_source, JSON_QUERY(d, '$.anonymous_id') AS q_anonymous_id, JSON_QUERY(d, '$.user_id') AS q_user_id,
    JSON_QUERY(d, '$.session_id') AS q_session_id, JSON_QUERY(d, '$.page_url') AS q_page_url, JSON_QUERY(d, '$.referrer') AS q_referrer,
    JSON_QUERY(d, '$.user_agent') AS q_user_agent, JSON_QUERY(d, '$.value') AS q_value, JSON_QUERY(d, '$.currency') AS q_currency,
    JSON_QUERY(d, '$.order_id') AS q_order_id, JSON_QUERY(d, '$.consent') AS q_consent, JSON_QUERY(d, '$.properties') AS q_properties
  FROM docs
),
src AS (
  -- c_*: the field's text: a string unquoted; a number in its shortest form, as DuckDB writes it (1.50 → 1.5);
  --   an object or array as minified JSON, keys in their order; '' and null are absent
  -- t_*: its JSON kind: string, number, object, array, boolean (NULL when absent or null)
  SELECT src_file, src_line, raw, blank,
    CASE
      WHEN blank OR doc IS NOT NULL THEN NULL
      WHEN parsed IS NULL OR JSON_TYPE(parsed) = 'null' THEN 'invalid JSON'  -- a line `null` too, as on DuckDB
      WHEN JSON_TYPE(parsed) <> 'object' THEN 'not a JSON object, got ' || JSON_TYPE(parsed)
    END AS doc_error,
    NULLIF(CASE IFNULL(LEFT(q_event_id, 1), 'n') WHEN '"' THEN JSON_VALUE(d, '$.event_id') WHEN 'n' THEN NULL WHEN '{' THEN q_event_id WHEN '[' THEN q_event_id WHEN 't' THEN q_event_id WHEN 'f' THEN q_event_id
      ELSE IFNULL(NULLIF(TO_JSON_STRING(SAFE.PARSE_JSON(q_event_id, wide_number_mode => 'round')), 'null'), q_event_id) END, '') AS c_event_id,
    NULLIF(CASE IFNULL(LEFT(q_event_name, 1), 'n') WHEN '"' THEN JSON_VALUE(d, '$.event_name') WHEN 'n' THEN NULL WHEN '{' THEN q_event_name WHEN '[' THEN q_event_name WHEN 't' THEN q_event_name WHEN 'f' THEN q_event_name
      ELSE IFNULL(NULLIF(TO_JSON_STRING(SAFE.PARSE_JSON(q_event_name, wide_number_mode => 'round')), 'null'), q_event_name) END, '') AS c_event_name,
    NULLIF(CASE IFNULL(LEFT(q_timestamp, 1), 'n') WHEN '"' THEN JSON_VALUE(d, '$.timestamp') WHEN 'n' THEN NULL WHEN '{' THEN q_timestamp WHEN '[' THEN q_timestamp WHEN 't' THEN q_timestamp WHEN 'f' THEN q_timestamp
      ELSE IFNULL(NULLIF(TO_JSON_STRING(SAFE.PARSE_JSON(q_timestamp, wide_number_mode => 'round')), 'null'), q_timestamp) END, '') AS c_timestamp,
    NULLIF(CASE IFNULL(LEFT(q_source, 1), 'n') WHEN '"' THEN JSON_VALUE(d, '$.source') WHEN 'n' THEN NULL WHEN '{' THEN q_source WHEN '[' THEN q_source WHEN 't' THEN q_source WHEN 'f' THEN q_source
      ELSE IFNULL(NULLIF(TO_JSON_STRING(SAFE.PARSE_JSON(q_source, wide_number_mode => 'round')), 'null'), q_source) END, '') AS c_source,
    NULLIF(CASE IFNULL(LEFT(q_anonymous_id, 1), 'n') WHEN '"' THEN JSON_VALUE(d, '$.anonymous_id') WHEN 'n' THEN NULL WHEN '{' THEN q_anonymous_id WHEN '[' THEN q_anonymous_id WHEN 't' THEN q_anonymous_id WHEN 'f' THEN q_anonymous_id
      ELSE IFNULL(NULLIF(TO_JSON_STRING(SAFE.PARSE_JSON(q_anonymous_id, wide_number_mode => 'round')), 'null'), q_anonymous_id) END, '') AS c_anonymous_id,
    NULLIF(CASE IFNULL(LEFT(q_user_id, 1), 'n') WHEN '"' THEN JSON_VALUE(d, '$.user_id') WHEN 'n' THEN NULL WHEN '{' THEN q_user_id WHEN '[' THEN q_user_id WHEN 't' THEN q_user_id WHEN 'f' THEN q_user_id
      ELSE IFNULL(NULLIF(TO_JSON_STRING(SAFE.PARSE_JSON(q_user_id, wide_number_mode => 'round')), 'null'), q_user_id) END, '') AS c_user_id,
    NULLIF(CASE IFNULL(LEFT(q_session_id, 1), 'n') WHEN '"' THEN JSON_VALUE(d, '$.session_id') WHEN 'n' THEN NULL WHEN '{' THEN q_session_id WHEN '[' THEN q_session_id WHEN 't' THEN q_session_id WHEN 'f' THEN q_session_id
      ELSE IFNULL(NULLIF(TO_JSON_STRING(SAFE.PARSE_JSON(q_session_id, wide_number_mode => 'round')), 'null'), q_session_id) END, '') AS c_session_id,
    NULLIF(CASE IFNULL(LEFT(q_page_url, 1), 'n') WHEN '"' THEN JSON_VALUE(d, '$.page_url') WHEN 'n' THEN NULL WHEN '{' THEN q_page_url WHEN '[' THEN q_page_url WHEN 't' THEN q_page_url WHEN 'f' THEN q_page_url
      ELSE IFNULL(NULLIF(TO_JSON_STRING(SAFE.PARSE_JSON(q_page_url, wide_number_mode => 'round')), 'null'), q_page_url) END, '') AS c_page_url,
    NULLIF(CASE IFNULL(LEFT(q_referrer, 1), 'n') WHEN '"' THEN JSON_VALUE(d, '$.referrer') WHEN 'n' THEN NULL WHEN '{' THEN q_referrer WHEN '[' THEN q_referrer WHEN 't' THEN q_referrer WHEN 'f' THEN q_referrer
      ELSE IFNULL(NULLIF(TO_JSON_STRING(SAFE.PARSE_JSON(q_referrer, wide_number_mode => 'round')), 'null'), q_referrer) END, '') AS c_referrer,
    NULLIF(CASE IFNULL(LEFT(q_user_agent, 1), 'n') WHEN '"' THEN JSON_VALUE(d, '$.user_agent') WHEN 'n' THEN NULL WHEN '{' THEN q_user_agent WHEN '[' THEN q_user_agent WHEN 't' THEN q_user_agent WHEN 'f' THEN q_user_agent
      ELSE IFNULL(NULLIF(TO_JSON_STRING(SAFE.PARSE_JSON(q_user_agent, wide_number_mode => 'round')), 'null'), q_user_agent) END, '') AS c_user_agent,
    NULLIF(CASE IFNULL(LEFT(q_value, 1), 'n') WHEN '"' THEN JSON_VALUE(d, '$.value') WHEN 'n' THEN NULL WHEN '{' THEN q_value WHEN '[' THEN q_value WHEN 't' THEN q_value WHEN 'f' THEN q_value
      ELSE IFNULL(NULLIF(TO_JSON_STRING(SAFE.PARSE_JSON(q_value, wide_number_mode => 'round')), 'null'), q_value) END, '') AS c_value,
    NULLIF(CASE IFNULL(LEFT(q_currency, 1), 'n') WHEN '"' THEN JSON_VALUE(d, '$.currency') WHEN 'n' THEN NULL WHEN '{' THEN q_currency WHEN '[' THEN q_currency WHEN 't' THEN q_currency WHEN 'f' THEN q_currency
      ELSE IFNULL(NULLIF(TO_JSON_STRING(SAFE.PARSE_JSON(q_currency, wide_number_mode => 'round')), 'null'), q_currency) END, '') AS c_currency,
    NULLIF(CASE IFNULL(LEFT(q_order_id, 1), 'n') WHEN '"' THEN JSON_VALUE(d, '$.order_id') WHEN 'n' THEN NULL WHEN '{' THEN q_order_id WHEN '[' THEN q_order_id WHEN 't' THEN q_order_id WHEN 'f' THEN q_order_id
      ELSE IFNULL(NULLIF(TO_JSON_STRING(SAFE.PARSE_JSON(q_order_id, wide_number_mode => 'round')), 'null'), q_order_id) END, '') AS c_order_id,
    NULLIF(CASE IFNULL(LEFT(q_consent, 1), 'n') WHEN '"' THEN JSON_VALUE(d, '$.consent') WHEN 'n' THEN NULL WHEN '{' THEN q_consent WHEN '[' THEN q_consent WHEN 't' THEN q_consent WHEN 'f' THEN q_consent
      ELSE IFNULL(NULLIF(TO_JSON_STRING(SAFE.PARSE_JSON(q_consent, wide_number_mode => 'round')), 'null'), q_consent) END, '') AS c_consent,
    NULLIF(CASE IFNULL(LEFT(q_properties, 1), 'n') WHEN '"' THEN JSON_VALUE(d, '$.properties') WHEN 'n' THEN NULL WHEN '{' THEN q_properties WHEN '[' THEN q_properties WHEN 't' THEN q_properties WHEN 'f' THEN q_properties
      ELSE IFNULL(NULLIF(TO_JSON_STRING(SAFE.PARSE_JSON(q_properties, wide_number_mode => 'round')), 'null'), q_properties) END, '') AS c_properties,
    CASE LEFT(q_event_id, 1) WHEN 'n' THEN NULL WHEN '"' THEN 'string' WHEN '{' THEN 'object' WHEN '[' THEN 'array' WHEN 't' THEN 'boolean' WHEN 'f' THEN 'boolean' ELSE IF(q_event_id IS NULL, NULL, 'number') END AS t_event_id,
    CASE LEFT(q_event_name, 1) WHEN 'n' THEN NULL WHEN '"' THEN 'string' WHEN '{' THEN 'object' WHEN '[' THEN 'array' WHEN 't' THEN 'boolean' WHEN 'f' THEN 'boolean' ELSE IF(q_event_name IS NULL, NULL, 'number') END AS t_event_name,
    CASE LEFT(q_timestamp, 1) WHEN 'n' THEN NULL WHEN '"' THEN 'string' WHEN '{' THEN 'object' WHEN '[' THEN 'array' WHEN 't' THEN 'boolean' WHEN 'f' THEN 'boolean' ELSE IF(q_timestamp IS NULL, NULL, 'number') END AS t_timestamp,
    CASE LEFT(q_source, 1) WHEN 'n' THEN NULL WHEN '"' THEN 'string' WHEN '{' THEN 'object' WHEN '[' THEN 'array' WHEN 't' THEN 'boolean' WHEN 'f' THEN 'boolean' ELSE IF(q_source IS NULL, NULL, 'number') END AS t_source,
    CASE LEFT(q_anonymous_id, 1) WHEN 'n' THEN NULL WHEN '"' THEN 'string' WHEN '{' THEN 'object' WHEN '[' THEN 'array' WHEN 't' THEN 'boolean' WHEN 'f' THEN 'boolean' ELSE IF(q_anonymous_id IS NULL, NULL, 'number') END AS t_anonymous_id,
    CASE LEFT(q_user_id, 1) WHEN 'n' THEN NULL WHEN '"' THEN 'string' WHEN '{' THEN 'object' WHEN '[' THEN 'array' WHEN 't' THEN 'boolean' WHEN 'f' THEN 'boolean' ELSE IF(q_user_id IS NULL, NULL, 'number') END AS t_user_id,
    CASE LEFT(q_session_id, 1) WHEN 'n' THEN NULL WHEN '"' THEN 'string' WHEN '{' THEN 'object' WHEN '[' THEN 'array' WHEN 't' THEN 'boolean' WHEN 'f' THEN 'boolean' ELSE IF(q_session_id IS NULL, NULL, 'number') END AS t_session_id,
    CASE LEFT(q_page_url, 1) WHEN 'n' THEN NULL WHEN '"' THEN 'string' WHEN '{' THEN 'object' WHEN '[' THEN 'array' WHEN 't' THEN 'boolean' WHEN 'f' THEN 'boolean' ELSE IF(q_page_url IS NULL, NULL, 'number') END AS t_page_url,
    CASE LEFT(q_referrer, 1) WHEN 'n' THEN NULL WHEN '"' THEN 'string' WHEN '{' THEN 'object' WHEN '[' THEN 'array' WHEN 't' THEN 'boolean' WHEN 'f' THEN 'boolean' ELSE IF(q_referrer IS NULL, NULL, 'number') END AS t_referrer,
    CASE LEFT(q_user_agent, 1) WHEN 'n' THEN NULL WHEN '"' THEN 'string' WHEN '{' THEN 'object' WHEN '[' THEN 'array' WHEN 't' THEN 'boolean' WHEN 'f' THEN 'boolean' ELSE IF(q_user_agent IS NULL, NULL, 'number') END AS t_user_agent,
    CASE LEFT(q_value, 1) WHEN 'n' THEN NULL WHEN '"' THEN 'string' WHEN '{' THEN 'object' WHEN '[' THEN 'array' WHEN 't' THEN 'boolean' WHEN 'f' THEN 'boolean' ELSE IF(q_value IS NULL, NULL, 'number') END AS t_value,
    CASE LEFT(q_currency, 1) WHEN 'n' THEN NULL WHEN '"' THEN 'string' WHEN '{' THEN 'object' WHEN '[' THEN 'array' WHEN 't' THEN 'boolean' WHEN 'f' THEN 'boolean' ELSE IF(q_currency IS NULL, NULL, 'number') END AS t_currency,
    CASE LEFT(q_order_id, 1) WHEN 'n' THEN NULL WHEN '"' THEN 'string' WHEN '{' THEN 'object' WHEN '[' THEN 'array' WHEN 't' THEN 'boolean' WHEN 'f' THEN 'boolean' ELSE IF(q_order_id IS NULL, NULL, 'number') END AS t_order_id,
    CASE LEFT(q_consent, 1) WHEN 'n' THEN NULL WHEN '"' THEN 'string' WHEN '{' THEN 'object' WHEN '[' THEN 'array' WHEN 't' THEN 'boolean' WHEN 'f' THEN 'boolean' ELSE IF(q_consent IS NULL, NULL, 'number') END AS t_consent,
    CASE LEFT(q_properties, 1) WHEN 'n' THEN NULL WHEN '"' THEN 'string' WHEN '{' THEN 'object' WHEN '[' THEN 'array' WHEN 't' THEN 'boolean' WHEN 'f' THEN 'boolean' ELSE IF(q_properties IS NULL, NULL, 'number') END AS t_properties
  FROM fragments
),
typed AS (
  SELECT *,
    -- ISO 8601 with seconds and an offset, then a real instant
    REGEXP_CONTAINS(c_timestamp, r'^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$') AS iso_ts,
    IF(REGEXP_CONTAINS(c_timestamp, r'^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$'), SAFE_CAST(c_timestamp AS TIMESTAMP), NULL) AS ts,
    LOWER(TRIM(c_source, ' ')) AS source_lc,
    -- a decimal number written plainly (no NaN, Infinity, hex or underscores); beyond FLOAT64 it is infinite, as DuckDB casts it
    IF(REGEXP_CONTAINS(TRIM(c_value, ' '), r'^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$'), IFNULL(SAFE_CAST(TRIM(c_value, ' ') AS FLOAT64), IF(STARTS_WITH(TRIM(c_value, ' '), '-'), CAST('-inf' AS FLOAT64), CAST('inf' AS FLOAT64))), NULL) AS num_value,
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
      WHEN blank THEN CAST(NULL AS STRUCT<field STRING, rule STRING, value STRING>)
      WHEN doc_error IS NOT NULL THEN STRUCT('(line)', doc_error, NULL)

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
    src_file, src_line, blank, rej,
    IF(rej IS NOT NULL, LEFT(raw, 2000), NULL) AS raw,
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
  src_file, blank, rej,
  -- the reason as stored: the rule, then the offending value as a JSON string cut to 100 characters
  rej.rule || IF(rej.value IS NULL, '', ': ' || TO_JSON_STRING(LEFT(rej.value, 100))) AS reason,
  raw,
  @p3[OFFSET(src_file - 1)] AS load_id,
  @p4[OFFSET(src_file - 1)] AS file,
  src_line AS line,
  CAST(@p1 AS TIMESTAMP) AS loaded_at,
  event_id, event_name, event_ts, source, anonymous_id, user_id, session_id, page_url, referrer, user_agent,
  value, currency, order_id, consent_analytics, consent_ads, properties,
  -- every contract field, normalised (the instant, not its spelling; the canonical source), so equal payloads hash
  -- equal whatever the file format (BigQuery's own serialisation: the value differs from DuckDB's hash)
  IF(rej IS NULL AND NOT blank, TO_HEX(MD5(TO_JSON_STRING(STRUCT(event_id, event_name, UNIX_MICROS(event_ts) AS event_ts, source, anonymous_id, user_id,
    session_id, page_url, referrer, user_agent, value, currency, order_id, consent_analytics, consent_ads, properties)))), NULL) AS payload_hash
FROM normalised
