/**
 * Per-key starts for `incremental_by_key` transforms (headers `starts_from` and `start_column`): a
 * key listed in `keys_from` has its rows replaced from its `from_ts` in the starts table on, and its
 * earlier rows kept; a key whose `from_ts` is NULL, or that has no row there, is replaced whole.
 * The journeys use it to bound a dirty person's rebuild (pipelines/steps/journey-starts.ts).
 *
 * What a transform's template gets (render.ts), when its starts apply — an incremental run, the
 * starts table exists and some key in it has a start:
 * - `{{ starts_filter('person_col', 'ts_col') }}`: the rows at or after their key's start (else TRUE);
 * - `{{ starts_floor('date_col') }}`: `date_col >= DATE '<the earliest start's local date>'` when every
 *   listed key has a start (else TRUE). A constant, so BigQuery prunes the partitions before it;
 * - `{{ starts_count('table', 'column', 'condition over x') }}`: a count carried over the start,
 *   `coalesce((SELECT max(x.column) FROM table AS x WHERE condition), 0)` (else 0).
 * The engine's DELETE keeps the same rows (materialize.ts).
 */
import type { SqlDialect } from '../warehouse/dialect.ts';
import type { Warehouse } from '../warehouse/types.ts';
import type { TransformDef } from './definition.ts';

export interface StartsContext {
  /** The starts table (key, from_ts, from_date). */
  readonly table: string;
  /** The transform's key column, also the starts table's key column. */
  readonly key: string;
  /** 'YYYY-MM-DD': no listed key starts before this local date; null when some key is rebuilt whole. */
  readonly floor: string | null;
}

/** Marks the question startsFor asks, so a planner that records statements instead of running them can answer it (`beamline plan`). */
const STARTS_QUERY = '/* beamline: starts */';

/** Whether `sql` is startsFor's question. */
export function isStartsQuery(sql: string): boolean {
  return sql.startsWith(STARTS_QUERY);
}

/** The answer to startsFor's question when every key starts on or after `floor` ('YYYY-MM-DD'). */
export function startsAnswer(floor: string): { n: number; whole: number; floor: string } {
  return { n: 1, whole: 0, floor };
}

/** The starts that apply to `def` on this run, or undefined (whole keys are replaced). */
export async function startsFor(w: Warehouse, def: TransformDef, fullRefresh: boolean): Promise<StartsContext | undefined> {
  if (fullRefresh || def.startsFrom === undefined || def.materialized !== 'incremental_by_key') return undefined;
  if (!(await w.tableExists(def.startsFrom))) return undefined;
  const d = w.dialect;
  const [r] = await w.query<{ n: number; whole: number; floor: string | null }>(
    `${STARTS_QUERY} SELECT count(from_ts) AS n, count(*) - count(from_ts) AS whole, ${d.castText('min(from_date)')} AS floor FROM ${d.quoteIdent(def.startsFrom)}`,
  );
  // No key with a start (no horizon configured, or nothing to bound): the plain whole-key SQL.
  if (Number(r?.n ?? 0) === 0) return undefined;
  return { table: def.startsFrom, key: def.key!, floor: Number(r?.whole ?? 0) === 0 && r?.floor ? r.floor : null };
}

/**
 * The rows at or after their key's start: no row of the starts `table` (key column `keyColumn`,
 * `from_ts`) for the row's key `key` starts later than its time `ts`. A key with a NULL start, or
 * none there, keeps all its rows. Serves the templates (starts_filter), the engine's DELETE and the
 * attribute step's queue (`attribution_pending` has the same two columns).
 */
export function atOrAfterStart(d: SqlDialect, table: string, keyColumn: string, key: string, ts: string): string {
  return `NOT EXISTS (SELECT 1 FROM ${d.quoteIdent(table)} AS ds_ WHERE ds_.${d.quoteIdent(keyColumn)} = ${key} AND ${ts} < ds_.from_ts)`;
}

/** The DELETE condition that keeps a key's rows before its start (to AND with the key filter). */
export function keepBeforeStart(w: Pick<Warehouse, 'dialect'>, def: TransformDef, starts: StartsContext, alias: string): string {
  const q = (n: string) => w.dialect.quoteIdent(n);
  const keep = atOrAfterStart(w.dialect, starts.table, starts.key, `${alias}.${q(def.key!)}`, `${alias}.${q(def.startColumn!)}`);
  return starts.floor !== null && def.partitionBy ? `${keep} AND ${alias}.${q(def.partitionBy)} >= DATE '${starts.floor}'` : keep;
}
