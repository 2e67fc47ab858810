-- purpose: validate every row of one FX-rates file in a single pass and stage it: the typed raw_fx columns,
--   and for a row that fails, its first failing check as rej (field, rule, value)
-- grain: one row per file row; key: rowid (rows are written in file order: line = rowid + the format's first line)
-- parameters: none
-- placeholders: stage (the temp table to create), source (the file(s) as a relation, in file order: (src_file, src_line, raw, blank, doc_error, c_*/t_* per field);
--   src_file/src_line are NULL for a one-file load, whose line then follows from the stage rowid)
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
      WHEN blank THEN NULL
      WHEN doc_error IS NOT NULL THEN beamline_reject('(line)', doc_error, NULL)
      WHEN c_date IS NULL THEN beamline_reject('date', 'required', NULL)
      WHEN d IS NULL THEN beamline_reject('date', 'not a date (YYYY-MM-DD or M/D/YYYY)', c_date)
      WHEN c_currency IS NULL THEN beamline_reject('currency', 'required', NULL)
      WHEN NOT regexp_full_match(trim(c_currency), '[A-Za-z]{3}') THEN beamline_reject('currency', 'not a 3-letter ISO 4217 code', c_currency)
      WHEN c_rate IS NULL THEN beamline_reject('rate', 'required', NULL)
      WHEN rate_num IS NULL THEN beamline_reject('rate', 'not a number', c_rate)
      WHEN NOT isfinite(rate_num) THEN beamline_reject('rate', 'not a finite number', c_rate)
      WHEN rate_num <= 0 THEN beamline_reject('rate', 'must be greater than 0', c_rate)
    END AS rej
  FROM typed
)
SELECT
  src_file, src_line, blank, rej,
  CASE WHEN rej IS NOT NULL THEN left(raw, 2000) END AS raw,
  d AS rate_date,
  upper(trim(c_currency)) AS currency,
  rate_num AS rate
FROM checked
