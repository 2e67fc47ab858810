-- purpose: the sessions active at the data's as-of time (as_of = the latest event time in raw_events; active when as_of − session_end < sessions.timeout_minutes), what a "live sessions" panel lists: when the session began and last saw an event, seconds_since_last_event = (as_of − session_end) in whole seconds, event_count, sources (trackers that saw it), its ad platform (click id on the landing, NULL for organic), channel, source and medium of its touchpoint, landing page, and whether it has converted or engaged so far.
-- grain: one row per active session
-- version: 2
-- materialized: incremental_by_key
-- key: local_date
-- keys_from: report_dates
-- keys_inline: dates
-- rebuild_on_change: true
-- partition_by: local_date
-- cluster_by: session_id
-- (by date: only the dates listed in report_dates are rebuilt. A session live now either was live at the last build — the report_dates step lists the dates of this table's rows, and of rpt_session_overview's active sessions — or its rows were written since, which lists its date: so every date holding a live session, now or at the last build, is rebuilt, and the sessions of other dates are read from no partition. A changed definition or config variable rebuilds the table whole.)
-- as_of: the latest raw event time, looked up from the run's own as-of on (raw events are only appended, so it is at or before the latest): the read is the partitions from there, not every raw event's time
WITH as_of AS (
  SELECT coalesce(max(event_ts), {{ as_of_floor() }}) AS as_of FROM {{ ref('raw_events') }} WHERE event_ts >= {{ as_of_floor() }}
)
SELECT
  s.session_id,
  s.person_id,
  s.local_date,
  s.session_start,
  s.session_end,
  a.as_of,
  CAST(floor(({{ epoch_ms('a.as_of') }} - {{ epoch_ms('s.session_end') }}) / 1000) AS BIGINT) AS seconds_since_last_event,
  s.event_count,
  s.sources,
  s.is_dual_source,
  s.platform,
  t.channel,
  t.source,
  t.medium,
  t.campaign,
  s.landing_page,
  s.has_engagement,
  s.has_conversion
FROM (SELECT * FROM {{ ref('sessions') }} WHERE {{ keys_filter('local_date') }}) AS s
CROSS JOIN as_of AS a
-- a touchpoint has its session's local date
LEFT JOIN (SELECT * FROM {{ ref('touchpoints') }} WHERE {{ keys_filter('local_date') }}) AS t ON t.person_id = s.person_id AND t.session_id = s.session_id
WHERE {{ epoch_ms('a.as_of') }} - {{ epoch_ms('s.session_end') }} < {{ var('session_timeout_minutes') }} * 60000
