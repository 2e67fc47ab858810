-- purpose: attribution's totals per conversion date and model, from attribution_credits: what finance reconciles (rpt_finance_reconciliation) and the list of models the reports show spend under (rpt_roas_daily). attributed_revenue = Σ revenue_credit of the credits to a touchpoint; unattributed_revenue = Σ revenue_credit of the credits to no touchpoint (channel '(none)'); unattributed_conversions = count of distinct conversions credited to no touchpoint; credit_rows = count of credit rows. A sum is NULL when no credit of the group has a revenue_credit (no reporting-currency value).
-- grain: one row per local_date (of the conversion) × model with at least one credit
-- version: 1
-- materialized: incremental_by_key
-- key: local_date
-- keys_from: report_dates
-- keys_inline: dates
-- rebuild_on_change: true
-- partition_by: local_date
-- cluster_by: model
-- (by date: only the dates listed in report_dates are rebuilt — among them every date whose credits the attribute step replaced, see pipelines/steps/report-dates.ts — so a night reads the credits of those dates, not every credit. A changed definition or config variable rebuilds the table whole.)
SELECT
  local_date,
  model,
  sum(CASE WHEN touchpoint_id IS NOT NULL THEN revenue_credit END) AS attributed_revenue,
  sum(CASE WHEN touchpoint_id IS NULL THEN revenue_credit END) AS unattributed_revenue,
  count(DISTINCT CASE WHEN touchpoint_id IS NULL THEN conversion_id END) AS unattributed_conversions,
  count(*) AS credit_rows
FROM {{ ref('attribution_credits') }}
WHERE {{ keys_filter('local_date') }}
GROUP BY local_date, model
