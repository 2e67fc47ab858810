/**
 * warehouse.compression (DuckDB): 'light' writes tables without FSST, dictionary and DICT_FSST compression —
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

describe('the storage format of a warehouse file', () => {
  it("a new file is written in DuckDB 1.5's format (DICT_FSST strings); a file in the default format keeps it", async () => {
    const dir = tempDir('beamline-storage-');
    try {
      const compressions = async (w: Awaited<ReturnType<typeof openDuckDb>>) => {
        await w.exec(FILL);
        await w.exec('CHECKPOINT');
        return (await w.query<{ c: string }>(`SELECT DISTINCT compression AS c FROM pragma_storage_info('t') WHERE segment_type = 'VARCHAR'`)).map((r) => r.c);
      };
      const fresh = await openDuckDb({ path: join(dir.path, 'new.duckdb') });
      try {
        expect(await compressions(fresh)).toContain('DICT_FSST');
      } finally {
        await fresh.close();
      }
      // a file made in DuckDB's default format (as Beamline wrote them before) opens, and writes as it did
      const { DuckDBInstance } = await import('@duckdb/node-api');
      const old = await DuckDBInstance.create(join(dir.path, 'old.duckdb'));
      old.closeSync();
      const reopened = await openDuckDb({ path: join(dir.path, 'old.duckdb') });
      try {
        const used = await compressions(reopened);
        expect(used).not.toContain('DICT_FSST');
        expect(used.some((c) => c === 'Dictionary' || c === 'FSST')).toBe(true);
      } finally {
        await reopened.close();
      }
    } finally {
      dir.remove();
    }
  });
});

describe('warehouse.compression', () => {
  it("'light' writes without FSST, dictionary and DICT_FSST compression: more blocks, the same rows", async () => {
    const dir = tempDir('beamline-compression-');
    try {
      const auto = await build(join(dir.path, 'auto.duckdb'), 'auto');
      const light = await build(join(dir.path, 'light.duckdb'), 'light');
      expect(auto.methods).toBe('');
      expect(light.methods.toLowerCase()).toContain('fsst');
      expect(light.methods.toLowerCase()).toContain('dictionary');
      expect(light.methods.toLowerCase()).toContain('dict_fsst');
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
