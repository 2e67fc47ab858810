/**
 * `beamline plan` against the stand-in REST API (not BigQuery): every SQL step's statements are
 * dry-run — no job runs — and priced; a step over a table not built yet is named, not guessed.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatPlan, planRun } from '../../../cli/commands/plan.ts';
import { loadConfig } from '../../../config/index.ts';
import { createLogger } from '../../../lib/log.ts';
import { createPipeline } from '../../../pipelines/index.ts';
import { extractStep } from '../../../pipelines/steps/extract.ts';
import { openBigQuery } from '../../../warehouse/bigquery/index.ts';
import { startFakeBigQuery, type FakeBigQuery } from '../../helpers/fake-bigquery.ts';
import { tempDir, type TempDir } from '../../helpers/tmp.ts';

let fake: FakeBigQuery;
let dir: TempDir;
beforeEach(async () => {
  fake = await startFakeBigQuery();
  dir = tempDir('beamline-plan-');
});
afterEach(async () => {
  await fake.close();
  dir.remove();
});

describe('beamline plan', () => {
  it('dry-runs every SQL step, sums bytes, prices them and runs no job', async () => {
    dir.write('sql/daily.sql', "-- materialized: incremental\n-- slice_column: local_date\nSELECT {{ local_date('event_ts') }} AS local_date, count(*) AS n FROM {{ ref('raw_events') }} GROUP BY 1");
    dir.write('sql/totals.sql', "SELECT sum(n) AS n FROM {{ ref('daily') }}");
    const pipeline = createPipeline({ sqlDir: `${dir.path}/sql`, tsSteps: [extractStep] });
    fake.tables.set('daily', [{ name: 'local_date', type: 'DATE' }]);
    fake.tables.set('_slice_writes', [{ name: 'table_name', type: 'STRING' }, { name: 'local_date', type: 'DATE' }, { name: 'write_id', type: 'STRING' }]);
    fake.respond((sql) => {
      if (/^DELETE/.test(sql)) return { totalBytesProcessed: 0 }; // whole partitions: a metadata operation
      if (/^INSERT INTO `_slice_writes` .* VALUES /.test(sql)) return { totalBytesProcessed: 0 }; // the log of the write: constants
      if (/FROM `?raw_events/.test(sql)) return { totalBytesProcessed: 2 * 2 ** 40 };
      if (/`totals`/.test(sql) && /FROM `daily`/.test(sql) && !/count/.test(sql)) return { error: { reason: 'notFound', message: 'Not found: Table test-project:beamline_test.totals' } };
      return { totalBytesProcessed: 1024 };
    });
    const warehouse = await openBigQuery({ project: fake.project, dataset: fake.dataset, apiEndpoint: fake.url, authClient: fake.authClient, maximumBytesBilled: 2 ** 40, pollMs: 5 });
    const slice = { from: '2026-03-01', to: '2026-03-02' };
    const plans = await planRun(pipeline, { config: loadConfig({ env: {} }), warehouse, runId: 'plan', slice, fullRefresh: false, log: createLogger({ level: 'silent' }), now: new Date() });
    expect(fake.jobs).toHaveLength(0);
    const daily = plans.find((p) => p.step === 'daily')!;
    expect(daily).toMatchObject({ bytes: 2 * 2 ** 40, statements: 4 }); // the log of the write (DELETE, INSERT), the slice's DELETE and INSERT
    expect(plans.find((p) => p.step === 'totals')).toMatchObject({ bytes: null, note: expect.stringContaining('an input table is not built yet') });
    const text = formatPlan(plans, slice, 6.25, 2 ** 40);
    expect(text).toMatch(/daily\s+2\.00 TiB\s+\$12\.5000\s+OVER maximum_bytes_billed/);
    expect(text).toMatch(/extract\s+—\s+load jobs: not billed/);
    const dry = fake.requests.filter((r) => r.method === 'POST').map((r) => (r.body as { configuration: { dryRun: boolean } }).configuration.dryRun);
    expect(dry.every(Boolean)).toBe(true);
  });
});
