/**
 * The heart of the suite: thirty one-day runs over the demo data, its files fed arrival day by
 * arrival day, end in exactly the journeys tables that one full-range run builds on a fresh
 * warehouse — late events, late cross-tracker copies and logins that merge earlier anonymous
 * journeys included.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type BeamlineConfig } from '../../../config/index.ts';
import { createLogger } from '../../../lib/log.ts';
import { addDays } from '../../../pipelines/dates.ts';
import { generateDemoData, type DemoManifest } from '../../../pipelines/demo/index.ts';
import { createPipeline, runPipeline, type Pipeline } from '../../../pipelines/index.ts';
import { extractStep } from '../../../pipelines/steps/extract.ts';
import { identityStep } from '../../../pipelines/steps/identity.ts';
import { journeyStartsStep } from '../../../pipelines/steps/journey-starts.ts';
import { openRunStore } from '../../../store/index.ts';
import { openDuckDb, type DuckDbWarehouse } from '../../../warehouse/duckdb/index.ts';
import { tempDir, type TempDir } from '../../helpers/tmp.ts';
import { dumpTables } from './compare.ts';
import { journeysSqlDir } from './harness.ts';

/** A warehouse fed from its own source folder. */
interface Site {
  readonly src: string;
  readonly w: DuckDbWarehouse;
  readonly config: BeamlineConfig;
  run(from: string, to: string, fullRefresh?: boolean): Promise<void>;
  close(): Promise<void>;
}

let dir: TempDir;
let manifest: DemoManifest;
let pipeline: Pipeline;

async function openSite(name: string, extra: Record<string, unknown> = {}): Promise<Site> {
  const root = join(dir.path, name);
  const src = join(root, 'src');
  mkdirSync(src, { recursive: true });
  const w = await openDuckDb({ path: join(root, 'wh.duckdb') });
  const store = await openRunStore({ databaseUrl: '', sqlitePath: join(root, 'runs.sqlite') });
  const config = loadConfig({
    cwd: root,
    env: {},
    overrides: {
      account: { time_zone: manifest.options.timeZone, currency: manifest.options.currency },
      sources: { events: ['src/events/*.ndjson', 'src/events/*.csv'], spend: 'src/spend/*.csv', orders: 'src/orders/*.csv', fx: 'src/fx/*.csv' },
      // the demo plants rows up to 10 days late: a lookback that covers them all makes the two runs comparable
      lookback: { late_data_days: 10 },
      // small enough that the shared kiosk tablet trips the guard as it collects users
      identity: { max_ids_per_person: 12 },
      ...extra,
    },
  });
  const log = createLogger({ level: 'silent' });
  return {
    src,
    w,
    config,
    async run(from, to, fullRefresh = false) {
      const summary = await runPipeline({ config, pipeline, warehouse: w, store, log, slice: { from, to }, fullRefresh });
      if (summary.status !== 'succeeded') throw summary.error ?? new Error(`run ${from}..${to} failed`);
    },
    async close() {
      await w.close();
      await store.close();
    },
  };
}

function feed(site: Site, arrival: (d: string) => boolean): void {
  for (const f of manifest.files) {
    if (!arrival(f.arrivalDate)) continue;
    const to = join(site.src, f.path);
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(join(dir.path, 'demo', f.path), to);
  }
}

let incremental: Site;
let full: Site;
/** The same daily runs with a rebuild horizon of one day (sessions.rebuild_horizon_days). */
let bounded: Site;
/** anonymous_id → person_id after each daily run. */
const snapshots: Array<Map<string, string>> = [];
/** For the bounded site: 'id_type:id' → person_id after each daily run, and how many persons each run rebuilt from a start. */
const boundedSnapshots: Array<Map<string, string>> = [];
const boundedStarts: number[] = [];

