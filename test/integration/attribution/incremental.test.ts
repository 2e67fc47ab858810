/**
 * Thirty one-day runs over the demo data (files fed arrival day by arrival day) end in exactly the
 * `attribution_credits` — and attribution reports — that one full-range run builds, for the
 * heuristic models. (Data-driven credits depend on the training window of the run that made them;
 * see docs/attribution.md.)
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../config/index.ts';
import { createLogger } from '../../../lib/log.ts';
import { addDays } from '../../../pipelines/dates.ts';
import { generateDemoData, type DemoManifest } from '../../../pipelines/demo/index.ts';
import { createPipeline, runPipeline, type RunSummary } from '../../../pipelines/index.ts';
import { attributeStep } from '../../../pipelines/steps/attribute.ts';
import { extractStep } from '../../../pipelines/steps/extract.ts';
import { identityStep } from '../../../pipelines/steps/identity.ts';
import { journeyStartsStep } from '../../../pipelines/steps/journey-starts.ts';
import { reportDatesStep } from '../../../pipelines/steps/report-dates.ts';
import { openRunStore } from '../../../store/index.ts';
import { openDuckDb, type DuckDbWarehouse } from '../../../warehouse/duckdb/index.ts';
import { tempDir, type TempDir } from '../../helpers/tmp.ts';

const HEURISTIC = `model IN ('first_touch', 'last_touch', 'last_non_direct', 'linear', 'time_decay', 'position_based')`;

const pipeline = createPipeline({ tsSteps: [extractStep, identityStep, journeyStartsStep, attributeStep, reportDatesStep] });

interface Site {
  readonly w: DuckDbWarehouse;
  feed(arrival: (date: string) => boolean): void;
  run(from: string, to: string, fullRefresh?: boolean): Promise<RunSummary>;
  close(): Promise<void>;
}

let dir: TempDir;
let manifest: DemoManifest;

async function openSite(name: string, extra: Record<string, unknown> = {}): Promise<Site> {
  const root = join(dir.path, name);
  mkdirSync(join(root, 'src'), { recursive: true });
  const w = await openDuckDb({ path: join(root, 'wh.duckdb') });
  const store = await openRunStore({ databaseUrl: '', sqlitePath: join(root, 'runs.sqlite') });
  const config = loadConfig({
    cwd: root,
    env: {},
    overrides: {
      account: { time_zone: manifest.options.timeZone, currency: manifest.options.currency },
      sources: { events: ['src/events/*.ndjson', 'src/events/*.csv'], spend: 'src/spend/*.csv', orders: 'src/orders/*.csv', fx: 'src/fx/*.csv' },
      // the demo plants rows up to 10 days late: a lookback that covers them makes the two runs comparable
      lookback: { late_data_days: 10 },
      ...extra,
    },
  });
  const log = createLogger({ level: 'silent' });
  return {
    w,
    feed(arrival) {
      for (const f of manifest.files) {
        if (!arrival(f.arrivalDate)) continue;
        const to = join(root, 'src', f.path);
        mkdirSync(dirname(to), { recursive: true });
        copyFileSync(join(dir.path, 'demo', f.path), to);
      }
    },
    async run(from, to, fullRefresh = false) {
      const summary = await runPipeline({ config, pipeline, warehouse: w, store, log, slice: { from, to }, fullRefresh });
      if (summary.status !== 'succeeded') throw summary.error ?? new Error(`run ${from}..${to} failed`);
      return summary;
    },
    async close() {
      await w.close();
      await store.close();
    },
  };
}

const dump = async (w: DuckDbWarehouse, sql: string) => (await w.query(sql)).map((r) => JSON.stringify(r)).sort();

let incremental: Site;
let full: Site;
/** The same daily runs with sessions.rebuild_horizon_days: 1 (attribution recomputes conversions from each person's start). */
let bounded: Site;
const modes: string[] = [];
/** Conversions the attribute step recomputed per run, without and with the horizon. */
const recomputed = { whole: 0, bounded: 0 };

