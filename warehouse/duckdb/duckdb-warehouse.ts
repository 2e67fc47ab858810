/**
 * The embedded default warehouse: one DuckDB file, no server. One connection per warehouse object;
 * statements are serialised through a queue so a transaction's statements never interleave with others.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  DuckDBConnection,
  DuckDBInstance,
  DuckDBTypeId,
  DuckDBTimestampTZValue,
  DuckDBDateValue,
  type DuckDBAppender,
  type DuckDBResultReader,
} from '@duckdb/node-api';
import { WarehouseError } from '../../lib/errors.ts';
import { assertIdentifier, duckdbDialect } from '../dialect.ts';
import type { ColumnInfo, ColumnSpec, FileFormat, FileReadingWarehouse, Row, BatchingWarehouse, StagingWarehouse, TempAppendingWarehouse, CompactingWarehouse, WarehouseSession } from '../types.ts';
import { SQL_TRACE as TRACE, SQL_TRACE_FULL as TRACE_FULL } from '../sql-trace.ts';
import { fileScanSql, filesScanSql } from './file-scan.ts';

/** A statement as traced: whole or its head, with the id salt (inlined by hash_id()) masked. */
function traced(sql: string): string {
  const text = TRACE_FULL ? sql : sql.replace(/\s+/g, ' ').trim().slice(0, 160);
  const salt = process.env.BEAMLINE_ID_SALT;
  return salt ? text.replaceAll(salt, '***').replaceAll(salt.replace(/'/g, "''"), '***') : text;
}

/** The storage format of a new warehouse file (the DuckDB release it needs at least). */
export const STORAGE_VERSION = 'v1.5.0';

export interface DuckDbOptions {
  /** Path of the database file, or ':memory:'. */
  path: string;
  /** Worker threads (default: DuckDB's, the number of cores). */
  threads?: number;
  /**
   * 'light': tables are written without DuckDB's costliest string compressions (FSST, dictionary, and
   * the two combined, DICT_FSST) — measured on the 1M bench: the pipeline ~20–25% faster, the file ~3.7× larger
   * (docs/config.md, `warehouse.compression`). Default 'auto': DuckDB picks per column segment.
   */
  compression?: 'auto' | 'light';
  /** e.g. '4GB'. */
  memoryLimit?: string;
}

/** Opens (creating if needed) a DuckDB warehouse file. */
export async function openDuckDb(options: DuckDbOptions): Promise<DuckDbWarehouse> {
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
  const config: Record<string, string> = {};
  if (options.threads !== undefined) config.threads = String(options.threads);
  if (options.memoryLimit !== undefined) config.memory_limit = options.memoryLimit;
  // A new file is written in DuckDB 1.5's storage format (an existing one keeps its own): its string
  // compression (DICT_FSST) writes the wide tables ~20% faster and ~15% smaller than the default format,
  // which DuckDB keeps readable by v0.10. Such a file opens with DuckDB 1.5 or later only.
  config.storage_compatibility_version = STORAGE_VERSION;
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(options.path, config);
  } catch (err) {
    throw new WarehouseError(`cannot open DuckDB file ${options.path}: ${(err as Error).message} (is another Beamline process holding it open?)`, { cause: err, retryable: true });
  }
  const connection = await instance.connect();
  // Sessions run in UTC so nothing depends on the machine's zone; local dates use the account's zone explicitly.
  // (ICU is loaded only once connected, so this cannot go in the instance config.)
  await connection.run("SET TimeZone = 'UTC'");
  // Tables have no order: writes that keep it cost memory, and their row groups a slower checkpoint
  // (~1.5 s per 1M-row table). Extract, which numbers lines by rowid, turns it on for its own writes.
  await connection.run('SET preserve_insertion_order = false');
  // (dict_fsst: the two combined, in the storage format of a file made by DuckDB 1.3 or later)
  if (options.compression === 'light') await connection.run("SET disabled_compression_methods = 'fsst,dictionary,dict_fsst'");
  return new DuckDbWarehouse(instance, connection, options.path, options.memoryLimit);
}

export class DuckDbWarehouse implements FileReadingWarehouse, BatchingWarehouse, StagingWarehouse, TempAppendingWarehouse, CompactingWarehouse {
  readonly dialect = duckdbDialect;
  readonly batchesSlices = true as const;
  readonly stagesCtes = true as const;
  readonly appendsToTempTables = true as const;
  #queue: Promise<unknown> = Promise.resolve();
  #inTransaction = false;

  constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    readonly path: string,
    /** The memory cap it was opened with (undefined: DuckDB's default, 80% of RAM). */
    readonly memoryLimit?: string,
  ) {}

  /** Serialises work on the single connection. */
  #enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(fn, fn);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  query<T extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    if (this.#inTransaction) throw new WarehouseError('query() called outside the transaction body while a transaction is open: use the session passed to transaction()');
    return this.#enqueue(() => this.#query<T>(sql, params));
  }

  exec(sql: string, params: readonly unknown[] = []): Promise<number> {
    if (this.#inTransaction) throw new WarehouseError('exec() called outside the transaction body while a transaction is open: use the session passed to transaction()');
    return this.#enqueue(() => this.#exec(sql, params));
  }

  async #query<T>(sql: string, params: readonly unknown[]): Promise<T[]> {
    const result = await this.#run(sql, params);
    return readRows(result) as T[];
  }

  async #exec(sql: string, params: readonly unknown[]): Promise<number> {
    const result = await this.#run(sql, params);
    return Number(result.rowsChanged);
  }

  async #run(sql: string, params: readonly unknown[]): Promise<DuckDBResultReader> {
    const t0 = TRACE ? performance.now() : 0;
    try {
      return await this.connection.runAndReadAll(sql, params.length ? (params.map(toDuck) as never) : undefined);
    } catch (err) {
      throw wrapError(err, sql, this.memoryLimit);
    } finally {
      if (TRACE) process.stderr.write(`[sql ${Math.round(performance.now() - t0)} ms] ${traced(sql)}\n`);
    }
  }

  transaction<T>(fn: (tx: WarehouseSession) => Promise<T>): Promise<T> {
    return this.#enqueue(() => this.#transaction(fn));
  }

  transactionAfterStages<T>(stages: readonly string[], drops: readonly string[], fn: (tx: WarehouseSession) => Promise<T>): Promise<T> {
    return this.#enqueue(async () => {
      try {
        for (const stmt of stages) await this.#exec(stmt, []);
        return await this.#transaction(fn);
      } finally {
        for (const stmt of drops) await this.#exec(stmt, []).catch(() => undefined);
      }
    });
  }

  /** One transaction on the connection; the caller holds the queue. */
  async #transaction<T>(fn: (tx: WarehouseSession) => Promise<T>): Promise<T> {
    const session: WarehouseSession = {
      dialect: this.dialect,
      query: (sql, params = []) => this.#query(sql, params),
      exec: (sql, params = []) => this.#exec(sql, params),
      appendRows: (table, cols, rows) => this.#append(table, cols, rows),
      tableExists: (t) => this.#tableExists(t),
      columns: (t) => this.#columns(t),
    };
    await this.#exec('BEGIN TRANSACTION', []);
    this.#inTransaction = true;
    try {
      const out = await fn(session);
      await this.#exec('COMMIT', []);
      return out;
    } catch (err) {
      await this.#exec('ROLLBACK', []).catch(() => undefined);
      throw err;
    } finally {
      this.#inTransaction = false;
    }
  }

  async withoutCompaction<T>(fn: () => Promise<T>): Promise<T> {
    // (max_vacuum_tasks: how many row-group compactions a checkpoint may schedule; 0 schedules none)
    const [before] = await this.query<{ n: number | bigint }>(`SELECT CAST(current_setting('max_vacuum_tasks') AS BIGINT) AS n`);
    await this.exec('SET max_vacuum_tasks = 0');
    try {
      const out = await fn();
      // fn's writes are checkpointed now, still without compaction: left in the WAL, they would be
      // checkpointed (and their tables compacted) by the next checkpoint, often the one on close
      // (the 1M bench: 0.4-1.4 s on close, against 40 ms for this one)
      await this.exec('CHECKPOINT');
      return out;
    } finally {
      await this.exec(`SET max_vacuum_tasks = ${Number(before?.n ?? 100)}`);
    }
  }

  tableExists(table: string): Promise<boolean> {
    return this.#enqueue(() => this.#tableExists(table));
  }

  async #tableExists(table: string): Promise<boolean> {
    const rows = await this.#query<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM information_schema.tables WHERE table_schema = 'main' AND table_name = $1`, [assertIdentifier(table, 'table name')]);
    return (rows[0]?.n ?? 0) > 0;
  }

  columns(table: string): Promise<ColumnInfo[]> {
    return this.#enqueue(() => this.#columns(table));
  }

  #columns(table: string): Promise<ColumnInfo[]> {
    return this.#query<ColumnInfo>(
      `SELECT column_name AS name, data_type AS type FROM information_schema.columns WHERE table_schema = 'main' AND table_name = $1 ORDER BY ordinal_position`,
      [assertIdentifier(table, 'table name')],
    );
  }

  appendRows(table: string, columns: readonly ColumnSpec[], rows: Iterable<readonly unknown[]>): Promise<number> {
    return this.#enqueue(() => this.#append(table, columns, rows));
  }

  async #append(table: string, columns: readonly ColumnSpec[], rows: Iterable<readonly unknown[]>): Promise<number> {
    assertIdentifier(table, 'table name');
    let appender: DuckDBAppender;
    try {
      appender = await this.connection.createAppender(table);
    } catch (err) {
      throw wrapError(err, `appender for ${table}`);
    }
    const writers = columns.map((c) => appendFn(c));
    let n = 0;
    try {
      for (const row of rows) {
        for (let i = 0; i < writers.length; i++) writers[i]!(appender, row[i]);
        appender.endRow();
        n++;
      }
      appender.closeSync();
    } catch (err) {
      throw new WarehouseError(`appending to ${table} failed at row ${n + 1}: ${(err as Error).message}`, { cause: err });
    }
    return n;
  }

  fileScan(path: string, format: FileFormat): string {
    return fileScanSql(path, format);
  }

  filesScan(paths: readonly string[], format: 'ndjson' | 'csv'): string {
    return filesScanSql(paths, format);
  }

  async close(): Promise<void> {
    await this.#queue;
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

type Writer = (a: DuckDBAppender, v: unknown) => void;

function appendFn(col: ColumnSpec): Writer {
  assertIdentifier(col.name, 'column name');
  const orNull = (w: Writer): Writer => (a, v) => (v === null || v === undefined ? a.appendNull() : w(a, v));
  switch (col.type) {
    case 'varchar':
      return orNull((a, v) => a.appendVarchar(String(v)));
    case 'double':
      return orNull((a, v) => a.appendDouble(Number(v)));
    case 'bigint':
      return orNull((a, v) => a.appendBigInt(BigInt(v as number)));
    case 'integer':
      return orNull((a, v) => a.appendInteger(Number(v)));
    case 'boolean':
      return orNull((a, v) => a.appendBoolean(Boolean(v)));
    case 'timestamptz':
      return orNull((a, v) => a.appendTimestampTZ(new DuckDBTimestampTZValue(BigInt(Math.round((v instanceof Date ? v.getTime() : Number(v)) * 1000)))));
    case 'date':
      return orNull((a, v) => a.appendDate(dateValue(String(v))));
    case 'varchar[]':
      return orNull((a, v) => a.appendList((v as unknown[]).map(String)));
  }
}

/** Dates repeat (a load or a credit table spans a few hundred days): each distinct one is converted once. */
const DATE_VALUES = new Map<string, DuckDBDateValue>();

/** 'YYYY-MM-DD' → DuckDB's days since 1970-01-01; an impossible date (2026-02-30) throws. */
function dateValue(s: string): DuckDBDateValue {
  const known = DATE_VALUES.get(s);
  if (known) return known;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) throw new TypeError(`not a date: ${s}`);
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const back = new Date(0);
  back.setUTCFullYear(year, month - 1, day); // not Date.UTC: it reads years 0-99 as 1900-1999
  const ms = back.getTime();
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) throw new TypeError(`not a date: ${s}`);
  const value = new DuckDBDateValue(Math.round(ms / 86_400_000));
  if (DATE_VALUES.size >= 100_000) DATE_VALUES.clear();
  DATE_VALUES.set(s, value);
  return value;
}