beforeAll(async () => {
  dir = tempDir('beamline-incremental-');
  pipeline = createPipeline({ sqlDir: journeysSqlDir(dir.path), tsSteps: [extractStep, identityStep, journeyStartsStep] });
  manifest = await generateDemoData({ outDir: join(dir.path, 'demo'), visitors: 1_500, seed: 7 });
  incremental = await openSite('incremental');
  full = await openSite('full');
  bounded = await openSite('bounded', { sessions: { rebuild_horizon_days: 1 } });
  const { from, to } = manifest.period;
  for (let d = from; d < to; d = addDays(d, 1)) {
    feed(incremental, (a) => a === d);
    await incremental.run(d, addDays(d, 1));
    const rows = await incremental.w.query<{ id: string; person_id: string }>(`SELECT id, person_id FROM identity_map WHERE id_type = 'anonymous_id'`);
    snapshots.push(new Map(rows.map((r) => [r.id, r.person_id])));
    feed(bounded, (a) => a === d);
    await bounded.run(d, addDays(d, 1));
    const ids = await bounded.w.query<{ id: string; person_id: string }>(`SELECT id_type || ':' || id AS id, person_id FROM identity_map`);
    boundedSnapshots.push(new Map(ids.map((r) => [r.id, r.person_id])));
    const [n] = await bounded.w.query<{ n: number }>(`SELECT count(from_ts)::INTEGER AS n FROM dirty_starts`);
    boundedStarts.push(n?.n ?? 0);
  }
  feed(full, () => true);
  await full.run(from, to, true);
}, 900_000);

afterAll(async () => {
  await incremental?.close();
  await full?.close();
  await bounded?.close();
  dir?.remove();
});

describe('daily runs with a rebuild horizon of one day (30 runs over the demo data)', () => {
  it('rebuilt persons from a start, not over their whole history', () => {
    expect(boundedStarts.slice(1).every((n) => n > 0)).toBe(true);
  });

  it('hold every journey event exactly once', async () => {
    const keys = async (s: Site) => (await s.w.query<{ k: string }>(`SELECT event_key AS k FROM session_events ORDER BY 1`)).map((r) => r.k);
    expect(await keys(bounded)).toEqual(await keys(full));
  });

  it('end in the rows of the full refresh for every person whose ids never changed owner', async () => {
    // persons of the full refresh all of whose ids mapped to them after every daily run they were seen in
    const finalIds = await full.w.query<{ id: string; person_id: string }>(`SELECT id_type || ':' || id AS id, person_id FROM identity_map`);
    const unstable = new Set<string>();
    for (const { id, person_id } of finalIds) {
      if (boundedSnapshots.some((snap) => snap.has(id) && snap.get(id) !== person_id)) unstable.add(person_id);
    }
    const stable = [...new Set(finalIds.map((r) => r.person_id))].filter((p) => !unstable.has(p));
    expect(unstable.size).toBeGreaterThan(0);
    expect(stable.length).toBeGreaterThan(unstable.size);
    const inList = `person_id IN (${stable.map((p) => `'${p}'`).join(', ')})`;
    const dump = async (s: Site) => dumpTables((q) => s.w.query(`${q} WHERE ${inList}`), ['session_events', 'sessions', 'touchpoints', 'conversion_events', 'conversions', 'engagements']);
    const [a, b] = [await dump(bounded), await dump(full)];
    for (const table of Object.keys(b)) {
      expect(b[table]!.length, `${table} has rows`).toBeGreaterThan(0);
      const [inA, inB] = [new Set(a[table]), new Set(b[table])];
      expect({ table, missing: b[table]!.filter((r) => !inA.has(r)).slice(0, 3), extra: a[table]!.filter((r) => !inB.has(r)).slice(0, 3) }).toEqual({ table, missing: [], extra: [] });
    }
  });
});

