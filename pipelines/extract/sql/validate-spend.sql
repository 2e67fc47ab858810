-- purpose: validate every row of one ad-spend file in a single pass and stage it: the typed raw_ad_spend
--   columns, and for a row that fails, its first failing check as rej (field, rule, value).
--   Exact duplicate rows are kept (staging removes and counts them).
-- grain: one row per file row; key: rowid (rows are written in file order: line = rowid + the format's first line)
-- parameters: $1 now (TIMESTAMPTZ; a date after now + 1 day is implausible), $2 account currency (default currency)
-- placeholders: stage (the temp table to create), source (the file(s) as a relation, in file order: (src_file, src_line, raw, blank, doc_error, c_*/t_* per field);
--   src_file/src_line are NULL for a one-file load, whose line then follows from the stage rowid)
-- generated: the duck_* placeholders are SQL that pipelines/extract/sql.ts writes (its comment lists them), the same
--   in each validate-*.sql that uses them; here duck_line_checks (blank line; doc_error → '(line)'),
--   duck_date_checks (date: required, a date), duck_number_checks (spend: required, a finite number) and
--   duck_stage_columns (src_file … raw)
CREATE OR REPLACE TEMP TABLE {{stage}} AS
WITH src AS (
{{source}}
),
typed AS (
  SELECT *,
    beamline_date(c_date) AS d,
    beamline_platform(c_platform) AS platform_id,
    beamline_number(beamline_ungroup(c_spend)) AS spend_num,
    beamline_count(c_impressions) AS impressions_n,
    beamline_count(c_clicks) AS clicks_n
  FROM src
),
checked AS (
  SELECT *,
    CASE
      {{duck_line_checks}}
      {{duck_date_checks:date,d}}
      WHEN d < DATE '2000-01-01' THEN beamline_reject('date', 'implausible: before 2000-01-01', c_date)
      WHEN d > CAST(CAST($1 AS TIMESTAMPTZ) + INTERVAL 1 DAY AS DATE) THEN beamline_reject('date', 'implausible: more than 1 day in the future', c_date)
      WHEN c_platform IS NULL THEN beamline_reject('platform', 'required', NULL)
      WHEN platform_id IS NULL THEN beamline_reject('platform', 'unknown platform (known: google_ads, meta, microsoft_ads, linkedin, tiktok, pinterest, reddit, x)', c_platform)
      WHEN c_campaign_id IS NULL AND c_campaign_name IS NULL THEN beamline_reject('campaign_id', 'campaign_id or campaign_name required', NULL)
      WHEN length(c_campaign_id) > 256 THEN beamline_reject('campaign_id', 'longer than 256 characters', c_campaign_id)
      WHEN length(c_campaign_name) > 1024 THEN beamline_reject('campaign_name', 'longer than 1024 characters', c_campaign_name)
      {{duck_number_checks:spend,spend_num}}
      WHEN spend_num < 0 THEN beamline_reject('spend', 'must not be negative', c_spend)
      WHEN spend_num > 1e12 THEN beamline_reject('spend', 'must not exceed 1000000000000', c_spend)
      WHEN c_currency IS NOT NULL AND NOT regexp_full_match(trim(c_currency), '[A-Za-z]{3}') THEN beamline_reject('currency', 'not a 3-letter ISO 4217 code', c_currency)
      WHEN c_impressions IS NOT NULL AND impressions_n IS NULL THEN beamline_reject('impressions', 'must be a non-negative integer', c_impressions)
      WHEN c_clicks IS NOT NULL AND clicks_n IS NULL THEN beamline_reject('clicks', 'must be a non-negative integer', c_clicks)
    END AS rej
  FROM typed
)
SELECT
  {{duck_stage_columns}},
  d AS spend_date,
  platform_id AS platform,
  c_campaign_id AS campaign_id,
  c_campaign_name AS campaign_name,
  CASE WHEN rej IS NULL THEN CAST(spend_num AS DECIMAL(18, 4)) END AS spend,
  upper(coalesce(trim(c_currency), CAST($2 AS VARCHAR))) AS currency,
  impressions_n AS impressions,
  clicks_n AS clicks
FROM checked
