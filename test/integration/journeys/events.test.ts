import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openJourneys, type Journeys } from './harness.ts';
import { dumpTables } from './compare.ts';

let j: Journeys;
beforeEach(async () => {
  j = await openJourneys();
});
afterEach(async () => {
  await j.close();
});

const day = '2026-01-10';
const next = '2026-01-11';
const events = () => j.rows(`SELECT event_id, client_event_id, server_event_id, event_ts, sources, source_count, matched_by, natural_duplicates, synthetic_duplicates FROM events ORDER BY event_ts, event_id`);

describe('events: merging across trackers', () => {
  it('merges a shared event_id into one event, at the earliest capture, even seconds apart', async () => {
    await j.insert([
      { event_id: 'e1', ts: `${day}T12:00:03Z`, source: 'client' },
      { event_id: 'e1', ts: `${day}T12:00:00Z`, source: 'server' },
    ]);
    await j.run(day, next);
    expect(await events()).toEqual([
      { event_id: 'e1', client_event_id: 'e1', server_event_id: 'e1', event_ts: new Date(`${day}T12:00:00Z`), sources: ['client', 'server'], source_count: 2, matched_by: 'event_id', natural_duplicates: 0, synthetic_duplicates: 0 },
    ]);
  });

  it('merges different ids by visitor, event name and page within the tolerance, and not a near miss beyond it', async () => {
    await j.insert([
      { event_id: 'c1', ts: `${day}T12:00:00Z`, source: 'client', page_url: 'https://shop.example.com/a' },
      { event_id: 's1', ts: `${day}T12:00:01.500Z`, source: 'server', page_url: 'https://shop.example.com/a' },
      // near miss: 2.5 s apart (tolerance 2 s)
      { event_id: 'c2', ts: `${day}T13:00:00Z`, source: 'client', page_url: 'https://shop.example.com/b' },
      { event_id: 's2', ts: `${day}T13:00:02.500Z`, source: 'server', page_url: 'https://shop.example.com/b' },
      // other page, other visitor, other event name: never merged
      { event_id: 'c3', ts: `${day}T14:00:00Z`, source: 'client', page_url: 'https://shop.example.com/c' },
      { event_id: 's3', ts: `${day}T14:00:00.100Z`, source: 'server', page_url: 'https://shop.example.com/d' },
      { event_id: 's4', ts: `${day}T14:00:00.200Z`, source: 'server', page_url: 'https://shop.example.com/c', anonymous_id: 'a2' },
      { event_id: 's5', ts: `${day}T14:00:00.300Z`, source: 'server', page_url: 'https://shop.example.com/c', event_name: 'add_to_cart' },
    ]);
    await j.run(day, next);
    const rows = await events();
    expect(rows.map((r) => [r.client_event_id, r.server_event_id, r.matched_by])).toEqual([
      ['c1', 's1', 'fuzzy'],
      ['c2', null, null],
      [null, 's2', null],
      ['c3', null, null],
      [null, 's3', null],
      [null, 's4', null],
      [null, 's5', null],
    ]);
  });

  it('pairs each copy with its nearest counterpart, one to one (a page reloaded within the tolerance)', async () => {
    await j.insert([
      { event_id: 'c1', ts: `${day}T12:00:00Z`, source: 'client' },
      { event_id: 'c2', ts: `${day}T12:00:01Z`, source: 'client' },
      { event_id: 's1', ts: `${day}T12:00:00.200Z`, source: 'server' },
      { event_id: 's2', ts: `${day}T12:00:01.300Z`, source: 'server' },
    ]);
    await j.run(day, next);
    expect((await events()).map((r) => [r.client_event_id, r.server_event_id])).toEqual([['c1', 's1'], ['c2', 's2']]);
  });

  it('counts natural (same payload) and synthetic (changed payload) duplicates, keeping the earliest copy', async () => {
    await j.insert([
      { event_id: 'e1', ts: `${day}T12:00:00.400Z`, properties: '{"resent":true}' },
      { event_id: 'e1', ts: `${day}T12:00:00Z` },
      { event_id: 'e1', ts: `${day}T12:00:00Z` },
      { event_id: 'e1', ts: `${day}T12:00:00Z` },
      { event_id: 'e1', ts: `${day}T12:00:00.100Z`, source: 'server' },
      { event_id: 'e1', ts: `${day}T12:00:00.100Z`, source: 'server' },
    ]);
    await j.run(day, next);
    expect(await events()).toMatchObject([{ event_id: 'e1', event_ts: new Date(`${day}T12:00:00Z`), natural_duplicates: 3, synthetic_duplicates: 1, matched_by: 'event_id' }]);
    const [props] = await j.rows(`SELECT properties FROM events`);
    expect(props?.properties).toBeNull();
  });

  it('compares payloads from the rows, not from the payload_hash column an earlier version stored', async () => {
    await j.insert([
      { event_id: 'e1', ts: `${day}T12:00:00.400Z`, properties: '{"resent":true}' },
      { event_id: 'e1', ts: `${day}T12:00:00Z` },
      { event_id: 'e1', ts: `${day}T12:00:00Z` },
      { event_id: 'e2', ts: `${day}T13:00:00Z` },
    ]);
    // a raw_events table made before the hash moved out of extract, its stored hashes all alike (as if
    // every copy were a retry): the counts must still tell the changed payload from the retries
    await j.w.exec(`ALTER TABLE raw_events ADD COLUMN payload_hash VARCHAR`);
    await j.w.exec(`UPDATE raw_events SET payload_hash = 'same'`);
    await j.run(day, next);
    expect(await events()).toMatchObject([
      { event_id: 'e1', event_ts: new Date(`${day}T12:00:00Z`), natural_duplicates: 1, synthetic_duplicates: 1 },
      { event_id: 'e2', natural_duplicates: 0, synthetic_duplicates: 0 },
    ]);
    const hashes = await j.rows(`SELECT event_id, payload_hash FROM stg_events ORDER BY event_ts`);
    expect(hashes.map((r) => r.payload_hash)).toSatisfy((hs: unknown[]) => hs.every((h) => typeof h === 'string' && /^[0-9a-f]{32}$/.test(h)));
    expect(new Set(hashes.filter((r) => r.event_id === 'e1').map((r) => r.payload_hash)).size).toBe(2);
  });

  it('keeps bots and unconsented events, flagged', async () => {
    await j.insert([
      { event_id: 'b1', ts: `${day}T12:00:00Z`, user_agent: 'Googlebot/2.1' },
      { event_id: 'n1', ts: `${day}T12:05:00Z`, consent_analytics: false, anonymous_id: 'a9' },
      { event_id: 'n1', ts: `${day}T12:05:00.300Z`, source: 'server', consent_analytics: true, anonymous_id: 'a9' },
    ]);
    await j.run(day, next);
    expect(await j.rows(`SELECT event_id, is_bot, has_analytics_consent FROM events ORDER BY event_id`)).toEqual([
      { event_id: 'b1', is_bot: true, has_analytics_consent: true },
      { event_id: 'n1', is_bot: false, has_analytics_consent: false },
    ]);
    expect(await j.rows(`SELECT count(*)::INTEGER AS n FROM session_events`)).toEqual([{ n: 0 }]);
  });
});

