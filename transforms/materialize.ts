/**
 * Materializations. Each write is atomic (one statement, or one warehouse transaction), so a crash
 * leaves either the old slice or the new one, never half of each, and running the same step twice
 * gives the same table.
 *
 * - table: the whole table is rebuilt from the SELECT (CREATE OR REPLACE, with the declared layout).
 * - incremental: the slice `[from, to)` of `slice_column` is deleted and re-inserted; rows the SELECT
 *   returns outside the slice are dropped, so a slice run can never touch another slice. With
 *   `batch_days: N` or `batch_rows: R of table.column` (transforms/batches.ts), a longer slice (a full
 *   refresh, a backfill) is computed in batches of days — N days, or as many as hold about R rows — each
 *   rendered for its own days, so a statement's memory follows a batch's data, not the whole history
 *   (dbt calls this microbatching), and all batches are written in one transaction. Only on a
 *   single-machine warehouse (DuckDB, whose transactions may also create the table); BigQuery runs the
 *   slice as one statement (it scales out, and each batch would scan its inputs again).
 *   Every write of an `incremental` transform is logged in `_slice_writes` (below), in the same
 *   transaction as the rows, so a consumer that keeps per-date state (the identity step) can tell
 *   which dates were rewritten since it last read them.
 * - incremental_by_key: rows whose `key` is listed in `keys_from` are deleted and re-inserted — with
 *   `starts_from`, only those at or after the key's start (transforms/starts.ts); with
 *   `keys_inline: dates`, the keys are rendered as constants (transforms/changed-dates.ts).
 * - `log_dates` (incremental, incremental_by_key): each write queues the dates it changed in
 *   `_changed_dates`, in its transaction; `rebuild_on_change`: a new rendering rebuilds the table
 *   whole (transforms/changed-dates.ts).
 * - `stage_ctes` (any but a view): on a warehouse that stages CTEs (DuckDB), the named CTEs are computed
 *   into temporary tables just before the write's transaction, and dropped after it
 *   (transforms/stage-ctes.ts). A batched slice's batches are each computed so, into a temporary table
 *   of their rows, before the one transaction that writes them all.
 * - view: a view over its inputs, for wide per-event reports that would only copy a table. A view
 *   stores no rows, so its step reports 0 rows out: counting them would evaluate the whole view
 *   (on BigQuery, a billed scan of everything under it).
 */
