import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TransformError } from '../../../lib/errors.ts';
import { materialize, readTransform, type RenderContext } from '../../../transforms/index.ts';
import { splitSlice } from '../../../transforms/render.ts';
import { duckdbDialect } from '../../../warehouse/dialect.ts';
import { openDuckDb, type DuckDbWarehouse } from '../../../warehouse/duckdb/index.ts';
import { tempDir, type TempDir } from '../../helpers/tmp.ts';

let dir: TempDir;
let w: DuckDbWarehouse;

beforeEach(async () => {
  dir = tempDir();
  w = await openDuckDb({ path: `${dir.path}/wh.duckdb` });
  await w.exec(`CREATE TABLE src (id INTEGER, d DATE, person VARCHAR, v DOUBLE)`);
  await w.exec(`INSERT INTO src VALUES (1, '2026-01-01', 'p1', 1), (2, '2026-01-02', 'p1', 2), (3, '2026-01-02', 'p2', 3), (4, '2026-01-03', 'p2', 4)`);
});
afterEach(async () => {
  await w.close();
  dir.remove();
});

const ctx = (from: string, to: string, fullRefresh = false, vars: RenderContext['vars'] = {}): RenderContext => ({ dialect: duckdbDialect, slice: { from, to }, timeZone: 'UTC', fullRefresh, vars });
const dump = async (t: string) => (await w.query(`SELECT * FROM "${t}" ORDER BY ALL`)).map((r) => JSON.stringify(r));
/** The engine's log of a table's writes: date (null: the whole-table row) → write id. */
const log = async (table: string) => new Map((await w.query<{ local_date: string | null; write_id: string }>(
  `SELECT local_date, write_id FROM _slice_writes WHERE table_name = '${table}' ORDER BY local_date NULLS FIRST`,
)).map((r) => [r.local_date, r.write_id]));

