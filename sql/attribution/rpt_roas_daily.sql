-- purpose: return on ad spend per day, model, platform and campaign: spend (stg_ad_spend, in the reporting currency) against the conversions and revenue each model attributes to that campaign's touchpoints. A touchpoint matches a spend campaign on platform and campaign id; when either side has no id, on the campaign name (case-insensitive). Spend with no matching touchpoint is shown under every model with 0 conversions; credited campaigns with no spend are shown with spend 0. roas = revenue / spend (NULL when spend is 0 or unknown); cpa = spend / conversions (NULL when conversions are 0).
-- grain: one row per local_date × model × platform × campaign (campaign_id, else campaign name, case-insensitive; a campaign with several names that day shows the first in sort order); only touchpoints with an ad platform (a click id) are credited here
-- version: 4
-- materialized: incremental_by_key
-- key: local_date
-- keys_from: report_dates
-- keys_inline: dates
-- rebuild_on_change: true
-- partition_by: local_date
-- cluster_by: model, platform, campaign_id
-- (by date: only the dates listed in report_dates are rebuilt — the dates whose credits the attribute step replaced and the spend dates whose stg_ad_spend rows changed, see pipelines/steps/report-dates.ts; a change of campaign names lists every date, since a credited campaign is matched by every name it went by. The campaign names are read over all dates (stg_ad_spend is small), the models from attribution_totals_daily (a row per date and model). A changed definition or config variable rebuilds the table whole.)
-- spend per day, platform and campaign (its id, else its name, case-insensitive): a campaign renamed
-- within a day, or exported under two spellings, has several stg_ad_spend rows but is one campaign here
WITH spend AS (
  SELECT
    spend_date AS local_date,
    platform,
    coalesce('id:' || campaign_id, 'name:' || lower(campaign_name)) AS campaign_key,
    min(campaign_id) AS campaign_id,
    -- the first of its names in sort order, so the row does not depend on load order
    min(campaign_name) AS campaign_name,
    sum(spend) AS spend,
    max(CASE WHEN fx_missing THEN 1 ELSE 0 END) = 1 AS fx_missing,
    CAST(sum(impressions) AS BIGINT) AS impressions,
    CAST(sum(clicks) AS BIGINT) AS clicks
  FROM {{ ref('stg_ad_spend') }}
  WHERE {{ keys_filter('spend_date') }}
  GROUP BY spend_date, platform, coalesce('id:' || campaign_id, 'name:' || lower(campaign_name))
),
-- every name a spend campaign went by (a credited campaign may carry any of them)
spend_campaigns AS (
  SELECT DISTINCT
    platform,
    campaign_id,
    lower(campaign_name) AS name_key,
    coalesce('id:' || campaign_id, 'name:' || lower(campaign_name)) AS campaign_key,
    campaign_name
  FROM {{ ref('stg_ad_spend') }}
),
credit_groups AS (
  SELECT
    local_date,
    model,
    lower(platform) AS platform,
    campaign_id,
    campaign,
    sum(CAST(credit AS DECIMAL(38, 9))) AS conversions,
    sum(revenue_credit) AS revenue,
    sum(CASE WHEN revenue_credit IS NULL THEN CAST(credit AS DECIMAL(38, 9)) END) AS conversions_without_revenue
  FROM {{ ref('attribution_credits') }}
  WHERE platform IS NOT NULL AND {{ keys_filter('local_date') }}
  GROUP BY local_date, model, lower(platform), campaign_id, campaign
),
-- each credited campaign finds at most one spend campaign: by id first, then by name
matched AS (
  SELECT
    c.*,
    sc.campaign_key AS spend_key,
    sc.campaign_id AS spend_campaign_id,
    sc.campaign_name AS spend_campaign_name,
    row_number() OVER (
      PARTITION BY c.local_date, c.model, c.platform, c.campaign_id, c.campaign
      ORDER BY CASE WHEN sc.campaign_id = c.campaign_id THEN 0 ELSE 1 END, sc.campaign_key
    ) AS rn
  FROM credit_groups AS c
  LEFT JOIN spend_campaigns AS sc
    ON sc.platform = c.platform
    AND (
      sc.campaign_id = c.campaign_id
      OR ((c.campaign_id IS NULL OR sc.campaign_id IS NULL) AND sc.name_key = lower(c.campaign))
    )
),
credits AS (
  SELECT
    local_date,
    model,
    platform,
    coalesce(spend_key, 'id:' || campaign_id, 'name:' || lower(campaign), '(none)') AS campaign_key,
    min(coalesce(spend_campaign_id, campaign_id)) AS campaign_id,
    min(coalesce(spend_campaign_name, campaign)) AS campaign_name,
    sum(conversions) AS conversions,
    sum(revenue) AS revenue,
    sum(conversions_without_revenue) AS conversions_without_revenue
  FROM matched
  WHERE rn = 1
  GROUP BY local_date, model, platform, coalesce(spend_key, 'id:' || campaign_id, 'name:' || lower(campaign), '(none)')
),
-- every model with a credit on any date: attribution_totals_daily has a row per date and model with credits, so this reads its small model column, not the credits'
models AS (
  SELECT DISTINCT model FROM {{ ref('attribution_totals_daily') }}
),
spend_by_model AS (
  SELECT s.*, m.model FROM spend AS s LEFT JOIN models AS m ON TRUE
),
joined AS (
  SELECT
    coalesce(s.local_date, c.local_date) AS local_date,
    coalesce(s.model, c.model) AS model,
    coalesce(s.platform, c.platform) AS platform,
    coalesce(s.campaign_id, c.campaign_id) AS campaign_id,
    coalesce(s.campaign_name, c.campaign_name) AS campaign,
    CASE WHEN s.fx_missing THEN NULL ELSE CAST(coalesce(s.spend, 0) AS DECIMAL(18, 2)) END AS spend,
    coalesce(s.fx_missing, FALSE) AS spend_fx_missing,
    coalesce(s.impressions, 0) AS impressions,
    coalesce(s.clicks, 0) AS clicks,
    CAST(coalesce(c.conversions, 0) AS DECIMAL(38, 9)) AS conversions,
    CAST(coalesce(c.revenue, 0) AS DECIMAL(18, 2)) AS revenue,
    CAST(coalesce(c.conversions_without_revenue, 0) AS DECIMAL(38, 9)) AS conversions_without_revenue
  FROM spend_by_model AS s
  FULL OUTER JOIN credits AS c
    ON c.local_date = s.local_date AND c.model = s.model AND c.platform = s.platform AND c.campaign_key = s.campaign_key
)
SELECT
  local_date,
  model,
  platform,
  campaign_id,
  campaign,
  spend,
  spend_fx_missing,
  impressions,
  clicks,
  conversions,
  revenue,
  conversions_without_revenue,
  CASE WHEN spend > 0 THEN CAST(revenue / spend AS DECIMAL(38, 9)) END AS roas,
  CASE WHEN conversions > 0 THEN CAST(spend / conversions AS DECIMAL(38, 9)) END AS cpa
FROM joined
