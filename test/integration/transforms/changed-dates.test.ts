/**
 * The engine's side of the date-keyed reports (transforms/changed-dates.ts), on a real DuckDB file:
 * log_dates queues the dates a write changed in the write's transaction, keys_inline renders the keys
 * as DATE constants (a NULL key rebuilds whole), rebuild_on_change rebuilds whole on a new rendering.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DefinitionError } from '../../../lib/errors.ts';
import { materialize, readTransform, type RenderContext } from '../../../transforms/index.ts';
import { duckdbDialect } from '../../../warehouse/dialect.ts';
import { openDuckDb, type DuckDbWarehouse } from '../../../warehouse/duckdb/index.ts';
import { tempDir, type TempDir } from '../../helpers/tmp.ts';

let dir: TempDir;
let w: DuckDbWarehouse;

beforeEach(async () => {
  dir = tempDir();
  w = await openDuckDb({ path: `${dir.path}/wh.duckdb` });
  await w.exec(`CREATE TABLE src (person VARCHAR, local_date DATE, v INTEGER)`);
  await w.exec(`INSERT INTO src VALUES ('p1', '2026-01-01', 1), ('p1', '2026-01-03', 2), ('p2', '2026-01-02', 3), ('p3', '2026-01-05', 4)`);
  await w.exec(`CREATE TABLE dirty (person VARCHAR)`);
});
afterEach(async () => {
  await w.close();
  dir.remove();
});

const ctx = (vars: RenderContext['vars'] = {}, slice = { from: '2026-01-01', to: '2026-01-06' }): RenderContext => ({ dialect: duckdbDialect, slice, timeZone: 'UTC', fullRefresh: false, vars: { run_id: 'r1', ...vars } });
const queued = async (table: string) => (await w.query<{ local_date: string | null }>(
  `SELECT DISTINCT local_date FROM _changed_dates WHERE table_name = '${table}' ORDER BY local_date NULLS FIRST`,
)).map((r) => r.local_date);

const PER_PERSON = "-- materialized: incremental_by_key\n-- key: person\n-- keys_from: dirty\n-- log_dates: local_date\nSELECT person, local_date, v FROM {{ ref('src') }} WHERE {{ keys_filter('person') }}";
const DAILY = "-- materialized: incremental_by_key\n-- key: local_date\n-- keys_from: days\n-- keys_inline: dates\nSELECT local_date, sum(v) AS total FROM {{ ref('src') }} WHERE {{ keys_filter('local_date') }} GROUP BY local_date";

describe('log_dates', () => {
  it('queues the dates of the rows a keyed write deletes and of the rows it inserts; a whole build queues NULL', async () => {
    const def = readTransform(dir.write('per_person.sql', PER_PERSON), '.');
    await materialize(w, def, ctx());
    expect(await queued('per_person')).toEqual([null]);
    await w.exec(`DELETE FROM _changed_dates WHERE TRUE`);
    // p1's row of the 3rd moves to the 4th: both dates are queued, p3's untouched date is not
    await w.exec(`UPDATE src SET local_date = '2026-01-04' WHERE person = 'p1' AND local_date = '2026-01-03'`);
    await w.exec(`INSERT INTO dirty VALUES ('p1')`);
    await materialize(w, def, ctx());
    expect(await queued('per_person')).toEqual(['2026-01-01', '2026-01-03', '2026-01-04']);
  });

  it('queues nothing when the write fails (the same transaction)', async () => {
    const def = readTransform(dir.write('per_person.sql', PER_PERSON), '.');
    await materialize(w, def, ctx());
    await w.exec(`DELETE FROM _changed_dates WHERE TRUE`);
    await w.exec(`INSERT INTO dirty VALUES ('p1')`);
    const broken = readTransform(dir.write('per_person.sql', `${PER_PERSON} AND CAST(person AS INTEGER) > 0`), '.');
    await expect(materialize(w, broken, ctx())).rejects.toThrow(/per_person/);
    expect(await queued('per_person')).toEqual([]);
    expect(await w.query(`SELECT count(*)::INTEGER AS n FROM per_person`)).toEqual([{ n: 4 }]);
  });

  it('an incremental write queues the dates of its slice', async () => {
    const def = readTransform(dir.write('by_day.sql', "-- materialized: incremental\n-- slice_column: local_date\n-- log_dates: local_date\nSELECT local_date, sum(v) AS total FROM {{ ref('src') }} GROUP BY local_date"), '.');
    await materialize(w, def, ctx());
    await w.exec(`DELETE FROM _changed_dates WHERE TRUE`);
    await materialize(w, def, ctx({}, { from: '2026-01-02', to: '2026-01-04' }));
    expect(await queued('by_day')).toEqual(['2026-01-02', '2026-01-03']);
  });
});

describe('keys_inline: dates', () => {
  it('renders the keys as DATE constants in the SELECT and the DELETE, and rebuilds only those dates', async () => {
    await w.exec(`CREATE TABLE days (local_date DATE)`);
    const def = readTransform(dir.write('daily.sql', DAILY), '.');
    await materialize(w, def, ctx());
    await w.exec(`UPDATE src SET v = v * 10`);
    await w.exec(`INSERT INTO days VALUES ('2026-01-02'), ('2026-01-05'), ('2026-01-05')`);
    const r = await materialize(w, def, ctx());
    expect(r.sql).toContain(`"local_date" IN (DATE '2026-01-02', DATE '2026-01-05')`);
    expect(r.sql).not.toContain('SELECT "local_date" FROM "days"');
    expect(await w.query(`SELECT CAST(local_date AS VARCHAR) AS d, CAST(total AS INTEGER) AS t FROM daily ORDER BY 1`)).toEqual([
      { d: '2026-01-01', t: 1 }, { d: '2026-01-02', t: 30 }, { d: '2026-01-03', t: 2 }, { d: '2026-01-05', t: 40 },
    ]);
  });

  it('no keys: nothing is rewritten; a NULL key rebuilds the table whole', async () => {
    await w.exec(`CREATE TABLE days (local_date DATE)`);
    const def = readTransform(dir.write('daily.sql', DAILY), '.');
    await materialize(w, def, ctx());
    await w.exec(`UPDATE src SET v = v * 10`);
    const none = await materialize(w, def, ctx());
    expect(none.sql).toContain('FALSE');
    expect(await w.query(`SELECT CAST(sum(total) AS INTEGER) AS t FROM daily`)).toEqual([{ t: 10 }]);
    await w.exec(`INSERT INTO days VALUES ('2026-01-02'), (NULL)`);
    await materialize(w, def, ctx());
    expect(await w.query(`SELECT CAST(sum(total) AS INTEGER) AS t FROM daily`)).toEqual([{ t: 100 }]);
  });

  it('a key that is not a date is an error naming the file and the keys table', async () => {
    await w.exec(`CREATE TABLE days (local_date VARCHAR)`);
    const def = readTransform(dir.write('daily.sql', DAILY), '.');
    await materialize(w, def, ctx({}));
    await w.exec(`INSERT INTO days VALUES ('yesterday')`);
    await expect(materialize(w, def, ctx())).rejects.toThrow(/daily\.sql: keys_inline: dates, but days\.local_date holds 'yesterday'/);
  });
});

describe('rebuild_on_change', () => {
  it('rebuilds the table whole when a variable it renders changed, and only then', async () => {
    await w.exec(`CREATE TABLE days (local_date DATE)`);
    const def = readTransform(dir.write('scaled.sql', DAILY.replace('sum(v) AS total', "sum(v) * {{ var('scale') }} AS total").replace('-- keys_inline: dates', '-- keys_inline: dates\n-- rebuild_on_change: true')), '.');
    await materialize(w, def, ctx({ scale: 1 }));
    await w.exec(`UPDATE src SET v = v * 10`);
    // same rendering (a new run id and as-of do not count): no key, nothing rewritten
    await materialize(w, def, ctx({ scale: 1, run_id: 'r2', as_of: '2026-02-01' }));
    expect(await w.query(`SELECT CAST(sum(total) AS INTEGER) AS t FROM scaled`)).toEqual([{ t: 10 }]);
    // a new value: every date is recomputed
    await materialize(w, def, ctx({ scale: 2, run_id: 'r3' }));
    expect(await w.query(`SELECT CAST(sum(total) AS INTEGER) AS t FROM scaled`)).toEqual([{ t: 200 }]);
  });
});

describe('header checks', () => {
  it('names the file and the header', () => {
    expect(() => readTransform(dir.write('a.sql', '-- materialized: table\n-- keys_inline: dates\nSELECT 1'), '.')).toThrow(/a\.sql: header 'keys_inline' applies to incremental_by_key/);
    expect(() => readTransform(dir.write('b.sql', '-- materialized: incremental_by_key\n-- key: k\n-- keys_from: t\n-- keys_inline: yes\nSELECT 1'), '.')).toThrow(/b\.sql: header 'keys_inline' takes 'dates'/);
    expect(() => readTransform(dir.write('c.sql', '-- materialized: table\n-- log_dates: local_date\nSELECT 1'), '.')).toThrow(/c\.sql: header 'log_dates' applies to incremental/);
    expect(() => readTransform(dir.write('d.sql', '-- rebuild_on_change: maybe\nSELECT 1'), '.')).toThrow(DefinitionError);
  });
});

describe('log_dates_compare', () => {
  it('queues only the dates of rows that changed in the compared columns', async () => {
    const def = readTransform(dir.write('per_person.sql', PER_PERSON.replace('-- log_dates: local_date', '-- log_dates: local_date\n-- log_dates_compare: person, local_date, v')), '.');
    await materialize(w, def, ctx());
    await w.exec(`DELETE FROM _changed_dates WHERE TRUE`);
    // p1 and p2 are rewritten; only p1's row of the 3rd changed (and a new row of p2's appears on the 4th)
    await w.exec(`UPDATE src SET v = 20 WHERE person = 'p1' AND local_date = '2026-01-03'`);
    await w.exec(`INSERT INTO src VALUES ('p2', '2026-01-04', 9)`);
    await w.exec(`INSERT INTO dirty VALUES ('p1'), ('p2')`);
    await materialize(w, def, ctx());
    expect(await queued('per_person')).toEqual(['2026-01-03', '2026-01-04']);
    // rewritten with no change: nothing queued
    await w.exec(`DELETE FROM _changed_dates WHERE TRUE`);
    await materialize(w, def, ctx());
    expect(await queued('per_person')).toEqual([]);
  });
});
