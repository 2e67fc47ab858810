-- purpose: attributed conversions and revenue per day, model and marketing dimension, from attribution_credits. conversions = Σ credit (fractional); revenue = Σ revenue_credit (exact cents; conversions without a reporting-currency value are left out and counted in conversions_without_revenue).
-- grain: one row per local_date (of the conversion) × model × channel × source × medium × campaign × platform
-- version: 2
-- materialized: incremental_by_key
-- key: local_date
-- keys_from: report_dates
-- keys_inline: dates
-- rebuild_on_change: true
-- partition_by: local_date
-- cluster_by: model, channel, platform
-- (by date: only the dates listed in report_dates are rebuilt — among them every conversion date whose credits the attribute step replaced (identity merges reach any past date), see pipelines/steps/report-dates.ts. The dates stay queued until every report keyed by them finished, so a night that fails before this table is built leaves them for the next. A changed definition or config variable rebuilds the table whole.)
SELECT
  local_date,
  model,
  channel,
  source,
  medium,
  campaign,
  platform,
  -- summed as decimals (each credit to 1e-9) so the total does not depend on the order rows are added in
  CAST(sum(CAST(credit AS DECIMAL(38, 9))) AS DECIMAL(38, 9)) AS conversions,
  CAST(coalesce(sum(revenue_credit), 0) AS DECIMAL(18, 2)) AS revenue,
  CAST(coalesce(sum(CASE WHEN revenue_credit IS NULL THEN CAST(credit AS DECIMAL(38, 9)) END), 0) AS DECIMAL(38, 9)) AS conversions_without_revenue,
  count(touchpoint_id) AS touchpoints_credited,
  count(DISTINCT conversion_id) AS conversions_touched
FROM {{ ref('attribution_credits') }}
WHERE {{ keys_filter('local_date') }}
GROUP BY local_date, model, channel, source, medium, campaign, platform
