import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { extractFiles } from '../../../pipelines/extract/index.ts';
import { event, ndjson, OPTS, testBed, type TestBed } from './helpers.ts';

const SQL = "'; DROP TABLE raw_events; --";
const ID_RULE = 'must not contain whitespace, quotes, semicolons or control characters';
const NAME_RULE = 'must match ^[A-Za-z][A-Za-z0-9_.:-]{0,63}$';

/** One line of the file and what must become of it: loaded, blank, or rejected with [field, reason]. */
type Expect = 'loaded' | 'blank' | [field: string, reason: string | RegExp];

const LINES: [unknown, Expect][] = [
  [event({ event_id: 'ok-sql-url', page_url: `https://shop.test/?q=${SQL}`, properties: { note: `1; SELECT * FROM raw_orders WHERE 1=1 ${SQL}` } }), 'loaded'],
  ['{bad json', ['(line)', 'invalid JSON']],
  ['', 'blank'],
  ['   ', 'blank'],
  ['[1, 2, 3]', ['(line)', 'not a JSON object, got array']],
  ['"just a string"', ['(line)', 'not a JSON object, got string']],
  [event({ event_id: undefined }), ['event_id', 'required']],
  [event({ event_id: { id: 1 } }), ['event_id', 'must be a string or number, got object']],
  [event({ event_id: 'has space' }), ['event_id', `${ID_RULE}: "has space"`]],
  [event({ event_id: "x';--" }), ['event_id', `${ID_RULE}: "x';--"`]],
  [event({ event_id: 'x'.repeat(129) }), ['event_id', /^longer than 128 characters: "x{100}"$/]],
  [event({ event_name: `x${SQL}` }), ['event_name', `${NAME_RULE}: "x${SQL}"`]],
  [event({ event_name: 'DROP TABLE raw_events;' }), ['event_name', `${NAME_RULE}: "DROP TABLE raw_events;"`]],
  [event({ event_name: undefined }), ['event_name', 'required']],
  [event({ event_name: true }), ['event_name', 'must be a string, got boolean']],
  [event({ timestamp: undefined }), ['timestamp', 'required']],
  [event({ timestamp: '1900-01-01T00:00:00Z' }), ['timestamp', 'implausible: before 2000-01-01: "1900-01-01T00:00:00Z"']],
  [event({ timestamp: '2999-01-01T00:00:00Z' }), ['timestamp', 'implausible: more than 1 day in the future: "2999-01-01T00:00:00Z"']],
  [event({ timestamp: 'not-a-date' }), ['timestamp', 'not an ISO 8601 timestamp with offset: "not-a-date"']],
  [event({ timestamp: '2024-03-01T10:00:00' }), ['timestamp', 'not an ISO 8601 timestamp with offset: "2024-03-01T10:00:00"']],
  [event({ timestamp: '2024-02-30T10:00:00Z' }), ['timestamp', 'not a valid date and time: "2024-02-30T10:00:00Z"']],
  [event({ timestamp: 1709287200 }), ['timestamp', 'not an ISO 8601 timestamp with offset: "1709287200"']],
  [event({ source: 'web' }), ['source', 'unknown source (expected client, server, clickbeam or skybeam): "web"']],
  [event({ source: undefined }), ['source', 'required']],
  [event({ anonymous_id: undefined }), ['anonymous_id', 'anonymous_id or user_id required']],
  [event({ anonymous_id: 'a'.repeat(257) }), ['anonymous_id', /^longer than 256 characters: /]],
  [event({ user_id: ['u'] }), ['user_id', 'must be a string or number, got array']],
  [event({ page_url: 'https://x.test/' + 'p'.repeat(8200) }), ['page_url', /^longer than 8192 characters: /]],
  [event({ user_agent: 'M'.repeat(2049) }), ['user_agent', /^longer than 2048 characters: /]],
  [event({ value: -1 }), ['value', 'must not be negative: "-1"']],
  [event({ value: 5e12 }), ['value', /^must not exceed 1000000000: "5/]],
  [JSON.stringify(event({ value: 0 })).replace('"value":0', '"value":1e400'), ['value', 'not a finite number: "1e400"']],
  [event({ value: 'abc' }), ['value', 'not a number: "abc"']],
  [event({ value: 'NaN' }), ['value', 'not a number: "NaN"']],
  [event({ value: true }), ['value', 'must be a number or numeric string, got boolean: "true"']],
  [event({ value: 10, currency: 'dollars' }), ['currency', 'not a 3-letter ISO 4217 code: "dollars"']],
  [event({ order_id: 'o'.repeat(129) }), ['order_id', /^longer than 128 characters: /]],
  [event({ consent: 'yes' }), ['consent', 'must be an object {analytics, ads}, got string: "yes"']],
  [event({ consent: { analytics: 'yes', ads: true } }), ['consent.analytics', 'must be a boolean, got string: "yes"']],
  [event({ consent: { analytics: true, ads: 1 } }), ['consent.ads', 'must be a boolean, got number: "1"']],
  [event({ properties: [1, 2] }), ['properties', 'must be an object, got array: "[1,2]"']],
  [event({ properties: { blob: 'b'.repeat(70_000) } }), ['properties', 'larger than 64 KB']],
  [event({ event_id: 'ok-purchase', event_name: 'purchase', source: 'skybeam', anonymous_id: undefined, user_id: 42, value: '49.90', currency: 'eur', order_id: 'ord-1', consent: { analytics: true, ads: false } }), 'loaded'],
  [event({ event_id: 12345, source: 'ClickBeam', value: 0, timestamp: '2024-03-01T12:00:00.123456+05:30' }), 'loaded'],
  [event({ event_id: 'ok-value-default-currency', event_name: 'lead', value: 10, user_id: 'u-1', consent: { analytics: null } }), 'loaded'],
];

describe('extract events: row validation', () => {
  let bed: TestBed;
  beforeEach(async () => {
    bed = await testBed();
  });
  afterEach(async () => {
    await bed.close();
  });

  it('loads every valid row and rejects each bad one with its line, field and reason', async () => {
    const path = bed.file('events.ndjson', ndjson(LINES.map(([row]) => row)));
    const summary = await extractFiles(bed.w, 'events', [path], OPTS);

    const rejected = await bed.w.query<{ line: number; field: string; reason: string; raw: string; kind: string; file: string }>(
      'SELECT CAST(line AS INTEGER) AS line, field, reason, raw, kind, file FROM raw_rejected ORDER BY line',
    );
    const byLine = new Map(rejected.map((r) => [r.line, r]));
    const loaded = await bed.w.query<{ line: number }>('SELECT CAST(line AS INTEGER) AS line FROM raw_events ORDER BY line');

    LINES.forEach(([row, expected], i) => {
      const line = i + 1;
      const got = byLine.get(line);
      if (expected === 'loaded' || expected === 'blank') {
        expect(got, `line ${line} should not be rejected`).toBeUndefined();
        return;
      }
      expect(got, `line ${line} should be rejected`).toBeDefined();
      expect([line, got!.field], `line ${line}`).toEqual([line, expected[0]]);
      if (typeof expected[1] === 'string') expect(got!.reason, `line ${line}`).toBe(expected[1]);
      else expect(got!.reason, `line ${line}`).toMatch(expected[1]);
      expect(got!.raw).toBe((typeof row === 'string' ? row : JSON.stringify(row)).slice(0, 2000));
      expect([got!.kind, got!.file]).toEqual(['events', path]);
    });
    const wantLoaded = LINES.flatMap(([, e], i) => (e === 'loaded' ? [i + 1] : []));
    expect(loaded.map((r) => r.line)).toEqual(wantLoaded);

    const file = summary.files[0]!;
    expect(file.rowsLoaded).toBe(wantLoaded.length);
    expect(file.blankLines).toBe(2);
    expect(file.rowsRejected).toBe(LINES.length - wantLoaded.length - 2);
    expect(file.rejectReasons['timestamp: not an ISO 8601 timestamp with offset']).toBe(3);
    expect(Object.values(file.rejectReasons).reduce((a, b) => a + b, 0)).toBe(file.rowsRejected);
  });

  it('stores SQL-looking text as data: no injection, every table still there', async () => {
    const path = bed.file('events.ndjson', ndjson(LINES.map(([row]) => row)));
    await extractFiles(bed.w, 'events', [path], OPTS);
    for (const t of ['raw_events', 'raw_rejected', 'raw_orders', '_beamline_loads']) expect(await bed.w.tableExists(t)).toBe(true);
    const [row] = await bed.w.query<{ page_url: string; properties: string }>(`SELECT page_url, properties FROM raw_events WHERE event_id = 'ok-sql-url'`);
    expect(row!.page_url).toBe(`https://shop.test/?q=${SQL}`);
    expect(JSON.parse(row!.properties)).toEqual({ note: `1; SELECT * FROM raw_orders WHERE 1=1 ${SQL}` });
  });

  it('normalises: clickbeam/skybeam, currency upper-cased or defaulted, consent, numeric ids', async () => {
    const path = bed.file('events.ndjson', ndjson(LINES.map(([row]) => row)));
    await extractFiles(bed.w, 'events', [path], OPTS);
    const rows = await bed.w.query(
      `SELECT event_id, source, user_id, value, currency, order_id, consent_analytics, consent_ads, CAST(event_ts AS VARCHAR) AS ts FROM raw_events WHERE event_id <> 'ok-sql-url' ORDER BY line`,
    );
    expect(rows).toEqual([
      { event_id: 'ok-purchase', source: 'server', user_id: '42', value: 49.9, currency: 'EUR', order_id: 'ord-1', consent_analytics: true, consent_ads: false, ts: '2024-03-01 10:00:00+00' },
      { event_id: '12345', source: 'client', user_id: null, value: 0, currency: 'USD', order_id: null, consent_analytics: null, consent_ads: null, ts: '2024-03-01 06:30:00.123456+00' },
      { event_id: 'ok-value-default-currency', source: 'client', user_id: 'u-1', value: 10, currency: 'USD', order_id: null, consent_analytics: null, consent_ads: null, ts: '2024-03-01 10:00:00+00' },
    ]);
    // (no payload hash is stored: `events` hashes the copies it compares, from these columns)
    const columns = await bed.w.query<{ name: string }>(`SELECT column_name AS name FROM information_schema.columns WHERE table_name = 'raw_events'`);
    expect(columns.map((c) => c.name)).not.toContain('payload_hash');
  });
});