function toDuck(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  return v === undefined ? null : v;
}

/** Converts a result to plain JS rows: safe bigints become numbers, dates 'YYYY-MM-DD', timestamps Date. */
function readRows(result: DuckDBResultReader): Row[] {
  const rows = result.getRowObjectsJS() as Row[];
  const names = result.columnNames();
  const types = result.columnTypes();
  const dateCols = names.filter((_, i) => types[i]!.typeId === DuckDBTypeId.DATE);
  const bigCols = names.filter((_, i) => [DuckDBTypeId.BIGINT, DuckDBTypeId.HUGEINT, DuckDBTypeId.UBIGINT].includes(types[i]!.typeId));
  if (dateCols.length === 0 && bigCols.length === 0) return rows;
  for (const row of rows) {
    for (const c of dateCols) {
      const v = row[c];
      if (v instanceof Date) row[c] = v.toISOString().slice(0, 10);
    }
    for (const c of bigCols) {
      const v = row[c];
      if (typeof v === 'bigint' && v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER)) row[c] = Number(v);
    }
  }
  return rows;
}

function wrapError(err: unknown, sql: string, memoryLimit?: string): WarehouseError {
  let msg = (err as Error).message ?? String(err);
  if (/Out of Memory Error/.test(msg)) {
    // DuckDB's own advice names its SET commands; say what to change in Beamline.
    msg = `${msg.split('\n')[0]}\n  DuckDB reached its memory limit (${memoryLimit ?? "DuckDB's default, 80% of RAM"}): raise warehouse.memory_limit in beamline.yml, lower warehouse.threads, or run fewer days at once (beamline backfill runs one day per job)`;
  }
  // I/O and lock conflicts can pass; syntax, binder and constraint errors cannot.
  const retryable = /IO Error|Could not set lock|Conflict|Interrupted/i.test(msg);
  const head = sql.replace(/\s+/g, ' ').trim().slice(0, 200);
  return new WarehouseError(`${msg}\n  in: ${head}`, { cause: err, retryable });
}
