/**
 * The warehouse seam. Code outside `warehouse/` never asks which warehouse it is on: it asks what the
 * warehouse can do (the capability guards below) and builds SQL through {@link Warehouse.dialect}.
 */
import type { SqlDialect } from './dialect.ts';

/** A result row: column name → JS value (strings, numbers, booleans, Date for timestamps, 'YYYY-MM-DD' for dates, arrays). */
export type Row = Record<string, unknown>;

/** Column types the bulk appender understands. `timestamptz` values are epoch milliseconds or Date; `date` values are 'YYYY-MM-DD'. */
export type AppendType = 'varchar' | 'double' | 'bigint' | 'integer' | 'boolean' | 'timestamptz' | 'date' | 'varchar[]';

export interface ColumnSpec {
  readonly name: string;
  readonly type: AppendType;
}

export interface ColumnInfo {
  readonly name: string;
  /** The warehouse's own type name, e.g. `VARCHAR`, `TIMESTAMP WITH TIME ZONE`. */
  readonly type: string;
}

/** File formats the warehouse can read natively (DuckDB's file readers; BigQuery load jobs). */
export type FileFormat = 'ndjson' | 'csv' | 'parquet';

export interface Warehouse {
  readonly dialect: SqlDialect;
  /** Runs one statement and returns its rows. Values are bound, never spliced into the SQL. */
  query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs one or more statements for their effect; returns the changed-row count of the last one when known. */
  exec(sql: string, params?: readonly unknown[]): Promise<number>;
  /** Runs `fn` in one transaction: all of its writes become visible together, or none do. */
  transaction<T>(fn: (tx: WarehouseSession) => Promise<T>): Promise<T>;
  tableExists(table: string): Promise<boolean>;
  columns(table: string): Promise<ColumnInfo[]>;
  /** Bulk-appends rows (the DuckDB appender; a load job on BigQuery). Never row-by-row INSERT. */
  appendRows(table: string, columns: readonly ColumnSpec[], rows: Iterable<readonly unknown[]>): Promise<number>;
  close(): Promise<void>;
}

/** What a transaction body may do: the same statements, on the transaction's connection. */
export type WarehouseSession = Pick<Warehouse, 'dialect' | 'query' | 'exec' | 'appendRows' | 'tableExists' | 'columns'>;

/** A warehouse that reads local files itself (DuckDB's read_json/read_csv/read_parquet). */
export interface FileReadingWarehouse extends Warehouse {
  /**
   * A table-valued SQL expression that reads the local file `path`, rows in file order: NDJSON as one
   * text column `raw` per line, CSV with every column as text, Parquet as typed. Validation happens in SQL.
   */
  fileScan(path: string, format: FileFormat): string;
  /**
   * Files of one format read in one scan: `file_index` (the 1-based position of the row's file in
   * `paths`), then the columns {@link fileScan} gives (NDJSON: `raw`; CSV: the files' columns as text,
   * for files with one header line); rows in the files' order, each file's in its own order.
   */
  filesScan(paths: readonly string[], format: 'ndjson' | 'csv'): string;
}

/**
 * A single-machine warehouse (DuckDB): one machine's memory bounds a statement, so a transform's long
 * slice is computed in batches (`batch_days`), all written in one transaction — which may create the
 * table. BigQuery is not one: it scales a statement out, and each batch would scan its inputs again.
 */
export interface BatchingWarehouse extends Warehouse {
  readonly batchesSlices: true;
}

/** Capability guard: does this warehouse compute long slices batch by batch? */
export function batchesSlices(w: Warehouse): w is BatchingWarehouse {
  return (w as Partial<BatchingWarehouse>).batchesSlices === true;
}

/**
 * A warehouse whose planner needs exact sizes to pick a join's sides (DuckDB estimates a CTE's size,
 * and a bad estimate builds a hash table on the big side): a transform's `stage_ctes` are computed into
 * temporary tables first (transforms/stage-ctes.ts). Elsewhere (BigQuery) a transform runs as written,
 * one statement.
 */
