/**
 * Materializations. Each write is atomic (one statement, or one warehouse transaction), so a crash
 * leaves either the old slice or the new one, never half of each, and running the same step twice
 * gives the same table.
 *
 * - table: the whole table is rebuilt from the SELECT (CREATE OR REPLACE, with the declared layout).
 * - incremental: the slice `[from, to)` of `slice_column` is deleted and re-inserted; rows the SELECT
 *   returns outside the slice are dropped, so a slice run can never touch another slice. With
 *   `batch_days: N`, a longer slice (a full refresh, a backfill) is computed N days at a time — each
 *   batch rendered for its own days, so a statement's memory follows N days of data, not the whole
 *   history (dbt calls this microbatching) — and all batches are written in one transaction. Only on a
 *   single-machine warehouse (DuckDB, whose transactions may also create the table); BigQuery runs the
 *   slice as one statement (it scales out, and each batch would scan its inputs again).
 * - incremental_by_key: rows whose `key` is listed in `keys_from` are deleted and re-inserted — with
 *   `starts_from`, only those at or after the key's start (transforms/starts.ts).
 * - view: a view over its inputs, for wide per-event reports that would only copy a table. A view
 *   stores no rows, so its step reports 0 rows out: counting them would evaluate the whole view
 *   (on BigQuery, a billed scan of everything under it).
 */
import { TransformError } from '../lib/errors.ts';
import { batchesSlices, type Warehouse } from '../warehouse/types.ts';
import type { TransformDef } from './definition.ts';
import { renderTransform, type RenderContext } from './render.ts';
import { keepBeforeStart, startsFor } from './starts.ts';

export interface MaterializeResult {
  readonly name: string;
  readonly rowsOut: number;
  readonly sql: string;
  readonly durationMs: number;
}

/** Renders and materializes one transform. Errors become {@link TransformError}s naming the file. */
export async function materialize(warehouse: Warehouse, def: TransformDef, ctx: RenderContext): Promise<MaterializeResult> {
  const started = performance.now();
  // A table that does not exist yet is built whole: a key filter over an empty key list would build it empty.
  const exists = await warehouse.tableExists(def.name);
  if (!exists && !ctx.fullRefresh) ctx = { ...ctx, fullRefresh: true };
  // Per-key starts (transforms/starts.ts): the template and the DELETE below keep each key's rows before its start.
  const starts = exists ? await startsFor(warehouse, def, ctx.fullRefresh) : undefined;
  if (starts) ctx = { ...ctx, starts };
  const sql = renderTransform(def, ctx);
  const q = (n: string) => warehouse.dialect.quoteIdent(n);
  const table = q(def.name);
  const body = stripHeaderComments(sql);
  let rowsOut: number;
  try {
    if (def.materialized === 'view') return { name: def.name, rowsOut: await replaceView(warehouse, def.name, body), sql, durationMs: performance.now() - started };
    if (def.materialized === 'incremental') {
      // A single-machine warehouse computes a long slice batch_days at a time (see the module comment).
      const slices = def.batchDays !== undefined && batchesSlices(warehouse) ? splitSlice(ctx.slice, def.batchDays) : [ctx.slice];
      const select = (slice: Slice) => sliceSelect(warehouse, def, slice === ctx.slice ? body : stripHeaderComments(renderTransform(def, { ...ctx, slice })), slice);
      rowsOut = !exists && slices.length === 1
        ? await replaceTable(warehouse, table, select(ctx.slice), def)
        : await writeSlices(warehouse, def, ctx, slices.map((slice) => select(slice)), exists);
    } else {
      const rebuild = def.materialized === 'table' || !exists || (ctx.fullRefresh && def.materialized === 'incremental_by_key');
      rowsOut = rebuild
        ? await replaceTable(warehouse, table, body, def)
        : await warehouse.transaction(async (tx) => {
          await tx.exec(`DELETE FROM ${table} AS t WHERE t.${q(def.key!)} IN (SELECT ${q(def.key!)} FROM ${q(def.keysFrom!)})${starts ? ` AND ${keepBeforeStart(warehouse, def, starts, 't')}` : ''}`);
          return tx.exec(`INSERT INTO ${table} SELECT * FROM (\n${body}\n) AS s`);
        });
    }
  } catch (err) {
    const retryable = (err as { retryable?: boolean }).retryable ?? false;
    throw new TransformError(`transform '${def.name}' (${def.file}) failed: ${(err as Error).message}`, { cause: err, retryable });
  }
  return { name: def.name, rowsOut, sql, durationMs: performance.now() - started };
}

