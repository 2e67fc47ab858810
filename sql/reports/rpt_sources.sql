-- purpose: traffic sources for a pie chart: per local date and source, the sessions that landed from it and the engagements, conversions and revenue in those sessions. source = the landing event's utm_source (lower-cased), else the landing's referrer host (external referrers only: a referrer from the site itself is navigation), else 'unknown'. sessions are counted on the session's local date; engagements, conversions and revenue (Σ value_reporting, reporting currency; conversions without an fx rate add no revenue) on their own local date, with the source of the session they happened in.
-- grain: one row per local_date × source
-- version: 2
-- materialized: incremental_by_key
-- key: local_date
-- keys_from: report_dates
-- keys_inline: dates
-- rebuild_on_change: true
-- partition_by: local_date
-- cluster_by: source
-- (by date: only the dates listed in report_dates are rebuilt — see pipelines/steps/report-dates.ts. Every number of a date comes from that date's rows: an engagement or conversion carries its session's landing source (session_source), so a session begun the day before is not read. A changed definition or config variable rebuilds the table whole.)
WITH s AS (
  SELECT local_date, coalesce(utm_source, referrer_host, 'unknown') AS source, count(*) AS sessions
  FROM {{ ref('session_events') }}
  WHERE event_in_session = 1 AND {{ keys_filter('local_date') }}
  GROUP BY local_date, coalesce(utm_source, referrer_host, 'unknown')
),
e AS (
  SELECT local_date, session_source AS source, count(*) AS engagements
  FROM {{ ref('engagements') }}
  WHERE session_source IS NOT NULL AND {{ keys_filter('local_date') }}
  GROUP BY local_date, session_source
),
c AS (
  SELECT local_date, session_source AS source, count(*) AS conversions, sum(value_reporting) AS revenue
  FROM {{ ref('conversions') }}
  WHERE session_source IS NOT NULL AND {{ keys_filter('local_date') }}
  GROUP BY local_date, session_source
),
keys AS (
  SELECT local_date, source FROM s
  UNION DISTINCT SELECT local_date, source FROM e
  UNION DISTINCT SELECT local_date, source FROM c
)
SELECT
  k.local_date,
  k.source,
  coalesce(s.sessions, 0) AS sessions,
  coalesce(e.engagements, 0) AS engagements,
  coalesce(c.conversions, 0) AS conversions,
  CAST(coalesce(c.revenue, 0) AS DECIMAL(18, 2)) AS revenue
FROM keys AS k
LEFT JOIN s ON s.local_date = k.local_date AND s.source = k.source
LEFT JOIN e ON e.local_date = k.local_date AND e.source = k.source
LEFT JOIN c ON c.local_date = k.local_date AND c.source = k.source
