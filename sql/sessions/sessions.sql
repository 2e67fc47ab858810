-- purpose: one row per session (see session_events for the split rules and the session id). Whether a session is still active is NOT stored (it would go stale in an incremental table): reports compare session_end with the run's as_of.
-- grain: one row per session
-- version: 1
-- materialized: incremental_by_key
-- key: person_id
-- keys_from: dirty_persons
WITH se AS (
  SELECT * FROM {{ ref('session_events') }} WHERE {{ keys_filter('person_id') }}
),
totals AS (
  SELECT
    person_id,
    session_id,
    min(session_index) AS session_index,
    min(event_ts) AS session_start,
    max(event_ts) AS session_end,
    count(*) AS event_count,
    sum(CASE WHEN source_count = 2 THEN 1 ELSE 0 END) AS dual_source_events,
    max(CASE WHEN client_event_id IS NOT NULL THEN 1 ELSE 0 END) AS has_client,
    max(CASE WHEN server_event_id IS NOT NULL THEN 1 ELSE 0 END) AS has_server,
    sum(CASE WHEN is_conversion THEN 1 ELSE 0 END) AS conversion_events,
    sum(CASE WHEN is_engagement THEN 1 ELSE 0 END) AS engagement_events
  FROM se
  GROUP BY person_id, session_id
),
-- the first value each tracker reported in the session (events in session order: event_ts, event_key).
-- A window over narrow rows: it spills under a memory cap, where a first_by aggregate over strings does not (DuckDB).
firsts AS (
  SELECT person_id, session_id, client_session_id, server_session_id, user_id
  FROM (
    SELECT
      person_id,
      session_id,
      event_in_session,
      first_value(client_session_id IGNORE NULLS) OVER session_order AS client_session_id,
      first_value(server_session_id IGNORE NULLS) OVER session_order AS server_session_id,
      first_value(user_id IGNORE NULLS) OVER session_order AS user_id
    FROM se
    WINDOW session_order AS (PARTITION BY person_id, session_id ORDER BY event_in_session ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
  ) AS w
  WHERE event_in_session = 1
),
landing AS (
  SELECT * FROM se WHERE event_in_session = 1
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
  f.client_session_id,
  f.server_session_id,
  CASE WHEN t.has_client = 1 AND t.has_server = 1 AND f.client_session_id = f.server_session_id THEN TRUE ELSE FALSE END AS trackers_agree,
  l.click_platform AS platform,
  l.click_id_param,
  l.click_id,
  l.page_path AS landing_page,
  l.page_url AS landing_url,
  l.referrer_host,
  l.event_key AS landing_event_key,
  l.anonymous_id,
  f.user_id,
  CASE WHEN t.conversion_events > 0 THEN TRUE ELSE FALSE END AS has_conversion,
  t.conversion_events,
  CASE WHEN t.engagement_events > 0 THEN TRUE ELSE FALSE END AS has_engagement,
  t.engagement_events
FROM totals AS t
JOIN landing AS l ON l.person_id = t.person_id AND l.session_id = t.session_id
JOIN firsts AS f ON f.person_id = t.person_id AND f.session_id = t.session_id
