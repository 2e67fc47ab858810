/**
 * The data's as-of instant (pipelines/runner.ts dataAsOf) on a real DuckDB file: the latest raw event
 * time, looked up from the slice's start first (a bounded read on a partitioned warehouse) and over
 * the whole table only when nothing is that recent — the same answer either way.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dataAsOf } from '../../../pipelines/runner.ts';
import { openDuckDb, type DuckDbWarehouse } from '../../../warehouse/duckdb/index.ts';
import type { Warehouse } from '../../../warehouse/types.ts';
import { tempDir, type TempDir } from '../../helpers/tmp.ts';

let dir: TempDir;
let w: DuckDbWarehouse;
beforeEach(async () => {
  dir = tempDir();
  w = await openDuckDb({ path: `${dir.path}/wh.duckdb` });
});
afterEach(async () => {
  await w.close();
  dir.remove();
});

/** The warehouse, recording the SQL of every query. */
function recording(inner: Warehouse, seen: string[]): Warehouse {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'query') return (sql: string, params?: readonly unknown[]) => (seen.push(sql), target.query(sql, params));
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

describe('dataAsOf', () => {
  it('is the epoch without raw events, and the latest event time with them, whatever the bound', async () => {
    expect(await dataAsOf(w, new Date('2026-03-01T00:00:00Z'))).toEqual(new Date(0));
    await w.exec(`CREATE TABLE raw_events (event_ts TIMESTAMPTZ)`);
    await w.exec(`INSERT INTO raw_events VALUES ('2026-03-01 10:00:00+00'), ('2026-03-05 23:59:59.123+00'), ('2026-03-03 08:00:00+00'), (NULL)`);
    const latest = new Date('2026-03-05T23:59:59.123Z');
    expect(await dataAsOf(w)).toEqual(latest);
    for (const since of ['2026-02-01', '2026-03-05T23:59:59.123Z', '2026-03-06', '2027-01-01']) {
      expect(await dataAsOf(w, new Date(since)), since).toEqual(latest);
    }
  });

  it('reads the whole table only when no event is at or after the bound', async () => {
    await w.exec(`CREATE TABLE raw_events (event_ts TIMESTAMPTZ)`);
    await w.exec(`INSERT INTO raw_events VALUES ('2026-03-01 10:00:00+00'), ('2026-03-05 12:00:00+00')`);
    const seen: string[] = [];
    await dataAsOf(recording(w, seen), new Date('2026-03-04T00:00:00Z'));
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(/WHERE event_ts >= CAST\('2026-03-04T00:00:00\.000Z' AS TIMESTAMPTZ\)/);
    seen.length = 0;
    await dataAsOf(recording(w, seen), new Date('2026-03-06T00:00:00Z'));
    expect(seen).toHaveLength(2);
    expect(seen[1]).toBe('SELECT max(event_ts) AS t FROM raw_events');
  });
});
