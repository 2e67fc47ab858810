/**
 * Input files with every kind of bad row, for checking that extract on BigQuery rejects the same rows
 * with the same reasons as on DuckDB. The event lines are those of the DuckDB suite
 * (test/integration/extract/events-validation.test.ts) plus the corners where two engines could part:
 * number spelling, escapes in reasons, whitespace, BOM, CRLF, top-level scalars, CSV quoting.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { event, FIXTURES, ndjson } from '../extract/helpers.ts';

const SQL = "'; DROP TABLE raw_events; --";

/** One line per case; objects are written as JSON, strings as they are. */
export const EVENT_LINES: readonly unknown[] = [
  event({ event_id: 'ok-sql-url', page_url: `https://shop.test/?q=${SQL}`, properties: { note: `1; SELECT * FROM raw_orders WHERE 1=1 ${SQL}` } }),
  '{bad json', '', '   ', '[1, 2, 3]', '"just a string"', '42', 'true', 'null', '\t{"event_id":"ws-lead"}',
  event({ event_id: undefined }), event({ event_id: { id: 1 } }), event({ event_id: 'has space' }), event({ event_id: "x';--" }),
  event({ event_id: 'x'.repeat(129) }), event({ event_id: 'nb\u00a0sp' }), event({ event_id: 'tab\there' }), event({ event_id: 'zw\u200bj' }),
  event({ event_name: `x${SQL}` }), event({ event_name: 'DROP TABLE raw_events;' }), event({ event_name: undefined }), event({ event_name: true }),
  event({ event_name: 42 }), event({ event_name: ['a'] }), event({ event_name: '' }),
  event({ timestamp: undefined }), event({ timestamp: '1900-01-01T00:00:00Z' }), event({ timestamp: '2999-01-01T00:00:00Z' }), event({ timestamp: 'not-a-date' }),
  event({ timestamp: '2024-03-01T10:00:00' }), event({ timestamp: '2024-02-30T10:00:00Z' }), event({ timestamp: 1709287200 }), event({ timestamp: { t: 1 } }),
  event({ timestamp: '2024-03-01 10:00:00+0100' }), event({ timestamp: '2024-03-01T10:00:00.123456+05:30' }), event({ timestamp: '2024-03-01T10:00' }),
  event({ timestamp: '2025-01-01T23:59:59Z' }), event({ timestamp: '2025-01-02T00:00:01Z' }),
  event({ source: 'web' }), event({ source: undefined }), event({ source: ' SkyBeam ' }), event({ source: 7 }),
  event({ anonymous_id: undefined }), event({ anonymous_id: 'a'.repeat(257) }), event({ anonymous_id: undefined, user_id: 42 }), event({ user_id: ['u'] }),
  event({ user_id: true }), event({ session_id: { s: 1 } }), event({ session_id: 's'.repeat(257) }),
  event({ page_url: 'https://x.test/' + 'p'.repeat(8200) }), event({ page_url: { u: 1 } }), event({ referrer: ['r'] }), event({ user_agent: 'M'.repeat(2049) }),
  event({ value: -1 }), event({ value: 5e12 }), JSON.stringify(event({ value: 0 })).replace('"value":0', '"value":1e400'),
  JSON.stringify(event({ value: 0 })).replace('"value":0', '"value":-1.50'), JSON.stringify(event({ event_id: 0 })).replace('"event_id":0', '"event_id":1.50'),
  JSON.stringify(event({ value: 0 })).replace('"value":0', '"value":12345678901234567890'), JSON.stringify(event({ user_id: 0 })).replace('"user_id":0', '"user_id":1e21'), event({ value: 'abc' }), event({ value: 'NaN' }), event({ value: true }),
  event({ value: ' 12 ' }), event({ value: '1,000' }), event({ value: '0x10' }), event({ value: [1] }), event({ value: '' }), event({ value: null }),
  event({ value: 10, currency: 'dollars' }), event({ value: 10, currency: 'eur' }), event({ currency: 123 }),
  event({ order_id: 'o'.repeat(129) }), event({ order_id: { o: 1 } }), event({ order_id: 77 }),
  event({ consent: 'yes' }), event({ consent: { analytics: 'yes', ads: true } }), event({ consent: { analytics: true, ads: 1 } }), event({ consent: [true] }),
  event({ consent: { analytics: { x: 1 } } }), event({ consent: null }), event({ consent: { analytics: null, ads: false } }), event({ consent: {} }),
  event({ properties: [1, 2] }), event({ properties: { blob: 'b'.repeat(70_000) } }), event({ properties: 'text' }),
  JSON.stringify(event({ properties: {} })).replace('"properties":{}', '"properties":{"n": 1.5, "s": "\\u00e9", "a": [1, {"b": null}]}'),
  event({ event_id: 'quote"and\\backslash\nnewline' }), event({ event_id: 'é'.repeat(150) }), event({ event_name: `x${'<>&'.repeat(40)}` }),
  '{"event_id":"dup","event_id":"dup2","event_name":"page_view","timestamp":"2024-03-01T10:00:00Z","source":"client","anonymous_id":"a"}',
  event({ event_id: 'ok-purchase', event_name: 'purchase', source: 'skybeam', anonymous_id: undefined, user_id: 42, value: '49.90', currency: 'eur', order_id: 'ord-1', consent: { analytics: true, ads: false } }),
  event({ event_id: 12345, source: 'ClickBeam', value: 0, timestamp: '2024-03-01T12:00:00.123456+05:30' }),
  event({ event_id: 'ok-value-default-currency', event_name: 'lead', value: 10, user_id: 'u-1', consent: { analytics: null } }),
];

