/**
 * The date-keyed reports (rpt_kpis_daily, rpt_session_overview, rpt_journey_stitching, rpt_sources,
 * rpt_platform_coverage, rpt_roas_daily, rpt_live_sessions, rpt_attribution_daily and
 * attribution_totals_daily) rebuild only the dates listed in report_dates. After every nightly run their rows must equal what the report's
 * SQL computes from the same warehouse over all history — through late events, logins that merge
 * earlier journeys, sessions that stop being active, a night that fails half way and a config change.
 * Real DuckDB files, the whole pipeline, the demo data fed by arrival day.
 */
import { copyFileSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type BeamlineConfig } from '../../../config/index.ts';
import { createLogger } from '../../../lib/log.ts';
import { addDays } from '../../../pipelines/dates.ts';
import { generateDemoData, type DemoManifest } from '../../../pipelines/demo/index.ts';
import { createPipeline, runPipeline, SQL_DIR, type Pipeline } from '../../../pipelines/index.ts';
import { transformVars } from '../../../pipelines/vars.ts';
import { openRunStore, type RunStore } from '../../../store/index.ts';
import { renderTransform } from '../../../transforms/index.ts';
import { openDuckDb, type DuckDbWarehouse } from '../../../warehouse/duckdb/index.ts';
import { tempDir, type TempDir } from '../../helpers/tmp.ts';

const REPORTS = [
  'rpt_kpis_daily', 'rpt_session_overview', 'rpt_journey_stitching', 'rpt_sources', 'rpt_platform_coverage', 'rpt_roas_daily',
  'rpt_live_sessions', 'rpt_attribution_daily', 'attribution_totals_daily',
] as const;

let dir: TempDir;
let manifest: DemoManifest;
let pipeline: Pipeline;
/** The same pipeline with rpt_session_overview and rpt_attribution_daily failing: a night that stops between report_dates and the last report. */
let failing: Pipeline;
let w: DuckDbWarehouse;
let store: RunStore;
let config: BeamlineConfig;
const log = createLogger({ level: 'silent' });

function configWith(extra: Record<string, unknown> = {}): BeamlineConfig {
  return loadConfig({
    cwd: join(dir.path, 'site'),
    env: {},
    overrides: {
      account: { time_zone: manifest.options.timeZone, currency: manifest.options.currency },
      sources: { events: ['src/events/*.ndjson', 'src/events/*.csv'], spend: 'src/spend/*.csv', orders: 'src/orders/*.csv', fx: 'src/fx/*.csv' },
      sessions: { rebuild_horizon_days: 1, ...(extra.sessions as object | undefined) },
      ...Object.fromEntries(Object.entries(extra).filter(([k]) => k !== 'sessions')),
    },
  });
}

function feed(arrival: (d: string) => boolean): void {
  for (const f of manifest.files) {
    if (!arrival(f.arrivalDate)) continue;
    const to = join(dir.path, 'site', 'src', f.path);
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(join(dir.path, 'demo', f.path), to);
  }
}

async function night(day: string, p = pipeline): Promise<'succeeded' | 'failed'> {
  const summary = await runPipeline({ config, pipeline: p, warehouse: w, store, log, slice: { from: day, to: addDays(day, 1) } });
  return summary.status;
}

/** Every row of `report` as stored, and as its SQL computes it now over all history, as sorted JSON lines. */
async function storedAndFresh(report: string): Promise<{ stored: string[]; fresh: string[] }> {
  const def = pipeline.graph.transforms.get(report)!;
  const sql = renderTransform(def, {
    dialect: w.dialect, slice: { from: '2000-01-01', to: '2000-01-02' }, timeZone: config.account.timeZone, fullRefresh: true,
    vars: { ...transformVars(config), as_of: '', run_id: '' },
  });
  const dump = async (q: string) => (await w.query(q)).map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))).sort();
  return { stored: await dump(`SELECT * FROM ${report}`), fresh: await dump(`SELECT * FROM (${sql.replace(/^(\s*--[^\n]*\n)+/, '')}) AS f`) };
}

async function expectCurrent(when: string): Promise<void> {
  for (const report of REPORTS) {
    const { stored, fresh } = await storedAndFresh(report);
    const [inStored, inFresh] = [new Set(stored), new Set(fresh)];
    // (no session is live when the as-of time moved past every sessionized event: see the backfill below)
    if (report !== 'rpt_live_sessions') expect(fresh.length, `${report} has rows`).toBeGreaterThan(0);
    expect({ when, report, missing: fresh.filter((r) => !inStored.has(r)).slice(0, 2), stale: stored.filter((r) => !inFresh.has(r)).slice(0, 2) })
      .toEqual({ when, report, missing: [], stale: [] });
    expect(stored.length, `${report} rows (${when})`).toBe(fresh.length);
  }
}

