-- purpose: the journey events (not bots; with analytics consent when consent.require_analytics_for_journeys) with their person and session. A person's events, in time order, start a new session after session_timeout_minutes of inactivity, when the campaign or click id changes (split_on_campaign_change), and at local midnight (split_at_midnight). A session landing on a click id gets an id derived from the click id; others md5(person, landing event).
-- grain: one row per journey event
-- version: 1
-- materialized: incremental_by_key
-- log_dates: local_date
-- key: person_id
-- keys_from: dirty_persons
-- starts_from: dirty_starts
-- start_column: event_ts
-- partition_by: local_date
-- cluster_by: person_id
--
-- A dirty person's sessions are rebuilt over all of their events — or, with sessions.rebuild_horizon_days,
-- from the session start in `dirty_starts` on (journey_starts step; docs/journeys.md, "the rebuild
-- horizon"): their session numbers and click-id suffixes then continue the counts carried there. Either
-- way the result never depends on the order in which runs saw the data.
WITH dirty_ids AS (
  SELECT id_type, id FROM {{ ref('identity_map') }} WHERE {{ keys_filter('person_id') }}
),
-- the journey events, narrow: what the session split needs (the other columns join back at the end)
journey AS (
  SELECT
    e.event_key,
    e.event_ts,
    e.local_date,
    e.utm_source,
    e.utm_medium,
    e.utm_campaign,
    e.utm_term,
    e.utm_content,
    e.utm_id,
    e.click_id_param,
    e.click_id,
    coalesce(mu.person_id, ma.person_id) AS person_id
  FROM {{ ref('events') }} AS e
  LEFT JOIN {{ ref('identity_map') }} AS mu ON mu.id_type = 'user_id' AND mu.id = e.user_id
  LEFT JOIN {{ ref('identity_map') }} AS ma ON ma.id_type = 'anonymous_id' AND ma.id = e.anonymous_id
  WHERE NOT e.is_bot AND (e.has_analytics_consent OR NOT {{ var('require_analytics_for_journeys') }})
    -- only events that can belong to a person being rebuilt (the exact test follows)
    AND (e.anonymous_id IN (SELECT id FROM dirty_ids WHERE id_type = 'anonymous_id') OR e.user_id IN (SELECT id FROM dirty_ids WHERE id_type = 'user_id'))
    -- (a rebuild from starts: the partitions before the earliest start are not read)
    AND {{ starts_floor('e.local_date') }}
),
mine AS (
  SELECT * FROM journey AS j WHERE {{ keys_filter('person_id') }} AND {{ starts_filter('j.person_id', 'j.event_ts') }}
),
-- the session split runs its windows over the narrow rows (a window sorts every column it carries);
-- the wide rows of `events` join back once at the end. Every window is over the person's events in time
-- order (one sort order, three passes): positions (rn) stand in for the per-visit and per-session
-- partitions — a row's visit began at the last visit start at or before it, its session at the last
-- session start, so event_in_session = rn - (the session start's rn) + 1.
stepped AS (
  SELECT
    m.person_id,
    m.event_key,
    m.event_ts,
    row_number() OVER w AS rn,
    {{ epoch_ms('m.event_ts') }} - {{ epoch_ms('lag(m.event_ts) OVER w') }} AS gap_ms,
    m.local_date,
    lag(m.local_date) OVER w AS prev_date,
    m.click_id_param,
    m.click_id,
    -- the traffic source an event carries, if any: a different one starts a new session
    CASE
      WHEN coalesce(m.utm_source, m.utm_medium, m.utm_campaign, m.utm_term, m.utm_content, m.utm_id, m.click_id) IS NOT NULL
      THEN coalesce(m.utm_source, '') || '|' || coalesce(m.utm_medium, '') || '|' || coalesce(m.utm_campaign, '') || '|'
        || coalesce(m.utm_term, '') || '|' || coalesce(m.utm_content, '') || '|' || coalesce(m.utm_id, '') || '|' || coalesce(m.click_id, '')
    END AS campaign_sig
  FROM mine AS m
  WINDOW w AS (PARTITION BY m.person_id ORDER BY m.event_ts, m.event_key)
),
visits AS (
  SELECT
    s.*,
    CASE
      WHEN s.gap_ms IS NULL THEN 1
      WHEN s.gap_ms > {{ var('session_timeout_minutes') }} * 60000 THEN 1
      WHEN {{ var('split_at_midnight') }} AND s.local_date <> s.prev_date THEN 1
      ELSE 0
    END AS visit_start
  FROM stepped AS s
),
-- where the row's visit began, and the last traffic source before the row (with where it was seen)
marked AS (
  SELECT
    v.*,
    max(CASE WHEN v.visit_start = 1 THEN v.rn END) OVER (
      PARTITION BY v.person_id ORDER BY v.event_ts, v.event_key ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    ) AS visit_start_rn,
    last_value(v.campaign_sig IGNORE NULLS) OVER (
      PARTITION BY v.person_id ORDER BY v.event_ts, v.event_key ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
    ) AS last_sig,
    max(CASE WHEN v.campaign_sig IS NOT NULL THEN v.rn END) OVER (
      PARTITION BY v.person_id ORDER BY v.event_ts, v.event_key ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
    ) AS last_sig_rn
  FROM visits AS v
),
-- a session starts with a visit, or (split_on_campaign_change) at a traffic source other than the last one
-- seen earlier in the same visit
starts AS (
  SELECT
    k.*,
    CASE
      WHEN k.visit_start = 1 THEN 1
      WHEN {{ var('split_on_campaign_change') }} AND k.campaign_sig IS NOT NULL AND (k.prev_sig IS NULL OR k.campaign_sig <> k.prev_sig) THEN 1
      ELSE 0
    END AS session_start
  FROM (SELECT m.*, CASE WHEN m.last_sig_rn >= m.visit_start_rn THEN m.last_sig END AS prev_sig FROM marked AS m) AS k
),
numbered AS (
  SELECT
    s.*,
    -- (BIGINT: a sum is HUGEINT on DuckDB, slow to read and poorly read by BI tools)
    CAST(sum(s.session_start) OVER (
      PARTITION BY s.person_id ORDER BY s.event_ts, s.event_key ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    ) + {{ starts_count('dirty_starts', 'session_base', 'x.person_id = s.person_id') }} AS BIGINT) AS session_index,
    max(CASE WHEN s.session_start = 1 THEN s.rn END) OVER (
      PARTITION BY s.person_id ORDER BY s.event_ts, s.event_key ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    ) AS session_start_rn
  FROM starts AS s
),
positioned AS (
  SELECT
    n.person_id,
    n.event_key,
    n.event_ts,
    n.session_index,
    n.click_id_param,
    n.click_id,
    n.rn - n.session_start_rn + 1 AS event_in_session
  FROM numbered AS n
),
landings AS (
  SELECT
    p.person_id,
    p.session_index,
    p.event_key,
    p.click_id_param,
    p.click_id,
    row_number() OVER (PARTITION BY p.person_id, p.click_id_param, p.click_id ORDER BY p.event_ts, p.event_key)
      + {{ starts_count('dirty_click_landings', 'landings', "x.person_id = p.person_id AND coalesce(x.click_id_param, '') = coalesce(p.click_id_param, '') AND x.click_id = p.click_id") }} AS click_occurrence
  FROM positioned AS p
  WHERE p.event_in_session = 1
),
-- a click id that lands a second session of the same person (the ad link reopened later) gets ':2', ':3', …
landing_keys AS (
  SELECT l.*, CASE WHEN l.click_occurrence > 1 THEN ':' || {{ cast_text('l.click_occurrence') }} ELSE '' END AS click_suffix
  FROM landings AS l
),
session_ids AS (
  SELECT
    person_id,
    session_index,
    CASE
      WHEN click_id IS NOT NULL THEN {{ md5_hex("'click:' || coalesce(click_id_param, '') || '=' || click_id || click_suffix") }}
      ELSE {{ md5_hex("'session:' || person_id || ':' || event_key") }}
    END AS session_id
  FROM landing_keys
)
SELECT
  x.person_id,
  i.session_id,
  x.session_index,
  x.event_in_session,
  p.event_key,
  p.event_id,
  p.client_event_id,
  p.server_event_id,
  p.event_name,
  p.event_ts,
  p.local_date,
  p.sources,
  p.source_count,
  p.anonymous_id,
  p.user_id,
  p.client_session_id,
  p.server_session_id,
  p.page_url,
  p.page_path,
  p.referrer_host,
  p.utm_source,
  p.utm_medium,
  p.utm_campaign,
  p.utm_term,
  p.utm_content,
  p.utm_id,
  p.click_id_param,
  p.click_id,
  p.click_platform,
  p.gad_source,
  p.value,
  p.currency,
  p.order_id,
  -- goal events: every event name but the ones in NON_GOAL_EVENTS (pipelines/vars.ts)
  CASE WHEN strpos(',' || {{ var('non_goal_events') }} || ',', ',' || p.event_name || ',') = 0 AND p.value > 0 THEN TRUE ELSE FALSE END AS is_conversion,
  CASE WHEN strpos(',' || {{ var('non_goal_events') }} || ',', ',' || p.event_name || ',') = 0 AND coalesce(p.value, 0) = 0 THEN TRUE ELSE FALSE END AS is_engagement
FROM {{ ref('events') }} AS p
JOIN positioned AS x ON x.event_key = p.event_key
JOIN session_ids AS i ON i.person_id = x.person_id AND i.session_index = x.session_index
