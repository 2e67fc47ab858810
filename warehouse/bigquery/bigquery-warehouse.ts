/**
 * The production warehouse: BigQuery through `@google-cloud/bigquery`. Every statement is a job with
 * a deterministic id (see {@link JobContext}), the pipeline / run / step labels, the dataset as
 * default (so unqualified table names work as on DuckDB) and the `maximumBytesBilled` cap. Bulk
 * writes are load jobs (never streaming inserts). Transactions are BigQuery multi-statement
 * transactions in a session: BEGIN TRANSACTION opens a session, every statement of the body runs as
 * a job in it (so the body can read its own writes), COMMIT or ROLLBACK ends it, and the session is
 * aborted at once rather than left to expire.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WarehouseError } from '../../lib/errors.ts';
import { assertIdentifier, bigqueryDialect } from '../dialect.ts';
import type { ColumnInfo, ColumnSpec, FileFormat, Row, Warehouse, WarehouseSession } from '../types.ts';
import { toWarehouseError } from './errors.ts';
import { jobId, jobIdPrefix, jobLabels } from './job-ids.ts';
import type { JobResource, Jobs } from './jobs.ts';
import type { BigQueryWarehouseOptions, JobContext } from './options.ts';
import { ndjsonLine, queryParameters, schemaField, standardType } from './values.ts';

/** How much a statement would read, from a dry run. */
export interface DryRunResult {
  readonly bytesProcessed: number;
}

const FORMATS: Record<FileFormat, string> = { ndjson: 'NEWLINE_DELIMITED_JSON', csv: 'CSV', parquet: 'PARQUET' };

function head(sql: string): string {
  return sql.replace(/\s+/g, ' ').trim().slice(0, 200);
}

/** Job numbering shared by a context and the transactions opened from it. */
interface Sequence {
  readonly prefix: string;
  n: number;
}

export class BigQueryWarehouse implements Warehouse {
  readonly dialect = bigqueryDialect;

  constructor(
    private readonly jobs: Jobs,
    private readonly options: BigQueryWarehouseOptions,
    private readonly context?: JobContext,
    private readonly sequence: Sequence = { prefix: jobIdPrefix(context), n: 0 },
    /** The session of an open transaction; its jobs run inside it. */
    private readonly sessionId?: string,
  ) {}

  /** The same warehouse, issuing its jobs for `context`: ids from the run, step, slice and attempt; labels from the run and step. */
  withJobContext(context: JobContext): BigQueryWarehouse {
    return new BigQueryWarehouse(this.jobs, this.options, context);
  }

