/**
 * report_dates: which local dates this run's date-keyed reports rebuild (docs/reports.md, "Which
 * dates a night rebuilds").
 *
 * The journey tables with `log_dates` (events, session_events, sessions, engagements, conversions)
 * queue in `_changed_dates`, inside each write's transaction, the dates whose rows they replaced or
 * wrote (transforms/changed-dates.ts); the attribute step queues the dates whose credits it
 * replaced. This step, after them and before the reports:
 *
 * 1. Removes from the queue the (table, write) pairs of the previous snapshot — only when that
 *    snapshot's reports all finished (`report_dates_done` names it). A run that failed between
 *    here and the last report leaves its dates queued, so the next run rebuilds them.
 * 2. Takes a snapshot of the queue into `report_dates` (table_name, local_date, write_id,
 *    snapshot_id = this run). A NULL date (a table rebuilt whole) makes every report rebuild whole.
 * 3. Adds the spend dates whose `stg_ad_spend` rows differ from those the last consumed snapshot saw
 *    (`report_spend_seen`; the copy taken with this snapshot waits in `report_spend_pending` until
 *    its reports finish): `stg_ad_spend` is rebuilt whole every run, but a late or corrected export
 *    restates only some days. When the campaign names changed (rpt_roas_daily matches a credited
 *    campaign by every name it went by, on any date), NULL: every date.
 * 4. Adds the dates on which `rpt_session_overview` counted a session as active, and the dates of
 *    the sessions `rpt_live_sessions` lists: a session is active relative to the data's as-of time,
 *    which moves with every load, so a date whose sessions were active at the last build is rebuilt
 *    even when none of its rows changed. (A session active now either was active at its date's last
 *    build, or its rows were written since: either way its date is listed.)
 *
 * Grain of report_dates: one row per queued (table, date, write), plus one per changed spend date
 * (write `<run>:spend`) and one per active date of each of the two reports (write `<run>:active`).
 */
import { createTableSql } from '../../warehouse/dialect.ts';
import { CHANGED_DATES, ensureChangedDates } from '../../transforms/changed-dates.ts';
import type { StepContext, StepResult, TsStepDef } from '../definition.ts';

export const REPORT_DATES = 'report_dates';
export const REPORT_DATES_DONE = 'report_dates_done';
const REPORT_DATES_COLUMNS = { table_name: 'VARCHAR', local_date: 'DATE', write_id: 'VARCHAR', snapshot_id: 'VARCHAR' } as const;
const SPEND = 'stg_ad_spend';
const SPEND_SEEN = 'report_spend_seen';
const SPEND_PENDING = 'report_spend_pending';
/** The reports whose rows depend on the as-of time as well as on their inputs' rows, and the rows of theirs that do. */
const ACTIVE_REPORTS = { rpt_session_overview: 'active_sessions > 0', rpt_live_sessions: 'TRUE' } as const;

export const reportDatesStep: TsStepDef = {
  name: 'report_dates',
  kind: 'ts',
  produces: [REPORT_DATES],
  // The tables that queue dates: the snapshot is taken after their writes. (`report_dates_done` and the
  // reports are read as the previous run left them, so they are not inputs in the graph's sense.)
  reads: ['events', 'session_events', 'sessions', 'engagements', 'conversions', 'attribution_credits', SPEND],
  run: snapshotReportDates,
};