import { randomUUID } from 'node:crypto';
import { TransformError } from '../lib/errors.ts';
import { createTableSql } from '../warehouse/dialect.ts';
import { stagesCtes, type Warehouse, type WarehouseSession } from '../warehouse/types.ts';
import { sliceBatches } from './batches.ts';
import type { TransformDef } from './definition.ts';
import { renderTransform, splitSlice, type RenderContext } from './render.ts';
import { changedDatesCompared, changedDatesList, changedDatesOfRows, changedWhole, dateLogInserts, ensureChangedDates, fingerprintOf, inlineDatesFilter, readInlineKeys, storedFingerprint, storeFingerprint } from './changed-dates.ts';
import { stageCtes, type StagedQuery } from './stage-ctes.ts';
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
  // rebuild_on_change / keys_inline (transforms/changed-dates.ts): a changed definition, or a NULL key, rebuilds the table whole.
  const fingerprint = def.rebuildOnChange ? fingerprintOf(renderTransform(def, { ...ctx, ...FINGERPRINT_RENDERING, vars: { ...ctx.vars, ...FINGERPRINT_RENDERING.vars } })) : undefined;
  if (fingerprint !== undefined && !ctx.fullRefresh && (await storedFingerprint(warehouse, def.name, fingerprint)) !== fingerprint) ctx = { ...ctx, fullRefresh: true };
  if (def.keysInline && !ctx.fullRefresh) {
    const keys = await readInlineKeys(warehouse, def);
    ctx = keys === 'whole' ? { ...ctx, fullRefresh: true } : { ...ctx, inlineKeys: keys };
  }
  // Per-key starts (transforms/starts.ts): the template and the DELETE below keep each key's rows before its start.
  const starts = exists ? await startsFor(warehouse, def, ctx.fullRefresh) : undefined;
  if (starts) ctx = { ...ctx, starts };
  const sql = renderTransform(def, ctx);
  // One id for every log row of this write (without a run id it is random: one call, one id).
  const writeId = writeIdOf(ctx);
  const q = (n: string) => warehouse.dialect.quoteIdent(n);
  const table = q(def.name);
  const body = stripHeaderComments(sql);
  // A query as this warehouse runs it: with its stage_ctes computed first where it stages them.
  const staged = (query: string): StagedQuery =>
    def.stageCtes && stagesCtes(warehouse) ? stageCtes(query, def.stageCtes, def.name, warehouse.dialect, def.file) : { stages: [], query, drops: [] };
  let rowsOut: number;
  try {
    if (def.materialized === 'view') return { name: def.name, rowsOut: await replaceView(warehouse, def.name, body), sql, durationMs: performance.now() - started };
    if (def.materialized === 'incremental') {
      // A single-machine warehouse computes a long slice in batches (see the module comment).
      const slices = await sliceBatches(warehouse, def, ctx.slice, ctx.timeZone);
      const select = (slice: Slice): StagedQuery => {
        const q = staged(slice === ctx.slice ? body : stripHeaderComments(renderTransform(def, { ...ctx, slice })));
        return { ...q, query: sliceSelect(warehouse, def, q.query, slice) };
      };
      await ensureSliceWrites(warehouse);
      const whole = ctx.fullRefresh || !exists;
      const log = sliceWritesSql(warehouse, def.name, ctx.slice, writeId, whole);
      if (def.logDates) {
        await ensureChangedDates(warehouse);
        const d = warehouse.dialect;
        log.push(...(whole ? [changedWhole(d, def.name, writeId)] : changedDatesList(d, def.name, writeId, splitSlice(ctx.slice, 1).map((x) => x.from))));
      }
      if (!exists && slices.length === 1) {
        // CREATE OR REPLACE cannot join a transaction (BigQuery), so the log is written first: if the
        // build then fails, the log names writes that did not happen, which only makes a reader re-read
        // dates (safe); the other order could leave rewritten dates unlogged.
        for (const stmt of log) await warehouse.exec(stmt);
        rowsOut = await replaceTable(warehouse, table, select(ctx.slice), def);
      } else if (slices.length > 1 && def.stageCtes && stagesCtes(warehouse)) {
        rowsOut = await writeStagedBatches(warehouse, def, ctx, slices.map((slice) => select(slice)), exists, log);
      } else {
        rowsOut = await writeSlices(warehouse, def, ctx, slices.map((slice) => select(slice)), exists, log);
      }
    } else {
      const rebuild = def.materialized === 'table' || !exists || (ctx.fullRefresh && def.materialized === 'incremental_by_key');
      const d = warehouse.dialect;
      if (def.logDates) await ensureChangedDates(warehouse);
      if (rebuild) {
        // Logged before the build, as the slice log is (see the incremental branch).
        if (def.logDates) await warehouse.exec(changedWhole(d, def.name, writeId));
        rowsOut = await replaceTable(warehouse, table, staged(body), def);
      } else {
        const keyed = ctx.inlineKeys ? inlineDatesFilter(`t.${q(def.key!)}`, ctx.inlineKeys) : `t.${q(def.key!)} IN (SELECT ${q(def.key!)} FROM ${q(def.keysFrom!)})`;
        const where = `${keyed}${starts ? ` AND ${keepBeforeStart(warehouse, def, starts, 't')}` : ''}`;
        // log_dates: the dates of the rows replaced and of the rows written (with log_dates_compare: of
        // those that changed), in the write's transaction
        const logRows = def.logDates ? changedDatesOfRows(d, def.name, writeId, def.logDates, table, where) : undefined;
        const compared = def.logDates && def.logDatesCompare ? changedDatesCompared(d, def.name, writeId, def.logDates, def.logDatesCompare, table, where) : undefined;
        const [before, after] = compared ? [compared.before, compared.after] : [logRows, logRows];
        const query = staged(body);
        rowsOut = await transactionAfter(warehouse, query, async (tx) => {
          if (before) await tx.exec(before);
          await tx.exec(`DELETE FROM ${table} AS t WHERE ${where}`);
          const n = await tx.exec(`INSERT INTO ${table} SELECT * FROM (\n${query.query}\n) AS s`);
          if (after) await tx.exec(after);
          return n;
        });
      }
    }
  } catch (err) {
    const retryable = (err as { retryable?: boolean }).retryable ?? false;
    throw new TransformError(`transform '${def.name}' (${def.file}) failed: ${(err as Error).message}`, { cause: err, retryable });
  }
  if (fingerprint !== undefined) await storeFingerprint(warehouse, def.name, fingerprint);
  return { name: def.name, rowsOut, sql, durationMs: performance.now() - started };
}

