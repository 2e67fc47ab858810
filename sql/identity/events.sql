-- purpose: one row per real event. Copies with the same event_id in one tracker are merged, keeping the earliest capture (natural duplicates: same payload; synthetic: different payload). The same real event seen by both trackers is merged into one row: by a shared event_id, else by the same visitor, event name and page within cross_tracker_tolerance_seconds (mutual nearest match). Bots and unconsented events are kept here, flagged.
-- grain: one row per real event
-- key: event_key (md5 of the canonical tracker and its event_id; the client's when the client saw the event)
-- version: 1
-- materialized: incremental
-- log_dates: local_date
-- slice_column: local_date
-- batch_days: 1
--
-- Incremental: the slice's rows are rebuilt from every raw row that can contribute to them: the
-- rows within an hour of the slice (a cross-tracker pair straddling midnight, and its candidates'
-- candidates) plus every other copy of their event ids timestamped within `dedupe.copy_window_hours`
-- of the slice (a re-send). Both reads of raw_events filter on event_ts, so on a warehouse that
-- partitions raw_events by event date they read the slice's days and the window, not all history.
-- Reads the raw layer directly and parses page URLs, referrers and user agents once per distinct value
-- of the merged rows (the `stg_events` view shows the same parse per raw row). The earliest copy is
-- picked by a window over narrow rows (copy key, id, time, payload hash), not over the wide raw rows.
WITH near AS (
  SELECT DISTINCT event_id
  FROM {{ ref('raw_events') }}
  WHERE event_ts >= {{ slice_ts_from(1) }} AND event_ts < {{ slice_ts_to(1) }}
),
-- the copies of those ids, narrow: what picking one copy per tracker event needs
copies AS (
  SELECT load_id || ':' || {{ cast_text('line') }} AS copy_key, source, event_id, event_ts, payload_hash, user_agent
  FROM {{ ref('raw_events') }}
  WHERE event_id IN (SELECT event_id FROM near)
    AND event_ts >= {{ slice_ts_from('copy_window_hours') }} AND event_ts < {{ slice_ts_to('copy_window_hours') }}
),
-- one row per tracker event: its earliest copy (ties: payload hash, then the copy's own key, so the choice
-- never depends on load order; copies tied on time and payload carry the same columns), how many copies
-- there were and how many payloads among them. A window over narrow rows and plain counts per group: both
-- spill to disk under a memory cap (an arg_min or count(DISTINCT) state over strings does not, in DuckDB).
chosen AS (
  SELECT source, event_id, copy_key
  FROM (
    SELECT
      source,
      event_id,
      copy_key,
      row_number() OVER (PARTITION BY source, event_id ORDER BY event_ts, payload_hash, copy_key) AS copy_rank
    FROM copies
  ) AS r
  WHERE copy_rank = 1
),
payloads AS (
  SELECT source, event_id, coalesce(payload_hash, '') AS payload, count(*) AS copies_of_payload
  FROM copies
  GROUP BY source, event_id, coalesce(payload_hash, '')
),
firsts AS (
  SELECT
    c.source,
    c.event_id,
    c.copy_key,
    p.copy_count,
    p.payload_count
  FROM chosen AS c
  JOIN (
    SELECT source, event_id, CAST(sum(copies_of_payload) AS BIGINT) AS copy_count, count(*) AS payload_count
    FROM payloads
    GROUP BY source, event_id
  ) AS p ON p.source = c.source AND p.event_id = c.event_id
),
agents AS (
  SELECT user_agent, {{ is_bot('user_agent') }} AS is_bot
  FROM (SELECT DISTINCT user_agent FROM copies WHERE user_agent IS NOT NULL) AS a
),
-- the chosen copies, with only the columns the merge needs (the matching below holds these rows in hash tables)
tracked AS (
  SELECT
    c.event_id,
    c.source,
    c.event_ts,
    c.event_name,
    c.anonymous_id,
    c.user_id,
    c.session_id,
    c.page_url,
    c.referrer,
    c.value,
    c.currency,
    c.order_id,
    c.consent_ads,
    c.properties,
    coalesce(a.is_bot, FALSE) AS is_bot,
    -- absent consent means consent was not collected (e.g. outside a consent region): treated as granted
    coalesce(c.consent_analytics, TRUE) AS has_analytics_consent,
    f.copy_count - f.payload_count AS natural_dups,
    f.payload_count - 1 AS synthetic_dups,
    coalesce('a:' || c.anonymous_id, 'u:' || c.user_id) AS visitor_key,
    coalesce(c.page_url, '') AS page_key,
    {{ epoch_ms('c.event_ts') }} AS ts_ms
  FROM {{ ref('raw_events') }} AS c
  JOIN firsts AS f ON f.copy_key = c.load_id || ':' || {{ cast_text('c.line') }}
  LEFT JOIN agents AS a ON a.user_agent = c.user_agent
  -- the kept copies are among `copies`: the same bound lets the read-back skip the other partitions
  WHERE c.event_ts >= {{ slice_ts_from('copy_window_hours') }} AND c.event_ts < {{ slice_ts_to('copy_window_hours') }}
),
client AS (SELECT * FROM tracked WHERE source = 'client'),
server AS (SELECT * FROM tracked WHERE source = 'server'),
-- cross-tracker pairs by a shared event_id
shared AS (
  SELECT c.event_id AS c_id, s.event_id AS s_id
  FROM client AS c
  JOIN server AS s ON s.event_id = c.event_id
),
client_open AS (SELECT * FROM client WHERE event_id NOT IN (SELECT c_id FROM shared)),
server_open AS (SELECT * FROM server WHERE event_id NOT IN (SELECT s_id FROM shared)),
-- fuzzy candidates: same visitor, event name and page, within the tolerance
candidates AS (
  SELECT
    c.event_id AS c_id,
    s.event_id AS s_id,
    abs(c.ts_ms - s.ts_ms) AS gap_ms
  FROM client_open AS c
  JOIN server_open AS s
    ON s.visitor_key = c.visitor_key AND s.event_name = c.event_name AND s.page_key = c.page_key
  WHERE abs(c.ts_ms - s.ts_ms) <= {{ var('cross_tracker_tolerance_seconds') }} * 1000
),
-- a pair is merged when each is the other's nearest candidate (ties: the smaller id), so the matching is one-to-one and order-free
nearest AS (
  SELECT
    c_id,
    s_id,
    row_number() OVER (PARTITION BY c_id ORDER BY gap_ms, s_id) AS c_rank,
    row_number() OVER (PARTITION BY s_id ORDER BY gap_ms, c_id) AS s_rank
  FROM candidates
),
links AS (
  SELECT c_id, s_id, 'event_id' AS matched_by FROM shared
  UNION ALL
  SELECT c_id, s_id, 'fuzzy' AS matched_by FROM nearest WHERE c_rank = 1 AND s_rank = 1
),
clusters AS (
  SELECT c_id, s_id, matched_by FROM links
  UNION ALL
  SELECT event_id AS c_id, {{ cast_text('NULL') }} AS s_id, {{ cast_text('NULL') }} AS matched_by
  FROM client WHERE event_id NOT IN (SELECT c_id FROM links)
  UNION ALL
  SELECT {{ cast_text('NULL') }} AS c_id, event_id AS s_id, {{ cast_text('NULL') }} AS matched_by
  FROM server WHERE event_id NOT IN (SELECT s_id FROM links)
),
merged AS (
  SELECT
    k.matched_by,
    c.event_id AS client_event_id,
    s.event_id AS server_event_id,
    -- the client's copy describes the page (it sees the URL and referrer as the browser did); the server fills gaps
    CASE WHEN c.event_id IS NOT NULL THEN 'client' ELSE 'server' END AS primary_source,
    CASE
      WHEN c.event_ts IS NULL THEN s.event_ts
      WHEN s.event_ts IS NULL THEN c.event_ts
      WHEN s.event_ts < c.event_ts THEN s.event_ts
      ELSE c.event_ts
    END AS event_ts,
    coalesce(c.event_name, s.event_name) AS event_name,
    coalesce(c.anonymous_id, s.anonymous_id) AS anonymous_id,
    coalesce(c.user_id, s.user_id) AS user_id,
    c.session_id AS client_session_id,
    s.session_id AS server_session_id,
    CASE WHEN c.event_id IS NOT NULL THEN c.page_url ELSE s.page_url END AS page_url,
    CASE WHEN c.event_id IS NOT NULL THEN c.referrer ELSE s.referrer END AS referrer,
    coalesce(c.value, s.value) AS value,
    coalesce(c.currency, s.currency) AS currency,
    coalesce(c.order_id, s.order_id) AS order_id,
    -- either tracker recording a refusal wins
    CASE WHEN c.has_analytics_consent = FALSE OR s.has_analytics_consent = FALSE THEN FALSE ELSE TRUE END AS has_analytics_consent,
    CASE WHEN c.consent_ads = FALSE OR s.consent_ads = FALSE THEN FALSE ELSE coalesce(c.consent_ads, s.consent_ads) END AS consent_ads,
    CASE WHEN c.is_bot = TRUE OR s.is_bot = TRUE THEN TRUE ELSE FALSE END AS is_bot,
    coalesce(c.properties, s.properties) AS properties,
    coalesce(c.natural_dups, 0) + coalesce(s.natural_dups, 0) AS natural_duplicates,
    coalesce(c.synthetic_dups, 0) + coalesce(s.synthetic_dups, 0) AS synthetic_duplicates
  FROM clusters AS k
  LEFT JOIN client AS c ON c.event_id = k.c_id
  LEFT JOIN server AS s ON s.event_id = k.s_id
),
-- page URLs and referrers of the merged events, each distinct value parsed once
urls AS (
  SELECT
    page_url,
    {{ page_url_parse('page_url') }}
  FROM (SELECT DISTINCT page_url FROM merged WHERE page_url IS NOT NULL) AS u
),
referrers AS (
  SELECT referrer, {{ url_host('referrer') }} AS referrer_host_raw
  FROM (SELECT DISTINCT referrer FROM merged WHERE referrer IS NOT NULL) AS r
),
parsed AS (
  SELECT
    m.*,
    {{ page_url_columns('u') }},
    -- a referrer from the site itself is navigation, not a traffic source
    CASE WHEN r.referrer_host_raw IS NOT NULL AND r.referrer_host_raw <> coalesce(u.page_host, '') THEN r.referrer_host_raw END AS referrer_host
  FROM merged AS m
  LEFT JOIN urls AS u ON u.page_url = m.page_url
  LEFT JOIN referrers AS r ON r.referrer = m.referrer
)
SELECT
  {{ md5_hex("primary_source || ':' || coalesce(client_event_id, server_event_id)") }} AS event_key,
  coalesce(client_event_id, server_event_id) AS event_id,
  client_event_id,
  server_event_id,
  event_name,
  event_ts,
  {{ local_date('event_ts') }} AS local_date,
  CASE
    WHEN client_event_id IS NOT NULL AND server_event_id IS NOT NULL THEN ['client', 'server']
    WHEN client_event_id IS NOT NULL THEN ['client']
    ELSE ['server']
  END AS sources,
  CASE WHEN client_event_id IS NOT NULL AND server_event_id IS NOT NULL THEN 2 ELSE 1 END AS source_count,
  anonymous_id,
  {{ hash_id('user_id') }} AS user_id,
  client_session_id,
  server_session_id,
  page_url,
  page_host,
  page_path,
  referrer_host,
  utm_source,
  utm_medium,
  utm_campaign,
  utm_term,
  utm_content,
  utm_id,
  {{ click_id_param() }} AS click_id_param,
  {{ click_id() }} AS click_id,
  {{ click_platform() }} AS click_platform,
  gad_source,
  value,
  currency,
  order_id,
  has_analytics_consent,
  consent_ads,
  is_bot,
  properties,
  natural_duplicates,
  synthetic_duplicates,
  matched_by
FROM parsed
