-- purpose: one row per session (see session_events for the split rules and the session id). Whether a session is still active is NOT stored (it would go stale in an incremental table): reports compare session_end with the run's as_of.
-- grain: one row per session
-- version: 1
-- materialized: incremental_by_key
-- log_dates: local_date
-- key: person_id
-- keys_from: dirty_persons
-- starts_from: dirty_starts
-- start_column: session_start
-- partition_by: local_date
-- cluster_by: person_id
-- (session_events is read twice with the columns each part needs, not once into a CTE of every column:
-- a CTE referenced twice is materialized whole, which cost more time and memory than the second scan)
WITH totals AS (
  SELECT
    person_id,
    session_id,
    min(session_index) AS session_index,
    min(event_ts) AS session_start,
    max(event_ts) AS session_end,
    count(*) AS event_count,
    CAST(sum(CASE WHEN source_count = 2 THEN 1 ELSE 0 END) AS BIGINT) AS dual_source_events,
    max(CASE WHEN client_event_id IS NOT NULL THEN 1 ELSE 0 END) AS has_client,
    max(CASE WHEN server_event_id IS NOT NULL THEN 1 ELSE 0 END) AS has_server,
    CAST(sum(CASE WHEN is_conversion THEN 1 ELSE 0 END) AS BIGINT) AS conversion_events,
    CAST(sum(CASE WHEN is_engagement THEN 1 ELSE 0 END) AS BIGINT) AS engagement_events,
    -- the first value each tracker reported in the session (session order = event_in_session): the
    -- smallest of "position, zero-padded to 10 digits, then the value" is the earliest non-NULL value
    -- (a NULL value makes the whole string NULL, which min skips); the value is what follows the 10
    -- digits. A plain aggregate: cheaper than a window over the session, and it spills under a memory cap.
    substr(min(lpad({{ cast_text('event_in_session') }}, 10, '0') || client_session_id), 11) AS client_session_id,
    substr(min(lpad({{ cast_text('event_in_session') }}, 10, '0') || server_session_id), 11) AS server_session_id,
    substr(min(lpad({{ cast_text('event_in_session') }}, 10, '0') || user_id), 11) AS first_user_id
  FROM {{ ref('session_events') }} AS se
  WHERE {{ keys_filter('person_id') }} AND {{ starts_floor('se.local_date') }} AND {{ starts_filter('se.person_id', 'se.event_ts') }}
  GROUP BY person_id, session_id
),
landing AS (
  SELECT * FROM {{ ref('session_events') }} AS se
  WHERE se.event_in_session = 1 AND {{ keys_filter('person_id') }} AND {{ starts_floor('se.local_date') }} AND {{ starts_filter('se.person_id', 'se.event_ts') }}
)
SELECT
  t.session_id,
  t.person_id,
  t.session_index,
  t.session_start,
  t.session_end,
  CAST(floor(({{ epoch_ms('t.session_end') }} - {{ epoch_ms('t.session_start') }}) / 1000) AS BIGINT) AS duration_seconds,
  l.local_date,
  t.event_count,
  CASE
    WHEN t.has_client = 1 AND t.has_server = 1 THEN ['client', 'server']
    WHEN t.has_client = 1 THEN ['client']
    ELSE ['server']
  END AS sources,
  CASE WHEN t.has_client = 1 AND t.has_server = 1 THEN TRUE ELSE FALSE END AS is_dual_source,
  t.dual_source_events,
  t.client_session_id,
  t.server_session_id,
  CASE WHEN t.has_client = 1 AND t.has_server = 1 AND t.client_session_id = t.server_session_id THEN TRUE ELSE FALSE END AS trackers_agree,
  l.click_platform AS platform,
  l.click_id_param,
  l.click_id,
  l.page_path AS landing_page,
  l.page_url AS landing_url,
  l.referrer_host,
  l.event_key AS landing_event_key,
  l.anonymous_id,
  t.first_user_id AS user_id,
  CASE WHEN t.conversion_events > 0 THEN TRUE ELSE FALSE END AS has_conversion,
  t.conversion_events,
  CASE WHEN t.engagement_events > 0 THEN TRUE ELSE FALSE END AS has_engagement,
  t.engagement_events
FROM totals AS t
JOIN landing AS l ON l.person_id = t.person_id AND l.session_id = t.session_id