  #nextId(what: string): string {
    return jobId(this.sequence.prefix, ++this.sequence.n, what);
  }

  #queryConfig(sql: string, params: readonly unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
    const query: Record<string, unknown> = {
      query: sql,
      useLegacySql: false,
      defaultDataset: { projectId: this.options.project, datasetId: this.options.dataset },
      maximumBytesBilled: String(this.options.maximumBytesBilled),
      ...extra,
    };
    if (params.length > 0) {
      query.parameterMode = 'NAMED';
      query.queryParameters = queryParameters(params);
    }
    if (this.sessionId) query.connectionProperties = [{ key: 'session_id', value: this.sessionId }];
    return { query, labels: jobLabels(this.context, this.options.labels) };
  }

  async #run(sql: string, params: readonly unknown[], extra?: Record<string, unknown>): Promise<{ id: string; job: JobResource }> {
    const id = this.#nextId(sql);
    const job = await this.jobs.run(id, this.#queryConfig(sql, params, extra), head(sql));
    return { id, job };
  }

  async query<T extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    const { id } = await this.#run(sql, params);
    return (await this.jobs.rows(id, head(sql))) as T[];
  }

  async exec(sql: string, params: readonly unknown[] = []): Promise<number> {
    const { job } = await this.#run(sql, params);
    return Number(job.statistics?.query?.numDmlAffectedRows ?? 0);
  }

  /** Validates `sql` and returns the bytes it would read, without running it or billing anything. */
  async dryRun(sql: string, params: readonly unknown[] = []): Promise<DryRunResult> {
    const job = await this.jobs.dryRun(this.#queryConfig(sql, params), head(sql));
    return { bytesProcessed: Number(job.statistics?.query?.totalBytesProcessed ?? job.statistics?.totalBytesProcessed ?? 0) };
  }

  async transaction<T>(fn: (tx: WarehouseSession) => Promise<T>): Promise<T> {
    if (this.sessionId) throw new WarehouseError('BigQuery: transaction() inside a transaction: use the session you were given');
    const { job } = await this.#run('BEGIN TRANSACTION', [], { createSession: true });
    const sessionId = job.statistics?.sessionInfo?.sessionId;
    if (!sessionId) throw new WarehouseError('BigQuery: BEGIN TRANSACTION returned no session id');
    const tx = new BigQueryWarehouse(this.jobs, this.options, this.context, this.sequence, sessionId);
    try {
      const out = await fn(tx);
      await tx.exec('COMMIT TRANSACTION');
      return out;
    } catch (err) {
      await tx.exec('ROLLBACK TRANSACTION').catch(() => undefined);
      throw err;
    } finally {
      await tx.exec('CALL BQ.ABORT_SESSION()').catch(() => undefined);
    }
  }

  async tableExists(table: string): Promise<boolean> {
    assertIdentifier(table, 'table name');
    try {
      const [exists] = await this.jobs.client.dataset(this.options.dataset).table(table).exists();
      return exists;
    } catch (err) {
      throw toWarehouseError(err, `tables.get ${this.options.dataset}.${table}`);
    }
  }

  async columns(table: string): Promise<ColumnInfo[]> {
    assertIdentifier(table, 'table name');
    try {
      const [meta] = await this.jobs.client.dataset(this.options.dataset).table(table).getMetadata();
      const fields = (meta as { schema?: { fields?: Array<{ name: string; type?: string; mode?: string }> } }).schema?.fields ?? [];
      return fields.map((f) => ({ name: f.name, type: standardType(f) }));
    } catch (err) {
      throw toWarehouseError(err, `tables.get ${this.options.dataset}.${table}`);
    }
  }

  /**
   * Appends rows with one load job: the rows are written as NDJSON to a temporary file, which is
   * uploaded with the job. The table must exist. A load job is atomic, but it cannot join a
   * transaction: inside one, load into a staging table and INSERT … SELECT from it.
   */
  async appendRows(table: string, columns: readonly ColumnSpec[], rows: Iterable<readonly unknown[]>): Promise<number> {
    assertIdentifier(table, 'table name');
    const dir = await mkdtemp(join(tmpdir(), 'beamline-bq-'));
    const file = join(dir, `${table}.ndjson`);
    try {
      // Rows go to the file as they come: a big append never sits in memory as one string.
      const out = createWriteStream(file);
      let n = 0;
      for (const row of rows) {
        n++;
        if (!out.write(`${ndjsonLine(columns, row)}\n`)) await once(out, 'drain');
      }
      out.end();
      await once(out, 'close');
      if (n === 0) return 0;
      const job = await this.#load(table, [file], 'ndjson');
      return Number(job.statistics?.load?.outputRows ?? n);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /**
   * Creates or replaces the scratch table `table` (expiring after a day, so a crash leaves nothing
   * for long) and fills it with one load job that uploads the local NDJSON files one after the other,
   * streamed from disk. DDL and a load job: never inside a transaction.
   */
  async bulkLoad(table: string, columns: readonly ColumnSpec[], ndjsonFiles: readonly string[]): Promise<number> {
    assertIdentifier(table, 'table name');
    if (this.sessionId) throw new WarehouseError('BigQuery: bulkLoad() inside a transaction: a load job cannot join one; load before transaction()');
    const body = columns.map((c) => {
      const f = schemaField(c);
      return `${this.dialect.quoteIdent(c.name)} ${f.mode === 'REPEATED' ? `ARRAY<${f.type}>` : f.type}`;
    });
    await this.exec(`CREATE OR REPLACE TABLE ${this.dialect.quoteIdent(table)} (${body.join(', ')})\nOPTIONS (expiration_timestamp = TIMESTAMP_ADD(CURRENT_TIMESTAMP(), INTERVAL 1 DAY))`);
    if (ndjsonFiles.length === 0) return 0;
    // The job id hashes the table, not the (temporary) file names: the same step run again issues the same id.
    const job = await this.#load(table, ndjsonFiles, 'ndjson', 'WRITE_APPEND', { concatenate: true, idKey: `bulk load ${table}` });
    return Number(job.statistics?.load?.outputRows ?? 0);
  }

  /**
   * Loads files into `table` with load jobs: `gs://` URIs in one job, local files one job each
   * (uploaded with the job). Returns the rows loaded.
   */
  async loadFiles(table: string, sources: readonly string[], format: FileFormat, options: { readonly writeDisposition?: 'WRITE_APPEND' | 'WRITE_TRUNCATE' } = {}): Promise<number> {
    assertIdentifier(table, 'table name');
    const gcs = sources.filter((s) => s.startsWith('gs://'));
    const local = sources.filter((s) => !s.startsWith('gs://'));
    let rows = 0;
    if (gcs.length > 0) rows += Number((await this.#load(table, gcs, format, options.writeDisposition)).statistics?.load?.outputRows ?? 0);
    for (const file of local) rows += Number((await this.#load(table, [file], format, options.writeDisposition)).statistics?.load?.outputRows ?? 0);
    return rows;
  }

  /** One load job. `gs://` sources are named in the job; local ones are uploaded with it, concatenated when `concatenate`. */
  #load(table: string, sources: readonly string[], format: FileFormat, writeDisposition = 'WRITE_APPEND', how: { concatenate?: boolean; idKey?: string } = {}): Promise<JobResource> {
    const load: Record<string, unknown> = {
      destinationTable: { projectId: this.options.project, datasetId: this.options.dataset, tableId: table },
      sourceFormat: FORMATS[format],
      writeDisposition,
      createDisposition: 'CREATE_NEVER',
    };
    if (format === 'csv') load.skipLeadingRows = 1;
    const gcs = sources[0]!.startsWith('gs://');
    if (gcs) load.sourceUris = [...sources];
    const configuration = { load, labels: jobLabels(this.context, this.options.labels) };
    const what = `load job into ${table} from ${sources.join(', ')}`;
    const id = this.#nextId(how.idKey ?? `load ${table} ${format} ${sources.join(',')}`);
    return gcs ? this.jobs.run(id, configuration, what) : this.jobs.uploadAndRun(id, configuration, how.concatenate ? sources : [sources[0]!], what);
  }

  async close(): Promise<void> {}
}
