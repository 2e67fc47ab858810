-- purpose: one marketing touch per session, from its landing event: source and medium (UTMs, else derived from the click id or the referrer, see docs/channels.md) and the channel from the configured channel rules (GA4's default channel grouping unless replaced).
-- grain: one row per session (touchpoint_id = session_id)
-- version: 1
-- materialized: incremental_by_key
-- key: person_id
-- keys_from: dirty_persons
-- starts_from: dirty_starts
-- start_column: touch_ts
-- partition_by: local_date
-- cluster_by: person_id
WITH landing AS (
  SELECT
    person_id,
    session_id,
    event_ts AS touch_ts,
    local_date,
    utm_source,
    utm_medium,
    utm_campaign AS campaign,
    utm_term AS term,
    utm_content AS content,
    utm_id,
    referrer_host,
    click_platform,
    click_id_param,
    click_id,
    gad_source,
    page_path AS landing_page
  FROM {{ ref('session_events') }} AS se
  WHERE se.event_in_session = 1 AND {{ keys_filter('person_id') }} AND {{ starts_floor('se.local_date') }} AND {{ starts_filter('se.person_id', 'se.event_ts') }}
),
derived AS (
  SELECT l.*, {{ derived_source() }} AS source, {{ derived_medium() }} AS medium
  FROM landing AS l
)
SELECT
  session_id AS touchpoint_id,
  person_id,
  session_id,
  touch_ts,
  local_date,
  {{ channel_case() }} AS channel,
  source,
  medium,
  campaign,
  utm_id AS campaign_id,
  term,
  content,
  click_platform AS platform,
  click_id_param,
  click_id,
  gad_source,
  landing_page,
  referrer_host
FROM derived
