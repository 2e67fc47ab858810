/**
 * A transform is one `.sql` file: a header of `-- key: value` comment lines, then one SELECT.
 *
 *   -- purpose: one row per real event
 *   -- grain: event
 *   -- version: 2
 *   -- materialized: incremental          (table | incremental | incremental_by_key | view)
 *   -- slice_column: local_date           (incremental: the local-date column that defines the slice)
 *   -- batch_days: 7                      (incremental, optional: a longer slice is computed this many days at a time)
 *   -- batch_rows: 1500000 of raw_events.event_ts
 *                                         (incremental, optional, instead of batch_days: a slice is computed in runs of
 *                                          consecutive days holding about at most this many rows of that table, counted
 *                                          by that timestamp column — at least one day each: batches follow the data's
 *                                          volume, not the calendar)
 *   -- key: person_id                     (incremental_by_key: rows are replaced per key…)
 *   -- keys_from: dirty_persons           (…for the keys listed in this table's `key` column)
 *   -- starts_from: dirty_starts          (incremental_by_key, optional: …from each key's `from_ts` in this table on…)
 *   -- start_column: event_ts             (…compared with this column: rows before it are kept; see transforms/starts.ts)
 *   -- keys_inline: dates                 (incremental_by_key, optional: the keys are DATEs, read before the run and rendered as
 *                                          constants, so a partitioned warehouse prunes; a NULL key rebuilds the table whole)
 *   -- log_dates: local_date              (incremental / incremental_by_key, optional: every write adds the dates it changed
 *                                          to `_changed_dates`, in its transaction; see transforms/changed-dates.ts)
 *   -- log_dates_compare: id, local_date, v  (incremental_by_key with log_dates, optional: only the dates of rows that changed
 *                                          in these columns are logged — old rows compared with new, EXCEPT DISTINCT)
 *   -- rebuild_on_change: true            (optional: the table is rebuilt whole when its rendered SQL — template, config
 *                                          variables, macros — differs from the last build's)
 *   -- partition_by: local_date           (optional; a DATE column. Default: slice_column for incremental)
 *   -- cluster_by: person_id, channel     (optional; up to 4 columns, the usual filters)
 *   -- stage_ctes: copies, chosen         (optional: on a warehouse that stages CTEs (DuckDB), these CTEs of the query's
 *                                          top-level WITH are computed first, each into a temporary table with exact
 *                                          statistics; the rows are the same — see transforms/stage-ctes.ts)
 *
 * partition_by / cluster_by are the table's physical layout: BigQuery partitions and clusters by them
 * (bounding the bytes a slice scans); DuckDB ignores them. They never change the rows.
 *
 * A `name.bigquery.sql` file beside it overrides the body for BigQuery (same header keys).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { DefinitionError } from '../lib/errors.ts';
import type { DialectName } from '../warehouse/dialect.ts';
import { parseWith } from './stage-ctes.ts';
import { parseTemplate } from './template.ts';

export type Materialization = 'table' | 'incremental' | 'incremental_by_key' | 'view';

export interface TransformDef {
  readonly name: string;
  readonly file: string;
  readonly layer: string;
  readonly version: number;
  readonly materialized: Materialization;
  readonly sliceColumn?: string;
  /** incremental: a slice longer than this is computed in batches of this many days (bounded memory), written in one transaction. */
  readonly batchDays?: number;
  /** incremental: a slice is computed in batches of consecutive days with about at most `rows` rows of `table` by `column` (a timestamp). */
  readonly batchRows?: { readonly rows: number; readonly table: string; readonly column: string };
  readonly key?: string;
  readonly keysFrom?: string;
  /** incremental_by_key: a table of (key, from_ts): a key's rows with `startColumn` before its from_ts are kept (transforms/starts.ts). */
  readonly startsFrom?: string;
  readonly startColumn?: string;
  /** incremental_by_key: the keys are DATEs, rendered as constants (`keys_inline: dates`). */
  readonly keysInline?: 'dates';
  /** The DATE column whose changed values every write logs in `_changed_dates` (transforms/changed-dates.ts). */
  readonly logDates?: string;
  /** log_dates: log only the dates of rows that changed in these columns (old rows against new). */
  readonly logDatesCompare?: readonly string[];
  /** Rebuild the table whole when its rendered SQL differs from the last build's. */
  readonly rebuildOnChange?: boolean;
  /** The DATE column the table is partitioned by on warehouses that partition (BigQuery). */
  readonly partitionBy?: string;
  /** Columns the table is clustered by on warehouses that cluster (BigQuery); at most 4. */
  readonly clusterBy?: readonly string[];
  /** CTEs of the top-level WITH computed first into temporary tables where the warehouse stages CTEs (transforms/stage-ctes.ts). */
  readonly stageCtes?: readonly string[];
  readonly purpose: string;
  readonly grain: string;
  /** Template text per dialect; `duckdb` is the shared body, other dialects fall back to it. */
  readonly templates: Readonly<Partial<Record<DialectName, string>>> & { readonly duckdb: string };
  /** Names this transform reads through ref(). */
  readonly refs: readonly string[];
  /** sha256 of the template(s): a change without a version bump is visible in the ledger. */
  readonly checksum: string;
}

