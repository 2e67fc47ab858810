-- purpose: how well the two trackers (client tag, server collector) cover and agree on the journeys, per local date (the session's start date for sessions, the event's date for events). dual_source_sessions = sessions with events from both trackers; client_only_sessions / server_only_sessions = sessions seen by one tracker only; coordination_rate = dual_source_sessions / total_sessions; coordination_status = 'healthy' when coordination_rate ≥ 0.90, 'degraded' when ≥ 0.70, 'poor' below (NULL without sessions); session_matching_accuracy = dual-source sessions whose trackers agree on the session id (the first client session_id equals the first server session_id) / dual_source_sessions (NULL without dual-source sessions); total_events = journey events; multi_source_events = events seen by both trackers (merged into one); single_source_events = events seen by one; client_only_events / server_only_events split those; multi_source_event_rate = multi_source_events / total_events.
-- grain: one row per local_date with at least one session or journey event
-- version: 2
-- materialized: incremental_by_key
-- key: local_date
-- keys_from: report_dates
-- keys_inline: dates
-- rebuild_on_change: true
-- partition_by: local_date
-- (by date: only the dates listed in report_dates are rebuilt — the dates whose sessions or journey events a run rewrote, see pipelines/steps/report-dates.ts; every number of a date is computed from that date's rows only. A changed definition or config variable rebuilds the table whole.)
WITH s AS (
  SELECT
    local_date,
    count(*) AS total_sessions,
    count(CASE WHEN is_dual_source THEN 1 END) AS dual_source_sessions,
    count(CASE WHEN array_to_string(sources, ',') = 'client' THEN 1 END) AS client_only_sessions,
    count(CASE WHEN array_to_string(sources, ',') = 'server' THEN 1 END) AS server_only_sessions,
    count(CASE WHEN is_dual_source AND trackers_agree THEN 1 END) AS matched_sessions
  FROM {{ ref('sessions') }}
  WHERE {{ keys_filter('local_date') }}
  GROUP BY local_date
),
e AS (
  SELECT
    local_date,
    count(*) AS total_events,
    count(CASE WHEN source_count = 2 THEN 1 END) AS multi_source_events,
    count(CASE WHEN source_count = 1 THEN 1 END) AS single_source_events,
    count(CASE WHEN source_count = 1 AND client_event_id IS NOT NULL THEN 1 END) AS client_only_events,
    count(CASE WHEN source_count = 1 AND client_event_id IS NULL THEN 1 END) AS server_only_events
  FROM {{ ref('session_events') }}
  WHERE {{ keys_filter('local_date') }}
  GROUP BY local_date
),
dates AS (
  SELECT local_date FROM s
  UNION DISTINCT SELECT local_date FROM e
),
joined AS (
  SELECT
    d.local_date,
    coalesce(s.total_sessions, 0) AS total_sessions,
    coalesce(s.dual_source_sessions, 0) AS dual_source_sessions,
    coalesce(s.client_only_sessions, 0) AS client_only_sessions,
    coalesce(s.server_only_sessions, 0) AS server_only_sessions,
    coalesce(s.matched_sessions, 0) AS matched_sessions,
    CASE WHEN s.total_sessions > 0 THEN s.dual_source_sessions / s.total_sessions END AS coordination_rate,
    coalesce(e.total_events, 0) AS total_events,
    coalesce(e.multi_source_events, 0) AS multi_source_events,
    coalesce(e.single_source_events, 0) AS single_source_events,
    coalesce(e.client_only_events, 0) AS client_only_events,
    coalesce(e.server_only_events, 0) AS server_only_events
  FROM dates AS d
  LEFT JOIN s ON s.local_date = d.local_date
  LEFT JOIN e ON e.local_date = d.local_date
)
SELECT
  local_date,
  total_sessions,
  dual_source_sessions,
  client_only_sessions,
  server_only_sessions,
  coordination_rate,
  CASE
    WHEN coordination_rate IS NULL THEN NULL
    WHEN coordination_rate >= 0.9 THEN 'healthy'
    WHEN coordination_rate >= 0.7 THEN 'degraded'
    ELSE 'poor'
  END AS coordination_status,
  matched_sessions,
  CASE WHEN dual_source_sessions > 0 THEN matched_sessions / dual_source_sessions END AS session_matching_accuracy,
  total_events,
  multi_source_events,
  single_source_events,
  client_only_events,
  server_only_events,
  CASE WHEN total_events > 0 THEN multi_source_events / total_events END AS multi_source_event_rate
FROM joined