/**
 * Builds the whole table with one CREATE OR REPLACE statement: atomic on its own, laid out by the
 * transform's partition_by / cluster_by, and outside any transaction (BigQuery allows no DDL on
 * permanent tables inside one).
 */
async function replaceTable(w: Warehouse, table: string, select: string, def: TransformDef): Promise<number> {
  await w.exec(w.dialect.replaceTableAs(def.name, select, { partitionBy: def.partitionBy, clusterBy: def.clusterBy }));
  const rows = await w.query<{ n: number }>(`SELECT count(*) AS n FROM ${table}`);
  return Number(rows[0]?.n ?? 0);
}

/** An incremental transform's SELECT for `slice`: rows outside it are dropped, so a slice run never touches another slice. */
function sliceSelect(w: Warehouse, def: TransformDef, body: string, slice: Slice): string {
  return `SELECT * FROM (\n${body}\n) AS s WHERE ${sliceFilter(`s.${w.dialect.quoteIdent(def.sliceColumn!)}`, slice)}`;
}

/**
 * An incremental slice written in one transaction, from one SELECT per batch (one for the whole slice
 * unless batched): the slice's old rows are deleted (all rows on a full refresh), then each batch's rows
 * are inserted. A table that does not exist yet is created by the first batch (only with several
 * batches, on DuckDB, whose transactions may create tables; a single SELECT builds it with replaceTable).
 */
async function writeSlices(w: Warehouse, def: TransformDef, ctx: RenderContext, selects: readonly string[], exists: boolean): Promise<number> {
  const table = w.dialect.quoteIdent(def.name);
  return w.transaction(async (tx) => {
    let rows = 0;
    for (const [i, select] of selects.entries()) {
      if (i === 0 && !exists) {
        await tx.exec(w.dialect.replaceTableAs(def.name, select, { partitionBy: def.partitionBy, clusterBy: def.clusterBy }));
        const [n] = await tx.query<{ n: number }>(`SELECT count(*) AS n FROM ${table}`);
        rows += Number(n?.n ?? 0);
        continue;
      }
      if (i === 0) {
        // (BigQuery requires a WHERE clause on every DELETE.)
        if (ctx.fullRefresh) await tx.exec(`DELETE FROM ${table} WHERE TRUE`);
        await tx.exec(`DELETE FROM ${table} WHERE ${sliceFilter(w.dialect.quoteIdent(def.sliceColumn!), ctx.slice)}`);
      }
      rows += await tx.exec(`INSERT INTO ${table} ${select}`);
    }
    return rows;
  });
}

type Slice = RenderContext['slice'];

/** `[from, to)` cut into consecutive slices of at most `days` days. */
export function splitSlice(slice: Slice, days: number): Slice[] {
  const out: Slice[] = [];
  const next = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
  for (let from = slice.from; from < slice.to; ) {
    const end = next(from, days);
    const to = end < slice.to ? end : slice.to;
    out.push({ from, to });
    from = to;
  }
  return out;
}

/** CREATE OR REPLACE VIEW; a table of the same name (from an earlier version of the transform) is dropped first. Returns 0 (a view stores no rows). */
async function replaceView(w: Warehouse, name: string, body: string): Promise<0> {
  const view = w.dialect.quoteIdent(name);
  const create = `CREATE OR REPLACE VIEW ${view} AS\n${body}`;
  try {
    await w.exec(create);
  } catch (err) {
    if (!(await w.tableExists(name))) throw err;
    await w.exec(`DROP TABLE ${view}`);
    await w.exec(create);
  }
  return 0;
}

function sliceFilter(column: string, slice: Slice): string {
  return `${column} >= DATE '${slice.from}' AND ${column} < DATE '${slice.to}'`;
}

/** Drops the leading header comment so the SELECT can be wrapped in a subquery. */
function stripHeaderComments(sql: string): string {
  return sql.replace(/^(\s*--[^\n]*\n)+/, '').trim().replace(/;\s*$/, '');
}
