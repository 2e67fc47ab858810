import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../lib/log.ts';
import { RAW_TABLES } from '../../../pipelines/extract/raw-tables.ts';
import { createPipeline, runPipeline, type RunSummary, type TsStepDef } from '../../../pipelines/index.ts';
import { identityStep } from '../../../pipelines/steps/identity.ts';
import { journeyStartsStep } from '../../../pipelines/steps/journey-starts.ts';
import { openRunStore } from '../../../store/index.ts';
import type { Warehouse, WarehouseSession } from '../../../warehouse/index.ts';
import { tempDir } from '../../helpers/tmp.ts';
import { dumpTables } from './compare.ts';
import { journeysSqlDir, journeysPerTest, type Journeys, type RawRow } from './harness.ts';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const journeys = journeysPerTest();

const map = (j: Journeys) => j.rows(`SELECT id_type, id, person_id, person_ids, is_capped FROM identity_map ORDER BY id_type, id`);
const pad = (x: number) => String(x).padStart(2, '0');
const at = (d: number, h: number, m = 0) => `2026-01-${pad(10 + d)}T${pad(h)}:${pad(m)}:00Z`;
let n = 0;
const ev = (anonymous_id: string | null, user_id: string | null, ts: string, extra: Partial<RawRow> = {}): RawRow => ({ event_id: `e${++n}`, ts, anonymous_id, user_id, ...extra });

