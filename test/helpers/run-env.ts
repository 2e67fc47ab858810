/**
 * A temporary folder with a real DuckDB warehouse file (`wh.duckdb`) and a real SQLite run store
 * (`runs.sqlite`), opened before each test of the file that calls it and closed and removed after.
 */
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { openRunStore, type RunStore } from '../../store/index.ts';
import { openDuckDb, type DuckDbWarehouse } from '../../warehouse/duckdb/index.ts';
import { tempDir, type TempDir } from './tmp.ts';

export interface RunEnv {
  readonly dir: TempDir;
  readonly duck: DuckDbWarehouse;
  readonly store: RunStore;
}

/** Call at the top of a test file (or a describe): the fields are the current test's. */
export function useRunEnv(): RunEnv {
  const env = {} as { dir: TempDir; duck: DuckDbWarehouse; store: RunStore };
  beforeEach(async () => {
    env.dir = tempDir();
    env.duck = await openDuckDb({ path: join(env.dir.path, 'wh.duckdb') });
    env.store = await openRunStore({ databaseUrl: '', sqlitePath: join(env.dir.path, 'runs.sqlite') });
  });
  afterEach(async () => {
    await env.duck.close();
    await env.store.close();
    env.dir.remove();
  });
  return env;
}