const HEADER_KEYS = new Set(['name', 'purpose', 'grain', 'version', 'materialized', 'slice_column', 'batch_days', 'key', 'keys_from', 'starts_from', 'start_column', 'unique_key', 'depends_on', 'partition_by', 'cluster_by', 'keys_inline', 'log_dates', 'log_dates_compare', 'rebuild_on_change', 'stage_ctes', 'batch_rows']);

/** Reads one transform file (and its `.bigquery.sql` override when present). */
export function readTransform(file: string, layer: string, bigqueryOverride?: string): TransformDef {
  const text = readFileSync(file, 'utf8');
  const header = parseHeader(text);
  const name = header.name ?? basename(file, '.sql');
  const version = Number(header.version ?? '1');
  if (!Number.isInteger(version) || version < 1) throw new DefinitionError(`${file}: header 'version' must be a whole number ≥ 1, got ${JSON.stringify(header.version)}`);
  const materialized = (header.materialized ?? 'table') as Materialization;
  if (!['table', 'incremental', 'incremental_by_key', 'view'].includes(materialized)) {
    throw new DefinitionError(`${file}: header 'materialized' must be table, incremental, incremental_by_key or view, got '${materialized}'`);
  }
  if (materialized === 'incremental' && !header.slice_column) throw new DefinitionError(`${file}: an incremental transform needs '-- slice_column: <local date column>'`);
  if (materialized === 'incremental_by_key' && (!header.key || !header.keys_from)) {
    throw new DefinitionError(`${file}: an incremental_by_key transform needs '-- key: <column>' and '-- keys_from: <table>'`);
  }
  if ((header.starts_from === undefined) !== (header.start_column === undefined)) {
    throw new DefinitionError(`${file}: headers 'starts_from' and 'start_column' go together`);
  }
  if (header.starts_from !== undefined && materialized !== 'incremental_by_key') throw new DefinitionError(`${file}: header 'starts_from' applies to incremental_by_key transforms only`);
  if (header.start_column !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(header.start_column)) throw new DefinitionError(`${file}: header 'start_column' takes a column name, got '${header.start_column}'`);
  if (header.keys_inline !== undefined) {
    if (header.keys_inline !== 'dates') throw new DefinitionError(`${file}: header 'keys_inline' takes 'dates', got '${header.keys_inline}'`);
    if (materialized !== 'incremental_by_key') throw new DefinitionError(`${file}: header 'keys_inline' applies to incremental_by_key transforms only`);
  }
  if (header.log_dates !== undefined) {
    if (materialized !== 'incremental' && materialized !== 'incremental_by_key') throw new DefinitionError(`${file}: header 'log_dates' applies to incremental and incremental_by_key transforms only`);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(header.log_dates)) throw new DefinitionError(`${file}: header 'log_dates' takes a DATE column name, got '${header.log_dates}'`);
  }
  const logDatesCompare = (header.log_dates_compare ?? '').split(',').map((c) => c.trim()).filter(Boolean);
  if (header.log_dates_compare !== undefined) {
    if (header.log_dates === undefined || materialized !== 'incremental_by_key') throw new DefinitionError(`${file}: header 'log_dates_compare' applies to incremental_by_key transforms with 'log_dates'`);
    const bad = logDatesCompare.find((c) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(c));
    if (bad !== undefined || !logDatesCompare.includes(header.log_dates)) throw new DefinitionError(`${file}: header 'log_dates_compare' takes column names including '${header.log_dates}', got '${header.log_dates_compare}'`);
  }
  if (header.rebuild_on_change !== undefined && !['true', 'false'].includes(header.rebuild_on_change)) {
    throw new DefinitionError(`${file}: header 'rebuild_on_change' takes true or false, got '${header.rebuild_on_change}'`);
  }
  let batchDays: number | undefined;
  if (header.batch_days !== undefined) {
    batchDays = Number(header.batch_days);
    if (materialized !== 'incremental') throw new DefinitionError(`${file}: header 'batch_days' applies to incremental transforms only`);
    if (!Number.isInteger(batchDays) || batchDays < 1) throw new DefinitionError(`${file}: header 'batch_days' must be a whole number ≥ 1, got ${JSON.stringify(header.batch_days)}`);
  }
  const partitionBy = header.partition_by || (materialized === 'incremental' ? header.slice_column : undefined);
  const clusterBy = (header.cluster_by ?? '').split(',').map((c) => c.trim()).filter(Boolean);
  for (const c of [partitionBy, ...clusterBy]) {
    if (c !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(c)) throw new DefinitionError(`${file}: header 'partition_by' / 'cluster_by' takes column names, got '${c}'`);
  }
  if (clusterBy.length > 4) throw new DefinitionError(`${file}: header 'cluster_by' lists ${clusterBy.length} columns; BigQuery clusters by at most 4`);
  const batchRows = readBatchRows(file, header.batch_rows, materialized, batchDays);
  const stageCtes = readStageCtes(file, header.stage_ctes, materialized, text);
  const templates: { duckdb: string; bigquery?: string } = { duckdb: text };
  if (bigqueryOverride !== undefined) templates.bigquery = readFileSync(bigqueryOverride, 'utf8');
  const refs = new Set<string>();
  for (const t of Object.values(templates)) {
    for (const call of parseTemplate(t, file)) {
      if (call.name === 'ref') {
        const target = call.args[0];
        if (typeof target !== 'string' || call.args.length !== 1) throw new DefinitionError(`${file}:${call.line}: ref() takes one quoted name, e.g. {{ ref('events') }}`);
        refs.add(target);
      }
    }
  }
  if (header.keys_from) refs.add(header.keys_from);
  if (batchRows) refs.add(batchRows.table);
  if (header.starts_from) refs.add(header.starts_from);
  for (const d of (header.depends_on ?? '').split(',').map((s) => s.trim()).filter(Boolean)) refs.add(d);
  const checksum = createHash('sha256').update(Object.values(templates).join('\n--\n')).digest('hex');
  return {
    name, file, layer, version, materialized,
    sliceColumn: header.slice_column, batchDays, batchRows, key: header.key, keysFrom: header.keys_from, startsFrom: header.starts_from, startColumn: header.start_column,
    keysInline: header.keys_inline === 'dates' ? 'dates' : undefined, logDates: header.log_dates, logDatesCompare: logDatesCompare.length > 0 ? logDatesCompare : undefined, rebuildOnChange: header.rebuild_on_change === 'true',
    partitionBy, clusterBy: clusterBy.length > 0 ? clusterBy : undefined, stageCtes,
    purpose: header.purpose ?? '', grain: header.grain ?? '',
    templates, refs: [...refs].sort(), checksum,
  };
}

