-- purpose: the attribution dashboard's session overview per local date (the session's start date). total_sessions = count of sessions; active_sessions = sessions still open at the data's as-of time (as_of = the latest event time in raw_events; a session is active when as_of − session_end < sessions.timeout_minutes); completed_sessions = total − active; completion_rate = completed / total; avg_events_per_session = Σ event_count / total; avg_duration_seconds = Σ duration_seconds / total; single_event_sessions = sessions with one event (bounces).
-- grain: one row per local_date with at least one session
-- version: 2
-- materialized: incremental_by_key
-- key: local_date
-- keys_from: report_dates
-- keys_inline: dates
-- rebuild_on_change: true
-- partition_by: local_date
-- (by date: only the dates listed in report_dates are rebuilt — the dates whose sessions, events, engagements or conversions a run rewrote, see pipelines/steps/report-dates.ts; every number of a date is computed from that date's sessions only; active depends on the as-of time, which moves with every load, so the dates with active sessions at the last build are listed too.) A changed definition or config variable rebuilds the table whole.
-- as_of: the latest raw event time, looked up from the run's own as-of on (raw events are only appended, so it is at or before the latest): the read is the partitions from there, not every raw event's time
WITH as_of AS (
  SELECT coalesce(max(event_ts), {{ as_of_floor() }}) AS as_of FROM {{ ref('raw_events') }} WHERE event_ts >= {{ as_of_floor() }}
),
flagged AS (
  SELECT
    s.local_date,
    s.event_count,
    s.duration_seconds,
    CASE WHEN {{ epoch_ms('a.as_of') }} - {{ epoch_ms('s.session_end') }} < {{ var('session_timeout_minutes') }} * 60000 THEN 1 ELSE 0 END AS is_active
  FROM (SELECT * FROM {{ ref('sessions') }} WHERE {{ keys_filter('local_date') }}) AS s
  CROSS JOIN as_of AS a
)
SELECT
  local_date,
  count(*) AS total_sessions,
  count(CASE WHEN is_active = 1 THEN 1 END) AS active_sessions,
  count(CASE WHEN is_active = 0 THEN 1 END) AS completed_sessions,
  count(CASE WHEN is_active = 0 THEN 1 END) / count(*) AS completion_rate,
  sum(event_count) / count(*) AS avg_events_per_session,
  sum(duration_seconds) / count(*) AS avg_duration_seconds,
  count(CASE WHEN event_count = 1 THEN 1 END) AS single_event_sessions
FROM flagged
GROUP BY local_date
