/**
 * What a date-keyed report needs to rebuild only the dates that changed (docs/reports.md, "Which
 * dates a night rebuilds"):
 *
 * - `_changed_dates`: a queue the engine fills. Every write of a transform with `log_dates: <column>`
 *   adds, in the write's own transaction, the dates it changed: an `incremental_by_key` write the
 *   distinct dates of the rows it deletes and of the rows it inserts; an `incremental` write the
 *   dates of its slice; a write that replaces the table whole one row with `local_date` NULL (any
 *   date may have changed). Grain: one row per table × date × write (`write_id`). A consumer takes
 *   a snapshot of the queue, rebuilds from it, and removes exactly the (table, write) pairs of its
 *   snapshot once everything it feeds has finished (pipelines/steps/report-dates.ts), so a run that
 *   fails half way leaves its dates queued for the next one.
 * - `keys_inline: dates`: an `incremental_by_key` transform's keys are read before the run and
 *   rendered as DATE constants — BigQuery prunes partitions on constants, not on a subquery — and a
 *   NULL key among them rebuilds the table whole.
 * - `rebuild_on_change: true`: the table is rebuilt whole when its rendered SQL (template, config
 *   variables, macros) differs from the last build's, kept in `_transform_fingerprints`; a report
 *   kept date by date would otherwise mix rows computed by two definitions.
 */
import { createHash } from 'node:crypto';
import { createTableSql, type SqlDialect } from '../warehouse/dialect.ts';
import type { Warehouse } from '../warehouse/types.ts';
import type { TransformDef } from './definition.ts';

export const CHANGED_DATES = '_changed_dates';
const CHANGED_DATES_COLUMNS = { table_name: 'VARCHAR', local_date: 'DATE', write_id: 'VARCHAR' } as const;

export const FINGERPRINTS = '_transform_fingerprints';
const FINGERPRINT_COLUMNS = { table_name: 'VARCHAR', fingerprint: 'VARCHAR' } as const;

/** Creates the queue if it does not exist (outside any transaction: BigQuery runs no DDL inside one). */
export async function ensureChangedDates(w: Warehouse): Promise<void> {
  if (await w.tableExists(CHANGED_DATES)) return;
  await w.exec(createTableSql(w.dialect, CHANGED_DATES, CHANGED_DATES_COLUMNS, { layout: { clusterBy: ['table_name', 'write_id'] } }));
}

/** Queues the distinct values of `column` in `from` rows matching `where` (run before a DELETE and after the INSERT it precedes). */
export function changedDatesOfRows(d: SqlDialect, table: string, writeId: string, column: string, from: string, where: string): string {
  return `INSERT INTO ${d.quoteIdent(CHANGED_DATES)} (table_name, local_date, write_id)
    SELECT DISTINCT ${d.quoteString(table)}, t.${d.quoteIdent(column)}, ${d.quoteString(writeId)} FROM ${from} AS t WHERE ${where}`;
}

/**
 * With `log_dates_compare`: the statements around a keyed write that queue only the dates of rows that
 * changed in `columns` — the old rows are kept in a TEMP table before the DELETE (allowed inside a
 * transaction, also on BigQuery), then compared with the new rows both ways (EXCEPT DISTINCT).
 */
export function changedDatesCompared(d: SqlDialect, table: string, writeId: string, column: string, columns: readonly string[], from: string, where: string): { before: string; after: string } {
  const scratch = d.quoteIdent(`_log_dates_${table}`);
  const cols = columns.map((c) => `t.${d.quoteIdent(c)}`).join(', ');
  const plain = columns.map((c) => d.quoteIdent(c)).join(', ');
  return {
    before: `CREATE OR REPLACE TEMP TABLE ${scratch} AS SELECT ${cols} FROM ${from} AS t WHERE ${where}`,
    after: `INSERT INTO ${d.quoteIdent(CHANGED_DATES)} (table_name, local_date, write_id)
    SELECT DISTINCT ${d.quoteString(table)}, x.${d.quoteIdent(column)}, ${d.quoteString(writeId)} FROM (
      (SELECT ${plain} FROM ${scratch} EXCEPT DISTINCT SELECT ${cols} FROM ${from} AS t WHERE ${where})
      UNION ALL
      (SELECT ${cols} FROM ${from} AS t WHERE ${where} EXCEPT DISTINCT SELECT ${plain} FROM ${scratch})
    ) AS x`,
  };
}

/** Rows per INSERT … VALUES statement of the engine's date logs (a long backfill's slice is split). */
const DATE_ROWS_PER_STATEMENT = 500;

/**
 * INSERT … VALUES statements of `(table_name, local_date, write_id)` rows into `log` (`_changed_dates`,
 * `_slice_writes`): `table`'s `dates` ('YYYY-MM-DD', or null for the whole-table row), all with
 * `writeId`, at most {@link DATE_ROWS_PER_STATEMENT} rows each.
 */