describe('events: slice boundaries', () => {
  const rows = [
    // a cross-tracker pair straddling midnight (different ids: a fuzzy match)
    { event_id: 'c1', ts: `${day}T23:59:59.500Z`, source: 'client' as const, page_url: 'https://shop.example.com/x' },
    { event_id: 's1', ts: `${next}T00:00:00.800Z`, source: 'server' as const, page_url: 'https://shop.example.com/x' },
    // a re-send whose earlier copy is on the previous day
    { event_id: 'e2', ts: `${day}T23:59:59.900Z`, anonymous_id: 'a2' },
  ];
  const late = [{ event_id: 'e2', ts: `${next}T00:00:00.400Z`, anonymous_id: 'a2', properties: '{"resent":true}' }];

  it('ends day-by-day runs, with the late copy arriving a day later, in the tables of one full run', async () => {
    await j.insert(rows);
    await j.run(day, next);
    await j.run(next, '2026-01-12');
    await j.insert(late);
    await j.run('2026-01-12', '2026-01-13');
    const full = await openJourneys();
    try {
      await full.insert(rows);
      await full.insert(late);
      await full.run(day, '2026-01-13', { fullRefresh: true });
      expect(await dumpTables(j.rows)).toEqual(await dumpTables(full.rows));
    } finally {
      await full.close();
    }
    expect(await events()).toMatchObject([
      { client_event_id: 'c1', server_event_id: 's1', matched_by: 'fuzzy', event_ts: new Date(`${day}T23:59:59.500Z`) },
      { event_id: 'e2', synthetic_duplicates: 1, event_ts: new Date(`${day}T23:59:59.900Z`) },
    ]);
    expect(await j.rows(`SELECT local_date FROM events`)).toEqual([{ local_date: day }, { local_date: day }]);
  });
});

