import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../config/index.ts';
import { createLogger } from '../../../lib/log.ts';
import { definePipeline } from '../../../pipelines/definition.ts';
import { runPipeline } from '../../../pipelines/runner.ts';
import type { JobContext, Warehouse } from '../../../warehouse/index.ts';
import { useRunEnv } from '../../helpers/run-env.ts';

const env = useRunEnv();

describe('the runner and job-scoped warehouses', () => {
  it('hands every step the run, step, slice and attempt, so BigQuery job ids are deterministic per step and retry', async () => {
    env.dir.write('sql/a.sql', 'SELECT 1 AS x');
    env.dir.write('sql/b.sql', "SELECT x + 1 AS y FROM {{ ref('a') }}");
    const seen: JobContext[] = [];
    // Our own Warehouse interface, on a real DuckDB, with the capability BigQuery has (see warehouse/bigquery).
    const scoped: Warehouse & { withJobContext(c: JobContext): Warehouse } = {
      dialect: env.duck.dialect,
      query: (sql, p) => env.duck.query(sql, p),
      exec: (sql, p) => env.duck.exec(sql, p),
      transaction: (fn) => env.duck.transaction(fn),
      tableExists: (t) => env.duck.tableExists(t),
      columns: (t) => env.duck.columns(t),
      appendRows: (t, c, r) => env.duck.appendRows(t, c, r),
      close: async () => undefined,
      withJobContext(c) {
        seen.push(c);
        return scoped;
      },
    };
    const pipeline = definePipeline({ sqlDir: join(env.dir.path, 'sql'), tsSteps: [] });
    const config = loadConfig({ env: {}, cwd: env.dir.path });
    const log = createLogger({ level: 'silent' });
    const run = (runId: string) => runPipeline({ config, pipeline, warehouse: scoped, store: env.store, log, slice: { from: '2026-01-01', to: '2026-01-02' }, lookback: false, runId });
    expect((await run('r1')).status).toBe('succeeded');
    expect((await run('r1')).status).toBe('succeeded');
    const slice = { from: '2026-01-01', to: '2026-01-02' };
    expect(seen).toEqual([
      { runId: 'r1', step: 'a', slice, attempt: 0 },
      { runId: 'r1', step: 'b', slice, attempt: 0 },
      { runId: 'r1', step: 'a', slice, attempt: 1 },
      { runId: 'r1', step: 'b', slice, attempt: 1 },
    ]);
    expect(await env.duck.query('SELECT y FROM b')).toEqual([{ y: 2 }]);
  });
});