describe('identity_map', () => {
  it('stitches a chain a–u1–b–u2–c into one person named after its smallest user id', async () => {
    const j = await journeys();
    await j.insert([ev('a', 'u1', at(0, 9)), ev('b', 'u1', at(0, 10)), ev('b', 'u2', at(0, 11)), ev('c', 'u2', at(0, 12)), ev('z', null, at(0, 13))]);
    await j.run('2026-01-10', '2026-01-11');
    const person = md5('0:u1');
    expect(await map(j)).toEqual([
      { id_type: 'anonymous_id', id: 'a', person_id: person, person_ids: 5, is_capped: false },
      { id_type: 'anonymous_id', id: 'b', person_id: person, person_ids: 5, is_capped: false },
      { id_type: 'anonymous_id', id: 'c', person_id: person, person_ids: 5, is_capped: false },
      { id_type: 'anonymous_id', id: 'z', person_id: md5('1:z'), person_ids: 1, is_capped: false },
      { id_type: 'user_id', id: 'u1', person_id: person, person_ids: 5, is_capped: false },
      { id_type: 'user_id', id: 'u2', person_id: person, person_ids: 5, is_capped: false },
    ]);
    expect(await j.rows(`SELECT DISTINCT person_id FROM sessions ORDER BY 1`)).toEqual([person, md5('1:z')].sort().map((p) => ({ person_id: p })));
  });

  it('merges two earlier anonymous journeys when a later login links them, and leaves what a full run leaves', async () => {
    const days: RawRow[][] = [
      [ev('a', null, at(0, 9)), ev('a', null, at(0, 9, 20)), ev('b', null, at(0, 15))],
      [ev('b', null, at(1, 10))],
      [ev('a', 'u1', at(2, 8)), ev('b', 'u1', at(2, 20))],
    ];
    const j = await journeys();
    for (const [i, rows] of days.entries()) {
      await j.insert(rows);
      await j.run(`2026-01-${10 + i}`, `2026-01-${11 + i}`);
      if (i === 1) expect(await j.rows(`SELECT count(DISTINCT person_id)::INTEGER AS n FROM sessions`)).toEqual([{ n: 2 }]);
    }
    expect(await j.rows(`SELECT DISTINCT person_id FROM sessions`)).toEqual([{ person_id: md5('0:u1') }]);
    expect(await j.rows(`SELECT count(*)::INTEGER AS n FROM sessions`)).toEqual([{ n: 5 }]);
    const full = await journeys();
    for (const rows of days) await full.insert(rows);
    await full.run('2026-01-10', '2026-01-13', { fullRefresh: true });
    expect(await dumpTables(j.rows)).toEqual(await dumpTables(full.rows));
  });

  it('caps giant components: shared devices lose their links, then a component still over the cap loses all', async () => {
    const j = await journeys({ identity: { max_ids_per_person: 3 } });
    await j.insert([
      // kiosk: one anonymous id, four users → shared device
      ...['u1', 'u2', 'u3', 'u4'].map((u, i) => ev('kiosk', u, at(0, 8 + i))),
      ev('p1', 'u1', at(0, 14)),
      // a family computer under the cap: stays one person
      ev('fam', 'u5', at(0, 9)), ev('fam', 'u6', at(0, 10)),
      // one user with four cookies: over the cap with no shared device → every id on its own
      ...['c1', 'c2', 'c3', 'c4'].map((a, i) => ev(a, 'u9', at(1, 8 + i))),
    ]);
    await j.run('2026-01-10', '2026-01-12');
    const m = new Map((await map(j)).map((r) => [`${String(r.id_type)}:${String(r.id)}`, r]));
    expect(m.get('anonymous_id:kiosk')).toMatchObject({ person_id: md5('1:kiosk'), is_capped: true });
    expect(m.get('anonymous_id:p1')).toMatchObject({ person_id: md5('0:u1'), person_ids: 2 });
    expect(m.get('user_id:u2')).toMatchObject({ person_id: md5('0:u2'), person_ids: 1 });
    expect(m.get('anonymous_id:fam')).toMatchObject({ person_id: md5('0:u5'), person_ids: 3, is_capped: false });
    expect(m.get('anonymous_id:c1')).toMatchObject({ person_id: md5('1:c1'), person_ids: 1, is_capped: true });
    expect(m.get('user_id:u9')).toMatchObject({ person_id: md5('0:u9'), person_ids: 1, is_capped: true });
    expect(await j.rows(`SELECT id_type, id, reason, linked_ids, component_ids FROM identity_excess ORDER BY reason, id_type, id`)).toEqual([
      { id_type: 'anonymous_id', id: 'c1', reason: 'component_over_cap', linked_ids: 1, component_ids: 5 },
      { id_type: 'anonymous_id', id: 'c2', reason: 'component_over_cap', linked_ids: 1, component_ids: 5 },
      { id_type: 'anonymous_id', id: 'c3', reason: 'component_over_cap', linked_ids: 1, component_ids: 5 },
      { id_type: 'anonymous_id', id: 'c4', reason: 'component_over_cap', linked_ids: 1, component_ids: 5 },
      { id_type: 'user_id', id: 'u9', reason: 'component_over_cap', linked_ids: 4, component_ids: 5 },
      { id_type: 'anonymous_id', id: 'kiosk', reason: 'shared_device', linked_ids: 4, component_ids: 6 },
    ]);
    // kiosk events with a user id belong to that user; without one, to the kiosk
    expect(await j.rows(`SELECT DISTINCT person_id FROM session_events WHERE anonymous_id = 'kiosk' AND user_id = 'u3'`)).toEqual([{ person_id: md5('0:u3') }]);
  });

  it('links only through consented, non-bot events (unless consent is not required)', async () => {
    const rows = [ev('a', 'u1', at(0, 9), { consent_analytics: false }), ev('b', 'u1', at(0, 10), { user_agent: 'python-requests/2.31' }), ev('c', 'u1', at(0, 11))];
    const strict = await journeys();
    await strict.insert(rows);
    await strict.run('2026-01-10', '2026-01-11');
    expect((await map(strict)).map((r) => [r.id, r.person_ids])).toEqual([['a', 1], ['b', 1], ['c', 2], ['u1', 2]]);
    const loose = await journeys({ consent: { require_analytics_for_journeys: false } });
    await loose.insert(rows);
    await loose.run('2026-01-10', '2026-01-11');
    expect((await map(loose)).map((r) => [r.id, r.person_ids])).toEqual([['a', 3], ['b', 1], ['c', 3], ['u1', 3]]);
    expect(await loose.rows(`SELECT count(*)::INTEGER AS n FROM session_events`)).toEqual([{ n: 2 }]);
  });

  it('stores user ids as salted SHA-256 when identity.hash_ids is on', async () => {
    const j = await journeys({ identity: { hash_ids: true } }, { BEAMLINE_ID_SALT: 'pepper' });
    await j.insert([ev('a', 'jane@example.com', at(0, 9))]);
    await j.run('2026-01-10', '2026-01-11');
    const hashed = createHash('sha256').update('pepperjane@example.com').digest('hex');
    expect(await j.rows(`SELECT user_id FROM events`)).toEqual([{ user_id: hashed }]);
    expect(await j.rows(`SELECT id FROM identity_map WHERE id_type = 'user_id'`)).toEqual([{ id: hashed }]);
  });
});

