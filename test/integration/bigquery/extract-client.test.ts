/**
 * Extract on BigQuery, through the real adapter and the real `@google-cloud/bigquery` client, against
 * the local stand-in for the REST API (test/helpers/fake-bigquery.ts). The stand-in RUNS NO SQL: it
 * records the requests and answers queries with what each test tells it to. So these tests check the
 * REQUESTS extract makes — the load job and its config, the uploaded lines, the job ids and labels,
 * the transaction's statements and parameters, the ledger lookup that skips a known file — not their
 * results. What the SQL does is checked by extract-parity.test.ts (executed on ZetaSQL's reference
 * engine) and extract-analyze.test.ts (BigQuery's analyzer); the live suite runs it on BigQuery.
 */
import { writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { extractFiles } from '../../../pipelines/extract/index.ts';
import { sha256File } from '../../../pipelines/extract/files.ts';
import { openBigQuery, type JobContext } from '../../../warehouse/bigquery/index.ts';
import { startFakeBigQuery, type FakeBigQuery, type FakeJob } from '../../helpers/fake-bigquery.ts';
import { tempDir, type TempDir } from '../../helpers/tmp.ts';
import { event, ndjson, OPTS } from '../extract/helpers.ts';

const CONTEXT: JobContext = { runId: 'run-20260301-abc', step: 'extract', attempt: 0 };
const LINES = [event({ event_id: 'e1' }), '{broken', '', event({ event_id: 'has space' }), event({ event_id: 'e2', source: 'skybeam' })];

let fake: FakeBigQuery;
let dir: TempDir;
beforeEach(async () => {
  fake = await startFakeBigQuery();
  dir = tempDir('beamline-bq-extract-');
});
afterEach(async () => {
  await fake.close();
  dir.remove();
});

async function open(f: FakeBigQuery = fake) {
  const w = await openBigQuery({ project: f.project, dataset: f.dataset, apiEndpoint: f.url, authClient: f.authClient, maximumBytesBilled: 2 ** 30, pollMs: 5 });
  return w.withJobContext(CONTEXT);
}

/** The stand-in's answers: the ledger knows `known`; the stage counts are what the validation would give for LINES. */
function answer(f: FakeBigQuery, known: string[] = []): void {
  f.respond((sql) => {
    if (sql.startsWith('SELECT content_hash AS h FROM _beamline_loads')) return { fields: [{ name: 'h', type: 'STRING' }], rows: known.map((h) => ({ h })) };
    if (sql.startsWith('SELECT src_file, rej.field')) {
      return {
        fields: [{ name: 'src_file', type: 'INTEGER' }, { name: 'field', type: 'STRING' }, { name: 'rule', type: 'STRING' }, { name: 'blank', type: 'BOOLEAN' }, { name: 'n', type: 'INTEGER' }],
        rows: [
          { src_file: 1, field: null, rule: null, blank: false, n: 2 }, { src_file: 1, field: null, rule: null, blank: true, n: 1 },
          { src_file: 1, field: '(line)', rule: 'invalid JSON', blank: false, n: 1 }, { src_file: 1, field: 'event_id', rule: 'must not contain whitespace, quotes, semicolons or control characters', blank: false, n: 1 },
        ],
      };
    }
    return sql.startsWith('INSERT') ? { numDmlAffectedRows: 2 } : undefined;
  });
}

const sqlOf = (j: FakeJob) => (j.configuration.query as { query: string } | undefined)?.query ?? '';
const head = (j: FakeJob) => (j.configuration.load ? 'LOAD' : sqlOf(j).replace(/^(--[^\n]*\n)+/, '').split('\n')[0]!);
/** Matches a string that begins with `prefix`. */
const starts = (prefix: string) => expect.stringMatching(new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));

