-- purpose: finance's reconciliation of the orders ledger, tracked conversions, attribution and ad spend, per day and per month, in the reporting currency (exact cents). A long table: one row per period and attribution model, the ledger, tracked and spend columns repeated on every model's row — filter on one model.
--
-- Ledger (raw_orders; an exact duplicate row counts once): an order's revenue = Σ its `completed` rows − Σ |its `refunded` rows| (refunds netted into the order), converted at the fx rate of the order's date (fx_rates; the account currency has rate 1) and rounded to cents once per order. `pending` and `cancelled` rows move no revenue; an order with neither a completed nor a refunded row is not in the ledger. The order's date = the local date of its first completed row (else of its first refund), so a refund that arrives later restates the day the order was placed — which is what lets a day's orders be matched with that day's conversions. An order without an fx rate has no revenue (ledger_orders_fx_missing), never a silent zero.
-- Tracked (conversions): tracked_revenue = Σ value_reporting on the conversion's local date (conversions without an fx rate are left out and counted in tracked_conversions_fx_missing).
-- Matching by order_id: an order is matched when some conversion carries its order_id, and such a conversion is matched too. matched_ledger_revenue = ledger revenue of matched orders (on the order's date); matched_tracked_revenue = tracked revenue of matched conversions (on the conversion's date); matched_revenue_difference = matched_ledger_revenue − matched_tracked_revenue (refunds, price or fx differences, an order placed just before midnight and tracked just after). ledger_only_* = orders no conversion carries; tracked_only_* = conversions whose order_id is not in the ledger, or that have none (leads, test orders). Hence, exactly, per row: ledger_revenue = matched_ledger_revenue + ledger_only_revenue; tracked_revenue = matched_tracked_revenue + tracked_only_revenue; revenue_gap = ledger_revenue − tracked_revenue.
-- Attribution (attribution_credits, summed per date and model in attribution_totals_daily; on the conversion's date): attributed_revenue = Σ revenue_credit of credits to a touchpoint; unattributed_revenue = Σ revenue_credit of the conversions credited to no touchpoint (channel '(none)'); uncredited_revenue = tracked_revenue − attributed_revenue − unattributed_revenue (0 when every conversion is credited; anything else is a fault to chase).
-- Spend (stg_ad_spend, reporting currency): spend_<platform> for the eight platforms, spend_other for any other platform, spend_total = their sum; spend_rows_fx_missing = spend rows without an fx rate (not in the sums). roas = attributed_revenue / spend_total; ledger_roas = ledger_revenue / spend_total (NULL when spend_total is 0).
-- Months: the same columns summed over the month's days (ratios recomputed from the sums).
-- grain: one row per period_type ('day' | 'month') × period_start × model (every model in attribution_credits; NULL when there are no credits at all)
-- version: 2
-- materialized: table
-- partition_by: period_start
-- cluster_by: period_type, model
-- (table, not incremental: a refund restates its order's day, a late spend export restates any day, identity merges re-credit any date, and an order is matched by a conversion of any date; the table is days × models. Its inputs are the ledger, the conversions' order and value columns, the spend and attribution_totals_daily — a row per date and model — not the credits.)
WITH ledger_rows AS (
  SELECT DISTINCT order_id, order_ts, revenue, upper(coalesce(currency, {{ var('currency') }})) AS currency, status
  FROM {{ ref('raw_orders') }}
  WHERE order_id IS NOT NULL AND status IN ('completed', 'refunded')
),
order_firsts AS (
  SELECT order_id, coalesce(min(CASE WHEN status = 'completed' THEN order_ts END), min(order_ts)) AS first_ts
  FROM ledger_rows
  GROUP BY order_id
),
order_dates AS (
  SELECT order_id, {{ local_date('first_ts') }} AS order_date FROM order_firsts
),
order_parts AS (
  SELECT
    r.order_id,
    r.currency,
    sum(CASE WHEN r.status = 'completed' THEN r.revenue ELSE 0 END) AS gross,
    sum(CASE WHEN r.status = 'refunded' THEN abs(r.revenue) ELSE 0 END) AS refunds
  FROM ledger_rows AS r
  GROUP BY r.order_id, r.currency
),
order_priced AS (
  SELECT
    p.order_id,
    d.order_date,
    p.gross,
    p.refunds,
    CASE WHEN p.currency = {{ var('currency') }} THEN 1.0 ELSE fx.rate END AS fx_rate
  FROM order_parts AS p
  JOIN order_dates AS d ON d.order_id = p.order_id
  LEFT JOIN {{ ref('fx_rates') }} AS fx ON fx.rate_date = d.order_date AND fx.currency = p.currency
),
orders AS (
  SELECT
    order_id,
    order_date,
    max(CASE WHEN fx_rate IS NULL THEN 1 ELSE 0 END) AS fx_missing,
    CAST(round(sum(CAST(gross AS DECIMAL(18, 4)) * CAST(fx_rate AS DECIMAL(18, 8))), 2) AS DECIMAL(18, 2)) AS gross_reporting,
    CAST(round(sum(CAST(refunds AS DECIMAL(18, 4)) * CAST(fx_rate AS DECIMAL(18, 8))), 2) AS DECIMAL(18, 2)) AS refunds_reporting,
    CAST(round(sum(CAST(gross - refunds AS DECIMAL(18, 4)) * CAST(fx_rate AS DECIMAL(18, 8))), 2) AS DECIMAL(18, 2)) AS revenue_reporting
  FROM order_priced
  GROUP BY order_id, order_date
),
tracked_orders AS (
  SELECT DISTINCT order_id FROM {{ ref('conversions') }} WHERE order_id IS NOT NULL
),
ledger_daily AS (
  SELECT
    o.order_date AS local_date,
    count(*) AS ledger_orders,
    count(CASE WHEN o.fx_missing = 1 THEN 1 END) AS ledger_orders_fx_missing,
    sum(CASE WHEN o.fx_missing = 0 THEN o.gross_reporting END) AS ledger_gross_revenue,
    sum(CASE WHEN o.fx_missing = 0 THEN o.refunds_reporting END) AS ledger_refunds,
    sum(CASE WHEN o.fx_missing = 0 THEN o.revenue_reporting END) AS ledger_revenue,
    count(t.order_id) AS matched_orders,
    sum(CASE WHEN o.fx_missing = 0 AND t.order_id IS NOT NULL THEN o.revenue_reporting END) AS matched_ledger_revenue,
    count(CASE WHEN t.order_id IS NULL THEN 1 END) AS ledger_only_orders,
    sum(CASE WHEN o.fx_missing = 0 AND t.order_id IS NULL THEN o.revenue_reporting END) AS ledger_only_revenue
  FROM orders AS o
  LEFT JOIN tracked_orders AS t ON t.order_id = o.order_id
  GROUP BY o.order_date
),
tracked_daily AS (
  SELECT
    c.local_date,
    count(*) AS tracked_conversions,
    count(CASE WHEN c.fx_missing THEN 1 END) AS tracked_conversions_fx_missing,
    sum(c.value_reporting) AS tracked_revenue,
    count(o.order_id) AS matched_conversions,
    sum(CASE WHEN o.order_id IS NOT NULL THEN c.value_reporting END) AS matched_tracked_revenue,
    count(CASE WHEN o.order_id IS NULL THEN 1 END) AS tracked_only_conversions,
    sum(CASE WHEN o.order_id IS NULL THEN c.value_reporting END) AS tracked_only_revenue
  FROM {{ ref('conversions') }} AS c
  LEFT JOIN orders AS o ON o.order_id = c.order_id
  GROUP BY c.local_date
),
-- attribution per date and model: kept by date in attribution_totals_daily (the same sums over attribution_credits), so this rebuild reads a row per date and model, not every credit
credit_daily AS (
  SELECT local_date, model, attributed_revenue, unattributed_revenue, unattributed_conversions
  FROM {{ ref('attribution_totals_daily') }}
),
spend_daily AS (
  SELECT
    spend_date AS local_date,
    sum(CASE WHEN platform = 'google_ads' THEN spend END) AS spend_google_ads,
    sum(CASE WHEN platform = 'meta' THEN spend END) AS spend_meta,
    sum(CASE WHEN platform = 'linkedin' THEN spend END) AS spend_linkedin,
    sum(CASE WHEN platform = 'tiktok' THEN spend END) AS spend_tiktok,
    sum(CASE WHEN platform = 'pinterest' THEN spend END) AS spend_pinterest,
    sum(CASE WHEN platform = 'microsoft_ads' THEN spend END) AS spend_microsoft_ads,
    sum(CASE WHEN platform = 'reddit' THEN spend END) AS spend_reddit,
    sum(CASE WHEN platform = 'x' THEN spend END) AS spend_x,
    sum(CASE WHEN platform NOT IN ('google_ads', 'meta', 'linkedin', 'tiktok', 'pinterest', 'microsoft_ads', 'reddit', 'x') THEN spend END) AS spend_other,
    sum(spend) AS spend_total,
    count(CASE WHEN fx_missing THEN 1 END) AS spend_rows_fx_missing
  FROM {{ ref('stg_ad_spend') }}
  GROUP BY spend_date
),
dates AS (
  SELECT local_date FROM ledger_daily
  UNION DISTINCT SELECT local_date FROM tracked_daily
  UNION DISTINCT SELECT local_date FROM credit_daily
  UNION DISTINCT SELECT local_date FROM spend_daily
),
models AS (
  SELECT DISTINCT model FROM credit_daily
),
model_list AS (
  SELECT model FROM models
  UNION ALL
  SELECT {{ cast_text('NULL') }} AS model FROM (SELECT count(*) AS n FROM models) AS m WHERE m.n = 0
),
daily AS (
  SELECT
    d.local_date,
    CAST(DATE_ADD(d.local_date, INTERVAL (1 - EXTRACT(DAY FROM d.local_date)) DAY) AS DATE) AS month_start,
    m.model,
    coalesce(l.ledger_orders, 0) AS ledger_orders,
    coalesce(l.ledger_orders_fx_missing, 0) AS ledger_orders_fx_missing,
    coalesce(l.ledger_gross_revenue, 0) AS ledger_gross_revenue,
    coalesce(l.ledger_refunds, 0) AS ledger_refunds,
    coalesce(l.ledger_revenue, 0) AS ledger_revenue,
    coalesce(t.tracked_conversions, 0) AS tracked_conversions,
    coalesce(t.tracked_conversions_fx_missing, 0) AS tracked_conversions_fx_missing,
    coalesce(t.tracked_revenue, 0) AS tracked_revenue,
    coalesce(l.matched_orders, 0) AS matched_orders,
    coalesce(l.matched_ledger_revenue, 0) AS matched_ledger_revenue,
    coalesce(t.matched_conversions, 0) AS matched_conversions,
    coalesce(t.matched_tracked_revenue, 0) AS matched_tracked_revenue,
    coalesce(l.ledger_only_orders, 0) AS ledger_only_orders,
    coalesce(l.ledger_only_revenue, 0) AS ledger_only_revenue,
    coalesce(t.tracked_only_conversions, 0) AS tracked_only_conversions,
    coalesce(t.tracked_only_revenue, 0) AS tracked_only_revenue,
    coalesce(c.attributed_revenue, 0) AS attributed_revenue,
    coalesce(c.unattributed_revenue, 0) AS unattributed_revenue,
    coalesce(c.unattributed_conversions, 0) AS unattributed_conversions,
    coalesce(s.spend_google_ads, 0) AS spend_google_ads,
    coalesce(s.spend_meta, 0) AS spend_meta,
    coalesce(s.spend_linkedin, 0) AS spend_linkedin,
    coalesce(s.spend_tiktok, 0) AS spend_tiktok,
    coalesce(s.spend_pinterest, 0) AS spend_pinterest,
    coalesce(s.spend_microsoft_ads, 0) AS spend_microsoft_ads,
    coalesce(s.spend_reddit, 0) AS spend_reddit,
    coalesce(s.spend_x, 0) AS spend_x,
    coalesce(s.spend_other, 0) AS spend_other,
    coalesce(s.spend_total, 0) AS spend_total,
    coalesce(s.spend_rows_fx_missing, 0) AS spend_rows_fx_missing
  FROM dates AS d
  CROSS JOIN model_list AS m
  LEFT JOIN ledger_daily AS l ON l.local_date = d.local_date
  LEFT JOIN tracked_daily AS t ON t.local_date = d.local_date
  LEFT JOIN credit_daily AS c ON c.local_date = d.local_date AND c.model = m.model
  LEFT JOIN spend_daily AS s ON s.local_date = d.local_date
),
periods AS (
  SELECT
    'day' AS period_type,
    local_date AS period_start,
    model,
    ledger_orders, ledger_orders_fx_missing, ledger_gross_revenue, ledger_refunds,
    ledger_revenue, tracked_conversions, tracked_conversions_fx_missing, tracked_revenue,
    matched_orders, matched_ledger_revenue, matched_conversions, matched_tracked_revenue,
    ledger_only_orders, ledger_only_revenue, tracked_only_conversions, tracked_only_revenue,
    attributed_revenue, unattributed_revenue, unattributed_conversions, spend_google_ads,
    spend_meta, spend_linkedin, spend_tiktok, spend_pinterest,
    spend_microsoft_ads, spend_reddit, spend_x, spend_other,
    spend_total, spend_rows_fx_missing
  FROM daily
  UNION ALL
  SELECT
    'month' AS period_type,
    month_start AS period_start,
    model,
    sum(ledger_orders) AS ledger_orders, sum(ledger_orders_fx_missing) AS ledger_orders_fx_missing, sum(ledger_gross_revenue) AS ledger_gross_revenue,
    sum(ledger_refunds) AS ledger_refunds, sum(ledger_revenue) AS ledger_revenue, sum(tracked_conversions) AS tracked_conversions,
    sum(tracked_conversions_fx_missing) AS tracked_conversions_fx_missing, sum(tracked_revenue) AS tracked_revenue, sum(matched_orders) AS matched_orders,
    sum(matched_ledger_revenue) AS matched_ledger_revenue, sum(matched_conversions) AS matched_conversions, sum(matched_tracked_revenue) AS matched_tracked_revenue,
    sum(ledger_only_orders) AS ledger_only_orders, sum(ledger_only_revenue) AS ledger_only_revenue, sum(tracked_only_conversions) AS tracked_only_conversions,
    sum(tracked_only_revenue) AS tracked_only_revenue, sum(attributed_revenue) AS attributed_revenue, sum(unattributed_revenue) AS unattributed_revenue,
    sum(unattributed_conversions) AS unattributed_conversions, sum(spend_google_ads) AS spend_google_ads, sum(spend_meta) AS spend_meta,
    sum(spend_linkedin) AS spend_linkedin, sum(spend_tiktok) AS spend_tiktok, sum(spend_pinterest) AS spend_pinterest,
    sum(spend_microsoft_ads) AS spend_microsoft_ads, sum(spend_reddit) AS spend_reddit, sum(spend_x) AS spend_x,
    sum(spend_other) AS spend_other, sum(spend_total) AS spend_total, sum(spend_rows_fx_missing) AS spend_rows_fx_missing
  FROM daily
  GROUP BY month_start, model
)
SELECT
  period_type,
  period_start,
  model,
  CAST(ledger_orders AS BIGINT) AS ledger_orders,
  CAST(ledger_orders_fx_missing AS BIGINT) AS ledger_orders_fx_missing,
  CAST(ledger_gross_revenue AS DECIMAL(18, 2)) AS ledger_gross_revenue,
  CAST(ledger_refunds AS DECIMAL(18, 2)) AS ledger_refunds,
  CAST(ledger_revenue AS DECIMAL(18, 2)) AS ledger_revenue,
  CAST(tracked_conversions AS BIGINT) AS tracked_conversions,
  CAST(tracked_conversions_fx_missing AS BIGINT) AS tracked_conversions_fx_missing,
  CAST(tracked_revenue AS DECIMAL(18, 2)) AS tracked_revenue,
  CAST(ledger_revenue - tracked_revenue AS DECIMAL(18, 2)) AS revenue_gap,
  CAST(matched_orders AS BIGINT) AS matched_orders,
  CAST(matched_ledger_revenue AS DECIMAL(18, 2)) AS matched_ledger_revenue,
  CAST(matched_conversions AS BIGINT) AS matched_conversions,
  CAST(matched_tracked_revenue AS DECIMAL(18, 2)) AS matched_tracked_revenue,
  CAST(matched_ledger_revenue - matched_tracked_revenue AS DECIMAL(18, 2)) AS matched_revenue_difference,
  CAST(ledger_only_orders AS BIGINT) AS ledger_only_orders,
  CAST(ledger_only_revenue AS DECIMAL(18, 2)) AS ledger_only_revenue,
  CAST(tracked_only_conversions AS BIGINT) AS tracked_only_conversions,
  CAST(tracked_only_revenue AS DECIMAL(18, 2)) AS tracked_only_revenue,
  CAST(attributed_revenue AS DECIMAL(18, 2)) AS attributed_revenue,
  CAST(unattributed_revenue AS DECIMAL(18, 2)) AS unattributed_revenue,
  CAST(unattributed_conversions AS BIGINT) AS unattributed_conversions,
  CAST(tracked_revenue - attributed_revenue - unattributed_revenue AS DECIMAL(18, 2)) AS uncredited_revenue,
  CAST(spend_google_ads AS DECIMAL(18, 2)) AS spend_google_ads,
  CAST(spend_meta AS DECIMAL(18, 2)) AS spend_meta,
  CAST(spend_linkedin AS DECIMAL(18, 2)) AS spend_linkedin,
  CAST(spend_tiktok AS DECIMAL(18, 2)) AS spend_tiktok,
  CAST(spend_pinterest AS DECIMAL(18, 2)) AS spend_pinterest,
  CAST(spend_microsoft_ads AS DECIMAL(18, 2)) AS spend_microsoft_ads,
  CAST(spend_reddit AS DECIMAL(18, 2)) AS spend_reddit,
  CAST(spend_x AS DECIMAL(18, 2)) AS spend_x,
  CAST(spend_other AS DECIMAL(18, 2)) AS spend_other,
  CAST(spend_total AS DECIMAL(18, 2)) AS spend_total,
  CAST(spend_rows_fx_missing AS BIGINT) AS spend_rows_fx_missing,
  CASE WHEN spend_total > 0 THEN CAST(attributed_revenue / spend_total AS DECIMAL(38, 9)) END AS roas,
  CASE WHEN spend_total > 0 THEN CAST(ledger_revenue / spend_total AS DECIMAL(38, 9)) END AS ledger_roas
FROM periods
