-- purpose: the conversion paths of every conversion in scope, in one query: each conversion joined to
--   its person's touchpoints with touch_ts in [conversion_ts − lookback, conversion_ts], plus the
--   conversion's own session even when its touch is stamped a moment after the conversion (tracker clock skew)
-- grain: one row per conversion × touch, touches oldest first; a conversion without touches comes once with NULL touch columns
-- parameters: {{ param(1) }} lookback in milliseconds
-- placeholders: scope — TRUE (every conversion) or a filter on c.person_id and c.conversion_ts (the queued persons' conversions from their start on)
-- (the touches are matched in an inner join on person_id first: an OR inside a LEFT JOIN's ON clause
-- keeps DuckDB from hashing on person_id and makes it a nested loop)
WITH scoped AS (
  SELECT conversion_id, person_id, session_id, conversion_ts, local_date, value_minor, fx_missing
  FROM {{ table('conversions') }} AS c
  WHERE {{ scope('c.person_id', 'c.conversion_ts') }}
),
matched AS (
  SELECT c.conversion_id, t.touchpoint_id, t.session_id, t.touch_ts, t.channel, t.source, t.medium, t.campaign, t.campaign_id, t.platform
  FROM scoped AS c
  JOIN {{ table('touchpoints') }} AS t ON t.person_id = c.person_id
  WHERE t.session_id = c.session_id
    OR ({{ epoch_ms('t.touch_ts') }} >= {{ epoch_ms('c.conversion_ts') }} - {{ param(1) }} AND t.touch_ts <= c.conversion_ts)
)
SELECT
  c.conversion_id,
  c.person_id,
  c.conversion_ts,
  c.local_date,
  c.value_minor,
  coalesce(c.fx_missing, FALSE) AS fx_missing,
  m.touchpoint_id,
  m.session_id,
  m.touch_ts,
  m.channel,
  m.source,
  m.medium,
  m.campaign,
  m.campaign_id,
  m.platform
FROM scoped AS c
LEFT JOIN matched AS m ON m.conversion_id = c.conversion_id
ORDER BY c.conversion_id, m.touch_ts, m.touchpoint_id
