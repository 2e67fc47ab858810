-- purpose: the JSON source every validate-*.bigquery.sql reads, written there as {{bq_json_source}} (expanded by
--   pipelines/extract/sql.ts, which leaves out these comment lines): the CTEs lines (the batch's lines, a byte-order
--   mark dropped) and docs (each line as a document d, whether it is blank, and an NDJSON line's strict parse)
-- grain: one row per line (NDJSON) or record (CSV) of the batch's files, blank lines included (flagged `blank`)
-- placeholders: lines (the lines table: src_file, src_line, raw, doc — doc is a CSV record's contract fields as a
--   JSON object, NULL for an NDJSON line, which is its own document)
lines AS (
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
)
