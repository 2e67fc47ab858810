/**
 * Loads one file in one warehouse transaction: validation SQL over DuckDB's own reader stages
 * every row, then valid rows go to the kind's raw table, rejects to raw_rejected, and a row to
 * `_beamline_loads` — all visible together or not at all. A file whose content (sha256) was
 * already loaded as the same kind is skipped, so loading it again, under any name, adds nothing.
 */
import { performance } from 'node:perf_hooks';
import { InputError, WarehouseError } from '../../lib/errors.ts';
import type { FileFormat, FileReadingWarehouse, WarehouseSession } from '../../warehouse/types.ts';
import { sha256File } from './files.ts';
import type { KindSpec, ValidationContext } from './kind-spec.ts';
import { firstLine, lineScan } from './line-scan.ts';
import { RAW_TABLES } from './raw-tables.ts';
import { describeColumns, ndjsonSource, singleFileLines, tabularSource } from './source.ts';
import { renderSql, sqlFile } from './sql.ts';
import type { FileLoadSummary } from './types.ts';

export const STAGE = '_beamline_extract_stage';

/** Context of one load. */
export interface LoadContext extends ValidationContext {
  readonly runId: string;
}

/** The load id of a content hash: deterministic, so a retried load writes the same id. */
export function loadIdOf(kind: string, contentHash: string): string {
  return `${kind}-${contentHash.slice(0, 16)}`;
}

/** Loads `path` (already checked to exist, in `format`) as `spec.kind`. */
export async function loadFile(w: FileReadingWarehouse, spec: KindSpec, path: string, format: FileFormat, ctx: LoadContext): Promise<FileLoadSummary> {
  const started = performance.now();
  const contentHash = await sha256File(path);
  const loadId = loadIdOf(spec.kind, contentHash);
  const base = { kind: spec.kind, path, format, contentHash, loadId };
  return w.transaction(async (tx) => {
    const prior = await tx.query(`SELECT load_id FROM _beamline_loads WHERE kind = $1 AND content_hash = $2 LIMIT 1`, [spec.kind, contentHash]);
    if (prior.length > 0) {
      return { ...base, skipped: true, rowsLoaded: 0, rowsRejected: 0, blankLines: 0, rejectReasons: {}, durationMs: performance.now() - started };
    }
    await tx.exec(sqlFile('macros.sql'));
    const scan = lineScan(w, path, format);
    await readingFile(path, spec.kind, () => inFileOrder(tx, async () => {
      const source = format === 'ndjson' ? ndjsonSource(singleFileLines(scan), spec.fields, spec.jsonFields) : await tabular(tx, spec, scan, path);
      await tx.exec(renderSql(spec.sqlFile, { stage: STAGE, source }), spec.params(ctx));
    }));
    const { blankLines, rejectReasons } = await stageCounts(tx);
    // The stage holds the file's rows in file order (an order-preserving parallel write), so a row's line follows from its rowid.
    const line = `(rowid - (SELECT min(rowid) FROM ${STAGE}) + ${firstLine(format)})`;
    const rowsLoaded = await tx.exec(insertValidSql(tx, spec, line), [loadId, path, ctx.now]);
    const rowsRejected = await tx.exec(
      `INSERT INTO raw_rejected (load_id, kind, file, line, loaded_at, field, reason, raw)
       SELECT $1, $2, $3, ${line}, CAST($4 AS TIMESTAMPTZ), rej.field, beamline_reason(rej), raw FROM ${STAGE} WHERE rej IS NOT NULL`,
      [loadId, spec.kind, path, ctx.now],
    );
    await tx.exec(
      `INSERT INTO _beamline_loads (load_id, kind, content_hash, file, loaded_at, rows_loaded, rows_rejected, run_id) VALUES ($1, $2, $3, $4, CAST($5 AS TIMESTAMPTZ), $6, $7, $8)`,
      [loadId, spec.kind, contentHash, path, ctx.now, rowsLoaded, rowsRejected, ctx.runId],
    );
    await tx.exec(`DROP TABLE ${STAGE}`);
    return { ...base, skipped: false, rowsLoaded, rowsRejected, blankLines, rejectReasons, durationMs: performance.now() - started };
  });
}

