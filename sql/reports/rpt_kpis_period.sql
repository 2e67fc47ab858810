-- purpose: each KPI of rpt_kpis_daily per period beside the previous period's value and the change, for three period types: 'week' (ISO weeks, Monday to Sunday), 'month' (calendar months) and 'n_days' (periods of reports.period_days days tiled backwards from the data's last date, so the newest one ends on it). The previous period is the one just before (the week before, the month before, the N days before). Counts and revenue are Σ of the daily rows in the period; rates are recomputed from those sums (conversion_rate = Σ conversions / Σ sessions), never averaged. x_change = x − x_previous; x_change_pct = (x − x_previous) / x_previous (NULL when x_previous is 0 or NULL).
-- Partial periods at the data's edges: the data's range is [data_from, data_to], data_from = the first local date in rpt_kpis_daily, data_to = the local date of the data's as-of time (the latest event in raw_events). days_covered = the days of the period inside that range; is_partial = days_covered < days_in_period (a period that began before the data or ends after its last date); previous_is_partial likewise for the previous period (a previous period wholly before the data has previous_days_covered = 0 and its values are 0).
-- grain: one row per period_type × period_start, for every period holding at least one day of rpt_kpis_daily
-- version: 1
-- materialized: table
-- partition_by: period_start
-- cluster_by: period_type
-- (table: built from rpt_kpis_daily, itself a table; a few rows per week and month.)
WITH daily AS (
  SELECT
    d.*,
    CAST({{ epoch_ms('CAST(d.local_date AS TIMESTAMP)') }} / 86400000 AS BIGINT) AS day_no
  FROM {{ ref('rpt_kpis_daily') }} AS d
),
-- the latest raw event time, looked up from the run's own as-of on (raw events are only appended, so it is at or before the latest): the read is the partitions from there, not every raw event's time
as_of AS (
  SELECT {{ local_date('t.as_of') }} AS data_to
  FROM (SELECT coalesce(max(event_ts), {{ as_of_floor() }}) AS as_of FROM {{ ref('raw_events') }} WHERE event_ts >= {{ as_of_floor() }}) AS t
),
bounds AS (
  SELECT
    (SELECT min(local_date) FROM daily) AS data_from,
    a.data_to,
    CAST({{ epoch_ms('CAST(a.data_to AS TIMESTAMP)') }} / 86400000 AS BIGINT) AS last_day_no
  FROM as_of AS a
),
-- every period containing a day with data, as [period_start, period_end_excl) and its previous period [previous_start, period_start)
periods AS (
  SELECT DISTINCT
    'week' AS period_type,
    CAST(DATE_ADD(d.local_date, INTERVAL (-mod(d.day_no + 3, 7)) DAY) AS DATE) AS period_start,
    CAST(DATE_ADD(d.local_date, INTERVAL (7 - mod(d.day_no + 3, 7)) DAY) AS DATE) AS period_end_excl,
    CAST(DATE_ADD(d.local_date, INTERVAL (-mod(d.day_no + 3, 7) - 7) DAY) AS DATE) AS previous_start
  FROM daily AS d
  UNION ALL
  SELECT DISTINCT
    'month' AS period_type,
    CAST(DATE_ADD(d.local_date, INTERVAL (1 - EXTRACT(DAY FROM d.local_date)) DAY) AS DATE) AS period_start,
    CAST(DATE_ADD(CAST(DATE_ADD(d.local_date, INTERVAL (1 - EXTRACT(DAY FROM d.local_date)) DAY) AS DATE), INTERVAL 1 MONTH) AS DATE) AS period_end_excl,
    CAST(DATE_ADD(CAST(DATE_ADD(d.local_date, INTERVAL (1 - EXTRACT(DAY FROM d.local_date)) DAY) AS DATE), INTERVAL (-1) MONTH) AS DATE) AS previous_start
  FROM daily AS d
  UNION ALL
  -- period k (0 = newest) holds the days with floor((last_day_no − day_no) / N) = k
  SELECT DISTINCT
    'n_days' AS period_type,
    CAST(DATE_ADD(b.data_to, INTERVAL (1 - {{ var('period_days') }} * (CAST(floor((b.last_day_no - d.day_no) / {{ var('period_days') }}) AS BIGINT) + 1)) DAY) AS DATE) AS period_start,
    CAST(DATE_ADD(b.data_to, INTERVAL (1 - {{ var('period_days') }} * CAST(floor((b.last_day_no - d.day_no) / {{ var('period_days') }}) AS BIGINT)) DAY) AS DATE) AS period_end_excl,
    CAST(DATE_ADD(b.data_to, INTERVAL (1 - {{ var('period_days') }} * (CAST(floor((b.last_day_no - d.day_no) / {{ var('period_days') }}) AS BIGINT) + 2)) DAY) AS DATE) AS previous_start
  FROM daily AS d
  CROSS JOIN bounds AS b
  WHERE d.local_date <= b.data_to
),
sums AS (
  SELECT
    p.period_type,
    p.period_start,
    p.period_end_excl,
    p.previous_start,
    CAST(sum(CASE WHEN d.local_date >= p.period_start THEN d.sessions ELSE 0 END) AS BIGINT) AS sessions,
    CAST(sum(CASE WHEN d.local_date >= p.period_start THEN d.engagements ELSE 0 END) AS BIGINT) AS engagements,
    CAST(sum(CASE WHEN d.local_date >= p.period_start THEN d.conversions ELSE 0 END) AS BIGINT) AS conversions,
    sum(CASE WHEN d.local_date >= p.period_start THEN d.revenue ELSE 0 END) AS revenue,
    CAST(sum(CASE WHEN d.local_date < p.period_start THEN d.sessions ELSE 0 END) AS BIGINT) AS sessions_previous,
    CAST(sum(CASE WHEN d.local_date < p.period_start THEN d.engagements ELSE 0 END) AS BIGINT) AS engagements_previous,
    CAST(sum(CASE WHEN d.local_date < p.period_start THEN d.conversions ELSE 0 END) AS BIGINT) AS conversions_previous,
    sum(CASE WHEN d.local_date < p.period_start THEN d.revenue ELSE 0 END) AS revenue_previous
  FROM periods AS p
  LEFT JOIN daily AS d ON d.local_date >= p.previous_start AND d.local_date < p.period_end_excl
  GROUP BY p.period_type, p.period_start, p.period_end_excl, p.previous_start
),
-- days of [lo, hi) inside [data_from, data_to]: max(0, min(hi, data_to + 1) − max(lo, data_from))
spans AS (
  SELECT
    s.*,
    CAST({{ epoch_ms('CAST(s.period_end_excl AS TIMESTAMP)') }} / 86400000 AS BIGINT) AS end_no,
    CAST({{ epoch_ms('CAST(s.period_start AS TIMESTAMP)') }} / 86400000 AS BIGINT) AS start_no,
    CAST({{ epoch_ms('CAST(s.previous_start AS TIMESTAMP)') }} / 86400000 AS BIGINT) AS previous_no,
    CAST({{ epoch_ms('CAST(b.data_from AS TIMESTAMP)') }} / 86400000 AS BIGINT) AS from_no,
    b.last_day_no + 1 AS to_no
  FROM sums AS s
  CROSS JOIN bounds AS b
),
rated AS (
  SELECT
    period_type,
    period_start,
    CAST(DATE_ADD(period_end_excl, INTERVAL (-1) DAY) AS DATE) AS period_end,
    previous_start,
    end_no - start_no AS days_in_period,
    greatest(0, least(end_no, to_no) - greatest(start_no, from_no)) AS days_covered,
    start_no - previous_no AS previous_days_in_period,
    greatest(0, least(start_no, to_no) - greatest(previous_no, from_no)) AS previous_days_covered,
    sessions, sessions_previous,
    engagements, engagements_previous,
    conversions, conversions_previous,
    CAST(revenue AS DECIMAL(18, 2)) AS revenue,
    CAST(revenue_previous AS DECIMAL(18, 2)) AS revenue_previous,
    CASE WHEN sessions > 0 THEN conversions / sessions END AS conversion_rate,
    CASE WHEN sessions_previous > 0 THEN conversions_previous / sessions_previous END AS conversion_rate_previous,
    CASE WHEN sessions > 0 THEN engagements / sessions END AS engagement_rate,
    CASE WHEN sessions_previous > 0 THEN engagements_previous / sessions_previous END AS engagement_rate_previous
  FROM spans
)
SELECT
  period_type,
  period_start,
  period_end,
  days_in_period,
  days_covered,
  days_covered < days_in_period AS is_partial,
  previous_start,
  previous_days_covered,
  previous_days_covered < previous_days_in_period AS previous_is_partial,
  sessions,
  sessions_previous,
  sessions - sessions_previous AS sessions_change,
  CASE WHEN sessions_previous <> 0 THEN (sessions - sessions_previous) / sessions_previous END AS sessions_change_pct,
  engagements,
  engagements_previous,
  engagements - engagements_previous AS engagements_change,
  CASE WHEN engagements_previous <> 0 THEN (engagements - engagements_previous) / engagements_previous END AS engagements_change_pct,
  conversions,
  conversions_previous,
  conversions - conversions_previous AS conversions_change,
  CASE WHEN conversions_previous <> 0 THEN (conversions - conversions_previous) / conversions_previous END AS conversions_change_pct,
  revenue,
  revenue_previous,
  revenue - revenue_previous AS revenue_change,
  CASE WHEN revenue_previous <> 0 THEN (revenue - revenue_previous) / revenue_previous END AS revenue_change_pct,
  conversion_rate,
  conversion_rate_previous,
  conversion_rate - conversion_rate_previous AS conversion_rate_change,
  CASE WHEN conversion_rate_previous <> 0 THEN (conversion_rate - conversion_rate_previous) / conversion_rate_previous END AS conversion_rate_change_pct,
  engagement_rate,
  engagement_rate_previous,
  engagement_rate - engagement_rate_previous AS engagement_rate_change,
  CASE WHEN engagement_rate_previous <> 0 THEN (engagement_rate - engagement_rate_previous) / engagement_rate_previous END AS engagement_rate_change_pct
FROM rated