describe('incremental equals full refresh (30 daily runs over the demo data)', () => {
  it('ends in exactly the same journeys tables, row for row', async () => {
    const [a, b] = [await dumpTables((q) => incremental.w.query(q)), await dumpTables((q) => full.w.query(q))];
    for (const table of Object.keys(b)) {
      expect(b[table]!.length, `${table} is not empty`).toBeGreaterThan(0);
      const [inA, inB] = [new Set(a[table]), new Set(b[table])];
      const missing = b[table]!.filter((r) => !inA.has(r)).slice(0, 3);
      const extra = a[table]!.filter((r) => !inB.has(r)).slice(0, 3);
      expect({ table, missing, extra }).toEqual({ table, missing: [], extra: [] });
      expect(a[table]!.length, table).toBe(b[table]!.length);
    }
  });

  it('covered events that arrived two or more days late', async () => {
    const [r] = await full.w.query<{ n: number }>(`
      SELECT count(*)::INTEGER AS n FROM stg_events
      WHERE CAST(regexp_extract(file, '(\\d{4}-\\d{2}-\\d{2})', 1) AS DATE) - local_date >= 2`);
    expect(manifest.totals.lateEvents).toBeGreaterThan(0);
    expect(r?.n).toBeGreaterThan(0);
  });

  it('covered a login that merged two earlier anonymous journeys into one person', async () => {
    // persons with two anonymous ids that each had a session before the person's first login
    const merged = await full.w.query<{ person_id: string; anons: string[] }>(`
      WITH login AS (
        SELECT m.person_id, min(e.event_ts) AS first_login
        FROM events e JOIN identity_map m ON m.id_type = 'user_id' AND m.id = e.user_id
        WHERE e.anonymous_id IS NOT NULL GROUP BY m.person_id
      ),
      anon AS (
        SELECT s.person_id, s.anonymous_id, min(s.session_start) AS first_session FROM sessions s GROUP BY s.person_id, s.anonymous_id
      )
      SELECT a.person_id, list(a.anonymous_id ORDER BY a.anonymous_id) AS anons
      FROM anon a JOIN login l USING (person_id)
      WHERE a.first_session < l.first_login AND a.anonymous_id IS NOT NULL
      GROUP BY a.person_id HAVING count(*) >= 2`);
    expect(merged.length).toBeGreaterThan(0);
    // …and the daily runs really saw them apart first, then together
    const seenApart = merged.filter(({ anons }) => snapshots.some((s) => s.has(anons[0]!) && s.has(anons[1]!) && s.get(anons[0]!) !== s.get(anons[1]!)));
    expect(seenApart.length).toBeGreaterThan(0);
    const last = snapshots[snapshots.length - 1]!;
    for (const { anons } of seenApart) expect(last.get(anons[0]!)).toBe(last.get(anons[1]!));
  });

  it('exercised the cross-tracker merge, duplicates, the identity guard and the fx gap', async () => {
    const [e] = await full.w.query<Record<string, number>>(`
      SELECT count(*) FILTER (WHERE matched_by = 'event_id')::INTEGER AS shared, count(*) FILTER (WHERE matched_by = 'fuzzy')::INTEGER AS fuzzy,
             sum(natural_duplicates)::INTEGER AS natural, sum(synthetic_duplicates)::INTEGER AS synthetic FROM events`);
    expect(e!.shared).toBeGreaterThan(0);
    expect(e!.fuzzy).toBeGreaterThan(0);
    expect(e!.natural).toBeGreaterThan(0);
    expect(e!.synthetic).toBeGreaterThan(0);
    const [x] = await full.w.query<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM identity_excess WHERE reason = 'shared_device'`);
    expect(x?.n).toBeGreaterThan(0);
    // nothing lost: every staged row is a kept copy or a counted duplicate
    const [lost] = await full.w.query<{ staged: number; accounted: number }>(`
      SELECT (SELECT count(*) FROM stg_events)::INTEGER AS staged,
             (SELECT sum(source_count + natural_duplicates + synthetic_duplicates) FROM events)::INTEGER AS accounted`);
    expect(lost!.accounted).toBe(lost!.staged);
    const gap = await full.w.query(`SELECT fx_missing, value_reporting FROM conversions WHERE order_id = $1`, [manifest.fxGap.orderId]);
    expect(gap).toEqual([{ fx_missing: true, value_reporting: null }]);
  });
});
