-- purpose: one row per real event. Copies with the same event_id in one tracker are merged, keeping the earliest capture (natural duplicates: same payload; synthetic: different payload). The same real event seen by both trackers is merged into one row: by a shared event_id, else by the same visitor, event name and page within cross_tracker_tolerance_seconds (mutual nearest match). Bots and unconsented events are kept here, flagged.
-- grain: one row per real event
-- key: event_key (md5 of the canonical tracker and its event_id; the client's when the client saw the event)
-- version: 1
-- materialized: incremental
-- log_dates: local_date
-- slice_column: local_date
-- stage_ctes: near, copies, copy_counts, repeated, hashes, chosen, tracked, shared, candidates, links, clusters, agents
-- batch_rows: 1200000 of raw_events.event_ts
--
-- Every day of the slice is computed on its own, as if the slice had been run one day at a time
-- (`slice_date`): a day's rows are rebuilt from every raw row that can contribute to them — the rows
-- within an hour of the day (a cross-tracker pair straddling midnight, and its candidates' candidates)
-- plus every other copy of their event ids timestamped within `dedupe.copy_window_hours` of the day (a
-- re-send). So a copy window is the same whether the day is rebuilt alone (a nightly run) or in a month's
-- full refresh: the rows never depend on how a range was cut into runs. The raw reads filter on
-- event_ts, so on a warehouse that partitions raw_events by event date they read the slice's days and
-- the window, not all history.
-- Reads the raw layer directly and parses page URLs, referrers and user agents once per distinct value
-- (the `stg_events` view shows the same parse per raw row). The earliest copy is picked over narrow rows
-- (the copy's row key, id, time; a payload hash only for the copies of an id seen more than once); the
-- chosen copies' wide rows are read once (`tracked`), and the cross-tracker match runs on them. On DuckDB the stage_ctes are computed into temporary tables
-- first (transforms/stage-ctes.ts), so its planner joins them by their real sizes; a long slice with more
-- raw rows than batch_rows is computed in batches of days (transforms/batches.ts), each day as above.

-- the ids each day of the slice rebuilds, with the day's copy window [from_ts, to_ts)
WITH near AS (
  SELECT n.slice_date, n.event_id, w.from_ts, w.to_ts
  FROM (
    SELECT DISTINCT d.slice_date, r.event_id
    FROM {{ ref('raw_events') }} AS r
    JOIN {{ slice_days(1) }} AS d ON r.event_ts >= d.from_ts AND r.event_ts < d.to_ts
    WHERE r.event_ts >= {{ slice_ts_from(1) }} AND r.event_ts < {{ slice_ts_to(1) }}
  ) AS n
  JOIN {{ slice_days('copy_window_hours') }} AS w ON w.slice_date = n.slice_date
),
-- the copies of those ids within each day's copy window, narrow: what picking one copy per tracker event
-- needs (copy_key: the raw row)
copies AS (
  SELECT n.slice_date, {{ raw_row_key('r') }} AS copy_key, r.source, r.event_id, r.event_ts
  FROM near AS n
  JOIN {{ ref('raw_events') }} AS r ON r.event_id = n.event_id
  WHERE r.event_ts >= n.from_ts AND r.event_ts < n.to_ts
    AND r.event_ts >= {{ slice_ts_from('copy_window_hours') }} AND r.event_ts < {{ slice_ts_to('copy_window_hours') }}
),
-- one row per day and tracker event: how many copies of it the day's window holds, and the lowest key
copy_counts AS (
  SELECT slice_date, source, event_id, count(*) AS copy_count, min(copy_key) AS first_key
  FROM copies
  GROUP BY slice_date, source, event_id
),
-- the copies of a tracker event seen more than once in a day's window (about 2% of raw rows at 1M events):
-- only there are payloads compared, so only their payloads are hashed (`hashes`, from the raw rows' columns)
repeated AS (
  SELECT c.slice_date, c.copy_key, c.source, c.event_id, c.event_ts
  FROM copies AS c
  JOIN copy_counts AS g ON g.slice_date = c.slice_date AND g.source = c.source AND g.event_id = c.event_id
  WHERE g.copy_count > 1
),
hashes AS (
  SELECT {{ raw_row_key('r') }} AS copy_key, {{ payload_hash('r') }} AS payload_hash
  FROM {{ ref('raw_events') }} AS r
  WHERE {{ raw_row_key('r') }} IN (SELECT copy_key FROM repeated)
    AND r.event_ts >= {{ slice_ts_from('copy_window_hours') }} AND r.event_ts < {{ slice_ts_to('copy_window_hours') }}
),
-- a repeated event's candidates: copies with one payload hash share their time too (the hash covers it), so
-- grouped first, each group is one candidate, with its copy count and lowest key
payloads AS (
  SELECT c.slice_date, c.source, c.event_id, h.payload_hash, min(c.event_ts) AS first_ts, min(c.copy_key) AS first_key, count(*) AS copies_of_payload
  FROM repeated AS c
  JOIN hashes AS h ON h.copy_key = c.copy_key
  GROUP BY c.slice_date, c.source, c.event_id, h.payload_hash
),
-- one row per day and tracker event: its earliest copy (ties: payload hash, then the copy's key — copies
-- tied on time and payload carry the same columns, so the choice never shows in the rows), with how many
-- copies there were and how many payloads among them. A lone copy is its event's only candidate.
chosen AS (
  SELECT slice_date, first_key AS copy_key, CAST(0 AS BIGINT) AS natural_dups, CAST(0 AS BIGINT) AS synthetic_dups
  FROM copy_counts
  WHERE copy_count = 1
  UNION ALL
  SELECT slice_date, copy_key, copy_count - payload_count AS natural_dups, payload_count - 1 AS synthetic_dups
  FROM (
    SELECT
      slice_date,
      first_key AS copy_key,
      row_number() OVER (PARTITION BY slice_date, source, event_id ORDER BY first_ts, payload_hash, first_key) AS copy_rank,
      -- (a sum of counts is HUGEINT on DuckDB: the duplicate counts stay BIGINT)
      CAST(sum(copies_of_payload) OVER (PARTITION BY slice_date, source, event_id) AS BIGINT) AS copy_count,
      count(*) OVER (PARTITION BY slice_date, source, event_id) AS payload_count
    FROM payloads
  ) AS r
  WHERE copy_rank = 1
),
-- the chosen copies' rows: the one read of raw_events' wide columns
tracked AS (
  SELECT
    h.slice_date,
    h.copy_key,
    c.event_id,
    c.source,
    c.event_ts,
    c.event_name,
    c.anonymous_id,
    c.user_id,
    c.session_id,
    c.page_url,
    c.referrer,
    c.user_agent,
    c.value,
    c.currency,
    c.order_id,
    c.consent_ads,
    c.properties,
    -- absent consent means consent was not collected (e.g. outside a consent region): treated as granted
    coalesce(c.consent_analytics, TRUE) AS has_analytics_consent,
    h.natural_dups,
    h.synthetic_dups,
    coalesce('a:' || c.anonymous_id, 'u:' || c.user_id) AS visitor_key,
    coalesce(c.page_url, '') AS page_key,
    {{ epoch_ms('c.event_ts') }} AS ts_ms
  FROM {{ ref('raw_events') }} AS c
  JOIN chosen AS h ON h.copy_key = {{ raw_row_key('c') }}
  -- the kept copies are among `copies`: the same bound lets the read skip the other partitions
  WHERE c.event_ts >= {{ slice_ts_from('copy_window_hours') }} AND c.event_ts < {{ slice_ts_to('copy_window_hours') }}
),
client AS (SELECT * FROM tracked WHERE source = 'client'),
server AS (SELECT * FROM tracked WHERE source = 'server'),
-- cross-tracker pairs by a shared event_id
shared AS (
  SELECT c.slice_date, c.copy_key AS c_key, s.copy_key AS s_key, c.event_ts AS c_ts, s.event_ts AS s_ts
  FROM client AS c
  JOIN server AS s ON s.slice_date = c.slice_date AND s.event_id = c.event_id
),
client_open AS (
  SELECT * FROM client AS c WHERE NOT EXISTS (SELECT 1 FROM shared AS x WHERE x.slice_date = c.slice_date AND x.c_key = c.copy_key)
),
server_open AS (
  SELECT * FROM server AS s WHERE NOT EXISTS (SELECT 1 FROM shared AS x WHERE x.slice_date = s.slice_date AND x.s_key = s.copy_key)
),
-- fuzzy candidates: same day, visitor, event name and page, within the tolerance
candidates AS (
  SELECT
    c.slice_date,
    c.copy_key AS c_key,
    s.copy_key AS s_key,
    c.event_id AS c_id,
    s.event_id AS s_id,
    c.event_ts AS c_ts,
    s.event_ts AS s_ts,
    abs(c.ts_ms - s.ts_ms) AS gap_ms
  FROM client_open AS c
  JOIN server_open AS s
    ON s.slice_date = c.slice_date AND s.visitor_key = c.visitor_key AND s.event_name = c.event_name AND s.page_key = c.page_key
  WHERE abs(c.ts_ms - s.ts_ms) <= {{ var('cross_tracker_tolerance_seconds') }} * 1000
),
-- a pair is merged when each is the other's nearest candidate (ties: the smaller id), so the matching is one-to-one and order-free
nearest AS (
  SELECT
    slice_date,
    c_key,
    s_key,
    c_ts,
    s_ts,
    row_number() OVER (PARTITION BY slice_date, c_key ORDER BY gap_ms, s_id) AS c_rank,
    row_number() OVER (PARTITION BY slice_date, s_key ORDER BY gap_ms, c_id) AS s_rank
  FROM candidates
),
links AS (
  SELECT slice_date, c_key, s_key, c_ts, s_ts, 'event_id' AS matched_by FROM shared
  UNION ALL
  SELECT slice_date, c_key, s_key, c_ts, s_ts, 'fuzzy' AS matched_by FROM nearest WHERE c_rank = 1 AND s_rank = 1
),
-- one row per real event: its client copy, its server copy, or both, with its time (the earlier copy's)
-- and local date; each kept by the day it falls on (computed for a neighbouring day too, near midnight)
-- (`CASE WHEN FALSE …`: a NULL of the column's type, the key's differing by warehouse)
clusters AS (
  SELECT * FROM (
    SELECT p.*, {{ local_date('p.event_ts') }} AS local_date
    FROM (
      SELECT u.*, CASE WHEN u.s_ts IS NULL OR u.c_ts <= u.s_ts THEN u.c_ts ELSE u.s_ts END AS event_ts
      FROM (
        SELECT slice_date, c_key, s_key, c_ts, s_ts, matched_by FROM links
        UNION ALL
        SELECT c.slice_date, c.copy_key AS c_key, CASE WHEN FALSE THEN c.copy_key END AS s_key, c.event_ts AS c_ts, CASE WHEN FALSE THEN c.event_ts END AS s_ts, {{ cast_text('NULL') }} AS matched_by
        FROM client AS c WHERE NOT EXISTS (SELECT 1 FROM links AS x WHERE x.slice_date = c.slice_date AND x.c_key = c.copy_key)
        UNION ALL
        SELECT s.slice_date, CASE WHEN FALSE THEN s.copy_key END AS c_key, s.copy_key AS s_key, CASE WHEN FALSE THEN s.event_ts END AS c_ts, s.event_ts AS s_ts, {{ cast_text('NULL') }} AS matched_by
        FROM server AS s WHERE NOT EXISTS (SELECT 1 FROM links AS x WHERE x.slice_date = s.slice_date AND x.s_key = s.copy_key)
      ) AS u
    ) AS p
  ) AS k
  WHERE k.local_date = k.slice_date
),
agents AS (
  SELECT user_agent, {{ is_bot('user_agent') }} AS is_bot
  FROM (SELECT DISTINCT user_agent FROM tracked WHERE user_agent IS NOT NULL) AS a
),
merged AS (
  SELECT
    k.matched_by,
    c.event_id AS client_event_id,
    s.event_id AS server_event_id,
    -- the client's copy describes the page (it sees the URL and referrer as the browser did); the server fills gaps
    CASE WHEN c.event_id IS NOT NULL THEN 'client' ELSE 'server' END AS primary_source,
    k.event_ts,
    k.local_date,
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
    CASE WHEN ca.is_bot = TRUE OR sa.is_bot = TRUE THEN TRUE ELSE FALSE END AS is_bot,
    coalesce(c.properties, s.properties) AS properties,
    coalesce(c.natural_dups, 0) + coalesce(s.natural_dups, 0) AS natural_duplicates,
    coalesce(c.synthetic_dups, 0) + coalesce(s.synthetic_dups, 0) AS synthetic_duplicates
  -- (each side from its own tracker's rows: a join that reads only the copies it can match)
  FROM clusters AS k
  LEFT JOIN client AS c ON c.slice_date = k.slice_date AND c.copy_key = k.c_key
  LEFT JOIN server AS s ON s.slice_date = k.slice_date AND s.copy_key = k.s_key
  LEFT JOIN agents AS ca ON ca.user_agent = c.user_agent
  LEFT JOIN agents AS sa ON sa.user_agent = s.user_agent
),
-- page URLs and referrers of the chosen copies (a merged event's are among them), each distinct value parsed once
urls AS (
  SELECT
    page_url,
    {{ page_url_parse('page_url') }}
  FROM (SELECT DISTINCT page_url FROM tracked WHERE page_url IS NOT NULL) AS u
),
referrers AS (
  SELECT referrer, {{ url_host('referrer') }} AS referrer_host_raw
  FROM (SELECT DISTINCT referrer FROM tracked WHERE referrer IS NOT NULL) AS r
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
  local_date,
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