describe('materializations on DuckDB', () => {
  it('incremental: replaces only the slice, and running the same slice twice gives the same table', async () => {
    const def = readTransform(dir.write('daily.sql', "-- materialized: incremental\n-- slice_column: d\nSELECT d, count(*) AS n, sum(v) AS total FROM {{ ref('src') }} GROUP BY d"), '.');
    await materialize(w, def, ctx('2026-01-01', '2026-01-04'));
    const first = await dump('daily');
    expect(first).toHaveLength(3);
    // Data changes in one day; only that day's slice is rebuilt.
    await w.exec(`INSERT INTO src VALUES (5, '2026-01-02', 'p3', 10), (6, '2026-01-03', 'p3', 100)`);
    const r1 = await materialize(w, def, ctx('2026-01-02', '2026-01-03'));
    expect(r1.rowsOut).toBe(1);
    const afterSlice = await w.query<{ d: string; n: number; total: number }>(`SELECT d, n, total FROM daily ORDER BY d`);
    expect(afterSlice).toEqual([
      { d: '2026-01-01', n: 1, total: 1 },
      { d: '2026-01-02', n: 3, total: 15 },
      { d: '2026-01-03', n: 1, total: 4 }, // outside the slice: untouched although its source changed
    ]);
    const once = await dump('daily');
    await materialize(w, def, ctx('2026-01-02', '2026-01-03'));
    expect(await dump('daily')).toEqual(once);
  });

  it('incremental: rows the SELECT returns outside the slice are never written', async () => {
    const def = readTransform(dir.write('all.sql', "-- materialized: incremental\n-- slice_column: d\nSELECT id, d FROM {{ ref('src') }}"), '.');
    await materialize(w, def, ctx('2026-01-02', '2026-01-03'));
    expect(await w.query(`SELECT id FROM "all" ORDER BY id`)).toEqual([{ id: 2 }, { id: 3 }]);
  });

  it('incremental_by_key: replaces the rows of the listed keys only; full refresh rebuilds everything', async () => {
    await w.exec(`CREATE TABLE dirty (person VARCHAR)`);
    const def = readTransform(dir.write('per_person.sql', "-- materialized: incremental_by_key\n-- key: person\n-- keys_from: dirty\nSELECT person, sum(v) AS total FROM {{ ref('src') }} WHERE {{ keys_filter('person') }} GROUP BY person"), '.');
    expect(def.refs).toEqual(['dirty', 'src']);
    await materialize(w, def, ctx('2026-01-01', '2026-01-04'));
    expect(await w.query(`SELECT * FROM per_person ORDER BY person`)).toEqual([{ person: 'p1', total: 3 }, { person: 'p2', total: 7 }]);
    await w.exec(`INSERT INTO src VALUES (7, '2026-01-03', 'p1', 1000), (8, '2026-01-03', 'p2', 1000)`);
    await w.exec(`INSERT INTO dirty VALUES ('p1')`);
    await materialize(w, def, ctx('2026-01-03', '2026-01-04'));
    expect(await w.query(`SELECT * FROM per_person ORDER BY person`)).toEqual([{ person: 'p1', total: 1003 }, { person: 'p2', total: 7 }]);
    await materialize(w, def, ctx('2026-01-03', '2026-01-04'));
    expect(await w.query(`SELECT count(*)::INTEGER AS n FROM per_person`)).toEqual([{ n: 2 }]);
    await materialize(w, def, ctx('2026-01-01', '2026-01-04', true));
    expect(await w.query(`SELECT * FROM per_person ORDER BY person`)).toEqual([{ person: 'p1', total: 1003 }, { person: 'p2', total: 1007 }]);
  });

  it('a failing statement leaves the previous table intact and names the transform file', async () => {
    const def = readTransform(dir.write('t.sql', "SELECT id FROM {{ ref('src') }}"), '.');
    await materialize(w, def, ctx('2026-01-01', '2026-01-04'));
    const broken = { ...def, templates: { duckdb: "SELECT no_such_column FROM {{ ref('src') }}" } };
    const err = await materialize(w, broken, ctx('2026-01-01', '2026-01-04')).catch((e: Error) => e);
    expect(err).toBeInstanceOf(TransformError);
    expect((err as Error).message).toMatch(/transform 't' \(.*t\.sql\) failed: .*no_such_column/);
    expect(await w.query(`SELECT count(*)::INTEGER AS n FROM t`)).toEqual([{ n: 4 }]);
  });

  it('view: reads through to its inputs, and replaces a table left by an earlier version of the transform', async () => {
    await w.exec(`CREATE TABLE per_day AS SELECT 1 AS stale`);
    const def = readTransform(dir.write('per_day.sql', "-- materialized: view\nSELECT d, count(*) AS n FROM {{ ref('src') }} GROUP BY d"), '.');
    const r = await materialize(w, def, ctx('2026-01-01', '2026-01-04'));
    expect(r.rowsOut).toBe(0); // a view stores no rows (counting would evaluate it)
    expect(await w.query(`SELECT count(*)::INTEGER AS n FROM per_day`)).toEqual([{ n: 3 }]);
    await w.exec(`INSERT INTO src VALUES (9, '2026-01-09', 'p9', 9)`);
    expect(await w.query(`SELECT d, CAST(n AS INTEGER) AS n FROM per_day ORDER BY d`)).toEqual([
      { d: '2026-01-01', n: 1 }, { d: '2026-01-02', n: 2 }, { d: '2026-01-03', n: 1 }, { d: '2026-01-09', n: 1 },
    ]);
    await materialize(w, def, ctx('2026-01-01', '2026-01-04'));
    expect(await w.query(`SELECT table_type FROM information_schema.tables WHERE table_name = 'per_day'`)).toEqual([{ table_type: 'VIEW' }]);
  });

  describe('the log of incremental writes (_slice_writes)', () => {
    const daily = () => readTransform(dir.write('daily.sql', "-- materialized: incremental\n-- slice_column: d\nSELECT d, count(*) AS n FROM {{ ref('src') }} GROUP BY d"), '.');

    it('a first build logs the table whole and every date of its slice, rows or not, under one write id', async () => {
      await materialize(w, daily(), ctx('2026-01-01', '2026-01-05'));
      const l = await log('daily');
      expect([...l.keys()]).toEqual([null, '2026-01-01', '2026-01-02', '2026-01-03', '2026-01-04']); // 01-04 has no row
      expect(new Set(l.values()).size).toBe(1);
    });

    it('a slice replaces its dates\' rows with a new write id and leaves the other dates, the whole-table row and other tables alone; every write gets its own id', async () => {
      await materialize(w, daily(), ctx('2026-01-01', '2026-01-04'));
      const other = readTransform(dir.write('other.sql', "-- materialized: incremental\n-- slice_column: d\nSELECT d, sum(v) AS v FROM {{ ref('src') }} GROUP BY d"), '.');
      await materialize(w, other, ctx('2026-01-01', '2026-01-04'));
      const [first, otherFirst] = [await log('daily'), await log('other')];
      await materialize(w, daily(), ctx('2026-01-02', '2026-01-03'));
      const second = await log('daily');
      expect([...second.keys()]).toEqual([...first.keys()]);
      expect(second.get('2026-01-02')).not.toBe(first.get('2026-01-02'));
      for (const date of [null, '2026-01-01', '2026-01-03']) expect(second.get(date)).toBe(first.get(date));
      expect(await log('other')).toEqual(otherFirst);
      // the same slice again is another write: another id (the table's rows are the same)
      const rows = await dump('daily');
      await materialize(w, daily(), ctx('2026-01-02', '2026-01-03'));
      expect((await log('daily')).get('2026-01-02')).not.toBe(second.get('2026-01-02'));
      expect(await dump('daily')).toEqual(rows);
      // a run's write id names the run and the slice (deterministic: the same step re-sent sends the same SQL)
      await materialize(w, daily(), ctx('2026-01-02', '2026-01-04', false, { run_id: 'run-7' }));
      expect([...(await log('daily')).entries()].slice(2)).toEqual([['2026-01-02', 'run-7:2026-01-02..2026-01-04'], ['2026-01-03', 'run-7:2026-01-02..2026-01-04']]);
    });

    it('a full refresh replaces all the table\'s rows: its slice\'s dates and the whole-table row, under its id', async () => {
      await materialize(w, daily(), ctx('2026-01-01', '2026-01-04'));
      await materialize(w, daily(), ctx('2026-01-02', '2026-01-04', true, { run_id: 'run-8' }));
      expect([...(await log('daily')).entries()]).toEqual([
        [null, 'run-8:2026-01-02..2026-01-04:full'], ['2026-01-02', 'run-8:2026-01-02..2026-01-04:full'], ['2026-01-03', 'run-8:2026-01-02..2026-01-04:full'],
      ]);
    });

    it('is written in the slice\'s transaction: a write that fails leaves the old log rows, with the old table rows', async () => {
      const def = daily();
      await materialize(w, def, ctx('2026-01-01', '2026-01-04'));
      const [rows, before] = [await dump('daily'), await log('daily')];
      // the INSERT of the slice's rows fails, after the log's statements ran in the same transaction
      const failing = { ...def, templates: { duckdb: "SELECT d, CASE WHEN d = DATE '2026-01-03' THEN error('boom') ELSE count(*) END AS n FROM {{ ref('src') }} GROUP BY d" } };
      await expect(materialize(w, failing, ctx('2026-01-02', '2026-01-04'))).rejects.toThrow(/boom/);
      expect(await log('daily')).toEqual(before);
      expect(await dump('daily')).toEqual(rows);
      // a full refresh too
      await expect(materialize(w, failing, ctx('2026-01-01', '2026-01-04', true))).rejects.toThrow(/boom/);
      expect(await log('daily')).toEqual(before);
      expect(await dump('daily')).toEqual(rows);
    });

    it('a first build that fails leaves the log naming it (CREATE OR REPLACE joins no transaction, so the log goes first: a reader re-reads, never misses)', async () => {
      const failing = { ...daily(), name: 'fresh', templates: { duckdb: "SELECT d, error('boom') AS n FROM {{ ref('src') }}" } };
      await expect(materialize(w, failing, ctx('2026-01-01', '2026-01-03'))).rejects.toThrow(/boom/);
      expect(await w.tableExists('fresh')).toBe(false);
      expect([...(await log('fresh')).keys()]).toEqual([null, '2026-01-01', '2026-01-02']);
    });

    it('logs only incremental transforms', async () => {
      await w.exec(`CREATE TABLE dirty (person VARCHAR)`);
      await materialize(w, readTransform(dir.write('whole.sql', "SELECT d FROM {{ ref('src') }}"), '.'), ctx('2026-01-01', '2026-01-04'));
      await materialize(w, readTransform(dir.write('keyed.sql', "-- materialized: incremental_by_key\n-- key: person\n-- keys_from: dirty\nSELECT person FROM {{ ref('src') }} WHERE {{ keys_filter('person') }}"), '.'), ctx('2026-01-01', '2026-01-04'));
      expect(await w.tableExists('_slice_writes')).toBe(false);
    });
  });

  describe('incremental with batch_days', () => {
    // each row records the batch that computed it: {{ slice_from() }} is the batch's own first day
    const sql = (batch: string) => `-- materialized: incremental\n-- slice_column: d\n${batch}SELECT d, count(*) AS n, sum(v) AS total, {{ slice_from() }} AS batch_from FROM {{ ref('src') }} WHERE d >= {{ slice_from() }} AND d < {{ slice_to() }} GROUP BY d`;
    const rows = (t: string) => w.query<{ d: string; n: number; total: number; batch_from: string }>(`SELECT d, n, total, batch_from FROM "${t}" ORDER BY d`);

    it('cuts a slice into consecutive batches of at most N days', () => {
      expect(splitSlice({ from: '2026-01-30', to: '2026-02-04' }, 2)).toEqual([
        { from: '2026-01-30', to: '2026-02-01' }, { from: '2026-02-01', to: '2026-02-03' }, { from: '2026-02-03', to: '2026-02-04' },
      ]);
      expect(splitSlice({ from: '2026-03-01', to: '2026-03-02' }, 7)).toEqual([{ from: '2026-03-01', to: '2026-03-02' }]);
    });

    it('builds, refreshes and replaces a slice batch by batch, with the rows of the unbatched transform', async () => {
      const batched = readTransform(dir.write('batched.sql', sql('-- batch_days: 2\n')), '.');
      const whole = readTransform(dir.write('whole.sql', sql('')), '.');
      expect(batched.batchDays).toBe(2);
      const first = await materialize(w, batched, ctx('2026-01-01', '2026-01-04'));
      await materialize(w, whole, ctx('2026-01-01', '2026-01-04'));
      expect(first.rowsOut).toBe(3);
      const strip = (r: Array<{ d: string; n: number; total: number }>) => r.map(({ d, n, total }) => ({ d, n, total }));
      expect(strip(await rows('batched'))).toEqual(strip(await rows('whole')));
      // the first build ran as two batches: days 1-2, then day 3
      expect((await rows('batched')).map((r) => r.batch_from)).toEqual(['2026-01-01', '2026-01-01', '2026-01-03']);
      await w.exec(`INSERT INTO src VALUES (5, '2026-01-02', 'p3', 10), (6, '2026-01-05', 'p3', 100)`);
      const r = await materialize(w, batched, ctx('2026-01-02', '2026-01-06'));
      expect(r.rowsOut).toBe(3);
      expect((await rows('batched')).map(({ d, n, batch_from }) => [d, n, batch_from])).toEqual([
        ['2026-01-01', 1, '2026-01-01'], ['2026-01-02', 3, '2026-01-02'], ['2026-01-03', 1, '2026-01-02'], ['2026-01-05', 1, '2026-01-04'],
      ]);
      // a full refresh of a shorter range empties the rest of the table, as unbatched
      await materialize(w, batched, ctx('2026-01-02', '2026-01-04', true));
      expect((await rows('batched')).map((x) => x.d)).toEqual(['2026-01-02', '2026-01-03']);
      // the log, batched as unbatched: the full refresh's dates and its whole-table row
      expect([...(await log('batched')).keys()]).toEqual([null, '2026-01-02', '2026-01-03']);
    });

    it('writes all batches or none: a batch that fails leaves the table as it was', async () => {
      const def = readTransform(dir.write('fragile.sql', sql('-- batch_days: 1\n')), '.');
      await materialize(w, def, ctx('2026-01-01', '2026-01-04'));
      const before = await dump('fragile');
      await w.exec(`INSERT INTO src VALUES (5, '2026-01-01', 'p3', 10)`);
      // the third batch divides by zero; the first two would have changed day 1
      const failing = { ...def, templates: { duckdb: sql('-- batch_days: 1\n').replace('count(*) AS n', "CASE WHEN {{ slice_from() }} = DATE '2026-01-03' THEN error('boom') ELSE count(*) END AS n") } };
      const err = await materialize(w, failing, ctx('2026-01-01', '2026-01-04')).catch((e: Error) => e);
      expect(err).toBeInstanceOf(TransformError);
      expect((err as Error).message).toMatch(/transform 'fragile' .*boom/);
      expect(await dump('fragile')).toEqual(before);
      // the log of the write was rolled back with it
      expect([...(await log('fragile')).keys()]).toEqual([null, '2026-01-01', '2026-01-02', '2026-01-03']);
      expect(new Set((await log('fragile')).values()).size).toBe(1);
      // and a first build that fails leaves no table behind
      const fresh = { ...failing, name: 'fresh' };
      await expect(materialize(w, fresh, ctx('2026-01-01', '2026-01-04'))).rejects.toThrow(/boom/);
      expect(await w.tableExists('fresh')).toBe(false);
    });

    it('is refused on a transform that is not incremental, or when not a whole number of days', () => {
      expect(() => readTransform(dir.write('t1.sql', "-- batch_days: 2\nSELECT 1 AS x"), '.')).toThrow(/t1\.sql: header 'batch_days' applies to incremental transforms only/);
      expect(() => readTransform(dir.write('t2.sql', "-- materialized: incremental\n-- slice_column: d\n-- batch_days: 0.5\nSELECT 1 AS d"), '.')).toThrow(/t2\.sql: header 'batch_days' must be a whole number/);
    });
  });
});