/** Distinct dates this run's snapshot lists, and the dates the reports hold. */
async function datesListed(): Promise<{ listed: number; held: number; whole: boolean }> {
  const [r] = await w.query<{ listed: number; whole: boolean }>(`SELECT count(DISTINCT local_date)::INTEGER AS listed, count(*) > count(local_date) AS whole FROM report_dates`);
  const [h] = await w.query<{ held: number }>(`SELECT count(*)::INTEGER AS held FROM rpt_session_overview`);
  return { listed: r!.listed, held: h!.held, whole: r!.whole };
}

const listedPerNight: Array<{ listed: number; held: number; whole: boolean }> = [];
const liveRows: number[] = [];

beforeAll(async () => {
  dir = tempDir('beamline-reports-');
  manifest = await generateDemoData({ outDir: join(dir.path, 'demo'), visitors: 500, seed: 11 });
  pipeline = createPipeline();
  const sqlDir = join(dir.path, 'sql-failing');
  cpSync(SQL_DIR, sqlDir, { recursive: true });
  // whichever of the two runs first fails the night, so neither is built
  for (const file of [join(sqlDir, 'reports', 'rpt_session_overview.sql'), join(sqlDir, 'attribution', 'rpt_attribution_daily.sql')]) {
    const header = readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith('--')).join('\n');
    writeFileSync(file, `${header}\nSELECT CAST(error('injected failure') AS DATE) AS local_date`);
  }
  failing = createPipeline({ sqlDir });
  mkdirSync(join(dir.path, 'site'), { recursive: true });
  w = await openDuckDb({ path: join(dir.path, 'site', 'wh.duckdb') });
  store = await openRunStore({ databaseUrl: '', sqlitePath: join(dir.path, 'site', 'runs.sqlite') });
  config = configWith();
}, 120_000);

afterAll(async () => {
  await w?.close();
  await store?.close();
  dir?.remove();
});

