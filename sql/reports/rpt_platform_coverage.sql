-- purpose: ad-platform coverage per local date, one row for each of the eight platforms (google_ads, meta, linkedin, tiktok, pinterest, microsoft_ads, reddit, x) even when it brought no session. A session is platform-attributed when its landing carries the platform's click id (gclid/gbraid/wbraid, fbclid, li_fat_id, ttclid, epik, msclkid, rdt_cid, twclid); organic otherwise. platform_sessions = sessions attributed to this platform; platform_conversions = conversions in those sessions (on the conversion's date); total_sessions = all sessions of the day; organic_sessions = sessions of the day with no click id (the same on every platform row of a date); attributed_sessions = sessions of the day attributed to any platform; attribution_rate = platform_sessions / total_sessions (this platform's share); platform_attribution_rate = attributed_sessions / total_sessions (all platforms); volume_rank = the platform's rank by platform_sessions that day (1 = most; ties by name).
-- grain: one row per local_date (with at least one session or conversion) × platform (all eight)
-- version: 2
-- materialized: incremental_by_key
-- key: local_date
-- keys_from: report_dates
-- keys_inline: dates
-- rebuild_on_change: true
-- partition_by: local_date
-- cluster_by: platform
-- (by date: only the dates listed in report_dates are rebuilt — see pipelines/steps/report-dates.ts. Every number of a date comes from that date's rows: a conversion carries its session's platform (session_platform), so a session begun the day before is not read. A changed definition or config variable rebuilds the table whole.)
WITH platforms AS (
  SELECT 'google_ads' AS platform
  UNION ALL SELECT 'meta'
  UNION ALL SELECT 'linkedin'
  UNION ALL SELECT 'tiktok'
  UNION ALL SELECT 'pinterest'
  UNION ALL SELECT 'microsoft_ads'
  UNION ALL SELECT 'reddit'
  UNION ALL SELECT 'x'
),
day_totals AS (
  SELECT
    local_date,
    count(*) AS total_sessions,
    count(CASE WHEN platform IS NULL THEN 1 END) AS organic_sessions,
    count(CASE WHEN platform IS NOT NULL THEN 1 END) AS attributed_sessions
  FROM {{ ref('sessions') }}
  WHERE {{ keys_filter('local_date') }}
  GROUP BY local_date
),
by_platform AS (
  SELECT local_date, platform, count(*) AS platform_sessions
  FROM {{ ref('sessions') }}
  WHERE platform IS NOT NULL AND {{ keys_filter('local_date') }}
  GROUP BY local_date, platform
),
conversions_by_platform AS (
  SELECT local_date, session_platform AS platform, count(*) AS platform_conversions
  FROM {{ ref('conversions') }}
  WHERE session_platform IS NOT NULL AND {{ keys_filter('local_date') }}
  GROUP BY local_date, session_platform
),
dates AS (
  SELECT local_date FROM day_totals
  UNION DISTINCT SELECT local_date FROM conversions_by_platform
),
grid AS (
  SELECT
    d.local_date,
    p.platform,
    coalesce(b.platform_sessions, 0) AS platform_sessions,
    coalesce(c.platform_conversions, 0) AS platform_conversions,
    coalesce(t.total_sessions, 0) AS total_sessions,
    coalesce(t.organic_sessions, 0) AS organic_sessions,
    coalesce(t.attributed_sessions, 0) AS attributed_sessions
  FROM dates AS d
  CROSS JOIN platforms AS p
  LEFT JOIN day_totals AS t ON t.local_date = d.local_date
  LEFT JOIN by_platform AS b ON b.local_date = d.local_date AND b.platform = p.platform
  LEFT JOIN conversions_by_platform AS c ON c.local_date = d.local_date AND c.platform = p.platform
)
SELECT
  local_date,
  platform,
  platform_sessions,
  platform_conversions,
  total_sessions,
  organic_sessions,
  attributed_sessions,
  CASE WHEN total_sessions > 0 THEN platform_sessions / total_sessions END AS attribution_rate,
  CASE WHEN total_sessions > 0 THEN attributed_sessions / total_sessions END AS platform_attribution_rate,
  row_number() OVER (PARTITION BY local_date ORDER BY platform_sessions DESC, platform) AS volume_rank
FROM grid
