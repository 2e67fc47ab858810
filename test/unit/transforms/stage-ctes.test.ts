/**
 * The CTE splitter and the staged query it writes (transforms/stage-ctes.ts): pure text, no warehouse.
 * test/integration/transforms/stage-ctes.test.ts runs staged transforms on a real DuckDB.
 */
import { describe, expect, it } from 'vitest';
import { TransformError } from '../../../lib/errors.ts';
import { parseWith, stageCtes } from '../../../transforms/stage-ctes.ts';
import { duckdbDialect } from '../../../warehouse/dialect.ts';

const stage = (sql: string, names: string[]) => stageCtes(sql, names, 't', duckdbDialect, 't.sql');

describe('parseWith', () => {
  it('splits a top-level WITH into its CTEs, skipping strings, quoted names and comments', () => {
    const sql = `-- lead comment
WITH a AS (SELECT ')' AS p, "x)" FROM s), -- a ) in a comment
b AS MATERIALIZED (SELECT (1 + (2)) AS n /* ) */ FROM a),
c AS NOT MATERIALIZED (SELECT E'\\')' AS q)
SELECT * FROM b, c`;
    const w = parseWith(sql, 't.sql')!;
    expect(w.ctes.map((c) => c.name)).toEqual(['a', 'b', 'c']);
    expect(w.ctes[0]!.body).toBe(`SELECT ')' AS p, "x)" FROM s`);
    expect(w.ctes[1]!.body).toBe('SELECT (1 + (2)) AS n /* ) */ FROM a');
    expect(w.ctes[2]!.body).toBe("SELECT E'\\')' AS q");
    expect(sql.slice(w.mainStart)).toBe('SELECT * FROM b, c');
  });

  it('is null for a query without WITH, and names what it cannot read', () => {
    expect(parseWith('SELECT 1', 't.sql')).toBeNull();
    expect(() => parseWith('WITH a (SELECT 1) SELECT 1', 't.sql')).toThrow(/t\.sql: CTE 'a' is not written 'a AS \(…\)'/);
    expect(() => parseWith('WITH a AS (SELECT (1) SELECT 1', 't.sql')).toThrow(/t\.sql: CTE 'a': its opening parenthesis is never closed/);
    expect(() => parseWith("WITH a AS (SELECT ') SELECT 1", 't.sql')).toThrow(/t\.sql: CTE 'a': a quoted text is never closed/);
    expect(() => parseWith('WITH RECURSIVE a AS (SELECT 1) SELECT 1', 't.sql')).toThrow(/cannot stage a WITH RECURSIVE query/);
  });
});

describe('stageCtes', () => {
  const sql = `WITH raw AS (SELECT * FROM src WHERE ok),
big AS (SELECT id, v FROM raw),
small AS (SELECT id FROM big WHERE v > 0),
unused AS (SELECT 1 AS x)
SELECT b.id, b.v FROM big AS b JOIN small AS s ON s.id = b.id`;

  it('computes each staged CTE into a table, from the CTEs it reads, and reads the tables in the query', () => {
    const q = stage(sql, ['big', 'small']);
    expect(q.stages).toEqual([
      'CREATE OR REPLACE TEMP TABLE "_stage_t_big" AS\nWITH raw AS (SELECT * FROM src WHERE ok)\nSELECT * FROM (\nSELECT id, v FROM raw\n) AS _stage',
      'CREATE OR REPLACE TEMP TABLE "_stage_t_small" AS\nWITH big AS NOT MATERIALIZED (SELECT * FROM "_stage_t_big")\nSELECT * FROM (\nSELECT id FROM big WHERE v > 0\n) AS _stage',
    ]);
    // the query carries only the CTEs it reads: not raw (big's table holds it), not the unused one
    expect(q.query).toBe('WITH big AS NOT MATERIALIZED (SELECT * FROM "_stage_t_big"),\nsmall AS NOT MATERIALIZED (SELECT * FROM "_stage_t_small")\nSELECT b.id, b.v FROM big AS b JOIN small AS s ON s.id = b.id');
    expect(q.drops).toEqual(['DROP TABLE IF EXISTS "_stage_t_big"', 'DROP TABLE IF EXISTS "_stage_t_small"']);
  });

  it('drops a stage table right after the last statement that reads it', () => {
    // the query reads only `small`: `big` goes as soon as `small` is computed
    const q = stage(`WITH big AS (SELECT id, v FROM src), small AS (SELECT id FROM big WHERE v > 0) SELECT count(*) AS n FROM small`, ['big', 'small']);
    expect(q.stages.map((s) => s.split('\n')[0])).toEqual([
      'CREATE OR REPLACE TEMP TABLE "_stage_t_big" AS',
      'CREATE OR REPLACE TEMP TABLE "_stage_t_small" AS',
      'DROP TABLE IF EXISTS "_stage_t_big"',
    ]);
    expect(q.drops).toEqual(['DROP TABLE IF EXISTS "_stage_t_small"']);
  });

  it('keeps an unstaged CTE wherever a statement reads it, through other unstaged CTEs too', () => {
    const q = stage(`WITH a AS (SELECT 1 AS x), b AS (SELECT x FROM a), c AS (SELECT x FROM b) SELECT * FROM c`, ['c']);
    expect(q.stages[0]).toContain('WITH a AS (SELECT 1 AS x),\nb AS (SELECT x FROM a)\nSELECT * FROM (\nSELECT x FROM b\n)');
    expect(q.query).toBe('WITH c AS NOT MATERIALIZED (SELECT * FROM "_stage_t_c")\nSELECT * FROM c');
  });

  it('does not take a qualified column, a string or a comment for a reference', () => {
    const q = stage(`WITH a AS (SELECT 1 AS x), b AS (SELECT s.a FROM src AS s) SELECT t.a, 'a' AS s /* a */ FROM b AS t -- a`, ['a', 'b']);
    expect(q.query).toBe('WITH b AS NOT MATERIALIZED (SELECT * FROM "_stage_t_b")\nSELECT t.a, \'a\' AS s /* a */ FROM b AS t -- a');
    // nothing reads a: its table is dropped as soon as it is made
    expect(q.stages[1]).toBe('DROP TABLE IF EXISTS "_stage_t_a"');
  });

  it('refuses a name that is not a CTE, or a query without WITH', () => {
    expect(() => stage(sql, ['nope'])).toThrow(TransformError);
    expect(() => stage(sql, ['nope'])).toThrow(/t\.sql: stage_ctes names 'nope', which is not a CTE of the top-level WITH \(its CTEs: raw, big, small, unused\)/);
    expect(() => stage('SELECT 1', ['a'])).toThrow(/t\.sql: stage_ctes needs a query that starts with WITH/);
  });
});
