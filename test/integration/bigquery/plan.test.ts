/**
 * `beamline plan` against the stand-in REST API (not BigQuery): every SQL step's statements are
 * dry-run — no job runs — and priced; a step over a table not built yet is named, not guessed.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatPlan, planRun } from '../../../cli/commands/plan.ts';
import { loadConfig } from '../../../config/index.ts';
import { createLogger } from '../../../lib/log.ts';
import { createPipeline, type TsStepDef } from '../../../pipelines/index.ts';
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

  it('with sessions.rebuild_horizon_days, plans the person-keyed steps from the day before the horizon', async () => {
    dir.write('sql/per_person.sql', [
      '-- materialized: incremental_by_key', '-- key: person_id', '-- keys_from: dirty_persons', '-- starts_from: dirty_starts', '-- start_column: event_ts', '-- partition_by: local_date',
      "SELECT anonymous_id AS person_id, event_ts, {{ local_date('event_ts') }} AS local_date FROM {{ ref('raw_events') }} AS r",
      "WHERE {{ keys_filter('person_id') }} AND {{ starts_floor('r.event_ts') }} AND {{ starts_filter('r.anonymous_id', 'r.event_ts') }}",
    ].join('\n'));
    // the steps that list dirty persons and their starts, as far as the graph needs them
    const dirty: TsStepDef = { name: 'dirty', kind: 'ts', produces: ['dirty_persons', 'dirty_starts'], reads: [], run: async () => ({ rowsOut: 0 }) };
    const pipeline = createPipeline({ sqlDir: `${dir.path}/sql`, tsSteps: [extractStep, dirty] });
    for (const t of ['per_person', 'dirty_persons', 'dirty_starts']) fake.tables.set(t, [{ name: 'person_id', type: 'STRING' }]);
    fake.respond(() => ({ totalBytesProcessed: 1024 }));
    const warehouse = await openBigQuery({ project: fake.project, dataset: fake.dataset, apiEndpoint: fake.url, authClient: fake.authClient, maximumBytesBilled: 2 ** 40, pollMs: 5 });
    const planned = async (overrides: Record<string, unknown>) => {
      fake.requests.length = 0;
      await planRun(pipeline, { config: loadConfig({ env: {}, overrides }), warehouse, runId: 'plan', slice: { from: '2026-03-10', to: '2026-03-11' }, fullRefresh: false, log: createLogger({ level: 'silent' }), now: new Date() });
      return fake.requests.filter((r) => r.method === 'POST').map((r) => (r.body as { configuration: { query: { query: string } } }).configuration.query.query).join('\n');
    };
    const bounded = await planned({ sessions: { rebuild_horizon_days: 7 } });
    // horizon 2026-03-03, the day before it 2026-03-02: the read and the DELETE both carry the constant floor
    expect(bounded).toMatch(/r\.event_ts >= DATE '2026-03-02'/);
    expect(bounded).toMatch(/DELETE FROM `per_person` AS t .*NOT EXISTS .*t\.`local_date` >= DATE '2026-03-02'/s);
    expect(bounded).not.toContain('beamline: starts');
    const whole = await planned({});
    expect(whole).not.toContain('dirty_starts');
    expect(fake.jobs).toHaveLength(0);
  });

  it('plans a date-keyed report over the dates a night rewrites, as constants; a changed definition is planned whole', async () => {
    dir.write('sql/daily.sql', [
      '-- materialized: incremental_by_key', '-- key: local_date', '-- keys_from: report_dates', '-- keys_inline: dates', '-- rebuild_on_change: true', '-- partition_by: local_date',
      "SELECT {{ local_date('event_ts') }} AS local_date, count(*) AS n FROM {{ ref('raw_events') }} WHERE {{ keys_filter('local_date') }} GROUP BY 1",
    ].join('\n'));
    const datesStep: TsStepDef = { name: 'dates', kind: 'ts', produces: ['report_dates'], reads: [], run: async () => ({ rowsOut: 0 }) };
    const pipeline = createPipeline({ sqlDir: `${dir.path}/sql`, tsSteps: [extractStep, datesStep] });
    for (const t of ['daily', 'report_dates']) fake.tables.set(t, [{ name: 'local_date', type: 'DATE' }]);
    fake.tables.set('_transform_fingerprints', [{ name: 'table_name', type: 'STRING' }, { name: 'fingerprint', type: 'STRING' }]);
    fake.respond(() => ({ totalBytesProcessed: 1024 }));
    const warehouse = await openBigQuery({ project: fake.project, dataset: fake.dataset, apiEndpoint: fake.url, authClient: fake.authClient, maximumBytesBilled: 2 ** 40, pollMs: 5 });
    const planned = async () => {
      fake.requests.length = 0;
      await planRun(pipeline, { config: loadConfig({ env: {}, overrides: { sessions: { rebuild_horizon_days: 2 } } }), warehouse, runId: 'plan', slice: { from: '2026-03-10', to: '2026-03-11' }, fullRefresh: false, log: createLogger({ level: 'silent' }), now: new Date() });
      return fake.requests.filter((r) => r.method === 'POST').map((r) => (r.body as { configuration: { query: { query: string }; dryRun?: boolean } }).configuration);
    };
    // The stand-in answers the fingerprint read (a real query, not a dry run) with no row: the definition is new, so the report is planned whole.
    const first = await planned();
    expect(first.some((c) => !c.dryRun && /beamline: fingerprint/.test(c.query.query))).toBe(true);
    expect(first.filter((c) => c.dryRun).map((c) => c.query.query).join('\n')).toMatch(/CREATE OR REPLACE TABLE `daily`/);
    // With the fingerprint stored, the night's dates are planned: from the day before the horizon (2026-03-07) to the slice's end, as constants.
    fake.respond((sql) => (/beamline: fingerprint ([0-9a-f]+)/.test(sql) ? { fields: [{ name: 'fingerprint', type: 'STRING' }], rows: [{ fingerprint: /beamline: fingerprint ([0-9a-f]+)/.exec(sql)![1]! }] } : { totalBytesProcessed: 1024 }));
    const night = (await planned()).filter((c) => c.dryRun).map((c) => c.query.query).join('\n');
    const dates = "DATE '2026-03-07', DATE '2026-03-08', DATE '2026-03-09', DATE '2026-03-10'";
    expect(night).toContain(`\`local_date\` IN (${dates})`);
    expect(night).toContain(`DELETE FROM \`daily\` AS t WHERE t.\`local_date\` IN (${dates})`);
    expect(night).not.toContain('beamline: inline keys');
    // the only jobs that ran are the two fingerprint reads
    expect(fake.jobs.map((j) => /beamline: fingerprint/.test((j.configuration.query as { query: string }).query))).toEqual([true, true]);
  });
});