describe('date-keyed reports over nightly runs', () => {
  it('equal a rebuild from all history after every night, rebuilding only the dates that changed', async () => {
    const { from, to } = manifest.period;
    // every night but the last (its files arrive during a backfill, below)
    for (let d = from; d < addDays(to, -1); d = addDays(d, 1)) {
      feed((a) => a === d);
      expect(await night(d)).toBe('succeeded');
      await expectCurrent(d);
      listedPerNight.push(await datesListed());
      const [live] = await w.query<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM rpt_live_sessions`);
      liveRows.push(live!.n);
    }
    // sessions are live at the end of nearly every night's data (the checks above compared real rows)
    expect(liveRows.filter((n) => n > 0).length).toBeGreaterThan(liveRows.length / 2);
    // the first night builds whole; later nights list some dates, not every date the reports hold
    const later = listedPerNight.slice(10);
    expect(later.every((n) => !n.whole && n.listed > 0)).toBe(true);
    expect(later.every((n) => n.listed < n.held)).toBe(true);
    // every count and index the nights wrote is BIGINT: a sum is HUGEINT on DuckDB, which BI drivers
    // read poorly and DuckDB scans ~20× slower (session_index in sessions and session_events was one)
    const tables = await w.query<{ n: number }>(`SELECT count(DISTINCT table_name)::INTEGER AS n FROM information_schema.columns WHERE table_schema = 'main'`);
    expect(tables[0]!.n).toBeGreaterThan(20);
    expect(await w.query(`SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'main' AND data_type IN ('HUGEINT', 'UHUGEINT') ORDER BY 1, 2`)).toEqual([]);
  }, 600_000);

  it('a backfill while newer files arrive moves the as-of time: the dates with sessions active at the last build are rebuilt', async () => {
    const [before] = await w.query<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM rpt_session_overview WHERE active_sessions > 0`);
    expect(before!.n).toBeGreaterThan(0);
    // The last day's files load (extract takes every new file), moving the as-of time a day on; the
    // slice is a day before the data begins, so no person is rebuilt and no row of the formerly
    // active sessions' dates is rewritten: only the active rule lists them.
    feed((a) => a === addDays(manifest.period.to, -1));
    expect(await night(addDays(manifest.period.from, -10))).toBe('succeeded');
    const [persons] = await w.query<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM dirty_persons`);
    expect(persons!.n).toBe(0);
    const [listed] = await w.query<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM report_dates WHERE table_name = 'rpt_session_overview'`);
    expect(listed!.n).toBe(before!.n);
    await expectCurrent('after a backfill that moved the as-of time');
  }, 120_000);

  it('a night that fails after report_dates leaves its dates for the next night', async () => {
    const last = addDays(manifest.period.to, -1);
    // An old date's sessions change and are queued before the failing night (as a write of that night
    // would be: in the queue when it takes its snapshot), so only the queue can bring the date back.
    await w.exec(`UPDATE sessions SET event_count = event_count + 1
      WHERE session_id = (SELECT min(session_id) FROM sessions WHERE local_date = (SELECT min(local_date) FROM sessions))`);
    await w.exec(`INSERT INTO _changed_dates SELECT 'sessions', min(local_date), 'test:old-date' FROM sessions`);
    // …and so do an old date's credits, as the attribute step queues them (the per-date attribution tables must catch up too)
    await w.exec(`UPDATE attribution_credits SET revenue_credit = revenue_credit + 1
      WHERE conversion_id = (SELECT min(conversion_id) FROM attribution_credits WHERE local_date = (SELECT min(local_date) FROM attribution_credits) AND revenue_credit IS NOT NULL)`);
    await w.exec(`INSERT INTO _changed_dates SELECT 'attribution_credits', min(local_date), 'test:old-date' FROM attribution_credits`);
    // the night fails at rpt_session_overview or rpt_attribution_daily, after report_dates took its snapshot
    expect(await night(last, failing)).toBe('failed');
    const [listed] = await w.query<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM report_dates WHERE write_id = 'test:old-date'`);
    expect(listed!.n).toBe(2);
    for (const report of ['rpt_session_overview', 'rpt_attribution_daily']) {
      const { stored, fresh } = await storedAndFresh(report);
      expect(stored, report).not.toEqual(fresh);
    }
    // the next night lists the failed night's dates again and every report catches up
    expect(await night(last)).toBe('succeeded');
    await expectCurrent('after the failed night');
    // …and the night after that no longer lists them
    expect(await night(last)).toBe('succeeded');
    const [gone] = await w.query<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM _changed_dates WHERE write_id = 'test:old-date'`);
    expect(gone!.n).toBe(0);
  }, 180_000);

  it('a changed config variable rebuilds the report whole', async () => {
    const last = addDays(manifest.period.to, -1);
    // a shorter session timeout changes which sessions are active on every date the as-of time reaches back to
    config = configWith({ sessions: { timeout_minutes: 5 }, consent: { count_unconsented_in_totals: false } });
    expect(await night(last)).toBe('succeeded');
    await expectCurrent('after the config change');
  }, 120_000);

  it('spend restated for a past day lists that day; a new campaign name lists every day (rpt_roas_daily)', async () => {
    const last = addDays(manifest.period.to, -1);
    const day = addDays(manifest.period.from, 3);
    const spendFile = (name: string, rows: string[]) => writeFileSync(join(dir.path, 'site', 'src', 'spend', name), ['date,platform,campaign_id,campaign_name,spend,currency,impressions,clicks', ...rows].join('\n') + '\n');
    const [campaign] = await w.query<{ platform: string; campaign_id: string; campaign_name: string }>(
      `SELECT platform, campaign_id, campaign_name FROM stg_ad_spend WHERE spend_date = DATE '${day}' AND campaign_id IS NOT NULL ORDER BY 1, 2 LIMIT 1`);
    // a late export for an old day, under a known campaign: that day alone is listed for spend
    spendFile('late-restatement.csv', [`${day},${campaign!.platform},${campaign!.campaign_id},${campaign!.campaign_name},12.34,USD,10,1`]);
    expect(await night(last)).toBe('succeeded');
    const spendDates = async () => (await w.query<{ d: string | null }>(`SELECT DISTINCT CAST(local_date AS VARCHAR) AS d FROM report_dates WHERE table_name = 'stg_ad_spend' ORDER BY 1`)).map((r) => r.d);
    expect(await spendDates()).toEqual([day]);
    await expectCurrent('after a late spend export');
    // a campaign name never seen before: credits of any day may now match it, so every date is rebuilt
    spendFile('new-name.csv', [`${day},${campaign!.platform},,a_brand_new_name,1.00,USD,1,1`]);
    expect(await night(last)).toBe('succeeded');
    expect(await spendDates()).toContain(null);
    await expectCurrent('after a new campaign name');
  }, 120_000);
});
