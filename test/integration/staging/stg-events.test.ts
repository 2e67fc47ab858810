import { join } from 'node:path';
import { formatInTimeZone } from 'date-fns-tz';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureRawTables, RAW_TABLES } from '../../../pipelines/extract/raw-tables.ts';
import { SQL_DIR } from '../../../pipelines/definition.ts';
import { materialize, readTransform } from '../../../transforms/index.ts';
import type { ColumnSpec } from '../../../warehouse/index.ts';
import { openDuckDb, type DuckDbWarehouse } from '../../../warehouse/duckdb/index.ts';
import { tempDir, type TempDir } from '../../helpers/tmp.ts';

let dir: TempDir;
let w: DuckDbWarehouse;
beforeEach(async () => {
  dir = tempDir();
  w = await openDuckDb({ path: join(dir.path, 'wh.duckdb') });
  await ensureRawTables(w);
});
afterEach(async () => {
  await w.close();
  dir.remove();
});

const stg = readTransform(join(SQL_DIR, 'staging', 'stg_events.sql'), 'staging');
// events: the first table sliced by local date (stg_events is a view over the whole raw layer)
const events = readTransform(join(SQL_DIR, 'identity', 'events.sql'), 'identity');

type RawEvent = { event_id: string; event_ts: string; page_url?: string; referrer?: string; user_agent?: string; consent_analytics?: boolean | null };

async function load(rows: RawEvent[]): Promise<void> {
  const cols = Object.keys(RAW_TABLES.raw_events) as Array<keyof typeof RAW_TABLES.raw_events>;
  const types: Record<string, ColumnSpec['type']> = { line: 'bigint', loaded_at: 'timestamptz', event_ts: 'timestamptz', value: 'double', consent_analytics: 'boolean', consent_ads: 'boolean' };
  const specs = cols.map((name) => ({ name, type: types[name] ?? 'varchar' }) as ColumnSpec);
  await w.appendRows('raw_events', specs, rows.map((r, i) => cols.map((c) => {
    switch (c) {
      case 'load_id': return 'L1';
      case 'file': return 'f.ndjson';
      case 'line': return i + 1;
      case 'loaded_at': return Date.UTC(2026, 11, 1);
      case 'event_ts': return Date.parse(r.event_ts);
      case 'event_name': return 'page_view';
      case 'source': return 'client';
      case 'anonymous_id': return 'a1';
      default: return (r as Record<string, unknown>)[c] ?? null;
    }
  })));
}

async function stage(timeZone: string, from: string, to: string) {
  await materialize(w, stg, { dialect: w.dialect, slice: { from, to }, timeZone, fullRefresh: false, vars: {} });
  return w.query(`SELECT * FROM stg_events ORDER BY event_ts, event_id`);
}

