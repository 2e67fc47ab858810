-- purpose: the current run's pipeline health, one metric per row; the health step appends these rows to rpt_pipeline_health under the run id (this table holds the latest run only). Metrics (docs/reports.md lists each with its formula):
--   rows_ingested      (this run's loads)  dimension events:client | events:server | orders | spend | fx — valid rows loaded, on the row's own local date
--   files_loaded       (this run's loads)  dimension = kind; local_date NULL
--   rows_rejected      (this run's loads)  dimension = kind; local_date NULL (a rejected row has no trusted date)
--   rejected_reason    (this run's loads)  dimension = 'kind: field: reason' (the offending value cut off), the 5 most frequent per kind; local_date NULL
--   late_events        (this run's loads)  dimension within_lookback | beyond_lookback: event rows that arrived in a load whose newest event falls on a later local date; days late = that date − the row's date; within when ≤ lookback.late_data_days. dimension not_rebuilt: rows of this run's loads dated before the run's slice (kept in raw_events, counted here; a backfill over their dates picks them up)
--   events, raw_event_rows                 per date of the slice: real events (events) and the raw event rows they were merged from (raw_events, by the local date of event_ts)
--   duplicates_merged                      dimension natural | synthetic (copies within a tracker: same / different payload) | cross_tracker (events seen by both trackers, merged into one)
--   identity_match_rate                    dimension persons: persons with a session that day whose identity includes a user id / persons with a session; events: journey events of such persons / journey events
--   unattributed_share                     dimension = model: conversions credited to no touchpoint ((none)) / conversions credited, by conversion date
--   fx_missing                             dimension conversions:CUR | orders:CUR | spend:CUR: rows without an fx rate for their date and currency
--   journey_rebuild                        dimension = dirty_starts.reason (whole | session | horizon | moved | unfinished); local_date NULL: persons this run rebuilt whole or from a start (docs/journeys.md, "The rebuild horizon"); 'moved': identity moved some of their events, older ones wait for a full refresh
--   channel_share_kl                       dimension = model; local_date = the ISO week's Monday: KL divergence Σ p·ln(p/q) of the week's channel shares of credit p against the previous week's q, each smoothed by adding 0.5 to every channel seen in either week; rows for weeks overlapping the slice whose previous week has credits
-- grain: one row per local_date (NULL for run-level metrics) × metric × dimension, for this run
-- version: 3
-- materialized: table
-- (table: it describes one run — its loads and its slice — and is replaced by the next run; the run-by-run history is rpt_pipeline_health.)
WITH run_loads AS (
  SELECT load_id, kind FROM {{ ref('_beamline_loads') }} WHERE run_id = {{ var('run_id') }}
),
-- this run's event rows counted per load, tracker and UTC quarter-hour, each quarter-hour then given its local
-- date: the same counts by local date as one conversion per row (local midnights fall on quarter-hours), for
-- a few thousand conversions instead of one per event (dialect.ts, quarterHour)
run_quarters AS (
  SELECT r.load_id, r.source, {{ quarter_hour('r.event_ts') }} AS quarter, max(r.event_ts) AS max_ts, count(*) AS n
  FROM {{ ref('raw_events') }} AS r
  WHERE r.load_id IN (SELECT load_id FROM run_loads)
  GROUP BY 1, 2, 3
),
run_events AS (
  SELECT load_id, source, max_ts, n, {{ local_date('quarter') }} AS local_date FROM run_quarters
),
ingested AS (
  SELECT local_date, 'rows_ingested' AS metric, 'events:' || source AS dimension, CAST(sum(n) AS BIGINT) AS value
  FROM run_events GROUP BY local_date, source
  UNION ALL
  SELECT {{ local_date('order_ts') }}, 'rows_ingested', 'orders', count(*)
  FROM {{ ref('raw_orders') }} WHERE load_id IN (SELECT load_id FROM run_loads) GROUP BY 1
  UNION ALL
  SELECT spend_date, 'rows_ingested', 'spend', count(*)
  FROM {{ ref('raw_ad_spend') }} WHERE load_id IN (SELECT load_id FROM run_loads) GROUP BY 1
  UNION ALL
  SELECT rate_date, 'rows_ingested', 'fx', count(*)
  FROM {{ ref('raw_fx') }} WHERE load_id IN (SELECT load_id FROM run_loads) GROUP BY 1
  UNION ALL
  SELECT CAST(NULL AS DATE), 'files_loaded', kind, count(*) FROM run_loads GROUP BY kind
),
rejected AS (
  SELECT
    kind,
    kind || ': ' || coalesce(field, '?') || ': ' || CASE WHEN strpos(reason, ': "') > 0 THEN substr(reason, 1, strpos(reason, ': "') - 1) ELSE reason END AS reason_key
  FROM {{ ref('raw_rejected') }}
  WHERE load_id IN (SELECT load_id FROM run_loads)
),
reasons AS (
  SELECT kind, reason_key, count(*) AS n, row_number() OVER (PARTITION BY kind ORDER BY count(*) DESC, reason_key) AS rn
  FROM rejected
  GROUP BY kind, reason_key
),
rejections AS (
  SELECT CAST(NULL AS DATE) AS local_date, 'rows_rejected' AS metric, kind AS dimension, count(*) AS value FROM rejected GROUP BY kind
  UNION ALL
  SELECT CAST(NULL AS DATE), 'rejected_reason', reason_key, n FROM reasons WHERE rn <= 5
),
-- a load's arrival date: the local date of its newest event
load_marks AS (
  SELECT load_id, {{ local_date('max(max_ts)') }} AS arrival_date FROM run_events GROUP BY load_id
),
lateness AS (
  SELECT
    e.local_date,
    e.n,
    CAST(({{ epoch_ms('CAST(m.arrival_date AS TIMESTAMP)') }} - {{ epoch_ms('CAST(e.local_date AS TIMESTAMP)') }}) / 86400000 AS BIGINT) AS days_late
  FROM run_events AS e
  JOIN load_marks AS m ON m.load_id = e.load_id
),
late AS (
  SELECT local_date, 'late_events' AS metric, CASE WHEN days_late <= {{ var('late_data_days') }} THEN 'within_lookback' ELSE 'beyond_lookback' END AS dimension, CAST(sum(n) AS BIGINT) AS value
  FROM lateness WHERE days_late > 0
  GROUP BY 1, 3
  UNION ALL
  SELECT local_date, 'late_events', 'not_rebuilt', CAST(sum(n) AS BIGINT)
  FROM run_events WHERE local_date < {{ slice_from() }}
  GROUP BY local_date
),
event_stats AS (
  SELECT local_date, 'events' AS metric, 'total' AS dimension, count(*) AS value
  FROM {{ ref('events') }} WHERE local_date >= {{ slice_from() }} AND local_date < {{ slice_to() }} GROUP BY local_date
  UNION ALL
  SELECT {{ local_date('quarter') }} AS local_date, 'raw_event_rows', 'total', CAST(sum(n) AS BIGINT)
  FROM (
    SELECT {{ quarter_hour('event_ts') }} AS quarter, count(*) AS n
    FROM {{ ref('raw_events') }} WHERE event_ts >= {{ slice_ts_from() }} AND event_ts < {{ slice_ts_to() }} GROUP BY 1
  ) AS q
  GROUP BY 1
  UNION ALL
  SELECT local_date, 'duplicates_merged', 'natural', sum(natural_duplicates)
  FROM {{ ref('events') }} WHERE local_date >= {{ slice_from() }} AND local_date < {{ slice_to() }} GROUP BY local_date
  UNION ALL
  SELECT local_date, 'duplicates_merged', 'synthetic', sum(synthetic_duplicates)
  FROM {{ ref('events') }} WHERE local_date >= {{ slice_from() }} AND local_date < {{ slice_to() }} GROUP BY local_date
  UNION ALL
  SELECT local_date, 'duplicates_merged', 'cross_tracker', count(CASE WHEN source_count = 2 THEN 1 END)
  FROM {{ ref('events') }} WHERE local_date >= {{ slice_from() }} AND local_date < {{ slice_to() }} GROUP BY local_date
),
known_persons AS (
  SELECT DISTINCT person_id FROM {{ ref('identity_map') }} WHERE id_type = 'user_id'
),
identity AS (
  SELECT s.local_date, 'identity_match_rate' AS metric, 'persons' AS dimension, count(DISTINCT k.person_id) / count(DISTINCT s.person_id) AS value
  FROM {{ ref('sessions') }} AS s
  LEFT JOIN known_persons AS k ON k.person_id = s.person_id
  WHERE s.local_date >= {{ slice_from() }} AND s.local_date < {{ slice_to() }}
  GROUP BY s.local_date
  UNION ALL
  SELECT e.local_date, 'identity_match_rate', 'events', count(k.person_id) / count(*)
  FROM {{ ref('session_events') }} AS e
  LEFT JOIN known_persons AS k ON k.person_id = e.person_id
  WHERE e.local_date >= {{ slice_from() }} AND e.local_date < {{ slice_to() }}
  GROUP BY e.local_date
),
unattributed AS (
  SELECT local_date, 'unattributed_share' AS metric, model AS dimension,
    count(DISTINCT CASE WHEN touchpoint_id IS NULL THEN conversion_id END) / count(DISTINCT conversion_id) AS value
  FROM {{ ref('attribution_credits') }}
  WHERE local_date >= {{ slice_from() }} AND local_date < {{ slice_to() }}
  GROUP BY local_date, model
),
fx_gaps AS (
  SELECT local_date, 'fx_missing' AS metric, 'conversions:' || currency AS dimension, count(*) AS value
  FROM {{ ref('conversions') }}
  WHERE fx_missing AND local_date >= {{ slice_from() }} AND local_date < {{ slice_to() }}
  GROUP BY local_date, currency
  UNION ALL
  SELECT spend_date, 'fx_missing', 'spend:' || currency, count(*)
  FROM {{ ref('stg_ad_spend') }}
  WHERE fx_missing AND spend_date >= {{ slice_from() }} AND spend_date < {{ slice_to() }}
  GROUP BY spend_date, currency
  UNION ALL
  SELECT o.local_date, 'fx_missing', 'orders:' || o.currency, count(*)
  FROM (
    SELECT {{ local_date('order_ts') }} AS local_date, upper(coalesce(currency, {{ var('currency') }})) AS currency
    FROM {{ ref('raw_orders') }}
  ) AS o
  LEFT JOIN {{ ref('fx_rates') }} AS fx ON fx.rate_date = o.local_date AND fx.currency = o.currency
  WHERE o.currency <> {{ var('currency') }} AND fx.rate IS NULL AND o.local_date >= {{ slice_from() }} AND o.local_date < {{ slice_to() }}
  GROUP BY o.local_date, o.currency
),
-- channel shares per model and ISO week (Monday), from the credits of the weeks the metric compares:
-- the weeks overlapping the slice begin on or after slice_from − 6 and end before slice_to + 7, their
-- previous weeks begin on or after slice_from − 13, so the credits of [slice_from − 13, slice_to + 7)
-- hold every day of each (a partition range, not every credit)
credit_weeks AS (
  SELECT
    model,
    channel,
    CAST(DATE_ADD(local_date, INTERVAL (-mod(CAST({{ epoch_ms('CAST(local_date AS TIMESTAMP)') }} / 86400000 AS BIGINT) + 3, 7)) DAY) AS DATE) AS week_start,
    credit
  FROM {{ ref('attribution_credits') }}
  WHERE local_date >= CAST(DATE_ADD({{ slice_from() }}, INTERVAL (-13) DAY) AS DATE) AND local_date < CAST(DATE_ADD({{ slice_to() }}, INTERVAL 7 DAY) AS DATE)
),
week_channel AS (
  SELECT model, week_start, channel, sum(credit) AS credit FROM credit_weeks GROUP BY model, week_start, channel
),
week_pairs AS (
  SELECT DISTINCT cur.model, cur.week_start, CAST(DATE_ADD(cur.week_start, INTERVAL (-7) DAY) AS DATE) AS previous_start
  FROM week_channel AS cur
  JOIN week_channel AS prev ON prev.model = cur.model AND prev.week_start = CAST(DATE_ADD(cur.week_start, INTERVAL (-7) DAY) AS DATE)
  WHERE cur.week_start < {{ slice_to() }} AND CAST(DATE_ADD(cur.week_start, INTERVAL 7 DAY) AS DATE) > {{ slice_from() }}
),
pair_channels AS (
  SELECT DISTINCT p.model, p.week_start, p.previous_start, w.channel
  FROM week_pairs AS p
  JOIN week_channel AS w ON w.model = p.model AND (w.week_start = p.week_start OR w.week_start = p.previous_start)
),
pair_values AS (
  SELECT
    c.model,
    c.week_start,
    c.channel,
    coalesce(cur.credit, 0) + 0.5 AS p_raw,
    coalesce(prev.credit, 0) + 0.5 AS q_raw
  FROM pair_channels AS c
  LEFT JOIN week_channel AS cur ON cur.model = c.model AND cur.week_start = c.week_start AND cur.channel = c.channel
  LEFT JOIN week_channel AS prev ON prev.model = c.model AND prev.week_start = c.previous_start AND prev.channel = c.channel
),
pair_shares AS (
  SELECT
    model,
    week_start,
    p_raw / sum(p_raw) OVER (PARTITION BY model, week_start) AS p,
    q_raw / sum(q_raw) OVER (PARTITION BY model, week_start) AS q
  FROM pair_values
),
kl AS (
  -- rounded, so the value does not depend on the order the floating-point sums ran in
  SELECT week_start AS local_date, 'channel_share_kl' AS metric, model AS dimension, round(sum(p * ln(p / q)), 10) AS value
  FROM pair_shares
  GROUP BY week_start, model
),
rebuilds AS (
  SELECT CAST(NULL AS DATE) AS local_date, 'journey_rebuild' AS metric, reason AS dimension, count(*) AS value
  FROM {{ ref('dirty_starts') }}
  GROUP BY reason
),
metrics AS (
  SELECT * FROM ingested
  UNION ALL SELECT * FROM rejections
  UNION ALL SELECT * FROM late
  UNION ALL SELECT * FROM event_stats
  UNION ALL SELECT * FROM identity
  UNION ALL SELECT * FROM unattributed
  UNION ALL SELECT * FROM fx_gaps
  UNION ALL SELECT * FROM kl
  UNION ALL SELECT * FROM rebuilds
)
SELECT
  {{ var('run_id') }} AS run_id,
  {{ slice_from() }} AS slice_from,
  {{ slice_to() }} AS slice_to,
  local_date,
  metric,
  dimension,
  value
FROM metrics
