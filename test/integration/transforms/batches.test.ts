/**
 * Batches of a long slice (transforms/batches.ts) on a real DuckDB: `batch_rows` cuts a slice into runs
 * of days by how many rows of the batch table each day holds (counted per hour, each hour on the local
 * date it begins in, across a DST change); a batched transform writes the rows of the unbatched one;
 * BigQuery-like warehouses (no batching) get the slice whole; bad headers name the file.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { groupDays, sliceBatches } from '../../../transforms/batches.ts';
import { materialize, readTransform, type RenderContext } from '../../../transforms/index.ts';
import { duckdbDialect } from '../../../warehouse/dialect.ts';
import { openDuckDb, type DuckDbWarehouse } from '../../../warehouse/duckdb/index.ts';
import { withoutAbility } from '../../helpers/without-ability.ts';
import { tempDir, type TempDir } from '../../helpers/tmp.ts';

let dir: TempDir;
let w: DuckDbWarehouse;
const TZ = 'America/New_York';

beforeEach(async () => {
  dir = tempDir();
  w = await openDuckDb({ path: `${dir.path}/wh.duckdb` });
  // rows per local day in New York around the March DST change (2026-03-08 has 23 hours):
  // 03-07: 100, 03-08: 250 (one at 23:30 local, in the day's last hour), 03-09: 40, 03-10: 0, 03-11: 300
  await w.exec(`CREATE TABLE ev (ts TIMESTAMPTZ, v INTEGER)`);
  const day = (date: string, n: number, utcHour: string) => `INSERT INTO ev SELECT TIMESTAMPTZ '${date} ${utcHour}+00' + i * INTERVAL 1 SECOND, 1 FROM range(${n}) AS r(i)`;
  await w.exec(day('2026-03-07', 100, '15:00:00'));
  await w.exec(day('2026-03-08', 249, '15:00:00'));
  await w.exec(`INSERT INTO ev VALUES (TIMESTAMPTZ '2026-03-09 03:30:00+00', 1)`); // 2026-03-08 23:30 EDT
  await w.exec(day('2026-03-09', 40, '15:00:00'));
  await w.exec(day('2026-03-11', 300, '15:00:00'));
});
afterEach(async () => {
  await w.close();
  dir.remove();
});

const slice = { from: '2026-03-07', to: '2026-03-12' };
const header = (batch: string) => `-- materialized: incremental\n-- slice_column: d\n${batch}SELECT CAST(timezone('${TZ}', ts) AS DATE) AS d, count(*) AS n FROM {{ ref('ev') }} WHERE ts >= {{ slice_ts_from() }} AND ts < {{ slice_ts_to() }} GROUP BY 1`;

describe('batch_rows', () => {
  it('groups consecutive days up to the bound, at least one day each', () => {
    const days = ['a', 'b', 'c', 'd', 'e'];
    expect(groupDays(days, [100, 250, 40, 0, 300], 300, 'f')).toEqual([{ from: 'a', to: 'b' }, { from: 'b', to: 'e' }, { from: 'e', to: 'f' }]);
    // a day over the bound is a batch of its own
    expect(groupDays(days, [10, 900, 10, 10, 10], 100, 'f')).toEqual([{ from: 'a', to: 'b' }, { from: 'b', to: 'c' }, { from: 'c', to: 'f' }]);
    expect(groupDays(['a'], [5], 1, 'b')).toEqual([{ from: 'a', to: 'b' }]);
  });

  it('counts each day\'s rows in the account\'s zone, across a DST change, and cuts the slice by them', async () => {
    const def = readTransform(dir.write('t.sql', header('-- batch_rows: 300 of ev.ts\n')), '.');
    expect(def.batchRows).toEqual({ rows: 300, table: 'ev', column: 'ts' });
    expect(def.refs).toContain('ev');
    // 100 + 250 > 300: a new batch at 03-08; 250 + 40 + 0 ≤ 300; 300 alone
    expect(await sliceBatches(w, def, slice, TZ)).toEqual([
      { from: '2026-03-07', to: '2026-03-08' }, { from: '2026-03-08', to: '2026-03-11' }, { from: '2026-03-11', to: '2026-03-12' },
    ]);
    // the row at 23:30 local (03:30 UTC the next day) counts on 03-08: under a bound of 349, 03-07 and 03-08
    // (100 + 250) do not fit together — counted on its UTC date they would (100 + 249), and 03-09 would start one
    const tight = readTransform(dir.write('t2.sql', header('-- batch_rows: 349 of ev.ts\n')), '.');
    expect((await sliceBatches(w, tight, slice, TZ)).map((b) => b.from)).toEqual(['2026-03-07', '2026-03-08', '2026-03-11']);
    // a warehouse that does not batch slices (BigQuery) gets the slice whole
    expect(await sliceBatches(withoutAbility(w, 'batchesSlices'), def, slice, TZ)).toEqual([slice]);
  });

  it('writes the rows of the unbatched transform, and refuses bad headers naming the file', async () => {
    const ctx: RenderContext = { dialect: duckdbDialect, slice, timeZone: TZ, fullRefresh: false, vars: {} };
    const batched = readTransform(dir.write('batched.sql', header('-- batch_rows: 300 of ev.ts\n')), '.');
    const whole = readTransform(dir.write('whole.sql', header('')), '.');
    await materialize(w, batched, ctx);
    await materialize(w, whole, ctx);
    const rows = (t: string) => w.query(`SELECT d, n FROM "${t}" ORDER BY d`);
    expect(await rows('batched')).toEqual(await rows('whole'));
    expect(await rows('batched')).toEqual([
      { d: '2026-03-07', n: 100 }, { d: '2026-03-08', n: 250 }, { d: '2026-03-09', n: 40 }, { d: '2026-03-11', n: 300 },
    ]);
    const t = (name: string, batch: string, mat = '-- materialized: incremental\n-- slice_column: d\n') => () => readTransform(dir.write(`${name}.sql`, `${mat}${batch}SELECT 1 AS d`), '.');
    expect(t('a', '-- batch_rows: lots of ev.ts\n')).toThrow(/a\.sql: header 'batch_rows' takes '<rows ≥ 1> of <table>\.<timestamp column>'/);
    expect(t('b', '-- batch_rows: 0 of ev.ts\n')).toThrow(/b\.sql: header 'batch_rows' takes/);
    expect(t('c', '-- batch_rows: 10 of ev.ts\n-- batch_days: 2\n')).toThrow(/c\.sql: headers 'batch_rows' and 'batch_days' do not go together/);
    expect(t('e', '-- batch_rows: 10 of ev.ts\n', '')).toThrow(/e\.sql: header 'batch_rows' applies to incremental transforms only/);
  });
});