/** The `batch_rows` header: `<rows> of <table>.<timestamp column>`. */
function readBatchRows(file: string, value: string | undefined, materialized: Materialization, batchDays: number | undefined): TransformDef['batchRows'] {
  if (value === undefined) return undefined;
  if (materialized !== 'incremental') throw new DefinitionError(`${file}: header 'batch_rows' applies to incremental transforms only`);
  if (batchDays !== undefined) throw new DefinitionError(`${file}: headers 'batch_rows' and 'batch_days' do not go together: batches follow either the data's volume or the calendar`);
  const m = /^(\d+)\s+of\s+([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(value);
  if (!m || Number(m[1]) < 1) throw new DefinitionError(`${file}: header 'batch_rows' takes '<rows ≥ 1> of <table>.<timestamp column>', e.g. '-- batch_rows: 1500000 of raw_events.event_ts', got '${value}'`);
  return { rows: Number(m[1]), table: m[2]!, column: m[3]! };
}

/** The `stage_ctes` header: CTE names of the template's top-level WITH, each once (a view stores nothing to stage for). */
function readStageCtes(file: string, value: string | undefined, materialized: Materialization, template: string): readonly string[] | undefined {
  if (value === undefined) return undefined;
  const names = value.split(',').map((c) => c.trim()).filter(Boolean);
  if (materialized === 'view') throw new DefinitionError(`${file}: header 'stage_ctes' does not apply to a view (it stores no rows to compute first)`);
  if (names.length === 0) throw new DefinitionError(`${file}: header 'stage_ctes' takes CTE names, e.g. '-- stage_ctes: copies, chosen'`);
  let clause;
  try {
    clause = parseWith(template.replace(/^(\s*--[^\n]*\n)+/, ''), file);
  } catch (err) {
    throw new DefinitionError((err as Error).message, { cause: err });
  }
  const known = clause?.ctes.map((c) => c.name) ?? [];
  for (const [i, n] of names.entries()) {
    if (!known.includes(n)) throw new DefinitionError(`${file}: header 'stage_ctes' names '${n}', which is not a CTE of the query's top-level WITH${known.length ? ` (its CTEs: ${known.join(', ')})` : ' (the query has none)'}`);
    if (names.indexOf(n) !== i) throw new DefinitionError(`${file}: header 'stage_ctes' lists '${n}' twice`);
  }
  return names;
}

/** Reads the leading `-- key: value` lines; other comment lines are free text (purpose, notes). */
function parseHeader(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (t === '') continue;
    if (!t.startsWith('--')) break;
    const m = /^--\s*([a-z_]+):\s*(.*)$/.exec(t);
    if (m && HEADER_KEYS.has(m[1]!)) out[m[1]!] = m[2]!.trim();
  }
  return out;
}