/** What a fingerprint's rendering fixes: the parts of a run's rendering that change every run without changing the definition. */
const FINGERPRINT_RENDERING = { slice: { from: '2000-01-01', to: '2000-01-02' }, fullRefresh: false, starts: undefined, inlineKeys: undefined, vars: { as_of: '', run_id: '' } } as const;

/**
 * Builds the whole table with one CREATE OR REPLACE statement: atomic on its own, laid out by the
 * transform's partition_by / cluster_by, and outside any transaction (BigQuery allows no DDL on
 * permanent tables inside one) — but for staged CTEs (only DuckDB stages them, and takes DDL in a
 * transaction): their stages run first, then the statement in a transaction of its own
 * (transactionAfterStages), so nothing else runs on the connection in between.
 */
async function replaceTable(w: Warehouse, table: string, select: StagedQuery, def: TransformDef): Promise<number> {
  const create = w.dialect.replaceTableAs(def.name, select.query, { partitionBy: def.partitionBy, clusterBy: def.clusterBy });
  if (select.stages.length === 0) await w.exec(create);
  else await transactionAfter(w, select, (tx) => tx.exec(create));
  const rows = await w.query<{ n: number }>(`SELECT count(*) AS n FROM ${table}`);
  return Number(rows[0]?.n ?? 0);
}

/** An incremental transform's SELECT for `slice`: rows outside it are dropped, so a slice run never touches another slice. */
function sliceSelect(w: Warehouse, def: TransformDef, body: string, slice: Slice): string {
  return `SELECT * FROM (\n${body}\n) AS s WHERE ${sliceFilter(`s.${w.dialect.quoteIdent(def.sliceColumn!)}`, slice)}`;
}

/**
 * An incremental slice written in one transaction, from one SELECT per batch (one for the whole slice
 * unless batched): the write is logged (`log`, see {@link sliceWritesSql}), the slice's old rows are
 * deleted (all rows on a full refresh), then each batch's rows are inserted. A table that does not
 * exist yet is created by the first batch (only with several batches, on DuckDB, whose transactions
 * may create tables; a single SELECT builds it with replaceTable).
 */
async function writeSlices(w: Warehouse, def: TransformDef, ctx: RenderContext, selects: readonly StagedQuery[], exists: boolean, log: readonly string[]): Promise<number> {
  const table = w.dialect.quoteIdent(def.name);
  // (a one-query write's stages run before the transaction; a staged transform's batches come here
  // already computed, by writeStagedBatches)
  return transactionAfter(w, selects.length === 1 ? selects[0] : undefined, async (tx) => {
    // The log of this write, in the same transaction as its rows.
    for (const stmt of log) await tx.exec(stmt);
    let rows = 0;
    for (const [i, select] of selects.entries()) {
      if (i === 0 && !exists) {
        await tx.exec(w.dialect.replaceTableAs(def.name, select.query, { partitionBy: def.partitionBy, clusterBy: def.clusterBy }));
        const [n] = await tx.query<{ n: number }>(`SELECT count(*) AS n FROM ${table}`);
        rows += Number(n?.n ?? 0);
        continue;
      }
      if (i === 0) {
        // (BigQuery requires a WHERE clause on every DELETE.)
        if (ctx.fullRefresh) await tx.exec(`DELETE FROM ${table} WHERE TRUE`);
        await tx.exec(`DELETE FROM ${table} WHERE ${sliceFilter(w.dialect.quoteIdent(def.sliceColumn!), ctx.slice)}`);
      }
      rows += await tx.exec(`INSERT INTO ${table} ${select.query}`);
    }
    return rows;
  });
}

