-- purpose: validate every row of one FX-rates file in a single pass and stage it: the typed raw_fx columns,
--   and for a row that fails, its first failing check as rej (field, rule, value)
-- grain: one row per file row; key: rowid (rows are written in file order: line = rowid + the format's first line)
-- parameters: none
-- placeholders: stage (the temp table to create), source (the file(s) as a relation, in file order: (src_file, src_line, raw, blank, doc_error, c_*/t_* per field);
--   src_file/src_line are NULL for a one-file load, whose line then follows from the stage rowid)
-- generated: the duck_* placeholders are SQL that pipelines/extract/sql.ts writes (its comment lists them), the same
--   in each validate-*.sql that uses them; here duck_line_checks (blank line; doc_error → '(line)'),
--   duck_date_checks (date: required, a date), duck_number_checks (rate: required, a finite number) and
--   duck_stage_columns (src_file … raw)
CREATE OR REPLACE TEMP TABLE {{stage}} AS
WITH src AS (
{{source}}
),
typed AS (
  SELECT *, beamline_date(c_date) AS d, beamline_number(c_rate) AS rate_num FROM src
),
checked AS (
  SELECT *,
    CASE
      {{duck_line_checks}}
      {{duck_date_checks:date,d}}
      WHEN c_currency IS NULL THEN beamline_reject('currency', 'required', NULL)
      WHEN NOT regexp_full_match(trim(c_currency), '[A-Za-z]{3}') THEN beamline_reject('currency', 'not a 3-letter ISO 4217 code', c_currency)
      {{duck_number_checks:rate,rate_num}}
      WHEN rate_num <= 0 THEN beamline_reject('rate', 'must be greater than 0', c_rate)
    END AS rej
  FROM typed
)
SELECT
  {{duck_stage_columns}},
  d AS rate_date,
  upper(trim(c_currency)) AS currency,
  rate_num AS rate
FROM checked
