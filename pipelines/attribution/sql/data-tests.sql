-- purpose: the invariants of attribution_credits over the conversions just written; every row returned is a violation
--   (credits of a conversion and model must sum to 1 within 1e-9, revenue credits must sum exactly to
--   value_reporting — or all be NULL when the conversion has no value in the reporting currency —,
--   no credit may be negative or zero, and every conversion in scope must have rows under every model)
-- grain: one row per violation (the first 20): test name, conversion_id, model, detail, and the total number of violations
-- parameters: {{ param(1) }} the number of models that ran
-- placeholders: scope — TRUE or a filter on c.person_id and c.conversion_ts (the queued persons' conversions from their start on)
WITH scoped AS (
  SELECT c.conversion_id, c.value_reporting, coalesce(c.fx_missing, FALSE) AS fx_missing
  FROM {{ table('conversions') }} AS c
  WHERE {{ scope('c.person_id', 'c.conversion_ts') }}
),
sums AS (
  SELECT
    a.conversion_id,
    a.model,
    sum(a.credit) AS credit,
    sum(a.revenue_credit) AS revenue,
    count(a.revenue_credit) AS revenue_rows,
    min(a.credit) AS min_credit
  FROM {{ table('attribution_credits') }} AS a
  WHERE a.conversion_id IN (SELECT conversion_id FROM scoped)
  GROUP BY a.conversion_id, a.model
),
violations AS (
  SELECT 'credits_sum_to_one' AS test, s.conversion_id, s.model, {{ cast_text('s.credit') }} AS detail
  FROM sums AS s WHERE abs(s.credit - 1) > 1e-9
  UNION ALL
  SELECT 'no_negative_credit', s.conversion_id, s.model, {{ cast_text('s.min_credit') }}
  FROM sums AS s WHERE s.min_credit <= 0
  UNION ALL
  SELECT 'revenue_sums_to_value', s.conversion_id, s.model,
    coalesce({{ cast_text('s.revenue') }}, 'NULL') || ' vs ' || coalesce({{ cast_text('c.value_reporting') }}, 'NULL')
  FROM sums AS s JOIN scoped AS c ON c.conversion_id = s.conversion_id
  WHERE CASE
    WHEN c.fx_missing OR c.value_reporting IS NULL THEN s.revenue_rows > 0
    ELSE s.revenue IS NULL OR s.revenue <> c.value_reporting
  END
  UNION ALL
  SELECT 'every_model_credits_every_conversion', c.conversion_id, {{ cast_text('NULL') }}, {{ cast_text('count(DISTINCT s.model)') }}
  FROM scoped AS c LEFT JOIN sums AS s ON s.conversion_id = c.conversion_id
  GROUP BY c.conversion_id
  HAVING count(DISTINCT s.model) <> {{ param(1) }}
)
SELECT test, conversion_id, model, detail, count(*) OVER () AS violations FROM violations ORDER BY test, conversion_id, model LIMIT 20
