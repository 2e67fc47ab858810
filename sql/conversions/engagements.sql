-- purpose: engagements: goal events (not in NON_GOAL_EVENTS) with value 0 or none in a journey (add_to_cart, sign_up, newsletter_signup, …; page views and logins are neither).
-- grain: one row per engagement event (engagement_id = event_key)
-- version: 1
-- materialized: incremental_by_key
-- log_dates: local_date
-- key: person_id
-- keys_from: dirty_persons
-- starts_from: dirty_starts
-- start_column: engagement_ts
-- partition_by: local_date
-- cluster_by: person_id
SELECT
  event_key AS engagement_id,
  person_id,
  session_id,
  event_key,
  event_ts AS engagement_ts,
  local_date,
  event_name,
  sources
FROM {{ ref('session_events') }} AS se
WHERE se.is_engagement AND {{ keys_filter('person_id') }} AND {{ starts_floor('se.local_date') }} AND {{ starts_filter('se.person_id', 'se.event_ts') }}
