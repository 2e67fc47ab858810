/**
 * warehouse.compression (DuckDB): 'light' writes tables without FSST and dictionary compression —
 * faster writes, a larger file (docs/config.md) — and reads back the same rows. Checked on real
 * DuckDB files: the setting is applied to the connection, the same table takes more storage blocks
 * under 'light' than under 'auto', and its contents are equal.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../config/index.ts';
import { openWarehouse } from '../../../warehouse/index.ts';
import { openDuckDb } from '../../../warehouse/duckdb/index.ts';
import { tempDir } from '../../helpers/tmp.ts';

/** 200k rows of a few long repeated strings: what page URLs and event names look like to a column store. */
const FILL = `CREATE TABLE t AS SELECT i, 'https://shop.example.com/products/' || (i % 7) || '?utm_source=newsletter&utm_medium=email' AS url, ['page_view', 'add_to_cart', 'purchase'][i % 3 + 1] AS name FROM range(200000) AS r(i)`;

async function build(path: string, compression: 'auto' | 'light') {
  const w = await openDuckDb({ path, compression });
  try {
    await w.exec(FILL);
    await w.exec('CHECKPOINT');
    const [s] = await w.query<{ methods: string }>(`SELECT current_setting('disabled_compression_methods') AS methods`);
    const [b] = await w.query<{ blocks: number }>(`SELECT count(DISTINCT block_id)::INTEGER AS blocks FROM pragma_storage_info('t') WHERE block_id >= 0`);
    const [h] = await w.query<{ h: string }>(`SELECT CAST(sum(hash(i, url, name)) AS VARCHAR) AS h FROM t`);
    return { methods: s!.methods, blocks: b!.blocks, hash: h!.h };
  } finally {
    await w.close();
  }
}

describe('warehouse.compression', () => {
  it("'light' writes without FSST and dictionary compression: more blocks, the same rows", async () => {
    const dir = tempDir('beamline-compression-');
    try {
      const auto = await build(join(dir.path, 'auto.duckdb'), 'auto');
      const light = await build(join(dir.path, 'light.duckdb'), 'light');
      expect(auto.methods).toBe('');
      expect(light.methods.toLowerCase()).toContain('fsst');
      expect(light.methods.toLowerCase()).toContain('dictionary');
      expect(light.blocks).toBeGreaterThan(auto.blocks);
      expect(light.hash).toBe(auto.hash);
    } finally {
      dir.remove();
    }
  });

  it('is read from the config (default auto) and a bad value names the key', async () => {
    const dir = tempDir('beamline-compression-config-');
    try {
      const config = loadConfig({ cwd: dir.path, env: {}, overrides: { warehouse: { type: 'duckdb', path: 'w.duckdb', compression: 'light' } } });
      expect(config.warehouse).toMatchObject({ type: 'duckdb', compression: 'light' });
      expect(loadConfig({ cwd: dir.path, env: {} }).warehouse).toMatchObject({ compression: 'auto' });
      const w = await openWarehouse(config.warehouse);
      try {
        const [s] = await w.query<{ methods: string }>(`SELECT current_setting('disabled_compression_methods') AS methods`);
        expect(s!.methods.toLowerCase()).toContain('fsst');
      } finally {
        await w.close();
      }
      expect(() => loadConfig({ cwd: dir.path, env: {}, overrides: { warehouse: { type: 'duckdb', compression: 'zstd' } } })).toThrow(/warehouse\.compression/);
    } finally {
      dir.remove();
    }
  });
});
