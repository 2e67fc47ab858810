import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../config/index.ts';
import { DefinitionError } from '../../../lib/errors.ts';
import { createLogger } from '../../../lib/log.ts';
import { definePipeline } from '../../../pipelines/definition.ts';
import { runPipeline } from '../../../pipelines/runner.ts';
import { useRunEnv } from '../../helpers/run-env.ts';

const env = useRunEnv();
beforeEach(async () => {
  await env.duck.exec(`CREATE TABLE src AS SELECT DATE '2026-01-01' + CAST(i AS INTEGER) AS d, i AS v FROM range(10) t(i)`);
});

const daily = (version: number, expr: string) => `-- version: ${version}\n-- materialized: incremental\n-- slice_column: d\nSELECT d, ${expr} AS v FROM {{ ref('src_view') }}`;

describe('a changed incremental transform', () => {
  it('demands a full refresh instead of mixing rows of two logic versions, then runs normally again', async () => {
    env.dir.write('sql/src_view.sql', '-- materialized: view\nSELECT * FROM src');
    env.dir.write('sql/daily.sql', daily(1, 'v'));
    const config = loadConfig({ env: {}, cwd: env.dir.path });
    const log = createLogger({ level: 'silent' });
    const run = (from: string, to: string, fullRefresh = false) =>
      runPipeline({ config, pipeline: definePipeline({ sqlDir: join(env.dir.path, 'sql'), tsSteps: [] }), warehouse: env.duck, store: env.store, log, slice: { from, to }, lookback: false, fullRefresh });
    expect((await run('2026-01-01', '2026-01-11')).status).toBe('succeeded');
    env.dir.write('sql/daily.sql', daily(2, 'v * 100'));
    const refused = await run('2026-01-05', '2026-01-06');
    expect(refused.status).toBe('failed');
    expect(refused.error).toBeInstanceOf(DefinitionError);
    expect(refused.error!.message).toMatch(/transform 'daily' changed from version 1 to 2 since it last ran: .*--full-refresh/);
    // Nothing was written by the refused run.
    expect(await env.duck.query(`SELECT CAST(sum(v) AS INTEGER) AS s FROM daily`)).toEqual([{ s: 45 }]);
    expect((await run('2026-01-01', '2026-01-11', true)).status).toBe('succeeded');
    expect(await env.duck.query(`SELECT CAST(sum(v) AS INTEGER) AS s FROM daily`)).toEqual([{ s: 4500 }]);
    expect((await run('2026-01-05', '2026-01-06')).status).toBe('succeeded');
  });

  it('a transform that rebuilds itself on a new definition (rebuild_on_change) is rebuilt whole, with no full refresh demanded', async () => {
    env.dir.write('sql/src_view.sql', '-- materialized: view\nSELECT * FROM src');
    env.dir.write('sql/days.sql', '-- materialized: table\nSELECT DATE \'2026-01-05\' AS d');
    const byDate = (version: number, expr: string) => `-- version: ${version}\n-- materialized: incremental_by_key\n-- key: d\n-- keys_from: days\n-- keys_inline: dates\n-- rebuild_on_change: true\nSELECT d, ${expr} AS v FROM {{ ref('src_view') }} WHERE {{ keys_filter('d') }}`;
    env.dir.write('sql/by_date.sql', byDate(1, 'v'));
    const config = loadConfig({ env: {}, cwd: env.dir.path });
    const log = createLogger({ level: 'silent' });
    const run = () => runPipeline({ config, pipeline: definePipeline({ sqlDir: join(env.dir.path, 'sql'), tsSteps: [] }), warehouse: env.duck, store: env.store, log, slice: { from: '2026-01-05', to: '2026-01-06' }, lookback: false });
    expect((await run()).status).toBe('succeeded');
    expect(await env.duck.query(`SELECT CAST(sum(v) AS INTEGER) AS s FROM by_date`)).toEqual([{ s: 45 }]);
    env.dir.write('sql/by_date.sql', byDate(2, 'v * 100'));
    const r = await run();
    expect(r.error?.message).toBeUndefined();
    // every date, not only the one listed in `days`
    expect(await env.duck.query(`SELECT CAST(sum(v) AS INTEGER) AS s FROM by_date`)).toEqual([{ s: 4500 }]);
  });
});