export interface StagingWarehouse extends Warehouse {
  readonly stagesCtes: true;
  /**
   * Runs `stages` (statements that create temporary tables), then `fn` in one transaction, then `drops`
   * (also when a stage or `fn` fails), with nothing else run on the connection in between. The stages run
   * before the transaction: DuckDB's planner sees no statistics of a table created inside the
   * transaction reading it (it estimates 0 rows).
   */
  transactionAfterStages<T>(stages: readonly string[], drops: readonly string[], fn: (tx: WarehouseSession) => Promise<T>): Promise<T>;
}

/** Capability guard: does this warehouse compute a transform's stage_ctes into temporary tables first? */
export function stagesCtes(w: Warehouse): w is StagingWarehouse {
  return (w as Partial<StagingWarehouse>).stagesCtes === true;
}

/**
 * A warehouse whose bulk append can fill a temporary table (DuckDB's appender): rows appended only to be
 * moved into a table by the next statement need not be written durably (no WAL, no checkpoint). BigQuery
 * appends with a load job, into a table of its dataset.
 */
export interface TempAppendingWarehouse extends Warehouse {
  readonly appendsToTempTables: true;
}

/** Capability guard: can this warehouse bulk-append into a temporary table? */
export function appendsToTempTables(w: Pick<Warehouse, 'dialect'>): boolean {
  return (w as Partial<TempAppendingWarehouse>).appendsToTempTables === true;
}

/**
 * A warehouse whose checkpoints also compact its tables (DuckDB's vacuum: row groups with deleted rows,
 * or too small, are rewritten into fewer). A build from scratch deletes nothing, and the only small row
 * groups it leaves are the last of each thread's share of a parallel write: there the compaction
 * rewrites freshly written row groups for nothing (measured on the 1M bench: up to 1.4 s at one
 * checkpoint after writing `events`, 0.4 s at best, against 5 ms without).
 */
export interface CompactingWarehouse extends Warehouse {
  /**
   * Runs `fn` with the compaction off, checkpoints what it wrote (when it succeeds), and turns the
   * compaction back on (also when `fn` fails). Rows deleted meanwhile are compacted by the first
   * checkpoint after it of a change to their table; row groups deleted whole are freed either way.
   */
  withoutCompaction<T>(fn: () => Promise<T>): Promise<T>;
}

/** Capability guard: do this warehouse's checkpoints compact tables, and can the compaction be paused? */
export function compactsTables(w: Warehouse): w is CompactingWarehouse {
  return typeof (w as Partial<CompactingWarehouse>).withoutCompaction === 'function';
}

/** Capability guard: can this warehouse read local files in SQL? */
export function canReadFiles(w: Warehouse): w is FileReadingWarehouse {
  return typeof (w as Partial<FileReadingWarehouse>).fileScan === 'function';
}

/**
 * A warehouse that cannot read local files in SQL but bulk-loads them into a table (BigQuery: one
 * load job). Extract writes each source file's lines, numbered, as NDJSON and validates them in SQL.
 */
export interface BulkLoadingWarehouse extends Warehouse {
  /**
   * Creates or replaces the scratch table `table` with `columns` and fills it, in one bulk load, from
   * local NDJSON files (one JSON object per line, keyed by column name; each file ends with a newline),
   * streamed, never read into memory. The table expires by itself after a day; drop it when done.
   * Runs outside any transaction (a load cannot join one). Returns the rows loaded.
   */
  bulkLoad(table: string, columns: readonly ColumnSpec[], ndjsonFiles: readonly string[]): Promise<number>;
}

/** Capability guard: can this warehouse bulk-load local NDJSON files into a scratch table? */
export function canBulkLoad(w: Warehouse): w is BulkLoadingWarehouse {
  return typeof (w as Partial<BulkLoadingWarehouse>).bulkLoad === 'function';
}