beforeAll(async () => {
  dir = tempDir('beamline-attribution-incr-');
  manifest = await generateDemoData({ outDir: join(dir.path, 'demo'), visitors: 1_000, seed: 11 });
  incremental = await openSite('incremental');
  full = await openSite('full');
  bounded = await openSite('bounded', { sessions: { rebuild_horizon_days: 1 } });
  const { from, to } = manifest.period;
  const conversionsIn = (s: RunSummary) => Number(s.steps.find((x) => x.name === 'attribute')?.details?.conversions ?? 0);
  for (let d = from; d < to; d = addDays(d, 1)) {
    incremental.feed((a) => a === d);
    const s = await incremental.run(d, addDays(d, 1));
    modes.push(String(s.steps.find((x) => x.name === 'attribute')?.details?.mode));
    bounded.feed((a) => a === d);
    const b = await bounded.run(d, addDays(d, 1));
    if (d > from) [recomputed.whole, recomputed.bounded] = [recomputed.whole + conversionsIn(s), recomputed.bounded + conversionsIn(b)];
  }
  full.feed(() => true);
  await full.run(from, to, true);
}, 900_000);

afterAll(async () => {
  await incremental?.close();
  await full?.close();
  await bounded?.close();
  dir?.remove();
});

describe('attribution: thirty daily runs equal one full refresh (heuristic models)', () => {
  it('ran incrementally after the first day', () => {
    expect(modes[0]).toBe('full');
    expect(modes.slice(1).every((m) => m === 'incremental')).toBe(true);
  });

  it('ends in the same attribution_credits, row for row', async () => {
    const sql = `SELECT * EXCLUDE (training_from, training_to) FROM attribution_credits WHERE ${HEURISTIC}`;
    const [a, b] = [await dump(incremental.w, sql), await dump(full.w, sql)];
    expect(b.length).toBeGreaterThan(100);
    expect({ missing: b.filter((r) => !a.includes(r)).slice(0, 3), extra: a.filter((r) => !b.includes(r)).slice(0, 3) }).toEqual({ missing: [], extra: [] });
    expect(a.length).toBe(b.length);
  });

  it('credits every conversion under every model, data-driven ones included', async () => {
    for (const w of [incremental.w, full.w]) {
      const [r] = await w.query<{ missing: number }>(`
        SELECT count(*)::INTEGER AS missing FROM conversions c CROSS JOIN (SELECT DISTINCT model FROM attribution_credits) m
        WHERE NOT EXISTS (SELECT 1 FROM attribution_credits a WHERE a.conversion_id = c.conversion_id AND a.model = m.model)`);
      expect(r?.missing).toBe(0);
    }
  });

  it('ends in the same rpt_attribution_daily and rpt_roas_daily', async () => {
    for (const table of ['rpt_attribution_daily', 'rpt_roas_daily']) {
      const sql = `SELECT * FROM ${table} WHERE ${HEURISTIC}`;
      const [a, b] = [await dump(incremental.w, sql), await dump(full.w, sql)];
      expect(b.length, table).toBeGreaterThan(0);
      expect({ table, missing: b.filter((r) => !a.includes(r)).slice(0, 3), extra: a.filter((r) => !b.includes(r)).slice(0, 3) }).toEqual({ table, missing: [], extra: [] });
    }
  });

  it('reconciles: per model, attributed revenue equals the conversions\' value, and spend equals the deduplicated spend', async () => {
    const [conv] = await full.w.query<{ v: string }>(`SELECT CAST(sum(value_reporting) AS VARCHAR) AS v FROM conversions`);
    const perModel = await full.w.query<{ model: string; v: string }>(`SELECT model, CAST(sum(revenue) AS VARCHAR) AS v FROM rpt_attribution_daily GROUP BY model`);
    expect(perModel.length).toBe(9);
    for (const r of perModel) expect(r.v, r.model).toBe(conv!.v);
    const [spend] = await full.w.query<{ v: string }>(`SELECT CAST(sum(spend) AS VARCHAR) AS v FROM stg_ad_spend`);
    const roas = await full.w.query<{ model: string; v: string }>(`SELECT model, CAST(sum(spend) AS VARCHAR) AS v FROM rpt_roas_daily GROUP BY model`);
    for (const r of roas) expect(r.v, r.model).toBe(spend!.v);
  });
});

