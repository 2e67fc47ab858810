-- purpose: helper macros the validate-*.sql files share (session-scoped temp macros, created at the start of each load)
-- parameters: none
-- generated: platform_id (SQL that pipelines/extract/sql.ts writes, expanded when the file is read)
CREATE OR REPLACE TEMP MACRO beamline_is_number(t) AS t IN ('BIGINT', 'UBIGINT', 'HUGEINT', 'DOUBLE');
-- JSON type name as a reject reason says it
CREATE OR REPLACE TEMP MACRO beamline_json_kind(t) AS CASE
  WHEN t = 'VARCHAR' THEN 'string' WHEN beamline_is_number(t) THEN 'number' ELSE lower(t) END;
-- an id: printable, no whitespace (any Unicode separator), quotes, backticks or semicolons
CREATE OR REPLACE TEMP MACRO beamline_id_ok(s) AS regexp_full_match(s, '[^\s"''`;\p{Cc}\p{Cf}\p{Z}]+');
-- ISO 8601 date and time with seconds and an offset (Z, ±hh:mm or ±hhmm); 'T' or a space between date and time
CREATE OR REPLACE TEMP MACRO beamline_is_iso_ts(s) AS regexp_full_match(s, '\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})');
CREATE OR REPLACE TEMP MACRO beamline_ts(s) AS CASE WHEN beamline_is_iso_ts(s) THEN try_cast(s AS TIMESTAMPTZ) END;
-- thousands separators as platform exports write them: 1,234,567.89 → 1234567.89
CREATE OR REPLACE TEMP MACRO beamline_ungroup(s) AS CASE
  WHEN regexp_full_match(trim(s), '[+-]?\d{1,3}(,\d{3})+(\.\d+)?') THEN replace(trim(s), ',', '') ELSE trim(s) END;
-- a decimal number written plainly (no NaN, Infinity, hex or underscores); NULL otherwise
CREATE OR REPLACE TEMP MACRO beamline_number(s) AS CASE
  WHEN regexp_full_match(trim(s), '[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?') THEN try_cast(trim(s) AS DOUBLE) END;
CREATE OR REPLACE TEMP MACRO beamline_count(s) AS CASE
  WHEN regexp_full_match(beamline_ungroup(s), '\d{1,18}') THEN CAST(beamline_ungroup(s) AS BIGINT) END;
-- YYYY-MM-DD, or M/D/YYYY as Microsoft Ads and LinkedIn export it
CREATE OR REPLACE TEMP MACRO beamline_date(s) AS CASE
  WHEN regexp_full_match(trim(s), '\d{4}-\d{2}-\d{2}') THEN try_cast(trim(s) AS DATE)
  WHEN regexp_full_match(trim(s), '\d{1,2}/\d{1,2}/\d{4}') THEN CAST(try_strptime(trim(s), '%m/%d/%Y') AS DATE) END;
-- the first failing check of a row: field, rule (what reason counts group by) and the offending value
CREATE OR REPLACE TEMP MACRO beamline_reject(f, r, v) AS {'field': CAST(f AS VARCHAR), 'rule': CAST(r AS VARCHAR), 'value': CAST(v AS VARCHAR)};
-- the reason as stored: rule, then the value as a JSON string cut to 100 characters
CREATE OR REPLACE TEMP MACRO beamline_reason(rej) AS
  rej.rule || CASE WHEN rej.value IS NULL THEN '' ELSE ': ' || CAST(to_json(left(rej.value, 100)) AS VARCHAR) END;
-- a yes/no cell of a flat CSV consent column as JSON (anything else stays a string and is rejected)
CREATE OR REPLACE TEMP MACRO beamline_bool_json(s) AS CASE
  WHEN lower(trim(s)) IN ('true', '1', 'yes') THEN json('true') WHEN lower(trim(s)) IN ('false', '0', 'no') THEN json('false') ELSE to_json(s) END;
-- ad platform names as exports and people write them → Beamline's platform ids; NULL when unknown: a CASE over
--   the alias table PLATFORM_ALIASES of pipelines/extract/sql.ts (the generator platform_id, which
--   validate-spend.bigquery.sql uses too)
CREATE OR REPLACE TEMP MACRO beamline_platform_id(p) AS {{platform_id:p}};
CREATE OR REPLACE TEMP MACRO beamline_platform(s) AS beamline_platform_id(regexp_replace(lower(trim(s)), '[\s-]+', '_', 'g'));
-- a JSON fragment (from json_transform to JSON): its type from its first character, and its text
-- (a string unquoted — parsed only when it has escapes; anything else as written, minified); '' → NULL
CREATE OR REPLACE TEMP MACRO beamline_fragment_type(j) AS CASE left(CAST(j AS VARCHAR), 1)
  WHEN '"' THEN 'VARCHAR' WHEN '{' THEN 'OBJECT' WHEN '[' THEN 'ARRAY' WHEN 't' THEN 'BOOLEAN' WHEN 'f' THEN 'BOOLEAN' WHEN 'n' THEN 'NULL' ELSE 'DOUBLE' END;
CREATE OR REPLACE TEMP MACRO beamline_fragment_text(j) AS nullif(CASE
  WHEN left(CAST(j AS VARCHAR), 1) <> '"' THEN CAST(j AS VARCHAR)
  WHEN contains(CAST(j AS VARCHAR), '\') THEN json_extract_string(j, '$')
  ELSE CAST(j AS VARCHAR)[2:-2] END, '');
-- the JSON type of a field read as text (json_transform to VARCHAR): 'VARCHAR' (a string, or a number
-- taken as its text) unless the text could be an object, array or boolean; only then is the line parsed again
CREATE OR REPLACE TEMP MACRO beamline_text_type(txt, line, path) AS CASE
  WHEN txt IS NULL THEN NULL
  WHEN left(txt, 1) IN ('{', '[') OR txt IN ('true', 'false') THEN json_type(line, path)
  ELSE 'VARCHAR' END;