/**
 * A run of [from, to) whose `identity` step fails for good after `events` succeeded — a nightly run
 * whose identity step exhausted its retries and whose slice is never run again. The step really runs
 * and really fails: the first statement matching `at` (by default the write of identity_map, late in
 * its transaction, so everything it did before is rolled back) throws. The run stops there, as a run
 * does: no journeys step after identity runs. Recorded in a run store of its own.
 */
async function runWithFailingIdentity(j: Journeys, from: string, to: string, options: { at?: RegExp; fullRefresh?: boolean } = {}): Promise<RunSummary> {
  const at = options.at ?? /^INSERT INTO "identity_map"/;
  const dir = tempDir('beamline-failing-');
  const store = await openRunStore({ databaseUrl: '', sqlitePath: join(dir.path, 'runs.sqlite') });
  try {
    const guard = <S extends WarehouseSession>(s: S): S => new Proxy(s, {
      get(target, prop) {
        if (prop === 'exec') {
          return async (sql: string, params?: readonly unknown[]) => {
            if (at.test(sql.trim())) throw new Error(`injected failure at: ${sql.trim().slice(0, 60)}`);
            return target.exec(sql, params);
          };
        }
        if (prop === 'transaction') return (fn: (tx: WarehouseSession) => Promise<unknown>) => (target as unknown as Warehouse).transaction((tx) => fn(guard(tx)));
        const v: unknown = Reflect.get(target, prop);
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const failing: TsStepDef = { ...identityStep, run: (ctx) => identityStep.run({ ...ctx, warehouse: guard(ctx.warehouse) }) };
    const raw: TsStepDef = { name: 'raw', kind: 'extract', produces: Object.keys(RAW_TABLES), reads: [], run: async () => ({ rowsOut: 0 }) };
    const pipeline = createPipeline({ sqlDir: journeysSqlDir(dir.path), tsSteps: [raw, failing, journeyStartsStep] });
    const summary = await runPipeline({ config: j.config, pipeline, warehouse: j.w, store, log: createLogger({ level: 'silent' }), slice: { from, to }, fullRefresh: options.fullRefresh });
    expect(summary.status).toBe('failed');
    expect(summary.steps.find((s) => s.name === 'events')?.status).toBe('succeeded');
    expect(summary.steps.at(-1)).toMatchObject({ name: 'identity', status: 'failed' });
    expect(summary.error?.message).toMatch(/injected failure/);
    return summary;
  } finally {
    await store.close();
    dir.remove();
  }
}

/**
 * The identity step recomputes only the components a slice touches (docs/journeys.md, "identity,
 * incrementally"). Each script runs on two warehouses: `inc` as it is, `ref` with its identity state
 * dropped before every run, so that its identity step recomputes everything from all events (the
 * full computation). After every run the two must hold the same identity_map and identity_excess and
 * list the same dirty persons; at the end `inc` must hold every journeys table a full refresh over
 * the same raw rows builds on a fresh warehouse.
 */
describe('identity, incrementally', () => {
  /**
   * Rows arrive; raw rows change (every warehouse); the incremental warehouse's identity state is
   * altered; a daily run; a daily run (or a full refresh of days [fail, to)) whose identity step fails
   * for good (on `inc` and `ref` alike: neither runs that slice again).
   */
  type Action = { insert: RawRow[] } | { exec: string } | { state: string } | { run: number } | { fail: number; to?: number; at?: RegExp; fullRefresh?: boolean };
  type Details = { stateRebuilt: boolean; idsRecomputed: number; datesReread?: number; eventsReplaced?: boolean };
  const day = (d: number) => `2026-01-${pad(10 + d)}`;
  const excess = (j: Journeys) => j.rows(`SELECT id_type, id, reason, linked_ids, component_ids, person_id FROM identity_excess ORDER BY id_type, id`);
  const dirty = (j: Journeys) => j.rows(`SELECT DISTINCT person_id FROM dirty_persons ORDER BY person_id`);
  const details = (s: RunSummary) => s.steps.find((x) => x.name === 'identity')!.details as Details;
  const identityTables = async (j: Journeys) => dumpTables(j.rows, ['identity_map', 'identity_excess', 'dirty_persons', 'identity_nodes', 'identity_edges', 'identity_components', 'identity_dates', 'identity_state']);

  /** Plays the script on both warehouses, comparing after each run; returns the incremental warehouse and its identity details per run. */
  async function replay(script: readonly Action[], overrides: Record<string, unknown> = {}): Promise<{ inc: Journeys; runs: Details[] }> {
    const [inc, ref, full] = [await journeys(overrides), await journeys(overrides), await journeys(overrides)];
    const runs: Details[] = [];
    let [first, last] = [Infinity, -Infinity];
    for (const [i, a] of script.entries()) {
      if ('insert' in a) for (const j of [inc, ref, full]) await j.insert(a.insert);
      if ('exec' in a) for (const j of [inc, ref, full]) await j.w.exec(a.exec);
      if ('state' in a) await inc.w.exec(a.state);
      if ('fail' in a) {
        [first, last] = [Math.min(first, a.fail), Math.max(last, (a.to ?? a.fail + 1) - 1)];
        const before = await identityTables(inc);
        for (const j of [inc, ref]) await runWithFailingIdentity(j, day(a.fail), day(a.to ?? a.fail + 1), a);
        // the failed step left identity's tables as they were
        expect(await identityTables(inc), `action ${i} (failed run of ${day(a.fail)})`).toEqual(before);
      }
      if (!('run' in a)) continue;
      [first, last] = [Math.min(first, a.run), Math.max(last, a.run)];
      await ref.w.exec('DROP TABLE IF EXISTS identity_state');
      runs.push(details(await inc.run(day(a.run), day(a.run + 1))));
      expect(details(await ref.run(day(a.run), day(a.run + 1))).stateRebuilt).toBe(true);
      const step = `action ${i} (run of ${day(a.run)})`;
      expect(await map(inc), step).toEqual(await map(ref));
      expect(await excess(inc), step).toEqual(await excess(ref));
      expect(await dirty(inc), step).toEqual(await dirty(ref));
    }
    await full.run(day(first - 3), day(last + 1), { fullRefresh: true });
    expect(await dumpTables(inc.rows)).toEqual(await dumpTables(full.rows));
    return { inc, runs };
  }

  it('day by day: merges across days, a new device joining a known user, a shared device tripping the cap later, a user over the cap', async () => {
    const { inc, runs } = await replay([
      { insert: [ev('a1', 'u1', at(0, 9)), ev('a2', null, at(0, 10)), ev('a3', 'u2', at(0, 11)), ev('z', null, at(0, 12))] },
      { run: 0 },
      // a new device for u1; a2 (anonymous yesterday) logs in as u2: two components merge
      { insert: [ev('a4', 'u1', at(1, 9)), ev('a2', 'u2', at(1, 10)), ev('a1', null, at(1, 11))] },
      { run: 1 },
      // a5 links u3 and u1: the merged component has 5 ids > 4, a5 is a shared device
      { insert: [ev('a5', 'u3', at(2, 9)), ev('a5', 'u1', at(2, 10)), ev('a6', null, at(2, 11))] },
      { run: 2 },
      // one user with four cookies: over the cap without a shared device
      { insert: ['c1', 'c2', 'c3', 'c4'].map((c, k) => ev(c, 'u4', at(3, 8 + k))) },
      { run: 3 },
      // a quiet day: only ids already known, no link
      { insert: [ev('a1', null, at(4, 9)), ev('c1', null, at(4, 10))] },
      { run: 4 },
    ], { identity: { max_ids_per_person: 4 } });
    const m = new Map((await map(inc)).map((r) => [String(r.id), r]));
    expect(m.get('a4')).toMatchObject({ person_id: md5('0:u1'), person_ids: 3 });
    expect(m.get('a2')).toMatchObject({ person_id: md5('0:u2'), person_ids: 3 });
    expect(m.get('a5')).toMatchObject({ person_id: md5('1:a5'), is_capped: true });
    expect(m.get('c1')).toMatchObject({ person_id: md5('1:c1'), is_capped: true });
    // every run after the first recomputed only part of the ids (the default lookback re-reads three days)
    expect(runs.map((r) => r.stateRebuilt)).toEqual([true, false, false, false, false]);
    expect(runs.at(-1)!.idsRecomputed).toBeLessThan(m.size);
  });

  it('re-running a slice with other events: an edge that vanishes splits its component, an id no longer seen leaves the map', async () => {
    const { inc, runs } = await replay([
      { insert: [ev('a1', 'u1', at(0, 9)), ev('a2', 'u1', at(0, 10)), ev('z', null, at(0, 11))] },
      { run: 0 },
      { insert: [ev('a5', 'u3', at(1, 9)), ev('a5', 'u1', at(1, 10), { event_id: 'link' }), ev('a9', 'u9', at(1, 11), { event_id: 'gone' }), ev('y', null, at(1, 12), { event_id: 'y' })] },
      { run: 1 },
      // over the cap (5 ids > 4): a5 is a shared device
      { insert: [ev('a1', null, at(2, 9))] },
      { run: 2 },
      // the slice's events change: an earlier copy of 'link' without the user id wins the dedupe,
      // and the load holding 'gone' and 'y' is withdrawn
      { insert: [ev('a5', null, at(1, 9, 50), { event_id: 'link' })] },
      { exec: `DELETE FROM raw_events WHERE event_id IN ('gone', 'y')` },
      { run: 1 },
      // a day whose only link disappears leaves its ids in the map as singletons
      { insert: [ev('a7', 'u7', at(3, 9), { event_id: 'l7' }), ev('a7', null, at(3, 10))] },
      { run: 3 },
      { exec: `DELETE FROM raw_events WHERE event_id = 'l7'` },
      { run: 3 },
    ], { identity: { max_ids_per_person: 4 }, lookback: { late_data_days: 0 } });
    const m = new Map((await map(inc)).map((r) => [String(r.id), r]));
    expect(m.get('a5')).toMatchObject({ person_id: md5('0:u3'), person_ids: 2, is_capped: false });
    expect(m.get('u1')).toMatchObject({ person_id: md5('0:u1'), person_ids: 3 });
    expect(m.get('a7')).toMatchObject({ person_id: md5('1:a7'), person_ids: 1 });
    expect([...m.keys()].filter((id) => ['a9', 'u9', 'y', 'u7'].includes(id))).toEqual([]);
    expect(await inc.rows(`SELECT count(*)::INTEGER AS n FROM identity_excess`)).toEqual([{ n: 0 }]);
    expect(runs.map((r) => r.stateRebuilt)).toEqual([true, false, false, false, false, false]);
  });

  it('heals a run whose identity step failed for good: a later, different slice also re-reads the dates whose events changed since identity read them', async () => {
    const { inc, runs } = await replay([
      { insert: [ev('a1', 'u1', at(0, 9)), ev('a2', null, at(0, 10)), ev('z', null, at(0, 11))] },
      { run: 0 },
      { insert: [ev('a3', 'u2', at(1, 9)), ev('a2', null, at(1, 10))] },
      { run: 1 },
      { insert: [ev('a4', null, at(2, 9)), ev('a1', null, at(2, 10))] },
      { run: 2 },
      // late rows for day 2 (a2 logs in as u2: two persons merge) and day 4's rows (a new device for
      // u1, a new visitor). The run of day 4 — slice [1, 5) with the 3-day lookback — rewrites the
      // events of days 1-4, then its identity step fails, and nobody runs day 4 again.
      { insert: [ev('a2', 'u2', at(2, 15)), ev('a5', 'u1', at(4, 9)), ev('n4', null, at(4, 10))] },
      { fail: 4 },
      // the next run is day 8: slice [5, 9), no date in common with [1, 5)
      { insert: [ev('a6', null, at(8, 9)), ev('a1', null, at(8, 10))] },
      { run: 8 },
      // the same slice again: nothing left to re-read, nothing changes
      { run: 8 },
    ]);
    const m = new Map((await map(inc)).map((r) => [String(r.id), r]));
    expect(m.get('a2')).toMatchObject({ person_id: md5('0:u2'), person_ids: 3 });
    expect(m.get('a5')).toMatchObject({ person_id: md5('0:u1'), person_ids: 3 });
    expect(m.get('n4')).toMatchObject({ person_id: md5('1:n4'), person_ids: 1 });
    // run 8 re-read days 1-4 (rewritten by events since identity read them), then nothing is left over
    expect(runs.map((r) => r.datesReread)).toEqual([0, 0, 0, 4, 0]);
    expect(runs.map((r) => r.stateRebuilt)).toEqual([true, false, false, false, false]);
    // identity holds, for every date events was written, the write it read last: all of them
    const log = `SELECT local_date, write_id FROM _slice_writes WHERE table_name = 'events'`;
    const read = `SELECT local_date, events_write FROM identity_dates`;
    expect(await inc.rows(`SELECT count(*)::INTEGER AS n FROM (${log})`)).toEqual([{ n: 1 + 12 }]); // the first build's row, days -3 .. 8
    expect(await inc.rows(`(${log} EXCEPT ${read}) UNION ALL (${read} EXCEPT ${log})`)).toEqual([]);
  });

  it('heals a full refresh whose identity step failed before writing anything: events were replaced whole, so the next run rebuilds the state and lists every person', async () => {
    const { inc, runs } = await replay([
      { insert: [ev('a1', 'u1', at(0, 9)), ev('a2', null, at(0, 10)), ev('a3', 'u3', at(1, 9), { event_id: 'l3' }), ev('a3', null, at(1, 10))] },
      { run: 0 },
      { run: 1 },
      // the load holding l3 is withdrawn and a2 logs in as u1; a full refresh of days 0-1 rewrites
      // events whole, and its identity step fails at its first statement (its state stays as it was)
      { exec: `DELETE FROM raw_events WHERE event_id = 'l3'` },
      { insert: [ev('a2', 'u1', at(1, 12))] },
      { fail: 0, to: 2, fullRefresh: true, at: /^CREATE OR REPLACE TABLE "identity_map"/ },
      { insert: [ev('a9', null, at(5, 9))] },
      { run: 5 },
    ], { lookback: { late_data_days: 0 } });
    expect(runs.map((r) => [r.stateRebuilt, r.eventsReplaced])).toEqual([[true, false], [false, false], [true, true]]);
    const m = new Map((await map(inc)).map((r) => [String(r.id), r]));
    expect(m.get('a2')).toMatchObject({ person_id: md5('0:u1'), person_ids: 3 });
    expect(m.get('u3')).toBeUndefined();
    // every person is dirty: any of them may have lost or gained events
    expect(await inc.rows(`SELECT count(*)::INTEGER AS n FROM (SELECT person_id FROM identity_map EXCEPT SELECT person_id FROM dirty_persons)`)).toEqual([{ n: 0 }]);
    // the log: the full refresh's dates, its whole-table row, and day 5; identity read exactly those writes
    const log = await inc.rows(`SELECT local_date, write_id FROM _slice_writes WHERE table_name = 'events' ORDER BY local_date NULLS FIRST`);
    expect(log.map((r) => r.local_date)).toEqual([null, day(0), day(1), day(5)]);
    expect(new Set(log.slice(0, 3).map((r) => r.write_id)).size).toBe(1);
    expect(await inc.rows(`SELECT local_date, events_write AS write_id FROM identity_dates ORDER BY local_date NULLS FIRST`)).toEqual(log);
  });

  it('rebuilds its state from all events when it is missing or was built by another version, and carries on incrementally', async () => {
    const { inc, runs } = await replay([
      { insert: [ev('a1', 'u1', at(0, 9)), ev('a2', null, at(0, 10))] },
      { run: 0 },
      { insert: [ev('a2', 'u1', at(1, 9))] },
      // a warehouse of version 1 had no state
      { state: 'DROP TABLE identity_nodes' },
      { run: 1 },
      { insert: [ev('a3', 'u1', at(2, 9))] },
      { state: `UPDATE identity_state SET version = 1` },
      { run: 2 },
      { insert: [ev('a4', 'u1', at(3, 9))] },
      { run: 3 },
    ], { lookback: { late_data_days: 0 } });
    expect(runs.map((r) => r.stateRebuilt)).toEqual([true, true, true, false]);
    expect(await inc.rows(`SELECT DISTINCT person_id, person_ids FROM identity_map`)).toEqual([{ person_id: md5('0:u1'), person_ids: 5 }]);
  });
});
