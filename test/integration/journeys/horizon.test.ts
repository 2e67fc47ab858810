/**
 * The rebuild horizon (sessions.rebuild_horizon_days; pipelines/steps/journey-starts.ts): daily runs
 * that rebuild each dirty person from their session open at the horizon, not over their whole
 * history, end in the tables a whole-history build gives — sessions across midnight and across the
 * horizon, session numbers and click-id suffixes carried over it — and lose no event when identity
 * moves events between persons.
 */
import { describe, expect, it } from 'vitest';
import { addDays } from '../../../pipelines/dates.ts';
import { dumpTables } from './compare.ts';
import { journeysPerTest, type Journeys, type RawRow } from './harness.ts';

const journeys = journeysPerTest();

const site = 'https://shop.example.com';
let n = 0;
const ev = (ts: string, extra: Partial<RawRow> = {}): RawRow => ({ event_id: `h${++n}`, ts, ...extra });
const TABLES = ['session_events', 'sessions', 'touchpoints', 'conversion_events', 'conversions', 'engagements'] as const;
/** Daily runs with a horizon of `days` and no late-data lookback: each run's slice is its one day. */
const horizon = (days: number) => ({ sessions: { rebuild_horizon_days: days }, lookback: { late_data_days: 0 } });

/** Feeds `byDay` day by day into an incremental warehouse, and all of it into a full refresh. */
async function dailyAndFull(byDay: ReadonlyArray<readonly [string, readonly RawRow[]]>, overrides: Record<string, unknown>) {
  const daily = await journeys(overrides);
  const full = await journeys(overrides);
  for (const [day, rows] of byDay) {
    await daily.insert(rows);
    await daily.run(day, addDays(day, 1));
  }
  await full.insert(byDay.flatMap(([, rows]) => rows));
  await full.run(byDay[0]![0], addDays(byDay[byDay.length - 1]![0], 1), { fullRefresh: true });
  return { daily, full };
}

async function expectSameTables(a: Journeys, b: Journeys): Promise<void> {
  const [x, y] = [await dumpTables((q) => a.rows(q), TABLES), await dumpTables((q) => b.rows(q), TABLES)];
  for (const t of TABLES) expect({ t, rows: x[t] }).toEqual({ t, rows: y[t] });
}

