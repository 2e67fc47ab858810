/**
 * How an incremental transform's slice is cut into batches on a single-machine warehouse (DuckDB; see
 * `batchesSlices` in warehouse/types.ts), so that a statement's memory follows a batch's data, not the
 * whole history. Elsewhere (BigQuery) a slice is one batch.
 *
 * - `batch_days: N`: runs of N days.
 * - `batch_rows: R of table.column`: runs of consecutive days holding about at most R rows of `table`,
 *   counted by the timestamp `column` — at least one day each, so a day with more rows than R is a
 *   batch of its own. The rows are counted per hour (a cheap narrow query, no time-zone conversion per
 *   row) and each hour goes to the local date it begins in: close enough to size batches, which never
 *   change the rows, only how many statements compute them. A month of a million events is one batch;
 *   ten million are several.
 */
import { batchesSlices, type Warehouse } from '../warehouse/types.ts';
import type { TransformDef } from './definition.ts';
import { localMidnightUtc, splitSlice, type Slice } from './render.ts';

/** The batches of `slice` for `def` on `w` (the slice itself when it is not batched). */
export async function sliceBatches(w: Warehouse, def: TransformDef, slice: Slice, timeZone: string): Promise<Slice[]> {
  if (!batchesSlices(w)) return [slice];
  if (def.batchDays !== undefined) return splitSlice(slice, def.batchDays);
  if (def.batchRows === undefined) return [slice];
  const days = splitSlice(slice, 1).map((d) => d.from);
  if (days.length <= 1) return [slice];
  const starts = [...days, slice.to].map((d) => localMidnightUtc(d, timeZone).getTime());
  const q = (n: string) => w.dialect.quoteIdent(n);
  const col = q(def.batchRows.column);
  const ts = (ms: number) => `CAST(${w.dialect.quoteString(new Date(ms).toISOString())} AS ${w.dialect.columnType('TIMESTAMPTZ')})`;
  const hours = await w.query<{ h: number; n: number }>(
    `SELECT floor(${w.dialect.epochMillis(col)} / 3600000) AS h, count(*) AS n FROM ${q(def.batchRows.table)} WHERE ${col} >= ${ts(starts[0]!)} AND ${col} < ${ts(starts.at(-1)!)} GROUP BY 1 ORDER BY 1`,
  );
  const perDay = new Array<number>(days.length).fill(0);
  // hours in order: each goes to the last day beginning at or before it
  let i = 0;
  for (const { h, n } of hours) {
    const at = Number(h) * 3_600_000;
    while (i + 1 < days.length && starts[i + 1]! <= at) i++;
    perDay[i]! += Number(n);
  }
  return groupDays(days, perDay, def.batchRows.rows, slice.to);
}

/**
 * Consecutive `days` (with their row counts) grouped into slices of at most `limit` rows, each holding
 * at least one day; `end` closes the last.
 */
export function groupDays(days: readonly string[], rows: readonly number[], limit: number, end: string): Slice[] {
  const out: Slice[] = [];
  let from = days[0]!;
  let sum = 0;
  days.forEach((day, i) => {
    if (i > 0 && sum + rows[i]! > limit) {
      out.push({ from, to: day });
      from = day;
      sum = 0;
    }
    sum += rows[i]!;
  });
  out.push({ from, to: end });
  return out;
}
