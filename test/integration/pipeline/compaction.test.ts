import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../config/index.ts';
import { createLogger } from '../../../lib/log.ts';
import { definePipeline } from '../../../pipelines/definition.ts';
import { runPipeline } from '../../../pipelines/runner.ts';
import { useRunEnv } from '../../helpers/run-env.ts';

const env = useRunEnv();

/** How many row-group compactions DuckDB's checkpoints may schedule now (0: none). */
const vacuumTasks = async () => Number((await env.duck.query<{ n: bigint }>(`SELECT CAST(current_setting('max_vacuum_tasks') AS BIGINT) AS n`))[0]!.n);
/** The rows stored in a table's row groups, deleted ones included (what compaction reclaims). */
const storedRows = async (t: string) => Number((await env.duck.query<{ n: bigint }>(`SELECT CAST(sum(count) AS BIGINT) AS n FROM pragma_storage_info('${t}') WHERE column_id = 0 AND segment_type <> 'VALIDITY'`))[0]!.n);

describe('table compaction on DuckDB checkpoints', () => {
  it('withoutCompaction: checkpoints keep deleted rows stored until the next change after it; the setting comes back, also after a failure', async () => {
    const before = await vacuumTasks();
    expect(before).toBeGreaterThan(0);
    await env.duck.exec(`CREATE TABLE t AS SELECT i, md5(CAST(i AS VARCHAR)) AS s FROM range(300000) r(i)`);
    await env.duck.exec('CHECKPOINT');
    await env.duck.withoutCompaction(async () => {
      expect(await vacuumTasks()).toBe(0);
      await env.duck.exec(`DELETE FROM t WHERE i % 3 <> 0`);
      await env.duck.exec('CHECKPOINT');
    });
    expect(await vacuumTasks()).toBe(before);
    // the deleted rows are still stored; the next checkpoint of a change to the table compacts them
    expect(await storedRows('t')).toBe(300000);
    await env.duck.exec(`INSERT INTO t VALUES (-1, 'x')`);
    await env.duck.exec('CHECKPOINT');
    expect(await storedRows('t')).toBe(100001);
    expect(await env.duck.query('SELECT count(*) AS n FROM t')).toEqual([{ n: 100001 }]);

    await expect(env.duck.withoutCompaction(async () => Promise.reject(new Error('step failed')))).rejects.toThrow('step failed');
    expect(await vacuumTasks()).toBe(before);
  });

  it('withoutCompaction checkpoints what it wrote before the compaction comes back: a later checkpoint (e.g. on close) does not compact it', async () => {
    await env.duck.exec(`CREATE TABLE t AS SELECT i, md5(CAST(i AS VARCHAR)) AS s FROM range(300000) r(i)`);
    await env.duck.exec('CHECKPOINT');
    // no checkpoint inside: the deletion is still in the WAL when fn returns
    await env.duck.withoutCompaction(() => env.duck.exec(`DELETE FROM t WHERE i % 3 <> 0`));
    await env.duck.exec('CHECKPOINT');
    expect(await storedRows('t')).toBe(300000);
    expect(await env.duck.query('SELECT count(*) AS n FROM t')).toEqual([{ n: 100000 }]);
  });

  it('a run pauses compaction on a first build and on a full refresh, not on an incremental run', async () => {
    // the step records the setting it ran under
    env.dir.write('sql/seen.sql', "SELECT CAST(current_setting('max_vacuum_tasks') AS BIGINT) AS vacuum_tasks");
    const pipeline = definePipeline({ sqlDir: join(env.dir.path, 'sql'), tsSteps: [] });
    const config = loadConfig({ env: {}, cwd: env.dir.path });
    const log = createLogger({ level: 'silent' });
    const run = (fullRefresh: boolean) => runPipeline({ config, pipeline, warehouse: env.duck, store: env.store, log, slice: { from: '2026-01-01', to: '2026-01-02' }, lookback: false, fullRefresh });
    const before = await vacuumTasks();
    const seen = async () => Number((await env.duck.query<{ vacuum_tasks: bigint }>('SELECT vacuum_tasks FROM seen'))[0]!.vacuum_tasks);
    // nothing loaded yet: a first build
    expect((await run(false)).status).toBe('succeeded');
    expect(await seen()).toBe(0);
    expect(await vacuumTasks()).toBe(before);
    // once events are loaded, a run is incremental
    await env.duck.exec(`CREATE TABLE raw_events AS SELECT TIMESTAMPTZ '2026-01-01 10:00:00+00' AS event_ts`);
    expect((await run(false)).status).toBe('succeeded');
    expect(await seen()).toBe(before);
    expect((await run(true)).status).toBe('succeeded');
    expect(await seen()).toBe(0);
    expect(await vacuumTasks()).toBe(before);
  });
});
