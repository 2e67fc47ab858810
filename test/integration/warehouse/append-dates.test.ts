/**
 * The DuckDB appender's DATE column: 'YYYY-MM-DD' strings become DuckDB dates (days since
 * 1970-01-01, computed in TypeScript and cached per distinct string). Checked against DuckDB's own
 * parse of the same strings, across leap days, the epoch, years before 1970 and below 100 (which
 * JavaScript's Date.UTC would read as 19xx), and impossible dates, which must fail naming the row.
 */
import { describe, expect, it } from 'vitest';
import { WarehouseError } from '../../../lib/errors.ts';
import { openDuckDb } from '../../../warehouse/duckdb/index.ts';

const DATES = ['1970-01-01', '1969-12-31', '2000-02-29', '2024-02-29', '2026-03-08', '2026-11-01', '1900-03-01', '0050-06-15', '0001-01-01', '9999-12-31'];

describe('DuckDB appender: DATE values', () => {
  it('appends every date as DuckDB itself reads it, repeated values included', async () => {
    const w = await openDuckDb({ path: ':memory:' });
    try {
      await w.exec('CREATE TABLE d (s VARCHAR, d DATE)');
      const rows = [...DATES, ...DATES].map((s) => [s, s]);
      await w.appendRows('d', [{ name: 's', type: 'varchar' }, { name: 'd', type: 'date' }], rows);
      const wrong = await w.query<{ s: string; d: string }>('SELECT s, CAST(d AS VARCHAR) AS d FROM d WHERE d <> CAST(s AS DATE) OR d IS NULL');
      expect(wrong).toEqual([]);
      const [n] = await w.query<{ n: number }>('SELECT count(*) AS n FROM d');
      expect(Number(n?.n)).toBe(DATES.length * 2);
    } finally {
      await w.close();
    }
  });

  it('refuses an impossible date, naming the row', async () => {
    const w = await openDuckDb({ path: ':memory:' });
    try {
      await w.exec('CREATE TABLE d (d DATE)');
      for (const bad of ['2026-02-30', '2026-13-01', '2026-1-01']) {
        const err = await w.appendRows('d', [{ name: 'd', type: 'date' }], [['2026-01-01'], [bad]]).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(WarehouseError);
        expect((err as Error).message).toContain('at row 2');
        expect((err as Error).message).toContain(`not a date: ${bad}`);
      }
    } finally {
      await w.close();
    }
  });
});
