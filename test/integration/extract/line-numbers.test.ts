import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { extractFiles } from '../../../pipelines/extract/index.ts';
import { OPTS, testBed, type TestBed } from './helpers.ts';

const LINES = 50_000;
const BAD = new Set([1, 2, 777, 4_096, 4_097, 12_345, 33_333, 49_999, 50_000]);
const BLANK = new Set([3, 20_000, 20_001, 40_000]);

/** Line n: blank, broken JSON, or a valid event whose id says its line. */
function line(n: number): string {
  if (BLANK.has(n)) return n % 2 ? '  ' : '';
  if (BAD.has(n)) return `{"event_id":"bad-${n}",`;
  return JSON.stringify({ event_id: `line-${n}`, event_name: 'page_view', timestamp: '2024-03-01T10:00:00Z', source: n % 2 ? 'client' : 'server', anonymous_id: `a${n % 97}`, page_url: `https://shop.test/p/${n}` });
}

describe('extract: line numbers', () => {
  let bed: TestBed;
  beforeEach(async () => {
    bed = await testBed();
  });
  afterEach(async () => {
    await bed.close();
  });

  it(`are exact for a ${LINES}-line file with bad and blank lines at known positions (NDJSON and CSV)`, async () => {
    const lines = Array.from({ length: LINES }, (_, i) => line(i + 1));
    const nd = bed.file('big.ndjson', lines.join('\n') + '\n');
    const s = await extractFiles(bed.w, 'events', [nd], OPTS);
    expect(s.files[0]).toMatchObject({ rowsLoaded: LINES - BAD.size - BLANK.size, rowsRejected: BAD.size, blankLines: BLANK.size });

    const rejected = await bed.w.query<{ line: number; raw: string }>(`SELECT CAST(line AS INTEGER) AS line, raw FROM raw_rejected ORDER BY line`);
    expect(rejected.map((r) => r.line)).toEqual([...BAD].sort((a, b) => a - b));
    for (const r of rejected) expect(r.raw).toBe(`{"event_id":"bad-${r.line}",`);
    const [mis] = await bed.w.query<{ n: number }>(`SELECT CAST(count(*) AS INTEGER) AS n FROM raw_events WHERE event_id <> 'line-' || CAST(line AS VARCHAR)`);
    expect(mis!.n).toBe(0);

    // CSV: the header is line 1, so file line n + 1 holds event n.
    const csv = ['event_id,event_name,timestamp,source,anonymous_id', ...Array.from({ length: LINES }, (_, i) => `line-${i + 2},page_view,${BAD.has(i + 1) ? 'never' : '2024-03-01T10:00:00Z'},client,a1`)];
    const c = await extractFiles(bed.w, 'events', [bed.file('big.csv', csv.join('\n') + '\n')], OPTS);
    const [csvMis] = await bed.w.query<{ n: number }>(`SELECT CAST(count(*) AS INTEGER) AS n FROM raw_events WHERE load_id = $1 AND event_id <> 'line-' || CAST(line AS VARCHAR)`, [c.files[0]!.loadId]);
    expect(csvMis!.n).toBe(0);
    const csvRejected = await bed.w.query<{ line: number }>(`SELECT CAST(line AS INTEGER) AS line FROM raw_rejected WHERE load_id = $1 ORDER BY line`, [c.files[0]!.loadId]);
    expect(csvRejected.map((r) => r.line)).toEqual([...BAD].sort((a, b) => a - b).map((n) => n + 1));
  });

  it('are exact per file when several NDJSON files load in one batch, with one ledger row per file', async () => {
    const sizes = [20_000, 7, 15_000];
    const paths = sizes.map((n, f) => bed.file(`day-${f}.ndjson`, Array.from({ length: n }, (_, i) => line(i + 1).replace(/line-(\d+)/, `f${f}-line-$1`).replace(/bad-(\d+)/, `f${f}-bad-$1`)).join('\n') + '\n'));
    const s = await extractFiles(bed.w, 'events', paths, OPTS);
    const expectedBad = sizes.map((n) => [...BAD].filter((b) => b <= n).sort((a, b) => a - b));
    const expectedBlank = sizes.map((n) => [...BLANK].filter((b) => b <= n).length);
    s.files.forEach((f, i) => {
      expect(f.path).toBe(paths[i]);
      expect(f).toMatchObject({ skipped: false, rowsRejected: expectedBad[i]!.length, blankLines: expectedBlank[i], rowsLoaded: sizes[i]! - expectedBad[i]!.length - expectedBlank[i]! });
    });
    for (const [i, f] of s.files.entries()) {
      const rejected = await bed.w.query<{ line: number; raw: string }>(`SELECT CAST(line AS INTEGER) AS line, raw FROM raw_rejected WHERE load_id = $1 AND file = $2 ORDER BY line`, [f.loadId, f.path]);
      expect(rejected.map((r) => r.line)).toEqual(expectedBad[i]);
      for (const r of rejected) expect(r.raw).toBe(`{"event_id":"f${i}-bad-${r.line}",`);
      const [mis] = await bed.w.query<{ n: number; total: number }>(
        `SELECT CAST(count(*) FILTER (WHERE event_id <> $2 || CAST(line AS VARCHAR)) AS INTEGER) AS n, CAST(count(*) AS INTEGER) AS total FROM raw_events WHERE load_id = $1`,
        [f.loadId, `f${i}-line-`],
      );
      expect(mis).toEqual({ n: 0, total: f.rowsLoaded });
    }
    const ledger = await bed.w.query<{ file: string; rows_loaded: number; rows_rejected: number }>(`SELECT file, CAST(rows_loaded AS INTEGER) AS rows_loaded, CAST(rows_rejected AS INTEGER) AS rows_rejected FROM _beamline_loads ORDER BY file`);
    expect(ledger).toEqual(s.files.map((f) => ({ file: f.path, rows_loaded: f.rowsLoaded, rows_rejected: f.rowsRejected })));
    // Loading the batch again adds nothing.
    const again = await extractFiles(bed.w, 'events', paths, OPTS);
    expect(again.files.every((f) => f.skipped)).toBe(true);
  });

  it('are exact per file when CSV files with one header load in one batch; another header loads on its own, an unreadable file is named and the rest still load', async () => {
    const header = 'event_id,event_name,timestamp,source,anonymous_id';
    const csvFile = (name: string, f: number, n: number, head = header) =>
      bed.file(name, [head, ...Array.from({ length: n }, (_, i) => `f${f}-line-${i + 2},page_view,${BAD.has(i + 1) ? 'never' : '2024-03-01T10:00:00Z'},client,a1`)].join('\n') + '\n');
    const same = [csvFile('a.csv', 0, 5_000), csvFile('b.csv', 1, 3), csvFile('c.csv', 2, 800)];
    const other = csvFile('d.csv', 3, 50, 'Event_ID,Event_Name,Timestamp,Source,Anonymous_ID'); // columns match case-insensitively
    const reads = recordReads(bed);
    const s = await extractFiles(bed.w, 'events', [...same, other], OPTS);
    // the batch's three files are read by one scan, not one statement per file, and validated as read (no copy of their rows)
    expect(reads.filter((sql) => sql.includes('read_csv([')).length).toBe(1);
    expect(reads.filter((sql) => sql.includes('_beamline_extract_rows'))).toEqual([]);
    // one batch: its files share one load's duration; the other header loaded by itself
    expect(new Set(s.files.slice(0, 3).map((f) => f.durationMs)).size).toBe(1);
    expect(s.files[3]!.durationMs).not.toBe(s.files[0]!.durationMs);
    for (const [i, f] of s.files.entries()) {
      const n = [5_000, 3, 800, 50][i]!;
      const bad = [...BAD].filter((b) => b <= n).sort((a, b) => a - b);
      expect(f).toMatchObject({ skipped: false, rowsLoaded: n - bad.length, rowsRejected: bad.length });
      const [mis] = await bed.w.query<{ n: number; total: number }>(
        `SELECT CAST(count(*) FILTER (WHERE event_id <> $2 || CAST(line AS VARCHAR)) AS INTEGER) AS n, CAST(count(*) AS INTEGER) AS total FROM raw_events WHERE load_id = $1`,
        [f.loadId, `f${i}-line-`],
      );
      expect(mis).toEqual({ n: 0, total: n - bad.length });
      const rejected = await bed.w.query<{ line: number; file: string }>(`SELECT CAST(line AS INTEGER) AS line, file FROM raw_rejected WHERE load_id = $1 ORDER BY line`, [f.loadId]);
      expect(rejected).toEqual(bad.map((b) => ({ line: b + 1, file: f.path })));
    }

    // A batch with an unreadable file (invalid UTF-8): the batch falls back to file by file.
    const good = [csvFile('e.csv', 4, 100), csvFile('f.csv', 5, 100)];
    const broken = bed.file('g.csv', Buffer.concat([Buffer.from(`${header}\nx1,page_view,2024-03-01T10:00:00Z,client,a`), Buffer.from([0xff, 0xfe, 0x0a])]));
    reads.length = 0;
    const err = await extractFiles(bed.w, 'events', [good[0]!, broken, good[1]!], OPTS).catch((e: Error) => e);
    // the one scan failed, then the files were read one by one
    expect(reads.filter((sql) => sql.includes('read_csv([')).length).toBe(1);
    expect(reads.filter((sql) => sql.startsWith('INSERT INTO _beamline_extract_rows')).length).toBeGreaterThan(0);
    expect(String(err)).toMatch(/g\.csv/);
    expect(String(err)).not.toMatch(/[ef]\.csv/);
    const [loaded] = await bed.w.query<{ n: number }>(`SELECT CAST(count(*) AS INTEGER) AS n FROM raw_events WHERE event_id LIKE 'f4-%' OR event_id LIKE 'f5-%'`);
    expect(loaded!.n).toBe(2 * (100 - [...BAD].filter((b) => b <= 100).length));
  });
});

/** Records the statements that read files into the stage or the rows table (the warehouse's exec, wrapped). */
function recordReads(bed: TestBed): string[] {
  const reads: string[] = [];
  const exec = bed.w.exec.bind(bed.w);
  bed.w.exec = (sql, params) => {
    if (/_beamline_extract_(rows|stage)/.test(sql) && sql.includes('read_csv(')) reads.push(sql);
    return exec(sql, params);
  };
  return reads;
}
