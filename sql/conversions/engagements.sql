-- purpose: engagements: goal events (not in NON_GOAL_EVENTS) with value 0 or none in a journey (add_to_cart, sign_up, newsletter_signup, …; page views and logins are neither).
-- grain: one row per engagement event (engagement_id = event_key)
-- version: 2
-- materialized: incremental_by_key
-- log_dates: local_date
-- key: person_id
-- keys_from: dirty_persons
-- starts_from: dirty_starts
-- start_column: engagement_ts
-- partition_by: local_date
-- cluster_by: person_id
SELECT
  se.event_key AS engagement_id,
  se.person_id,
  se.session_id,
  se.event_key,
  se.event_ts AS engagement_ts,
  se.local_date,
  se.event_name,
  se.sources,
  -- the session's landing, carried so that a report by date need not read the session's (earlier) date
  l.click_platform AS session_platform,
  l.source AS session_source
FROM (
  SELECT se.person_id, se.session_id, se.event_key, se.event_ts, se.local_date, se.event_name, se.sources
  FROM {{ ref('session_events') }} AS se
  WHERE se.is_engagement AND {{ keys_filter('person_id') }} AND {{ starts_floor('se.local_date') }} AND {{ starts_filter('se.person_id', 'se.event_ts') }}
) AS se
LEFT JOIN (
  -- each session's landing (its first event): in the rows rebuilt with it (a session never straddles a start)
  SELECT lx.person_id, lx.session_id, lx.click_platform, coalesce(lx.utm_source, lx.referrer_host, 'unknown') AS source
  FROM {{ ref('session_events') }} AS lx
  WHERE lx.event_in_session = 1 AND {{ keys_filter('person_id') }} AND {{ starts_floor('lx.local_date') }} AND {{ starts_filter('lx.person_id', 'lx.event_ts') }}
) AS l ON l.person_id = se.person_id AND l.session_id = se.session_id