export function dateLogInserts(d: SqlDialect, log: string, table: string, writeId: string, dates: ReadonlyArray<string | null>): string[] {
  const rows = dates.map((date) => `(${d.quoteString(table)}, ${date === null ? 'NULL' : `DATE '${date}'`}, ${d.quoteString(writeId)})`);
  const out: string[] = [];
  for (let i = 0; i < rows.length; i += DATE_ROWS_PER_STATEMENT) {
    out.push(`INSERT INTO ${d.quoteIdent(log)} (table_name, local_date, write_id) VALUES ${rows.slice(i, i + DATE_ROWS_PER_STATEMENT).join(', ')}`);
  }
  return out;
}

/** Queues a whole-table write: `local_date` NULL, any date may have changed. */
export function changedWhole(d: SqlDialect, table: string, writeId: string): string {
  return dateLogInserts(d, CHANGED_DATES, table, writeId, [null])[0]!;
}

/** Queues the given dates (an incremental slice's). */
export function changedDatesList(d: SqlDialect, table: string, writeId: string, dates: readonly string[]): string[] {
  return dateLogInserts(d, CHANGED_DATES, table, writeId, dates);
}

const INLINE_KEYS_QUERY = '/* beamline: inline keys */';
const FINGERPRINT_QUERY = '/* beamline: fingerprint';

/** Whether `sql` is readInlineKeys' question (a planner answers it with the dates a typical night lists). */
export function isInlineKeysQuery(sql: string): boolean {
  return sql.startsWith(INLINE_KEYS_QUERY);
}

/** The answer to readInlineKeys' question listing `dates`. */
export function inlineKeysAnswer(dates: readonly string[]): Array<{ k: string }> {
  return dates.map((k) => ({ k }));
}

/** Whether `sql` is storedFingerprint's question. */
export function isFingerprintQuery(sql: string): boolean {
  return sql.startsWith(FINGERPRINT_QUERY);
}

/** The answer to storedFingerprint's question when the definition did not change: the fingerprint the question carries. */
export function unchangedFingerprintAnswer(sql: string): Array<{ fingerprint: string }> {
  const m = /^\/\* beamline: fingerprint ([0-9a-f]+) \*\//.exec(sql);
  return m ? [{ fingerprint: m[1]! }] : [];
}

/**
 * The keys of a `keys_inline: dates` transform: 'whole' when a key is NULL (rebuild the table),
 * else the distinct dates, sorted. A key that is not a date is an error naming the keys table.
 */
export async function readInlineKeys(w: Warehouse, def: TransformDef): Promise<'whole' | string[]> {
  const d = w.dialect;
  const rows = await w.query<{ k: string | null }>(`${INLINE_KEYS_QUERY} SELECT DISTINCT ${d.castText(d.quoteIdent(def.key!))} AS k FROM ${d.quoteIdent(def.keysFrom!)}`);
  if (rows.some((r) => r.k === null)) return 'whole';
  const dates = rows.map((r) => String(r.k)).sort();
  const bad = dates.find((k) => !/^\d{4}-\d{2}-\d{2}$/.test(k));
  if (bad !== undefined) throw new Error(`${def.file}: keys_inline: dates, but ${def.keysFrom}.${def.key} holds '${bad}', not a date`);
  return dates;
}

/** `column IN (DATE …, …)`, or FALSE for no dates. */
export function inlineDatesFilter(column: string, dates: readonly string[]): string {
  return dates.length === 0 ? 'FALSE' : `${column} IN (${dates.map((k) => `DATE '${k}'`).join(', ')})`;
}

/** The fingerprint of a rendering (sha256 of the SQL text). */
export function fingerprintOf(sql: string): string {
  return createHash('sha256').update(sql).digest('hex');
}

/** The fingerprint stored for `table` by its last build, or undefined. (The question carries `expected`, so a planner can answer "unchanged".) */
export async function storedFingerprint(w: Warehouse, table: string, expected: string): Promise<string | undefined> {
  if (!(await w.tableExists(FINGERPRINTS))) return undefined;
  const rows = await w.query<{ fingerprint: string }>(`${FINGERPRINT_QUERY} ${expected} */ SELECT fingerprint FROM ${w.dialect.quoteIdent(FINGERPRINTS)} WHERE table_name = ${w.dialect.quoteString(table)}`);
  return rows[0]?.fingerprint;
}

/** Records `fingerprint` as `table`'s last build's (after the build succeeded: a crash in between only rebuilds it again). */
export async function storeFingerprint(w: Warehouse, table: string, fingerprint: string): Promise<void> {
  const d = w.dialect;
  if (!(await w.tableExists(FINGERPRINTS))) await w.exec(createTableSql(d, FINGERPRINTS, FINGERPRINT_COLUMNS, {}));
  await w.transaction(async (tx) => {
    await tx.exec(`DELETE FROM ${d.quoteIdent(FINGERPRINTS)} WHERE table_name = ${d.quoteString(table)}`);
    await tx.exec(`INSERT INTO ${d.quoteIdent(FINGERPRINTS)} (table_name, fingerprint) VALUES (${d.quoteString(table)}, ${d.quoteString(fingerprint)})`);
  });
}