async function tabular(tx: WarehouseSession, spec: KindSpec, scan: string, path: string): Promise<string> {
  const columns = await describeColumns(tx, scan);
  return tabularSource(tx, scan, columns, spec.plan(tx, columns, path), spec.fields);
}

/**
 * INSERT of the stage's valid rows into the kind's raw table: the columns of RAW_TABLES; load_id, file,
 * line and loaded_at from the load, the rest from the stage. By default load_id is $1, file $2 and
 * loaded_at $3; a batch passes its own relation and the columns holding load id and file (loaded_at is $1).
 */
export function insertValidSql(tx: WarehouseSession, spec: KindSpec, line: string, batch?: { from: string; loadId: string; file: string }): string {
  const cols = Object.keys(RAW_TABLES[spec.table]);
  const q = (c: string) => tx.dialect.quoteIdent(c);
  const fromLoad: Record<string, string> = batch
    ? { load_id: batch.loadId, file: batch.file, loaded_at: 'CAST($1 AS TIMESTAMPTZ)', line }
    : { load_id: '$1', file: '$2', loaded_at: 'CAST($3 AS TIMESTAMPTZ)', line };
  const values = cols.map((c) => fromLoad[c] ?? q(c));
  return `INSERT INTO ${q(spec.table)} (${cols.map(q).join(', ')}) SELECT ${values.join(', ')} FROM ${batch?.from ?? STAGE} WHERE rej IS NULL AND NOT blank`;
}

async function stageCounts(tx: WarehouseSession): Promise<{ blankLines: number; rejectReasons: Record<string, number> }> {
  const [shape] = await tx.query<{ ok: boolean }>(`SELECT count(*) = 0 OR max(rowid) - min(rowid) + 1 = count(*) AS ok FROM ${STAGE}`);
  if (!shape?.ok) throw new WarehouseError('extract stage rows are not contiguous: line numbers cannot be derived (please report this)');
  const rows = await tx.query<{ field: string | null; rule: string | null; n: number }>(
    `SELECT rej.field AS field, rej.rule AS rule, CAST(count(*) AS INTEGER) AS n FROM ${STAGE} WHERE blank OR rej IS NOT NULL GROUP BY ALL ORDER BY n DESC, field, rule`,
  );
  let blankLines = 0;
  const rejectReasons: Record<string, number> = {};
  for (const r of rows) {
    if (r.field === null) blankLines += r.n;
    else rejectReasons[`${r.field}: ${r.rule}`] = r.n;
  }
  return { blankLines, rejectReasons };
}

/**
 * Runs `fn` with DuckDB's insertion order preserved: extract numbers lines by rowid, so the writes that
 * fix rowids must keep file order. The DuckDB warehouse turns order preservation off otherwise (tables
 * have no order, and order-preserving writes cost memory and a slower checkpoint).
 */
export async function inFileOrder<T>(tx: WarehouseSession, fn: () => Promise<T>): Promise<T> {
  await tx.exec('SET preserve_insertion_order = true');
  let out: T;
  try {
    out = await fn();
  } catch (err) {
    // (the transaction is aborted by now: its error is the one to report)
    await tx.exec('SET preserve_insertion_order = false').catch(() => undefined);
    throw err;
  }
  await tx.exec('SET preserve_insertion_order = false');
  return out;
}

/** DuckDB's reader errors (bad encoding, malformed CSV, unreadable Parquet) become an InputError naming the file. */
export async function readingFile(path: string, kind: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof WarehouseError && /Invalid Input Error|Invalid Error|No files found|Parquet/i.test(err.message)) {
      const detail = err.message.split('\n  in: ')[0]!.split('\n').slice(0, 3).join(' ');
      throw new InputError(`cannot read ${path} as ${kind}: ${detail}`, { cause: err });
    }
    throw err;
  }
}

