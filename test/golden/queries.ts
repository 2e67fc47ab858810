/**
 * How each report is read for the golden comparison: every column, in a fixed order, with opaque
 * ids (md5 session / person ids) replaced by the fixture's own ids — a session is named by its
 * landing event's event_id, a person by the smallest id in its identity (u1, a2, …).
 */
const SESSION = `(SELECT se.event_id FROM session_events AS se WHERE se.session_id = r.session_id AND se.event_in_session = 1)`;
const PERSON = `(SELECT min(CASE WHEN m.id_type = 'user_id' THEN '0' ELSE '1' END || m.id) FROM identity_map AS m WHERE m.person_id = r.person_id)`;

export const GOLDEN_QUERIES: Readonly<Record<string, string>> = {
  rpt_kpis_daily: `SELECT * FROM rpt_kpis_daily AS r ORDER BY local_date`,
  rpt_kpis_period: `SELECT * FROM rpt_kpis_period AS r ORDER BY period_type, period_start`,
  rpt_sources: `SELECT * FROM rpt_sources AS r ORDER BY local_date, source`,
  rpt_session_overview: `SELECT * FROM rpt_session_overview AS r ORDER BY local_date`,
  rpt_platform_coverage: `SELECT * FROM rpt_platform_coverage AS r ORDER BY local_date, volume_rank`,
  rpt_journey_stitching: `SELECT * FROM rpt_journey_stitching AS r ORDER BY local_date`,
  rpt_live_sessions: `SELECT ${SESSION} AS session, substr(${PERSON}, 2) AS person, r.* EXCLUDE (session_id, person_id) FROM rpt_live_sessions AS r ORDER BY session`,
  rpt_session_timeline: `SELECT ${SESSION} AS session, substr(${PERSON}, 2) AS person, (SELECT se.event_id FROM session_events AS se WHERE se.event_key = r.event_key) AS event_id, r.* EXCLUDE (session_id, person_id, event_key) FROM rpt_session_timeline AS r ORDER BY r.event_ts, session, r.event_in_session`,
  rpt_finance_reconciliation: `SELECT * FROM rpt_finance_reconciliation AS r ORDER BY period_type, period_start, model`,
  rpt_attribution_daily: `SELECT * FROM rpt_attribution_daily AS r ORDER BY local_date, model, channel, source, medium, campaign, platform`,
  rpt_roas_daily: `SELECT * FROM rpt_roas_daily AS r ORDER BY local_date, model, platform, campaign_id, campaign`,
  rpt_pipeline_health: `SELECT * FROM rpt_pipeline_health AS r ORDER BY run_id, metric, dimension, local_date NULLS FIRST`,
};