describe('the rebuild horizon', () => {
  it('rebuilds from the session open at the horizon and ends in the whole-history tables', async () => {
    const byDay: Array<[string, RawRow[]]> = [
      // a click-id landing late on the 10th that runs past midnight
      ['2026-01-10', [ev('2026-01-10T23:50:00Z', { page_url: `${site}/?gclid=G1` }), ev('2026-01-10T23:58:00Z')]],
      ['2026-01-11', [
        ev('2026-01-11T00:10:00Z', { page_url: `${site}/cart` }),
        // the same ad link reopened: a second landing on G1 (':2')
        ev('2026-01-11T12:00:00Z', { page_url: `${site}/?gclid=G1` }),
        ev('2026-01-11T12:05:00Z', { event_name: 'add_to_cart' }),
        // an order first seen here and again after the last run's start: still one conversion, with one duplicate
        ev('2026-01-11T12:06:00Z', { event_name: 'purchase', value: 25, order_id: 'O0' }),
      ]],
      ['2026-01-12', [ev('2026-01-12T09:00:00Z', { page_url: `${site}/?utm_source=newsletter&utm_medium=email&utm_campaign=jan` })]],
      // a session open across midnight into the next run's day
      ['2026-01-13', [ev('2026-01-13T23:40:00Z'), ev('2026-01-13T23:55:00Z', { page_url: `${site}/?gclid=G1` })]],
      ['2026-01-14', [
        ev('2026-01-14T00:05:00Z', { event_name: 'purchase', value: 40, order_id: 'O1' }),
        ev('2026-01-14T10:00:00Z', { page_url: `${site}/?gclid=G1` }),
        ev('2026-01-14T10:01:00Z', { event_name: 'purchase', value: 40, order_id: 'O1' }),
        ev('2026-01-14T10:02:00Z', { event_name: 'purchase', value: 25, order_id: 'O0' }),
      ]],
    ];
    const { daily, full } = await dailyAndFull(byDay, horizon(0));
    await expectSameTables(daily, full);
    // The last run did start at the session open at its horizon (the 14th): 23:55 on the 13th (a
    // campaign-change start within the visit that began at 23:40), numbered after the person's 4 earlier sessions.
    expect(await daily.rows(`SELECT CAST(from_ts AS VARCHAR) AS from_ts, CAST(session_base AS INTEGER) AS base, reason FROM dirty_starts`)).toEqual([{ from_ts: '2026-01-13 23:55:00+00', base: 4, reason: 'session' }]);
    const s = await daily.rows(`SELECT session_index, event_count FROM sessions ORDER BY session_start`);
    expect(s.map((r) => [r.session_index, r.event_count])).toEqual([[1, 3], [2, 3], [3, 1], [4, 1], [5, 2], [6, 3]]);
    // G1 landed four times: its sessions are the click id's 1st … 4th ('', :2, :3, :4)
    const ids = await full.rows(`SELECT count(DISTINCT session_id)::INTEGER AS n FROM sessions WHERE click_id = 'G1'`);
    expect(ids).toEqual([{ n: 4 }]);
    const orders = await daily.rows(`SELECT order_id, duplicate_events::INTEGER AS dups FROM conversions ORDER BY order_id`);
    expect(orders).toEqual([{ order_id: 'O0', dups: 1 }, { order_id: 'O1', dups: 1 }]);
  });

  it('starts N days before the slice with rebuild_horizon_days: N', async () => {
    const byDay = ['2026-02-01', '2026-02-02', '2026-02-03', '2026-02-04'].map((d): [string, RawRow[]] => [d, [ev(`${d}T08:00:00Z`), ev(`${d}T08:10:00Z`)]]);
    const { daily, full } = await dailyAndFull(byDay, horizon(1));
    // the run of the 4th: horizon the 3rd, so the start is the person's last session before it, the 2nd's
    expect(await daily.rows(`SELECT CAST(from_ts AS VARCHAR) AS from_ts, CAST(session_base AS INTEGER) AS base FROM dirty_starts`)).toEqual([{ from_ts: '2026-02-02 08:00:00+00', base: 1 }]);
    await expectSameTables(daily, full);
  });

  it('without a horizon, rebuilds whole persons as before (dirty_starts has no start)', async () => {
    const daily = await journeys({ lookback: { late_data_days: 0 } });
    await daily.insert([ev('2026-03-01T08:00:00Z')]);
    await daily.run('2026-03-01', '2026-03-02');
    await daily.insert([ev('2026-03-02T08:00:00Z')]);
    await daily.run('2026-03-02', '2026-03-03');
    expect(await daily.rows(`SELECT from_ts, CAST(session_base AS INTEGER) AS base, reason FROM dirty_starts`)).toEqual([{ from_ts: null, base: 0, reason: 'whole' }]);
    expect((await daily.rows(`SELECT session_index FROM sessions ORDER BY session_start`)).map((r) => r.session_index)).toEqual([1, 2]);
  });

  it('loses no event when a login merges persons, and defers merges older than the horizon to a full refresh', async () => {
    const byDay: Array<[string, RawRow[]]> = [
      // a1 browses on the 10th and the 12th; u1 logs in from a2 on the 11th, then from a1 on the 14th
      ['2026-01-10', [ev('2026-01-10T10:00:00Z', { anonymous_id: 'a1' })]],
      ['2026-01-11', [ev('2026-01-11T09:00:00Z', { anonymous_id: 'a2' }), ev('2026-01-11T10:00:00Z', { anonymous_id: 'a2', user_id: 'u1', event_name: 'login' })]],
      ['2026-01-12', [ev('2026-01-12T10:05:00Z', { anonymous_id: 'a1' })]],
      ['2026-01-13', []],
      // the run of the 14th: horizon the 13th, F the 12th. u1's person has no session since F, a1's has
      // the 12th's, which now belongs to u1's person: both start at F, so the 12th's event is rebuilt under u1.
      ['2026-01-14', [ev('2026-01-14T10:00:00Z', { anonymous_id: 'a1', user_id: 'u1', event_name: 'login' })]],
    ];
    const { daily, full } = await dailyAndFull(byDay, horizon(1));
    // the last run: u1's person and a1's old one both had events since F change owner
    expect((await daily.rows(`SELECT reason FROM dirty_starts`)).map((r) => r.reason)).toEqual(['moved', 'moved']);
    const keys = async (j: Journeys) => (await j.rows(`SELECT event_key FROM session_events ORDER BY event_key`)).map((r) => r.event_key);
    // every journey event is in exactly one row
    expect(await keys(daily)).toEqual(await keys(full));
    const [dup] = await daily.rows(`SELECT count(*)::INTEGER AS n FROM (SELECT event_key FROM session_events GROUP BY event_key HAVING count(*) > 1) AS d`);
    expect(dup).toEqual({ n: 0 });
    // a1's events since F moved to u1's person; the 10th's stays under a1's old person until a full
    // refresh — and a full refresh puts it with the rest.
    const persons = async (j: Journeys) => (await j.rows(`SELECT CAST(event_ts AS VARCHAR) AS ts, person_id FROM session_events ORDER BY event_ts`)).map((r) => r.person_id);
    const [d, f] = [await persons(daily), await persons(full)];
    expect(new Set(f).size).toBe(1);
    expect(d.slice(1)).toEqual(f.slice(1));
    expect(d[0]).not.toBe(f[0]);
    await daily.run('2026-01-10', '2026-01-15', { fullRefresh: true });
    await expectSameTables(daily, full);
  });

  it("takes an event's owner from its user id before its anonymous id: a device cut from its users moves no user's events", async () => {
    const byDay: Array<[string, RawRow[]]> = [
      // u1 logs in on the shared device d1 on the 10th and the 11th: one person, named after u1
      ['2026-01-10', [ev('2026-01-10T10:00:00Z', { anonymous_id: 'd1', user_id: 'u1', event_name: 'login' })]],
      ['2026-01-11', [ev('2026-01-11T10:00:00Z', { anonymous_id: 'd1', user_id: 'u1' })]],
      // u2 logs in on d1: three ids over a cap of two, d1 is a shared device and loses its links. The
      // events of the 10th and the 11th still belong to u1's person (their user id's), so nothing of
      // theirs moved: u1's person starts at its session before the horizon, not at F.
      ['2026-01-12', [ev('2026-01-12T10:00:00Z', { anonymous_id: 'd1', user_id: 'u2', event_name: 'login' })]],
    ];
    const { daily, full } = await dailyAndFull(byDay, { ...horizon(1), identity: { max_ids_per_person: 2 } });
    const [capped] = await daily.rows(`SELECT count(*)::INTEGER AS n FROM identity_excess`);
    expect(capped!.n).toBeGreaterThan(0);
    const reasons = (await daily.rows(`SELECT reason FROM dirty_starts ORDER BY reason`)).map((r) => r.reason);
    expect(reasons).toContain('session');
    expect(reasons).not.toContain('moved');
    await expectSameTables(daily, full);
  });

  it('moves the horizon back to a date identity caught up on, and drops it when identity recomputed every id', async () => {
    const j = await journeys(horizon(0));
    for (const day of ['2026-05-01', '2026-05-02', '2026-05-03', '2026-05-04', '2026-05-05']) {
      await j.insert([ev(`${day}T08:00:00Z`)]);
      await j.run(day, addDays(day, 1));
    }
    // As if a run's events step rewrote the 2nd and its identity step then failed: the next run's
    // identity step reads the 2nd again (docs/journeys.md, "A failed run heals itself").
    await j.rows(`UPDATE _slice_writes SET write_id = 'a failed run' WHERE table_name = 'events' AND local_date = DATE '2026-05-02'`);
    await j.insert([ev('2026-05-06T08:00:00Z')]);
    await j.run('2026-05-06', '2026-05-07');
    expect(await j.rows(`SELECT CAST(from_date AS VARCHAR) AS d, whole FROM identity_reads`)).toEqual([{ d: '2026-05-02', whole: false }]);
    // horizon the 2nd, not the 6th: the start is the last session before it, the 1st's
    expect(await j.rows(`SELECT CAST(from_ts AS VARCHAR) AS from_ts, CAST(session_base AS INTEGER) AS base FROM dirty_starts`)).toEqual([{ from_ts: '2026-05-01 08:00:00+00', base: 0 }]);
    // identity's state rebuilt (here: its settings record changed): every person whole
    await j.rows(`UPDATE identity_state SET settings = 'older settings' WHERE TRUE`);
    await j.insert([ev('2026-05-07T08:00:00Z')]);
    await j.run('2026-05-07', '2026-05-08');
    expect(await j.rows(`SELECT whole FROM identity_reads`)).toEqual([{ whole: true }]);
    expect(await j.rows(`SELECT count(from_ts)::INTEGER AS n FROM dirty_starts`)).toEqual([{ n: 0 }]);
    expect((await j.rows(`SELECT session_index FROM sessions ORDER BY session_start`)).map((r) => r.session_index)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('takes the earlier start of a run that did not finish its persons', async () => {
    const j = await journeys(horizon(0));
    for (const day of ['2026-04-01', '2026-04-02', '2026-04-03']) {
      await j.insert([ev(`${day}T08:00:00Z`)]);
      await j.run(day, addDays(day, 1));
    }
    // As if the run of the 3rd (start: the 2nd's session) stopped after session_events: its batch is not recorded as done.
    await j.rows(`DELETE FROM dirty_persons_done WHERE TRUE`);
    await j.insert([ev('2026-04-04T08:00:00Z')]);
    await j.run('2026-04-04', '2026-04-05');
    // the run of the 4th alone would start at the 3rd's session
    expect(await j.rows(`SELECT CAST(from_ts AS VARCHAR) AS from_ts, CAST(session_base AS INTEGER) AS base, reason FROM dirty_starts`)).toEqual([{ from_ts: '2026-04-02 08:00:00+00', base: 1, reason: 'unfinished' }]);
    expect((await j.rows(`SELECT session_index FROM sessions ORDER BY session_start`)).map((r) => r.session_index)).toEqual([1, 2, 3, 4]);
  });
});