/**
 * A batched slice of a staged transform: each batch's stages run, then its rows go to a temporary table
 * (`_batch_<name>_<i>`), before the next batch's; then one transaction writes them all, as
 * {@link writeSlices} does. So each batch's planner sees its stages' real sizes (they are made outside
 * any transaction), memory follows one batch, and the write is still all or nothing. The batches'
 * tables are dropped after the write, whether it succeeded or not.
 */
async function writeStagedBatches(w: Warehouse, def: TransformDef, ctx: RenderContext, batches: readonly StagedQuery[], exists: boolean, log: readonly string[]): Promise<number> {
  const tables: string[] = [];
  try {
    for (const [i, batch] of batches.entries()) {
      const table = w.dialect.quoteIdent(`_batch_${def.name}_${i}`);
      tables.push(table);
      await transactionAfter(w, batch, (tx) => tx.exec(`CREATE OR REPLACE TEMP TABLE ${table} AS ${batch.query}`));
    }
    return await writeSlices(w, def, ctx, tables.map((t) => ({ stages: [], query: `SELECT * FROM ${t}`, drops: [] })), exists, log);
  } finally {
    for (const t of tables) await w.exec(`DROP TABLE IF EXISTS ${t}`).catch(() => undefined);
  }
}

/**
 * `fn` in one transaction — after the stages of `q` (its staged CTEs' temporary tables, dropped after
 * the transaction) when it has any (transforms/stage-ctes.ts).
 */
function transactionAfter<T>(w: Warehouse, q: StagedQuery | undefined, fn: (tx: WarehouseSession) => Promise<T>): Promise<T> {
  if (q === undefined || q.stages.length === 0 || !stagesCtes(w)) return w.transaction(fn);
  return w.transactionAfterStages(q.stages, q.drops, fn);
}

type Slice = RenderContext['slice'];

/**
 * The engine's log of `incremental` writes (docs/bigquery.md, "The engine's log of slice writes").
 * Grain: one row per incremental table × local date that a write covered — every date of the
 * written slice, with rows or not — holding the id of the last write that covered it; plus one row
 * per table with `local_date` NULL holding the id of the write that last replaced the table whole
 * (its first build or a full refresh), which also removes the table's older rows. A date whose row
 * changed was rewritten since; a changed whole-table row means any date may have changed.
 */
export const SLICE_WRITES = '_slice_writes';
const SLICE_WRITES_COLUMNS = { table_name: 'VARCHAR', local_date: 'DATE', write_id: 'VARCHAR' } as const;

/** Creates the log if it does not exist (outside any transaction: BigQuery runs no DDL inside one). */
export async function ensureSliceWrites(w: Warehouse): Promise<void> {
  if (await w.tableExists(SLICE_WRITES)) return;
  await w.exec(createTableSql(w.dialect, SLICE_WRITES, SLICE_WRITES_COLUMNS, { layout: { clusterBy: ['table_name', 'local_date'] } }));
}

/**
 * The statements that log a write of `slice` to `table`: its dates' rows are replaced by rows
 * holding `writeId` (`whole`: the table is being replaced whole, so all its rows are, and its NULL-date
 * row names this write). Plain DML with constant filters, to run in the write's transaction.
 */
export function sliceWritesSql(w: Pick<WarehouseSession, 'dialect'>, table: string, slice: Slice, writeId: string, whole: boolean): string[] {
  const d = w.dialect;
  const dates = slice.from < slice.to ? splitSlice(slice, 1).map((s) => s.from) : [];
  // (BigQuery requires a WHERE clause on every DELETE.)
  return [
    `DELETE FROM ${d.quoteIdent(SLICE_WRITES)} WHERE table_name = ${d.quoteString(table)}${whole ? '' : ` AND ${sliceFilter('local_date', slice)}`}`,
    ...dateLogInserts(d, SLICE_WRITES, table, writeId, [...(whole ? [null] : []), ...dates]),
  ];
}

/**
 * A write's id: the run and the slice when the run is known (deterministic, so a step re-run in the
 * same job context sends the same SQL — BigQuery job ids are derived from it), else a random one.
 */
function writeIdOf(ctx: RenderContext): string {
  const run = ctx.vars.run_id;
  return typeof run === 'string' && run !== '' ? `${run}:${ctx.slice.from}..${ctx.slice.to}${ctx.fullRefresh ? ':full' : ''}` : randomUUID();
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