export async function snapshotReportDates(ctx: StepContext): Promise<StepResult> {
  const w = ctx.warehouse;
  const d = w.dialect;
  const t = (n: string) => d.quoteIdent(n);
  await ensureChangedDates(w);
  await w.exec(createTableSql(d, REPORT_DATES, REPORT_DATES_COLUMNS));
  // The previous snapshot is consumed only when its reports all finished.
  const [prev] = await w.query<{ snapshot_id: string | null }>(`SELECT max(snapshot_id) AS snapshot_id FROM ${t(REPORT_DATES)}`);
  const done = prev?.snapshot_id && (await w.tableExists(REPORT_DATES_DONE))
    ? (await w.query<{ n: number }>(`SELECT count(*) AS n FROM ${t(REPORT_DATES_DONE)} WHERE snapshot_id = ${d.quoteString(prev.snapshot_id)}`))[0]?.n
    : 0;
  const active: Array<readonly [string, string]> = [];
  for (const [report, where] of Object.entries(ACTIVE_REPORTS)) if (await w.tableExists(report)) active.push([report, where] as const);
  const spend = await spendCopies(w);
  const run = d.quoteString(ctx.runId);
  const result = await w.transaction(async (tx) => {
    if (Number(done) > 0) {
      await tx.exec(`DELETE FROM ${t(CHANGED_DATES)} AS c
        WHERE EXISTS (SELECT 1 FROM ${t(REPORT_DATES)} AS r WHERE r.table_name = c.table_name AND r.write_id = c.write_id)`);
      if (spend === 'kept') {
        await tx.exec(`DELETE FROM ${t(SPEND_SEEN)} WHERE TRUE`);
        await tx.exec(`INSERT INTO ${t(SPEND_SEEN)} SELECT * FROM ${t(SPEND_PENDING)}`);
      }
    }
    await tx.exec(`DELETE FROM ${t(REPORT_DATES)} WHERE TRUE`);
    await tx.exec(`INSERT INTO ${t(REPORT_DATES)} (table_name, local_date, write_id, snapshot_id)
      SELECT DISTINCT table_name, local_date, write_id, ${run} FROM ${t(CHANGED_DATES)}`);
    if (spend !== 'none') {
      const noDate = `CAST(NULL AS ${d.columnType('DATE')})`;
      const spendRow = (date: string) => `SELECT ${d.quoteString(SPEND)}, ${date}, ${d.quoteString(`${ctx.runId}:spend`)}, ${run}`;
      if (spend === 'new') {
        // no copy to compare with (first run, or stg_ad_spend's columns changed): every date
        await tx.exec(`INSERT INTO ${t(REPORT_DATES)} (table_name, local_date, write_id, snapshot_id) ${spendRow(noDate)}`);
      } else {
        const names = (from: string) => `SELECT DISTINCT platform, campaign_id, campaign_name FROM ${t(from)}`;
        await tx.exec(`INSERT INTO ${t(REPORT_DATES)} (table_name, local_date, write_id, snapshot_id)
          ${spendRow(noDate)} FROM (SELECT 1 AS x) AS one
          WHERE EXISTS (${names(SPEND)} EXCEPT DISTINCT ${names(SPEND_SEEN)}) OR EXISTS (${names(SPEND_SEEN)} EXCEPT DISTINCT ${names(SPEND)})`);
        await tx.exec(`INSERT INTO ${t(REPORT_DATES)} (table_name, local_date, write_id, snapshot_id)
          SELECT DISTINCT ${d.quoteString(SPEND)}, x.spend_date, ${d.quoteString(`${ctx.runId}:spend`)}, ${run} FROM (
            (SELECT * FROM ${t(SPEND)} EXCEPT DISTINCT SELECT * FROM ${t(SPEND_SEEN)})
            UNION ALL
            (SELECT * FROM ${t(SPEND_SEEN)} EXCEPT DISTINCT SELECT * FROM ${t(SPEND)})
          ) AS x`);
      }
      await tx.exec(`DELETE FROM ${t(SPEND_PENDING)} WHERE TRUE`);
      await tx.exec(`INSERT INTO ${t(SPEND_PENDING)} SELECT * FROM ${t(SPEND)}`);
    }
    for (const [report, where] of active) {
      await tx.exec(`INSERT INTO ${t(REPORT_DATES)} (table_name, local_date, write_id, snapshot_id)
        SELECT DISTINCT ${d.quoteString(report)}, local_date, ${d.quoteString(`${ctx.runId}:active`)}, ${run} FROM ${t(report)} WHERE ${where}`);
    }
    return tx.query<{ n: number; dates: number; whole: number }>(
      `SELECT count(*) AS n, count(DISTINCT local_date) AS dates, count(*) - count(local_date) AS whole FROM ${t(REPORT_DATES)}`,
    );
  });
  const r = result[0];
  const details = { dates: Number(r?.dates ?? 0), whole: Number(r?.whole ?? 0) > 0, previousSnapshotDone: Number(done) > 0 };
  ctx.log.info(details, 'report dates');
  return { rowsOut: Number(r?.n ?? 0), details };
}

/**
 * The copies of `stg_ad_spend` this step compares it with: 'none' when there is no spend table;
 * 'new' when the copies were just (re)created — the first run, or stg_ad_spend's columns changed —
 * so there is nothing to compare with; else 'kept'. DDL, so outside the step's transaction.
 */
async function spendCopies(w: StepContext['warehouse']): Promise<'none' | 'new' | 'kept'> {
  if (!(await w.tableExists(SPEND))) return 'none';
  const d = w.dialect;
  const names = async (t: string) => (await w.columns(t)).map((c) => c.name).join(',');
  const want = await names(SPEND);
  let fresh = false;
  for (const copy of [SPEND_SEEN, SPEND_PENDING]) {
    if ((await w.tableExists(copy)) && (await names(copy)) === want) continue;
    await w.exec(`CREATE OR REPLACE TABLE ${d.quoteIdent(copy)} AS SELECT * FROM ${d.quoteIdent(SPEND)} WHERE FALSE`);
    fresh = true;
  }
  return fresh ? 'new' : 'kept';
}
