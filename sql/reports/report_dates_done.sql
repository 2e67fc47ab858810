-- purpose: the snapshot of report_dates whose date-keyed reports all finished. Runs after every report keyed by report_dates; the report_dates step removes a snapshot's dates from the _changed_dates queue only once it is listed here, so a run that fails half way is completed by the next one (pipelines/steps/report-dates.ts).
-- grain: one row per snapshot (one)
-- key: snapshot_id
-- version: 1
-- materialized: table
-- depends_on: rpt_kpis_daily, rpt_session_overview, rpt_journey_stitching, rpt_sources, rpt_platform_coverage, rpt_roas_daily, rpt_live_sessions, rpt_attribution_daily, attribution_totals_daily
SELECT DISTINCT snapshot_id FROM {{ ref('report_dates') }}