/** The events NDJSON file: a byte-order mark on line 1 and a CRLF on one line. */
export function eventsNdjson(): string {
  const text = ndjson(EVENT_LINES);
  return `\uFEFF${text.replace('\n', '\r\n')}`;
}

/** An events CSV: flat consent columns, JSON properties, quoting, a record over two lines, a blank line, a short row. */
export const EVENTS_CSV = [
  'event_id,event_name,timestamp,source,anonymous_id,user_id,value,currency,order_id,consent_analytics,consent_ads,properties',
  'c-1,page_view,2024-03-01T10:00:00Z,client,a1,,,,,,,',
  'c-2,purchase,2024-03-01T10:00:00Z,server,a1,u1,49.90,eur,o-1,yes,no,"{""coupon"": ""X"", ""n"": 1.5}"',
  'c-3,page_view,not-a-date,client,a1,,,,,,,',
  'c-4,page_view,2024-03-01T10:00:00Z,client,a1,,,,,maybe,,',
  'c-5,page_view,2024-03-01T10:00:00Z,client,a1,,,,,1,0,[1]',
  'c-6,page_view,2024-03-01T10:00:00Z,client,a1,,,,,,,not json',
  '"c-7","page_view","2024-03-01T10:00:00Z","client","a1","","12","","","TRUE","false","{}"',
  '',
  'c 8,page_view,2024-03-01T10:00:00Z,client,a1,,,,,,,',
  'c-9,page_view,2024-03-01T10:00:00Z,web,a1',
  '"c-10","page_view","2024-03-01T10:00:00Z","client","multi',
  'line",,abc,,,,,',
  'c-11,page_view,2024-03-01T10:00:00Z,client,,,,,,,,',
  'c-12,page_view,2024-03-01T10:00:00Z,client,"a ""quoted"" id",,-3,,,,,',
].join('\n') + '\n';

export const SPEND_NDJSON = ndjson([
  ...['google', 'AdWords', 'Facebook', 'instagram', 'bing', 'Microsoft Ads', 'linkedin', 'TikTok', 'pinterest', 'reddit', 'twitter', 'X', 'myspace', ' meta-ads '].map((platform, i) => ({ date: '2024-03-01', platform, campaign_id: `c${i}`, spend: '10', impressions: 100, clicks: 3 })),
  { date: '2024-02-31', platform: 'meta', campaign_id: 'x', spend: 1 }, { date: '2024-03-01', platform: 'meta', spend: 1 },
  { date: '3/1/2024', platform: 'meta', campaign_id: 'x', spend: '1,204.50', impressions: '12,034', clicks: '8.5' },
  { date: '13/1/2024', platform: 'meta', campaign_id: 'x', spend: 1 }, { date: '1999-12-31', platform: 'meta', campaign_id: 'x', spend: 1 },
  { date: '2025-01-03', platform: 'meta', campaign_id: 'x', spend: 1 }, { platform: 'meta', campaign_id: 'x', spend: 1 },
  { date: '2024-03-01', campaign_id: 'x', spend: 1 }, { date: '2024-03-01', platform: 'meta', campaign_id: 'x' },
  { date: '2024-03-01', platform: 'meta', campaign_id: 'x', spend: 'lots' }, { date: '2024-03-01', platform: 'meta', campaign_id: 'x', spend: -2 },
  { date: '2024-03-01', platform: 'meta', campaign_id: 'x', spend: 2e12 }, { date: '2024-03-01', platform: 'meta', campaign_id: 'x', spend: 1, currency: 'euro' },
  { date: '2024-03-01', platform: 'meta', campaign_id: 'x', spend: 1, impressions: -1 }, { date: '2024-03-01', platform: 'meta', campaign_id: 'i'.repeat(257), spend: 1 },
  { date: '2024-03-01', platform: 'meta', campaign_name: 'n'.repeat(1025), spend: 1 }, { date: '2024-03-01', platform: 'meta', campaign_id: 'x', spend: '1e400' },
  'not json',
]);

