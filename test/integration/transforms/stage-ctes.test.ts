/**
 * `stage_ctes` on a real DuckDB file: a staged transform writes the rows its unstaged twin writes, in
 * every materialization; its temporary tables are gone after it, whether it succeeded or failed; the
 * planner sees their real sizes (why the stages run before the write's transaction); a warehouse that
 * does not stage runs the query as written.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DefinitionError, TransformError } from '../../../lib/errors.ts';
import { materialize, readTransform, type RenderContext } from '../../../transforms/index.ts';
import { duckdbDialect } from '../../../warehouse/dialect.ts';
import { openDuckDb, type DuckDbWarehouse } from '../../../warehouse/duckdb/index.ts';
import type { Warehouse } from '../../../warehouse/types.ts';
import { withoutAbility } from '../../helpers/without-ability.ts';
import { tempDir, type TempDir } from '../../helpers/tmp.ts';

let dir: TempDir;
let w: DuckDbWarehouse;

beforeEach(async () => {
  dir = tempDir();
  w = await openDuckDb({ path: `${dir.path}/wh.duckdb` });
  await w.exec(`CREATE TABLE src AS SELECT i AS id, DATE '2026-01-01' + CAST(i % 5 AS INTEGER) AS d, 'p' || (i % 7) AS person, CAST(i % 11 AS DOUBLE) AS v FROM range(2000) AS r(i)`);
  await w.exec(`CREATE TABLE dirty (person VARCHAR)`);
  await w.exec(`INSERT INTO dirty VALUES ('p1'), ('p3')`);
});
afterEach(async () => {
  await w.close();
  dir.remove();
});

const ctx = (from: string, to: string, fullRefresh = false): RenderContext => ({ dialect: duckdbDialect, slice: { from, to }, timeZone: 'UTC', fullRefresh, vars: {} });
const dump = async (t: string) => (await w.query(`SELECT * FROM "${t}" ORDER BY ALL`)).map((r) => JSON.stringify(r));
const stageTables = async () => (await w.query<{ t: string }>(`SELECT table_name AS t FROM duckdb_tables() WHERE table_name LIKE '_stage_%'`)).map((r) => r.t);

// one query, three CTEs: `per` is read twice, `top` reads `per`, `unused` is read by nothing
const body = `WITH rows AS (SELECT id, d, person, v FROM {{ ref('src') }} WHERE {{ keys_filter('person') }}),
per AS (SELECT d, person, sum(v) AS total, count(*) AS n FROM rows GROUP BY d, person),
top AS (SELECT d, max(total) AS best FROM per GROUP BY d),
unused AS (SELECT 1 AS x)
SELECT p.d, p.person, p.total, p.n, p.total = t.best AS is_best, (SELECT count(*) FROM per AS q WHERE q.d = p.d) AS people
FROM per AS p JOIN top AS t ON t.d = p.d`;
const def = (name: string, header: string, staged: boolean) =>
  readTransform(dir.write(`${name}.sql`, `${header}${staged ? '-- stage_ctes: per, top, unused\n' : ''}${body}`), '.');

describe('stage_ctes on DuckDB', () => {
  for (const [kind, header, keyed] of [
    ['table', '', false],
    ['incremental', '-- materialized: incremental\n-- slice_column: d\n', false],
    ['incremental_by_key', '-- materialized: incremental_by_key\n-- key: person\n-- keys_from: dirty\n', true],
  ] as const) {
    it(`${kind}: writes the rows of the same query unstaged, on a first build and on a rerun, and leaves no stage table`, async () => {
      const staged = def(`staged_${kind}`, header, true);
      const plain = def(`plain_${kind}`, header, false);
      expect(staged.stageCtes).toEqual(['per', 'top', 'unused']);
      for (const d of [staged, plain]) await materialize(w, d, ctx('2026-01-01', '2026-01-06'));
      expect(await dump(staged.name)).toEqual(await dump(plain.name));
      expect(await dump(staged.name)).toHaveLength(35);
      // a second run after a change: a slice / the dirty keys only
      await w.exec(`INSERT INTO src VALUES (5000, DATE '2026-01-02', 'p1', 100), (5001, DATE '2026-01-04', 'p3', 50)`);
      for (const d of [staged, plain]) await materialize(w, d, keyed ? ctx('2026-01-01', '2026-01-06') : ctx('2026-01-02', '2026-01-03'));
      expect(await dump(staged.name)).toEqual(await dump(plain.name));
      expect(await stageTables()).toEqual([]);
    });
  }

  it('a failure in a stage or in the write leaves the table as it was and no stage table', async () => {
    const good = def('fragile', '-- materialized: incremental\n-- slice_column: d\n', true);
    await materialize(w, good, ctx('2026-01-01', '2026-01-06'));
    const before = await dump('fragile');
    await w.exec(`INSERT INTO src VALUES (5000, DATE '2026-01-02', 'p1', 100)`);
    for (const [where, broken] of [
      ['a stage', body.replace('sum(v) AS total', "sum(v) + CASE WHEN person = 'p1' THEN error('boom in per') ELSE 0 END AS total")],
      ['the write', body.replace('p.total = t.best AS is_best', "CASE WHEN p.person = 'p1' THEN error('boom in write') END AS is_best")],
    ] as const) {
      const failing = { ...good, templates: { duckdb: `-- materialized: incremental\n-- slice_column: d\n-- stage_ctes: per, top, unused\n${broken}` } };
      const err = await materialize(w, failing, ctx('2026-01-01', '2026-01-06')).catch((e: Error) => e);
      expect(err, where).toBeInstanceOf(TransformError);
      expect((err as Error).message).toMatch(/transform 'fragile' .*boom/);
      expect(await dump('fragile'), where).toEqual(before);
      expect(await stageTables(), where).toEqual([]);
    }
  });

  it('computes the stages before the write transaction, where DuckDB knows their sizes', async () => {
    // inside a transaction, a table created in it has no statistics: DuckDB estimates it at 0 rows
    const estimate = (tx: Pick<Warehouse, 'query'>, t: string) => tx.query<{ n: number }>(`SELECT estimated_size AS n FROM duckdb_tables() WHERE table_name = '${t}'`).then((r) => r[0]!.n);
    const inside = await w.transaction(async (tx) => {
      await tx.exec(`CREATE TEMP TABLE made_inside AS SELECT * FROM src`);
      return estimate(tx, 'made_inside');
    });
    expect(inside).toBe(0);
    const staged = await w.transactionAfterStages([`CREATE TEMP TABLE made_before AS SELECT * FROM src`], [`DROP TABLE made_before`], (tx) => estimate(tx, 'made_before'));
    expect(staged).toBe(2000);
    expect(await w.tableExists('made_before')).toBe(false);
  });

  it('a warehouse that does not stage runs the query as written', async () => {
    const statements: string[] = [];
    // the DuckDB warehouse without its staging ability, recording what it is asked to run
    const plain = withoutAbility(w, 'stagesCtes', (sql) => statements.push(sql));
    const d = def('unstaged', '', true);
    await materialize(plain, d, ctx('2026-01-01', '2026-01-06'));
    expect(statements.some((s) => s.includes('_stage_'))).toBe(false);
    expect(statements.find((s) => s.startsWith('CREATE OR REPLACE TABLE "unstaged"'))).toContain('per AS (SELECT d, person');
    expect(await dump('unstaged')).toHaveLength(35);
  });

  it('a batched slice: each batch computed after its own stages, all written in one transaction, the rows of the unstaged query', async () => {
    const header = '-- materialized: incremental\n-- slice_column: d\n-- batch_days: 2\n';
    const staged = def('batched', header, true);
    const plain = def('plain_batched', header, false);
    // each batch's stages, recorded as the warehouse is asked to run them
    const stageRuns: string[][] = [];
    const run = w.transactionAfterStages.bind(w);
    w.transactionAfterStages = (stages, drops, fn) => (stageRuns.push([...stages]), run(stages, drops, fn));
    for (const d of [staged, plain]) await materialize(w, d, ctx('2026-01-01', '2026-01-06'));
    w.transactionAfterStages = run;
    expect(await dump('batched')).toEqual(await dump('plain_batched'));
    // three batches of days (2, 2, 1), each computed after its own stages
    expect(stageRuns).toHaveLength(3);
    expect(stageRuns.map((stages) => stages.filter((x) => x.startsWith('CREATE')).length)).toEqual([3, 3, 3]);
    expect(await w.query(`SELECT table_name FROM duckdb_tables() WHERE table_name LIKE '_batch_%' OR table_name LIKE '_stage_%'`)).toEqual([]);
    // a failing last batch leaves every day as it was, and no batch or stage table behind
    const before = await dump('batched');
    await w.exec(`INSERT INTO src VALUES (5000, DATE '2026-01-01', 'p1', 100)`);
    const failing = { ...staged, templates: { duckdb: `${header}-- stage_ctes: per, top, unused\n${body.replace('sum(v) AS total', "sum(v) + CASE WHEN d = DATE '2026-01-05' THEN error('boom in batch 3') ELSE 0 END AS total")}` } };
    await expect(materialize(w, failing, ctx('2026-01-01', '2026-01-06'))).rejects.toThrow(/boom in batch 3/);
    expect(await dump('batched')).toEqual(before);
    expect(await w.query(`SELECT table_name FROM duckdb_tables() WHERE table_name LIKE '_batch_%' OR table_name LIKE '_stage_%'`)).toEqual([]);
  });

  it('is refused on a view, for a name that is not a CTE or is listed twice', () => {
    const t = (name: string, text: string) => () => readTransform(dir.write(`${name}.sql`, text), '.');
    expect(t('v', `-- materialized: view\n-- stage_ctes: per\n${body}`)).toThrow(/v\.sql: header 'stage_ctes' does not apply to a view/);
    expect(t('u', `-- stage_ctes: per, nope\n${body}`)).toThrow(DefinitionError);
    expect(t('u', `-- stage_ctes: per, nope\n${body}`)).toThrow(/u\.sql: header 'stage_ctes' names 'nope', which is not a CTE of the query's top-level WITH \(its CTEs: rows, per, top, unused\)/);
    expect(t('n', `-- stage_ctes: per\nSELECT 1 AS x`)).toThrow(/n\.sql: .*'per'.*\(the query has none\)/);
    expect(t('d', `-- stage_ctes: per, top, per\n${body}`)).toThrow(/d\.sql: header 'stage_ctes' lists 'per' twice/);
  });
});
