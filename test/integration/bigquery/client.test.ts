/**
 * The BigQuery adapter's behaviour with the real `@google-cloud/bigquery` client, pointed at a local
 * stand-in for the REST API (test/helpers/fake-bigquery.ts — not BigQuery): which jobs it creates,
 * with which ids, labels, caps and configs, and how it survives a lost response.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, WarehouseError } from '../../../lib/errors.ts';
import { materialize, readTransform } from '../../../transforms/index.ts';
import { openBigQuery, type BigQueryWarehouse, type JobContext } from '../../../warehouse/bigquery/index.ts';
import { canDryRun, canScopeJobs } from '../../../warehouse/index.ts';
import { startFakeBigQuery, type FakeBigQuery } from '../../helpers/fake-bigquery.ts';
import { tempDir, type TempDir } from '../../helpers/tmp.ts';

const CAP = 5 * 2 ** 30;
const CONTEXT: JobContext = { runId: 'run-20260301-abc', step: 'stg_events', slice: { from: '2026-03-01', to: '2026-03-02' }, attempt: 0 };

let fake: FakeBigQuery;
let dir: TempDir;
async function open(): Promise<BigQueryWarehouse> {
  return openBigQuery({ project: fake.project, dataset: fake.dataset, apiEndpoint: fake.url, authClient: fake.authClient, maximumBytesBilled: CAP, pollMs: 5, labels: { env: 'Test' } });
}
const queryJobs = () => fake.jobs.filter((j) => j.configuration.query);
const sqlOf = (j: { configuration: Record<string, unknown> }) => (j.configuration.query as { query: string }).query;

beforeEach(async () => {
  fake = await startFakeBigQuery();
  dir = tempDir('beamline-bq-');
});
afterEach(async () => {
  await fake.close();
  dir.remove();
});

describe('BigQuery adapter against the stand-in REST API', () => {
  it('runs a query as a job with a deterministic id, labels, the byte cap, the default dataset and named parameters; rows come back as plain JS', async () => {
    fake.respond((sql) => (sql.startsWith('SELECT') ? {
      fields: [{ name: 'n', type: 'INTEGER' }, { name: 'd', type: 'DATE' }, { name: 't', type: 'TIMESTAMP' }, { name: 'amount', type: 'NUMERIC' }, { name: 's', type: 'STRING' }],
      rows: [{ n: 3, d: '2026-03-01', t: '2026-03-01T12:00:00.000Z', amount: '12.50', s: null }],
    } : undefined));
    const w = (await open()).withJobContext(CONTEXT);
    const rows = await w.query('SELECT n, d, t, amount, s FROM stg_events WHERE event_id = @p1 AND line > @p2', ['e1', 7]);
    expect(rows).toEqual([{ n: 3, d: '2026-03-01', t: new Date('2026-03-01T12:00:00.000Z'), amount: 12.5, s: null }]);
    const [job] = fake.jobs;
    expect(job!.id).toMatch(/^beamline_run-20260301-abc_stg_events_2026-03-01_2026-03-02_a0_1_[0-9a-f]{12}$/);
    expect(job!.configuration.labels).toEqual({ env: 'test', pipeline: 'beamline', run_id: 'run-20260301-abc', step: 'stg_events' });
    expect(job!.configuration.query).toMatchObject({
      useLegacySql: false, maximumBytesBilled: String(CAP), defaultDataset: { projectId: fake.project, datasetId: fake.dataset }, parameterMode: 'NAMED',
      queryParameters: [
        { name: 'p1', parameterType: { type: 'STRING' }, parameterValue: { value: 'e1' } },
        { name: 'p2', parameterType: { type: 'INT64' }, parameterValue: { value: '7' } },
      ],
    });
  });

  it('gives the same ids when the same step runs again with the same context, so the retry finds the jobs instead of running them twice', async () => {
    fake.respond(() => ({ numDmlAffectedRows: 4 }));
    const first = (await open()).withJobContext(CONTEXT);
    await first.exec('DELETE FROM t WHERE TRUE');
    await first.exec('INSERT INTO t SELECT 1');
    const again = (await open()).withJobContext(CONTEXT);
    expect(await again.exec('DELETE FROM t WHERE TRUE')).toBe(4);
    expect(await again.exec('INSERT INTO t SELECT 1')).toBe(4);
    expect(fake.jobs).toHaveLength(2);
    expect(fake.jobs.map((j) => j.inserts)).toEqual([2, 2]);
    // the next attempt (after a failure) gets fresh ids
    await (await open()).withJobContext({ ...CONTEXT, attempt: 1 }).exec('DELETE FROM t WHERE TRUE');
    expect(fake.jobs).toHaveLength(3);
    expect(fake.jobs[2]!.id).toContain('_a1_1_');
  });

  it('a query insert whose response is lost runs ONE job: the retry meets 409 and the adapter waits for the existing job', async () => {
    fake.respond(() => ({ numDmlAffectedRows: 42 }));
    const w = (await open()).withJobContext(CONTEXT);
    fake.dropInsertResponses(1);
    expect(await w.exec('INSERT INTO events SELECT * FROM stg_events')).toBe(42);
    expect(fake.jobs).toHaveLength(1);
    expect(fake.jobs[0]!.inserts).toBe(2);
    const inserts = fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/jobs'));
    expect(new Set(inserts.map((r) => (r.body as { jobReference: { jobId: string } }).jobReference.jobId)).size).toBe(1);
    expect(fake.requests.some((r) => r.method === 'GET' && r.path.endsWith(`/jobs/${fake.jobs[0]!.id}`))).toBe(true);
  });

  it('a load job whose upload response is lost runs ONE job too', async () => {
    fake.tables.set('raw_events', [{ name: 'event_id', type: 'STRING' }]);
    const w = (await open()).withJobContext({ ...CONTEXT, step: 'extract' });
    fake.dropInsertResponses(1);
    expect(await w.appendRows('raw_events', [{ name: 'event_id', type: 'varchar' }], [['e1'], ['e2']])).toBe(2);
    expect(fake.jobs).toHaveLength(1);
    expect(fake.jobs[0]!.inserts).toBe(2);
  });

  it('appendRows uploads NDJSON with a load job (never streaming inserts): format, append, never create, labels', async () => {
    const w = (await open()).withJobContext({ ...CONTEXT, step: 'extract' });
    const n = await w.appendRows('raw_events', [
      { name: 'event_id', type: 'varchar' }, { name: 'event_ts', type: 'timestamptz' }, { name: 'line', type: 'bigint' }, { name: 'd', type: 'date' }, { name: 'ok', type: 'boolean' }, { name: 'tags', type: 'varchar[]' },
    ], [['e1', Date.UTC(2026, 2, 1, 12), 1, '2026-03-01', true, ['a', 'b']], ['e2', null, 2, null, null, null]]);
    expect(n).toBe(2);
    const [job] = fake.jobs;
    expect(job!.configuration).toMatchObject({
      load: {
        destinationTable: { projectId: fake.project, datasetId: fake.dataset, tableId: 'raw_events' },
        sourceFormat: 'NEWLINE_DELIMITED_JSON', writeDisposition: 'WRITE_APPEND', createDisposition: 'CREATE_NEVER',
      },
      labels: { pipeline: 'beamline', run_id: 'run-20260301-abc', step: 'extract' },
    });
    expect(job!.data!.trim().split('\n').map((l) => JSON.parse(l))).toEqual([
      { event_id: 'e1', event_ts: '2026-03-01T12:00:00.000Z', line: 1, d: '2026-03-01', ok: true, tags: ['a', 'b'] },
      { event_id: 'e2', event_ts: null, line: 2, d: null, ok: null, tags: [] },
    ]);
    expect(fake.requests.some((r) => r.path.includes('insertAll'))).toBe(false);
    expect(fake.requests.find((r) => r.path.startsWith('/upload/'))?.query).toMatchObject({ uploadType: 'multipart' });
  });

  it('loads gs:// files with one load job naming the URIs; local files are uploaded', async () => {
    const w = (await open()).withJobContext({ ...CONTEXT, step: 'extract' });
    fake.respond(() => undefined);
    await w.loadFiles('raw_ad_spend', ['gs://bucket/spend/2026-03-01.csv', 'gs://bucket/spend/2026-03-02.csv'], 'csv');
    const local = dir.write('spend.ndjson', '{"platform":"meta"}\n');
    await w.loadFiles('raw_ad_spend', [local], 'ndjson');
    expect(fake.jobs.map((j) => j.configuration.load)).toEqual([
      expect.objectContaining({ sourceUris: ['gs://bucket/spend/2026-03-01.csv', 'gs://bucket/spend/2026-03-02.csv'], sourceFormat: 'CSV', skipLeadingRows: 1 }),
      expect.objectContaining({ sourceFormat: 'NEWLINE_DELIMITED_JSON' }),
    ]);
    expect(fake.jobs[1]!.data).toBe('{"platform":"meta"}\n');
  });

  it('dry-runs: bytes processed, no job created, the cap still set', async () => {
    fake.respond((sql) => ({ totalBytesProcessed: sql.includes('stg_events') ? 123_456_789 : 0 }));
    const w = await open();
    expect(canDryRun(w)).toBe(true);
    expect(await w.dryRun('SELECT * FROM stg_events')).toEqual({ bytesProcessed: 123_456_789 });
    expect(fake.jobs).toHaveLength(0);
    const req = fake.requests.find((r) => r.method === 'POST')!.body as { configuration: { dryRun: boolean; query: { maximumBytesBilled: string } } };
    expect(req.configuration.dryRun).toBe(true);
    expect(req.configuration.query.maximumBytesBilled).toBe(String(CAP));
  });

  it('a transaction is BEGIN … COMMIT in one session: every job of the body carries the session; a failing body rolls back', async () => {
    const w = (await open()).withJobContext(CONTEXT);
    await w.transaction(async (tx) => {
      await tx.exec('DELETE FROM stg_events WHERE local_date >= DATE \'2026-03-01\'');
      await tx.exec('INSERT INTO stg_events SELECT 1');
    });
    const sqls = queryJobs().map(sqlOf);
    expect(sqls).toEqual(['BEGIN TRANSACTION', "DELETE FROM stg_events WHERE local_date >= DATE '2026-03-01'", 'INSERT INTO stg_events SELECT 1', 'COMMIT TRANSACTION', 'CALL BQ.ABORT_SESSION()']);
    expect((fake.jobs[0]!.configuration.query as { createSession: boolean }).createSession).toBe(true);
    for (const j of fake.jobs.slice(1)) expect((j.configuration.query as { connectionProperties: unknown }).connectionProperties).toEqual([{ key: 'session_id', value: 'session-1' }]);

    fake.respond((sql) => (sql.startsWith('INSERT') ? { error: { reason: 'invalidQuery', message: 'Unrecognized name: nope' } } : undefined));
    await expect(w.transaction(async (tx) => {
      await tx.exec('DELETE FROM t WHERE TRUE');
      await tx.exec('INSERT INTO t SELECT nope');
    })).rejects.toThrow(/Unrecognized name: nope/);
    expect(queryJobs().slice(5).map(sqlOf)).toEqual(['BEGIN TRANSACTION', 'DELETE FROM t WHERE TRUE', 'INSERT INTO t SELECT nope', 'ROLLBACK TRANSACTION', 'CALL BQ.ABORT_SESSION()']);
  });

  it('materializes a transform with its declared partitioning and clustering, and replaces a slice in a transaction, with its log of writes', async () => {
    const def = readTransform(dir.write('touch.sql', "-- materialized: incremental\n-- slice_column: local_date\n-- cluster_by: person_id, channel\nSELECT local_date, person_id, channel FROM {{ ref('sessions') }}"), '.');
    const w = (await open()).withJobContext({ ...CONTEXT, step: 'touch' });
    const ctx = { dialect: w.dialect, slice: { from: '2026-03-01', to: '2026-03-02' }, timeZone: 'UTC', fullRefresh: false, vars: { run_id: 'run-1' } };
    await materialize(w, def, ctx);
    // the engine's log of writes (_slice_writes) is created, then written before the build: CREATE OR REPLACE joins no transaction
    const first = queryJobs().map(sqlOf);
    expect(first).toEqual([
      'CREATE TABLE IF NOT EXISTS `_slice_writes` (`table_name` STRING, `local_date` DATE, `write_id` STRING)\nCLUSTER BY `table_name`, `local_date`',
      "DELETE FROM `_slice_writes` WHERE table_name = 'touch'",
      "INSERT INTO `_slice_writes` (table_name, local_date, write_id) VALUES ('touch', NULL, 'run-1:2026-03-01..2026-03-02:full'), ('touch', DATE '2026-03-01', 'run-1:2026-03-01..2026-03-02:full')",
      expect.stringMatching(/^CREATE OR REPLACE TABLE `touch`\nPARTITION BY `local_date`\nCLUSTER BY `person_id`, `channel` AS\nSELECT \* FROM \(/),
      'SELECT count(*) AS n FROM `touch`',
    ]);
    fake.tables.set('touch', [{ name: 'local_date', type: 'DATE' }]);
    fake.tables.set('_slice_writes', [{ name: 'table_name', type: 'STRING' }, { name: 'local_date', type: 'DATE' }, { name: 'write_id', type: 'STRING' }]);
    await materialize(w, def, ctx);
    // a slice: its log rows and its rows are replaced in one transaction
    expect(queryJobs().slice(first.length).map((j) => sqlOf(j).split('\n')[0])).toEqual([
      'BEGIN TRANSACTION',
      "DELETE FROM `_slice_writes` WHERE table_name = 'touch' AND local_date >= DATE '2026-03-01' AND local_date < DATE '2026-03-02'",
      "INSERT INTO `_slice_writes` (table_name, local_date, write_id) VALUES ('touch', DATE '2026-03-01', 'run-1:2026-03-01..2026-03-02')",
      "DELETE FROM `touch` WHERE `local_date` >= DATE '2026-03-01' AND `local_date` < DATE '2026-03-02'", 'INSERT INTO `touch` SELECT * FROM (', 'COMMIT TRANSACTION', 'CALL BQ.ABORT_SESSION()',
    ]);
  });

  it('rewrites errors into WarehouseErrors: bad SQL is permanent, backend errors retryable, the byte cap named', async () => {
    const w = await openBigQuery({ project: fake.project, dataset: fake.dataset, apiEndpoint: fake.url, authClient: fake.authClient, maximumBytesBilled: CAP, pollMs: 5, clientRetries: 1 });
    fake.failInserts(1, 400, 'invalidQuery');
    const bad = await w.exec('SELEC 1').catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(WarehouseError);
    expect(bad).toMatchObject({ retryable: false, message: expect.stringMatching(/injected invalidQuery \[HTTP 400 invalidQuery\]\n {2}in: SELEC 1/) });

    fake.failInserts(10, 503, 'backendError');
    const down = await w.exec('SELECT 1').catch((e: unknown) => e);
    expect(down).toMatchObject({ retryable: true, message: expect.stringContaining('backendError') });
    fake.failInserts(0, 0, '');

    fake.respond(() => ({ error: { reason: 'bytesBilledLimitExceeded', message: 'Query exceeded limit for bytes billed: 5368709120.' } }));
    const capped = await w.exec('SELECT * FROM huge').catch((e: unknown) => e);
    expect(capped).toMatchObject({ retryable: false, message: expect.stringContaining('raise warehouse.maximum_bytes_billed') });
  });

  it('reads table existence and columns with tables.get', async () => {
    fake.tables.set('sessions', [{ name: 'session_id', type: 'STRING' }, { name: 'n', type: 'INTEGER' }, { name: 'ids', type: 'STRING', mode: 'REPEATED' }]);
    const w = await open();
    expect(await w.tableExists('sessions')).toBe(true);
    expect(await w.tableExists('nope')).toBe(false);
    expect(await w.columns('sessions')).toEqual([{ name: 'session_id', type: 'STRING' }, { name: 'n', type: 'INT64' }, { name: 'ids', type: 'ARRAY<STRING>' }]);
    expect(canScopeJobs(w)).toBe(true);
  });

  it('fails at open, naming the dataset and how to create it, when the dataset does not exist', async () => {
    await expect(openBigQuery({ project: fake.project, dataset: 'nope', apiEndpoint: fake.url, authClient: fake.authClient, maximumBytesBilled: CAP }))
      .rejects.toThrow(ConfigError);
    await expect(openBigQuery({ project: fake.project, dataset: 'nope', apiEndpoint: fake.url, authClient: fake.authClient, maximumBytesBilled: CAP }))
      .rejects.toThrow(/dataset test-project:nope \(location US\) does not exist: create it \(bq mk/);
  });
});
