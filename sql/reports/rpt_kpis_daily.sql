-- purpose: the analytics dashboard's headline numbers per local date. sessions = count of sessions starting that day; persons = distinct persons with a session that day; engagements = goal events with value 0 or none (engagements table) that day; conversions = goal events with value > 0 (conversions table, one per order) that day; revenue = Σ conversions.value_reporting (reporting currency, exact cents; conversions without an fx rate are left out and counted in conversions_fx_missing); conversion_rate = conversions / sessions; engagement_rate = engagements / sessions (both NULL when there are no sessions). Every count is taken on its own row's local date (a conversion after midnight counts on the next day, even in a session that began the day before). unconsented_events / unconsented_conversions / unconsented_engagements = events (non-bot) without analytics consent, which journeys and attribution never see, counted anonymously when consent.count_unconsented_in_totals is on (NULL when it is off); conversions among them = goal events with value > 0, one per order id; they are NOT in sessions, conversions or revenue.
-- grain: one row per local_date with at least one session, engagement or conversion
-- version: 3
-- materialized: incremental_by_key
-- key: local_date
-- keys_from: report_dates
-- keys_inline: dates
-- rebuild_on_change: true
-- partition_by: local_date
-- (by date: only the dates listed in report_dates are rebuilt — the dates whose sessions, events, engagements or conversions a run rewrote, see pipelines/steps/report-dates.ts; every number of a date is computed from that date's rows only. A changed definition or config variable rebuilds the table whole.)
WITH s AS (
  SELECT local_date, count(*) AS sessions, count(DISTINCT person_id) AS persons
  FROM {{ ref('sessions') }}
  WHERE {{ keys_filter('local_date') }}
  GROUP BY local_date
),
e AS (
  SELECT local_date, count(*) AS engagements
  FROM {{ ref('engagements') }}
  WHERE {{ keys_filter('local_date') }}
  GROUP BY local_date
),
c AS (
  SELECT
    local_date,
    count(*) AS conversions,
    sum(value_reporting) AS revenue,
    count(CASE WHEN fx_missing THEN 1 END) AS conversions_fx_missing
  FROM {{ ref('conversions') }}
  WHERE {{ keys_filter('local_date') }}
  GROUP BY local_date
),
u AS (
  SELECT
    local_date,
    count(*) AS unconsented_events,
    count(DISTINCT CASE WHEN is_goal AND value > 0 THEN coalesce(order_id, event_key) END) AS unconsented_conversions,
    count(CASE WHEN is_goal AND coalesce(value, 0) = 0 THEN 1 END) AS unconsented_engagements
  FROM (
    SELECT local_date, order_id, event_key, value,
      strpos(',' || {{ var('non_goal_events') }} || ',', ',' || event_name || ',') = 0 AS is_goal
    FROM {{ ref('events') }}
    WHERE NOT has_analytics_consent AND NOT is_bot AND {{ var('count_unconsented_in_totals') }} AND {{ keys_filter('local_date') }}
  ) AS x
  GROUP BY local_date
),
dates AS (
  SELECT local_date FROM s
  UNION DISTINCT SELECT local_date FROM e
  UNION DISTINCT SELECT local_date FROM c
)
SELECT
  d.local_date,
  coalesce(s.sessions, 0) AS sessions,
  coalesce(s.persons, 0) AS persons,
  coalesce(e.engagements, 0) AS engagements,
  coalesce(c.conversions, 0) AS conversions,
  CAST(coalesce(c.revenue, 0) AS DECIMAL(18, 2)) AS revenue,
  coalesce(c.conversions_fx_missing, 0) AS conversions_fx_missing,
  CASE WHEN coalesce(s.sessions, 0) > 0 THEN coalesce(c.conversions, 0) / s.sessions END AS conversion_rate,
  CASE WHEN coalesce(s.sessions, 0) > 0 THEN coalesce(e.engagements, 0) / s.sessions END AS engagement_rate,
  CASE WHEN {{ var('count_unconsented_in_totals') }} THEN coalesce(u.unconsented_events, 0) END AS unconsented_events,
  CASE WHEN {{ var('count_unconsented_in_totals') }} THEN coalesce(u.unconsented_conversions, 0) END AS unconsented_conversions,
  CASE WHEN {{ var('count_unconsented_in_totals') }} THEN coalesce(u.unconsented_engagements, 0) END AS unconsented_engagements
FROM dates AS d
LEFT JOIN s ON s.local_date = d.local_date
LEFT JOIN e ON e.local_date = d.local_date
LEFT JOIN c ON c.local_date = d.local_date
LEFT JOIN u ON u.local_date = d.local_date