describe('stg_events', () => {
  it('parses UTM parameters, decoding them, case-insensitively', async () => {
    await load([{ event_id: 'e1', event_ts: '2026-01-10T12:00:00Z', page_url: 'https://shop.example.com/p/shoes?UTM_Source=Google&utm_medium=CPC&utm_campaign=Spring%20Sale&utm_term=red+shoes&utm_content=ad_1&utm_id=c-42#top', referrer: 'https://www.google.com/search?q=x' }]);
    const [r] = await stage('UTC', '2026-01-01', '2026-02-01');
    expect(r).toMatchObject({
      event_key: 'L1:1', local_date: '2026-01-10', page_host: 'shop.example.com', page_path: '/p/shoes',
      utm_source: 'google', utm_medium: 'cpc', utm_campaign: 'Spring Sale', utm_term: 'red shoes', utm_content: 'ad_1', utm_id: 'c-42',
      referrer_host: 'www.google.com', click_id: null, click_platform: null, is_bot: false, has_analytics_consent: true,
    });
  });

  it.each([
    ['gclid', 'google_ads'], ['gbraid', 'google_ads'], ['wbraid', 'google_ads'], ['fbclid', 'meta'], ['msclkid', 'microsoft_ads'],
    ['li_fat_id', 'linkedin'], ['ttclid', 'tiktok'], ['epik', 'pinterest'], ['rdt_cid', 'reddit'], ['twclid', 'x'],
  ])('reads the click id %s as platform %s', async (param, platform) => {
    await load([{ event_id: 'e1', event_ts: '2026-01-10T12:00:00Z', page_url: `https://shop.example.com/?a=1&${param}=Cj0KCQ_abc-123` }]);
    const [r] = await stage('UTC', '2026-01-01', '2026-02-01');
    expect(r).toMatchObject({ click_id_param: param, click_id: 'Cj0KCQ_abc-123', click_platform: platform });
  });

  it('treats a referrer from the site itself as no referrer, and flags bots by user agent', async () => {
    await load([
      { event_id: 'e1', event_ts: '2026-01-10T12:00:00Z', page_url: 'https://shop.example.com/b', referrer: 'https://shop.example.com/a', user_agent: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' },
      { event_id: 'e2', event_ts: '2026-01-10T12:00:01Z', page_url: 'https://shop.example.com/b', referrer: 'https://user:pw@News.Example.org:8443/x', user_agent: 'Mozilla/5.0 (Macintosh) Safari/605.1.15', consent_analytics: false },
    ]);
    const rows = await stage('UTC', '2026-01-01', '2026-02-01');
    expect(rows.map((r) => [r.referrer_host, r.is_bot, r.has_analytics_consent])).toEqual([[null, true, true], ['news.example.org', false, false]]);
  });

  // Each instant is 30 minutes either side of local midnight on the days clocks change.
  it.each([
    // America/New_York: DST starts 2026-03-08 02:00 EST (-5 → -4), ends 2026-11-01 02:00 EDT (-4 → -5)
    ['America/New_York', '2026-03-08T04:30:00Z', '2026-03-07'],
    ['America/New_York', '2026-03-08T05:30:00Z', '2026-03-08'],
    ['America/New_York', '2026-03-09T03:30:00Z', '2026-03-08'],
    ['America/New_York', '2026-03-09T04:30:00Z', '2026-03-09'],
    ['America/New_York', '2026-11-01T03:30:00Z', '2026-10-31'],
    ['America/New_York', '2026-11-01T04:30:00Z', '2026-11-01'],
    ['America/New_York', '2026-11-02T04:30:00Z', '2026-11-01'],
    ['America/New_York', '2026-11-02T05:30:00Z', '2026-11-02'],
    // Europe/Berlin: DST starts 2026-03-29 02:00 CET (+1 → +2), ends 2026-10-25 03:00 CEST (+2 → +1)
    ['Europe/Berlin', '2026-03-28T22:30:00Z', '2026-03-28'],
    ['Europe/Berlin', '2026-03-28T23:30:00Z', '2026-03-29'],
    ['Europe/Berlin', '2026-03-29T21:30:00Z', '2026-03-29'],
    ['Europe/Berlin', '2026-03-29T22:30:00Z', '2026-03-30'],
    ['Europe/Berlin', '2026-10-24T21:30:00Z', '2026-10-24'],
    ['Europe/Berlin', '2026-10-24T22:30:00Z', '2026-10-25'],
    ['Europe/Berlin', '2026-10-25T22:30:00Z', '2026-10-25'],
    ['Europe/Berlin', '2026-10-25T23:30:00Z', '2026-10-26'],
  ])('in %s the instant %s is on local date %s, and a one-day slice of events holds exactly its day', async (tz, instant, date) => {
    await load([{ event_id: 'e1', event_ts: instant }]);
    const [all] = await stage(tz, '2026-01-01', '2027-01-01');
    expect(all!.local_date).toBe(date);
    const next = new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    const slice = async (from: string, to: string) => {
      await w.exec('DROP TABLE IF EXISTS events');
      await materialize(w, events, { dialect: w.dialect, slice: { from, to }, timeZone: tz, fullRefresh: false, vars: { cross_tracker_tolerance_seconds: 2, copy_window_hours: 24 }, macros: { hash_id: (e) => String(e) } });
      return w.query<{ local_date: string }>('SELECT local_date FROM events');
    };
    expect(await slice(date, next)).toEqual([{ local_date: date }]);
    expect(await slice(next, '2027-01-01')).toEqual([]);
  });

  it.each(['America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe'])('agrees with date-fns-tz on the local date of 2,000 instants through 2026 in %s', async (tz) => {
    const instants = Array.from({ length: 2000 }, (_, i) => Date.UTC(2026, 0, 1) + i * 4 * 3_600_000 + (i % 7) * 1_740_000);
    await load(instants.map((t, i) => ({ event_id: `e${i}`, event_ts: new Date(t).toISOString() })));
    const rows = await stage(tz, '2025-12-30', '2027-01-02');
    expect(rows).toHaveLength(instants.length);
    const byId = new Map(rows.map((r) => [r.event_id, r.local_date]));
    const mismatches = instants.filter((t, i) => byId.get(`e${i}`) !== formatInTimeZone(t, tz, 'yyyy-MM-dd'));
    expect(mismatches).toEqual([]);
  });
});