describe('events: the copy window (dedupe.copy_window_hours)', () => {
  const d = (n: number) => `2026-01-${String(10 + n).padStart(2, '0')}`;
  // a re-send 34 h after its first copy (inside a 24 h window of a one-day slice), and one 6 days after
  // (beyond the window and the 3-day late-data lookback that widens each run's slice)
  const rows = [
    { event_id: 'near', ts: `${d(0)}T10:00:00Z`, anonymous_id: 'a3' },
    { event_id: 'near', ts: `${d(1)}T20:00:00Z`, anonymous_id: 'a3', properties: '{"resent":true}' },
    { event_id: 'far', ts: `${d(0)}T11:00:00Z`, anonymous_id: 'a4' },
    { event_id: 'far', ts: `${d(6)}T11:00:00Z`, anonymous_id: 'a4', properties: '{"resent":true}' },
  ];
  const copies = (x: Journeys) => x.rows(`SELECT event_id, local_date, synthetic_duplicates FROM events ORDER BY event_id, local_date`);

  it('merges copies within the window whatever the slicing; a copy beyond it is its own row, in daily runs and in a full refresh', async () => {
    await j.insert(rows);
    for (let n = 0; n < 7; n++) await j.run(d(n), d(n + 1));
    const expected = [
      { event_id: 'far', local_date: d(0), synthetic_duplicates: 0 },
      { event_id: 'far', local_date: d(6), synthetic_duplicates: 0 },
      { event_id: 'near', local_date: d(0), synthetic_duplicates: 1 },
    ];
    expect(await copies(j)).toEqual(expected);
    // the counts stay BIGINT (a sum over counts would be HUGEINT in DuckDB: poorly read by BI tools)
    expect(await j.rows(`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'events' AND column_name LIKE '%_duplicates' ORDER BY 1`)).toEqual([
      { column_name: 'natural_duplicates', data_type: 'BIGINT' },
      { column_name: 'synthetic_duplicates', data_type: 'BIGINT' },
    ]);
    // (the full refresh computes each day on its own: events' slice_date)
    await j.run(d(0), d(7), { fullRefresh: true });
    expect(await copies(j)).toEqual(expected);
  });

  it('a window wider than the gap merges the far copy too, in daily runs and in a full refresh alike', async () => {
    const wide = await openJourneys({ dedupe: { copy_window_hours: 7 * 24 } });
    const full = await openJourneys({ dedupe: { copy_window_hours: 7 * 24 } });
    try {
      await wide.insert(rows);
      for (let n = 0; n < 7; n++) await wide.run(d(n), d(n + 1));
      await full.insert(rows);
      await full.run(d(0), d(7), { fullRefresh: true });
      expect(await copies(wide)).toEqual([
        { event_id: 'far', local_date: d(0), synthetic_duplicates: 1 },
        { event_id: 'near', local_date: d(0), synthetic_duplicates: 1 },
      ]);
      expect(await dumpTables(wide.rows)).toEqual(await dumpTables(full.rows));
    } finally {
      await wide.close();
      await full.close();
    }
  });
});
