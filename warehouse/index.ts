/**
 * Opens the warehouse the config names. The only place that chooses an implementation.
 */
import type { BeamlineConfig } from '../config/index.ts';
import { openBigQuery, type JobContext } from './bigquery/index.ts';
import { openDuckDb } from './duckdb/index.ts';
import type { Warehouse } from './types.ts';

export type { Warehouse, WarehouseSession, Row, ColumnSpec, ColumnInfo, FileFormat, FileReadingWarehouse, AppendType } from './types.ts';
export { canReadFiles, compactsTables } from './types.ts';
export { traceStep } from './sql-trace.ts';
export { assertIdentifier, DIALECTS, duckdbDialect, bigqueryDialect, type SqlDialect, type DialectName, type TableLayout } from './dialect.ts';
export type { JobContext } from './bigquery/index.ts';

/** A warehouse whose jobs can say who issued them (BigQuery: deterministic job ids and labels per run, step, slice and attempt). */
export interface JobScopedWarehouse extends Warehouse {
  /** The same warehouse, issuing its jobs for `context`. */
  withJobContext(context: JobContext): Warehouse;
}

/** Capability guard: can this warehouse tag its jobs with the run and step? */
export function canScopeJobs(w: Warehouse): w is JobScopedWarehouse {
  return typeof (w as Partial<JobScopedWarehouse>).withJobContext === 'function';
}

/** A warehouse that can say what a statement would read without running it (BigQuery's dry run). */
export interface DryRunWarehouse extends Warehouse {
  dryRun(sql: string, params?: readonly unknown[]): Promise<{ readonly bytesProcessed: number }>;
}

/** Capability guard: can this warehouse estimate a statement's bytes? */
export function canDryRun(w: Warehouse): w is DryRunWarehouse {
  return typeof (w as Partial<DryRunWarehouse>).dryRun === 'function';
}

export async function openWarehouse(config: BeamlineConfig['warehouse']): Promise<Warehouse> {
  switch (config.type) {
    case 'duckdb':
      return openDuckDb({ path: config.path, threads: config.threads, memoryLimit: config.memoryLimit, compression: config.compression });
    case 'bigquery':
      return openBigQuery({
        project: config.project, dataset: config.dataset, location: config.location, keyFile: config.keyFile, maximumBytesBilled: config.maximumBytesBilled,
      });
  }
}