describe('attribution with a rebuild horizon of one day (thirty daily runs)', () => {
  it('recomputes only the conversions from each dirty person\'s start', () => {
    expect(recomputed.bounded).toBeGreaterThan(0);
    expect(recomputed.bounded).toBeLessThan(recomputed.whole);
  });

  it('credits every conversion under every model, to the cent', async () => {
    const [r] = await bounded.w.query<{ missing: number }>(`
      SELECT count(*)::INTEGER AS missing FROM conversions c CROSS JOIN (SELECT DISTINCT model FROM attribution_credits) m
      WHERE NOT EXISTS (SELECT 1 FROM attribution_credits a WHERE a.conversion_id = c.conversion_id AND a.model = m.model)`);
    expect(r?.missing).toBe(0);
    const [conv] = await bounded.w.query<{ v: string }>(`SELECT CAST(sum(value_reporting) AS VARCHAR) AS v FROM conversions`);
    const perModel = await bounded.w.query<{ model: string; v: string }>(`SELECT model, CAST(sum(revenue) AS VARCHAR) AS v FROM rpt_attribution_daily GROUP BY model`);
    expect(perModel.length).toBe(9);
    for (const m of perModel) expect(m.v, m.model).toBe(conv!.v);
    // and no credit outlived its conversion
    const [orphans] = await bounded.w.query<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM attribution_credits a WHERE a.conversion_id NOT IN (SELECT conversion_id FROM conversions)`);
    expect(orphans?.n).toBe(0);
  });

  it('ends in the full refresh\'s credits for every person whose touchpoints and conversions are the full refresh\'s', async () => {
    const byPerson = async (w: DuckDbWarehouse, table: string, cols: string) => {
      const rows = await w.query<{ person_id: string; r: string }>(`SELECT person_id, CAST(${cols} AS VARCHAR) AS r FROM ${table}`);
      const m = new Map<string, string[]>();
      for (const x of rows) m.set(x.person_id, [...(m.get(x.person_id) ?? []), x.r]);
      return new Map([...m].map(([k, v]) => [k, v.sort().join('|')]));
    };
    const same = new Set<string>();
    const [tb, tf] = [await byPerson(bounded.w, 'touchpoints', 'row(touchpoint_id, touch_ts, channel, campaign)'), await byPerson(full.w, 'touchpoints', 'row(touchpoint_id, touch_ts, channel, campaign)')];
    const [cb, cf] = [await byPerson(bounded.w, 'conversions', 'row(conversion_id, session_id, value_minor)'), await byPerson(full.w, 'conversions', 'row(conversion_id, session_id, value_minor)')];
    for (const [p, v] of cf) if (cb.get(p) === v && tb.get(p) === tf.get(p)) same.add(p);
    expect(same.size).toBeGreaterThan(cf.size / 2);
    const sql = `SELECT person_id, * EXCLUDE (training_from, training_to) FROM attribution_credits WHERE ${HEURISTIC}`;
    const keep = (rows: string[]) => rows.filter((r) => same.has((JSON.parse(r) as { person_id: string }).person_id));
    const [a, b] = [keep(await dump(bounded.w, sql)), keep(await dump(full.w, sql))];
    expect(b.length).toBeGreaterThan(100);
    expect({ missing: b.filter((r) => !a.includes(r)).slice(0, 3), extra: a.filter((r) => !b.includes(r)).slice(0, 3) }).toEqual({ missing: [], extra: [] });
  });
});
