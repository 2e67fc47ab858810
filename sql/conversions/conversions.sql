-- purpose: conversions: goal events (not in NON_GOAL_EVENTS) with value > 0 in a journey, one per order_id per person (the earliest event; events without an order id count once each), with the value in the reporting currency at the fx rate of the local date. The account currency has rate 1; a missing rate sets fx_missing and leaves value_reporting NULL (listed in pipeline health), never zero.
-- grain: one row per conversion (conversion_id = event_key of the kept event)
-- version: 2
-- materialized: incremental_by_key
-- log_dates: local_date
-- log_dates_compare: conversion_id, person_id, session_id, event_key, conversion_ts, local_date, event_name, order_id, duplicate_events, value, currency, fx_rate, value_reporting, value_minor, fx_missing, session_platform, session_source
-- key: person_id
-- keys_from: dirty_persons
-- partition_by: local_date
-- cluster_by: person_id
--
-- (log_dates_compare: a dirty person's conversions are rewritten over their whole history, nearly always
-- unchanged; only the dates of rows that changed go to the reports' queue — every column but the `sources` list,
-- which changes only with its event, whose date `events` queues.)
-- A dirty person's conversions are recomputed over their whole history — the one-per-order rule looks at
-- all of it — from `conversion_events` (their goal events with a value: small), not from session_events.
WITH goals AS (
  SELECT
    se.*,
    upper(coalesce(se.currency, {{ var('currency') }})) AS currency_code,
    coalesce('order:' || se.order_id, 'event:' || se.event_key) AS dedupe_key
  FROM {{ ref('conversion_events') }} AS se
  WHERE {{ keys_filter('person_id') }}
),
ranked AS (
  SELECT
    g.*,
    row_number() OVER (PARTITION BY g.person_id, g.dedupe_key ORDER BY g.event_ts, g.event_key) AS rn,
    count(*) OVER (PARTITION BY g.person_id, g.dedupe_key) AS order_events
  FROM goals AS g
),
priced AS (
  SELECT
    r.*,
    CASE WHEN r.currency_code = {{ var('currency') }} THEN 1.0 ELSE fx.rate END AS fx_rate
  FROM ranked AS r
  LEFT JOIN {{ ref('fx_rates') }} AS fx ON fx.rate_date = r.local_date AND fx.currency = r.currency_code
  WHERE r.rn = 1
),
valued AS (
  SELECT
    p.*,
    CAST(round(CAST(p.value AS DECIMAL(18, 4)) * CAST(p.fx_rate AS DECIMAL(18, 8)), 2) AS DECIMAL(18, 2)) AS value_reporting
  FROM priced AS p
)
SELECT
  event_key AS conversion_id,
  person_id,
  session_id,
  event_key,
  event_ts AS conversion_ts,
  local_date,
  event_name,
  order_id,
  order_events - 1 AS duplicate_events,
  value,
  currency_code AS currency,
  fx_rate,
  value_reporting,
  CAST(value_reporting * 100 AS BIGINT) AS value_minor,
  CASE WHEN fx_rate IS NULL THEN TRUE ELSE FALSE END AS fx_missing,
  sources,
  session_platform,
  session_source
FROM valued
