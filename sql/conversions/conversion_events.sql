-- purpose: the goal events with a value (not in NON_GOAL_EVENTS, value > 0) of every journey, before the one-conversion-per-order rule: what `conversions` is built from, kept narrow and small (about 1-2% of events) so that a dirty person's conversions can be recomputed over their whole history without reading their whole `session_events` history (with sessions.rebuild_horizon_days, these rows are replaced from the person's start on, like engagements).
-- grain: one row per goal event with value > 0 (event_key)
-- version: 2
-- materialized: incremental_by_key
-- key: person_id
-- keys_from: dirty_persons
-- starts_from: dirty_starts
-- start_column: event_ts
-- partition_by: local_date
-- cluster_by: person_id
SELECT
  se.person_id,
  se.session_id,
  se.event_key,
  se.event_ts,
  se.local_date,
  se.event_name,
  se.order_id,
  se.value,
  se.currency,
  se.sources,
  -- the session's landing, carried so that a report by date need not read the session's (earlier) date
  l.click_platform AS session_platform,
  l.source AS session_source
FROM (
  SELECT se.person_id, se.session_id, se.event_key, se.event_ts, se.local_date, se.event_name, se.order_id, se.value, se.currency, se.sources
  FROM {{ ref('session_events') }} AS se
  WHERE se.is_conversion AND {{ keys_filter('person_id') }} AND {{ starts_floor('se.local_date') }} AND {{ starts_filter('se.person_id', 'se.event_ts') }}
) AS se
LEFT JOIN (
  -- each session's landing (its first event): in the rows rebuilt with it (a session never straddles a start)
  SELECT lx.person_id, lx.session_id, lx.click_platform, coalesce(lx.utm_source, lx.referrer_host, 'unknown') AS source
  FROM {{ ref('session_events') }} AS lx
  WHERE lx.event_in_session = 1 AND {{ keys_filter('person_id') }} AND {{ starts_floor('lx.local_date') }} AND {{ starts_filter('lx.person_id', 'lx.event_ts') }}
) AS l ON l.person_id = se.person_id AND l.session_id = se.session_id
