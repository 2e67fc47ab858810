import { describe, expect, it } from 'vitest';
import { WarehouseError } from '../../../lib/errors.ts';
import { openDuckDb } from '../../../warehouse/duckdb/index.ts';

describe('DuckDB out of memory', () => {
  it('says which Beamline setting to change, with the cap it ran under', async () => {
    const w = await openDuckDb({ path: ':memory:', memoryLimit: '16MB', threads: 1 });
    try {
      // a list aggregate holds its whole result in memory: it cannot spill
      const err = await w.query('SELECT length(list(i)) AS n FROM range(20000000) AS t(i)').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WarehouseError);
      const msg = (err as Error).message;
      expect(msg).toMatch(/Out of Memory Error/);
      expect(msg).toContain('DuckDB reached its memory limit (16MB): raise warehouse.memory_limit in beamline.yml');
      expect(msg).not.toContain('SET memory_limit');
      expect((err as WarehouseError).retryable).toBe(false);
    } finally {
      await w.close();
    }
  });
});
