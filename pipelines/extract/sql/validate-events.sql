-- purpose: validate every row of one event file in a single pass and stage it: the typed raw_events
--   columns, and for a row that fails, its first failing check as rej (field, rule, value)
-- grain: one row per line of the file, blank lines included (flagged `blank`; neither loaded nor rejected)
-- key: the stage row's rowid (rows are written in file order: line = rowid + the format's first line)
-- parameters: $1 now (TIMESTAMPTZ; later than now + 1 day is implausible), $2 account currency (default when value is set)
-- placeholders: stage (the temp table to create), source (the file(s) as a relation: (src_file, src_line, raw, blank, doc_error, c_*/t_* per field);
--   src_file/src_line are NULL for a one-file load, whose line then follows from the stage rowid)
-- generated: the duck_* placeholders are SQL that pipelines/extract/sql.ts writes (its comment lists them), the same
--   in each validate-*.sql that uses them; here duck_line_checks (blank line; doc_error → '(line)'),
--   duck_id_checks (event_id: required, string or number, length, characters), duck_timestamp_checks (timestamp:
--   ISO 8601 with offset, a real instant, plausible against $1) and duck_stage_columns (src_file … raw)
CREATE OR REPLACE TEMP TABLE {{stage}} AS
WITH src AS (
{{source}}
),
typed AS (
  SELECT *,
    beamline_ts(c_timestamp) AS ts,
    lower(trim(c_source)) AS source_lc,
    beamline_number(c_value) AS num_value,
    CASE WHEN t_consent = 'OBJECT' THEN json_extract_string(c_consent, ['$.analytics', '$.ads']) END AS consent_v,
    CASE WHEN t_consent = 'OBJECT' THEN json_type(c_consent, ['$.analytics', '$.ads']) END AS consent_t
  FROM src
),
checked AS (
  SELECT *,
    CASE
      {{duck_line_checks}}

      {{duck_id_checks:event_id}}

      WHEN c_event_name IS NULL THEN beamline_reject('event_name', 'required', NULL)
      WHEN t_event_name <> 'VARCHAR' THEN beamline_reject('event_name', 'must be a string, got ' || beamline_json_kind(t_event_name), NULL)
      WHEN NOT regexp_full_match(c_event_name, '[A-Za-z][A-Za-z0-9_.:-]{0,63}') THEN beamline_reject('event_name', 'must match ^[A-Za-z][A-Za-z0-9_.:-]{0,63}$', c_event_name)

      WHEN c_timestamp IS NULL THEN beamline_reject('timestamp', 'required', NULL)
      WHEN t_timestamp <> 'VARCHAR' THEN beamline_reject('timestamp', 'must be a string, got ' || beamline_json_kind(t_timestamp), c_timestamp)
      {{duck_timestamp_checks:timestamp,ts}}

      WHEN c_source IS NULL THEN beamline_reject('source', 'required', NULL)
      WHEN t_source <> 'VARCHAR' OR source_lc NOT IN ('client', 'server', 'clickbeam', 'skybeam') THEN beamline_reject('source', 'unknown source (expected client, server, clickbeam or skybeam)', c_source)

      WHEN c_anonymous_id IS NULL AND c_user_id IS NULL THEN beamline_reject('anonymous_id', 'anonymous_id or user_id required', NULL)
      WHEN c_anonymous_id IS NOT NULL AND NOT (t_anonymous_id = 'VARCHAR' OR beamline_is_number(t_anonymous_id)) THEN beamline_reject('anonymous_id', 'must be a string or number, got ' || beamline_json_kind(t_anonymous_id), NULL)
      WHEN length(c_anonymous_id) > 256 THEN beamline_reject('anonymous_id', 'longer than 256 characters', c_anonymous_id)
      WHEN c_user_id IS NOT NULL AND NOT (t_user_id = 'VARCHAR' OR beamline_is_number(t_user_id)) THEN beamline_reject('user_id', 'must be a string or number, got ' || beamline_json_kind(t_user_id), NULL)
      WHEN length(c_user_id) > 256 THEN beamline_reject('user_id', 'longer than 256 characters', c_user_id)
      WHEN c_session_id IS NOT NULL AND NOT (t_session_id = 'VARCHAR' OR beamline_is_number(t_session_id)) THEN beamline_reject('session_id', 'must be a string or number, got ' || beamline_json_kind(t_session_id), NULL)
      WHEN length(c_session_id) > 256 THEN beamline_reject('session_id', 'longer than 256 characters', c_session_id)

      WHEN t_page_url <> 'VARCHAR' AND c_page_url IS NOT NULL THEN beamline_reject('page_url', 'must be a string, got ' || beamline_json_kind(t_page_url), NULL)
      WHEN length(c_page_url) > 8192 THEN beamline_reject('page_url', 'longer than 8192 characters', c_page_url)
      WHEN t_referrer <> 'VARCHAR' AND c_referrer IS NOT NULL THEN beamline_reject('referrer', 'must be a string, got ' || beamline_json_kind(t_referrer), NULL)
      WHEN length(c_referrer) > 8192 THEN beamline_reject('referrer', 'longer than 8192 characters', c_referrer)
      WHEN t_user_agent <> 'VARCHAR' AND c_user_agent IS NOT NULL THEN beamline_reject('user_agent', 'must be a string, got ' || beamline_json_kind(t_user_agent), NULL)
      WHEN length(c_user_agent) > 2048 THEN beamline_reject('user_agent', 'longer than 2048 characters', c_user_agent)

      WHEN c_value IS NOT NULL AND NOT (t_value = 'VARCHAR' OR beamline_is_number(t_value)) THEN beamline_reject('value', 'must be a number or numeric string, got ' || beamline_json_kind(t_value), c_value)
      WHEN c_value IS NOT NULL AND num_value IS NULL THEN beamline_reject('value', 'not a number', c_value)
      WHEN NOT isfinite(num_value) THEN beamline_reject('value', 'not a finite number', c_value)
      WHEN num_value < 0 THEN beamline_reject('value', 'must not be negative', c_value)
      WHEN num_value > 1e9 THEN beamline_reject('value', 'must not exceed 1000000000', c_value)

      WHEN c_currency IS NOT NULL AND (t_currency <> 'VARCHAR' OR NOT regexp_full_match(c_currency, '[A-Za-z]{3}')) THEN beamline_reject('currency', 'not a 3-letter ISO 4217 code', c_currency)

      WHEN c_order_id IS NOT NULL AND NOT (t_order_id = 'VARCHAR' OR beamline_is_number(t_order_id)) THEN beamline_reject('order_id', 'must be a string or number, got ' || beamline_json_kind(t_order_id), NULL)
      WHEN length(c_order_id) > 128 THEN beamline_reject('order_id', 'longer than 128 characters', c_order_id)

      WHEN c_consent IS NOT NULL AND t_consent <> 'OBJECT' THEN beamline_reject('consent', 'must be an object {analytics, ads}, got ' || beamline_json_kind(t_consent), c_consent)
      WHEN consent_t[1] NOT IN ('BOOLEAN', 'NULL') THEN beamline_reject('consent.analytics', 'must be a boolean, got ' || beamline_json_kind(consent_t[1]), consent_v[1])
      WHEN consent_t[2] NOT IN ('BOOLEAN', 'NULL') THEN beamline_reject('consent.ads', 'must be a boolean, got ' || beamline_json_kind(consent_t[2]), consent_v[2])

      WHEN c_properties IS NOT NULL AND t_properties <> 'OBJECT' THEN beamline_reject('properties', 'must be an object, got ' || beamline_json_kind(t_properties), c_properties)
      WHEN strlen(c_properties) > 65536 THEN beamline_reject('properties', 'larger than 64 KB', NULL)
    END AS rej
  FROM typed
),
normalised AS (
  SELECT
    {{duck_stage_columns}},
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
    CASE WHEN c_currency IS NOT NULL THEN upper(c_currency) WHEN num_value IS NOT NULL THEN CAST($2 AS VARCHAR) END AS currency,
    c_order_id AS order_id,
    CASE WHEN consent_t[1] = 'BOOLEAN' THEN consent_v[1] = 'true' END AS consent_analytics,
    CASE WHEN consent_t[2] = 'BOOLEAN' THEN consent_v[2] = 'true' END AS consent_ads,
    c_properties AS properties
  FROM checked
)
SELECT * FROM normalised