export const ORDERS_NDJSON = ndjson([
  { order_id: 'o-1', timestamp: '2024-03-01T10:00:00Z', revenue: '49.90', status: 'Complete' },
  { order_id: 'o 2', timestamp: '2024-03-01T10:00:00Z', revenue: 1, status: 'completed' },
  { order_id: { id: 1 }, timestamp: '2024-03-01T10:00:00Z', revenue: 1, status: 'completed' },
  { order_id: 'o-3', timestamp: '2024-03-01T10:00:00Z', revenue: 1e13, status: 'completed' },
  { order_id: 'o-4', timestamp: '2024-03-01T10:00:00Z', revenue: -5, status: 'refund', currency: 'gbp' },
  { order_id: 'o-5', timestamp: '2024-03-01T10:00:00Z', status: 'pending' },
  { order_id: 'o-6', timestamp: '2024-03-01T10:00:00Z', revenue: 'x', status: 'pending' },
  { order_id: 'o-7', revenue: 1, status: 'pending' }, { order_id: 'o-8', timestamp: '2024-03-01T10:00:00Z', revenue: 1 },
  { order_id: 'o-9', timestamp: '2024-03-01T10:00:00Z', revenue: 1, status: 'pending', currency: 'US' },
  { order_id: 123, timestamp: '2024-03-01T10:00:00Z', revenue: 1.23456, status: 'Canceled' },
  '[]',
]);

export const FX_NDJSON = ndjson([
  { date: '2024-03-01', currency: 'eur', rate: 1.08 }, { date: '2024-03-01', currency: 'EUR', rate: 0 }, { date: '2024-03-01', currency: 'EUR', rate: '-1' },
  { date: '03/01/2024', currency: ' gbp ', rate: '1.26' }, { currency: 'EUR', rate: 1 }, { date: '2024-03-01', rate: 1 }, { date: '2024-03-01', currency: 'EUR' },
  { date: '2024-03-01', currency: 'EUR', rate: 'NaN' }, { date: 'March 1', currency: 'EUR', rate: 1 }, '',
]);

/** The CSV fixtures of the DuckDB suite. */
export function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

/**
 * Where the two engines part, on purpose or by nature (docs/bigquery.md, "Where BigQuery differs"):
 * each line with what DuckDB and BigQuery's reference engine make of it.
 */
export const KNOWN_DIFFERENCES: ReadonlyArray<{ readonly what: string; readonly line: unknown; readonly duckdb: string; readonly bigquery: string }> = [
  {
    what: 'numbers inside an object keep their spelling on BigQuery (DuckDB rewrites them; BigQuery could only by reordering the keys)',
    line: JSON.stringify(event({ properties: {} })).replace('"properties":{}', '"properties":{"n": 1.50}'),
    duckdb: 'loaded: properties {"n":1.5}', bigquery: 'loaded: properties {"n":1.50}',
  },
  {
    what: 'a leap second: BigQuery takes 23:59:60 as the next midnight, DuckDB rejects it',
    line: event({ timestamp: '2024-03-01T23:59:60Z' }),
    duckdb: 'timestamp: not a valid date and time: "2024-03-01T23:59:60Z"', bigquery: 'loaded: event_ts 2024-03-02T00:00:00.000Z',
  },
  {
    what: 'an offset beyond ±14:00: BigQuery rejects it, DuckDB takes it',
    line: event({ timestamp: '2024-03-01T10:00:00+25:00' }),
    duckdb: 'loaded: event_ts 2024-02-29T09:00:00.000Z', bigquery: 'timestamp: not a valid date and time: "2024-03-01T10:00:00+25:00"',
  },
];