describe('extract on BigQuery against the stand-in REST API (requests, not results)', () => {
  it('loads a file: one load job of its numbered lines into a scratch table, then one transaction that validates and writes rows, rejects and the ledger', async () => {
    const path = dir.write('events.ndjson', ndjson(LINES));
    answer(fake);
    const summary = await extractFiles(await open(), 'events', [path], OPTS);

    const scratch = /^_beamline_lines_events_[0-9a-f]{16}$/;
    expect(fake.jobs.map(head)).toEqual([
      starts('CREATE TABLE IF NOT EXISTS `raw_events` (`load_id` STRING, `file`'),
      ...['raw_events', 'raw_rejected', 'raw_ad_spend', 'raw_orders', 'raw_fx', '_beamline_loads'].map((t) => starts(`CREATE TABLE IF NOT EXISTS \`${t}\` (\`load_id\` STRING`)),
      'SELECT content_hash AS h FROM _beamline_loads WHERE kind = @p1',
      expect.stringMatching(/^CREATE OR REPLACE TABLE `_beamline_lines_events_[0-9a-f]{16}` \(`src_file` INT64, `src_line` INT64, `raw` STRING, `doc` STRING\)$/),
      'LOAD',
      'BEGIN TRANSACTION',
      'CREATE TEMP TABLE `_beamline_extract_stage` AS',
      starts('INSERT INTO `raw_events` (`load_id`, `file`, `line`, `loaded_at`, `event_id`'),
      starts('INSERT INTO raw_rejected (load_id, kind, file, line, loaded_at, field, reason, raw) SELECT'),
      starts('SELECT src_file, rej.field AS field, rej.rule AS rule, blank, COUNT(*) AS n FROM `_beamline_extract_stage`'),
      starts('INSERT INTO _beamline_loads (load_id, kind, content_hash, file, loaded_at, rows_loaded, rows_rejected, run_id) VALUES'),
      'COMMIT TRANSACTION',
      'CALL BQ.ABORT_SESSION()',
      expect.stringMatching(/^DROP TABLE IF EXISTS `_beamline_lines_events_[0-9a-f]{16}`$/),
    ]);
    expect(sqlOf(fake.jobs[0]!)).toMatch(/\nPARTITION BY DATE\(event_ts\)\s*$/);
    expect(sqlOf(fake.jobs[8]!)).toMatch(/OPTIONS \(expiration_timestamp = TIMESTAMP_ADD\(CURRENT_TIMESTAMP\(\), INTERVAL 1 DAY\)\)$/);

    // The load job: NDJSON into the scratch table, appended to the table just created, labelled, with a deterministic id.
    const load = fake.jobs.find((j) => j.configuration.load)!;
    expect(load.configuration).toMatchObject({
      load: { sourceFormat: 'NEWLINE_DELIMITED_JSON', writeDisposition: 'WRITE_APPEND', createDisposition: 'CREATE_NEVER', destinationTable: { projectId: fake.project, datasetId: fake.dataset, tableId: expect.stringMatching(scratch) } },
      labels: { pipeline: 'beamline', run_id: 'run-20260301-abc', step: 'extract' },
    });
    expect(load.id).toMatch(/^beamline_run-20260301-abc_extract_a0_10_[0-9a-f]{12}$/);
    // What was uploaded: every line of the file, numbered, as it is (the blank one too); streamed with its length known.
    expect(load.data!.trim().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual(
      LINES.map((l, i) => ({ src_file: 1, src_line: i + 1, raw: typeof l === 'string' ? l : JSON.stringify(l) })),
    );
    const upload = fake.requests.find((r) => r.path.startsWith('/upload/'))!;
    expect(upload.query).toMatchObject({ uploadType: 'multipart' });
    expect(upload.headers['transfer-encoding']).toBeUndefined();
    expect(Number(upload.headers['content-length'])).toBeGreaterThan(load.data!.length);

    // The transaction: every statement in the session; the validation bound to now, the currency, the load ids and the paths.
    const begin = fake.jobs.findIndex((j) => sqlOf(j) === 'BEGIN TRANSACTION');
    for (const j of fake.jobs.slice(begin + 1, begin + 8)) expect((j.configuration.query as { connectionProperties?: unknown }).connectionProperties).toEqual([{ key: 'session_id', value: 'session-1' }]);
    const stage = fake.jobs[begin + 1]!.configuration.query as { query: string; queryParameters: unknown[] };
    expect(stage.query).toContain('-- purpose: BigQuery\'s twin of validate-events.sql');
    expect(stage.query).toMatch(new RegExp(`FROM \`${scratch.source.slice(1, -1)}\``));
    const hash = await sha256File(path);
    expect(stage.queryParameters).toEqual([
      { name: 'p1', parameterType: { type: 'TIMESTAMP' }, parameterValue: { value: OPTS.now!.toISOString() } },
      { name: 'p2', parameterType: { type: 'STRING' }, parameterValue: { value: 'USD' } },
      { name: 'p3', parameterType: { type: 'ARRAY', arrayType: { type: 'STRING' } }, parameterValue: { arrayValues: [{ value: `events-${hash.slice(0, 16)}` }] } },
      { name: 'p4', parameterType: { type: 'ARRAY', arrayType: { type: 'STRING' } }, parameterValue: { arrayValues: [{ value: path }] } },
    ]);
    const ledger = fake.jobs[begin + 5]!.configuration.query as { queryParameters: Array<{ parameterValue: { value: string } }> };
    expect(ledger.queryParameters.map((p) => p.parameterValue.value)).toEqual(['events', OPTS.now!.toISOString(), 'test-run', `events-${hash.slice(0, 16)}`, hash, path, '2', '2']);
    // The summary echoes the stand-in's counts (it computes nothing).
    expect(summary.files[0]).toMatchObject({ skipped: false, rowsLoaded: 2, rowsRejected: 2, blankLines: 1 });
  });

  it('issues the same job ids when the same step runs again (a retried insert finds its job)', async () => {
    const path = dir.write('events.ndjson', ndjson(LINES));
    answer(fake);
    await extractFiles(await open(), 'events', [path], OPTS);
    const other = await startFakeBigQuery();
    try {
      answer(other);
      await extractFiles(await open(other), 'events', [path], OPTS);
      expect(other.jobs.map((j) => j.id)).toEqual(fake.jobs.map((j) => j.id));
    } finally {
      await other.close();
    }
  });

  it('a file already in the ledger is not loaded again: no load job, no upload, no transaction', async () => {
    const path = dir.write('events.ndjson', ndjson(LINES));
    answer(fake, [await sha256File(path)]);
    const summary = await extractFiles(await open(), 'events', [path], OPTS);
    expect(summary.files[0]).toMatchObject({ skipped: true, rowsLoaded: 0 });
    expect(fake.jobs.some((j) => j.configuration.load)).toBe(false);
    expect(fake.requests.some((r) => r.path.startsWith('/upload/'))).toBe(false);
    expect(fake.jobs.map(sqlOf).filter((s) => !s.includes('CREATE TABLE IF NOT EXISTS'))).toEqual(['SELECT content_hash AS h FROM _beamline_loads WHERE kind = @p1']);
  });

  it('several files of a kind load in one load job and one transaction, numbered per file; an unreadable one is named and left out', async () => {
    const a = dir.write('a.csv', 'event_id,event_name,timestamp,source,anonymous_id\ne1,page_view,2024-03-01T10:00:00Z,client,a1\n');
    const bad = `${dir.path}/b.ndjson`;
    writeFileSync(bad, Buffer.from([0x7b, 0xff, 0xfe, 0x0a]));
    const c = dir.write('c.ndjson', ndjson([event({ event_id: 'c1' })]));
    answer(fake);
    const err = await extractFiles(await open(), 'events', [a, bad, c], OPTS).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ExtractInputError', message: expect.stringContaining(`cannot read ${bad} as events: not UTF-8 text`) });
    const loads = fake.jobs.filter((j) => j.configuration.load);
    expect(loads).toHaveLength(1);
    expect(loads[0]!.data!.trim().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual([
      { src_file: 1, src_line: 2, raw: '{"event_id":"e1","event_name":"page_view","timestamp":"2024-03-01T10:00:00Z","source":"client","anonymous_id":"a1"}', doc: '{"event_id":"e1","event_name":"page_view","timestamp":"2024-03-01T10:00:00Z","source":"client","anonymous_id":"a1"}' },
      { src_file: 2, src_line: 1, raw: JSON.stringify(event({ event_id: 'c1' })) },
    ]);
    expect(fake.jobs.filter((j) => sqlOf(j) === 'BEGIN TRANSACTION')).toHaveLength(1);
  });

  it('refuses gs:// sources, naming the path: line numbers need the file read here', async () => {
    await expect(extractFiles(await open(), 'events', ['gs://bucket/events/2026-03-01.ndjson'], OPTS)).rejects.toThrow(/sources\.events: gs:\/\/bucket\/events\/2026-03-01\.ndjson is not a local path; extract reads local files only/);
    expect(fake.jobs).toHaveLength(0);
  });
});
