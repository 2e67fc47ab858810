/**
 * A CSV record as the JSON document of its contract fields, so the validation SQL reads CSV rows
 * exactly as NDJSON lines. Which column is which field comes from the kind's own column plan
 * (`KindSpec.plan`: the same presets, the same "no such column" errors as on DuckDB): the plan's SQL
 * for each field is matched back to the column (or constant) it was built from.
 */
import { bigqueryDialect } from '../../warehouse/dialect.ts';
import type { WarehouseSession } from '../../warehouse/types.ts';
import type { Cell } from './csv-records.ts';
import type { KindSpec } from './kind-spec.ts';
import { columnField, type SourceColumn } from './source.ts';

/** Where a field's value comes from. */
type FieldSource =
  | { readonly from: 'column'; readonly index: number; readonly json: boolean }
  | { readonly from: 'constant'; readonly value: string }
  | { readonly from: 'flags'; readonly analytics?: number; readonly ads?: number };

/** Builds a record's document: `{"field": value, …}` as JSON text (absent fields left out). */
export type DocBuilder = (cells: readonly Cell[]) => string;

/**
 * The document builder for a CSV file with `columns`. Throws the kind's InputError (naming `path`)
 * when required columns are missing.
 */
export function docBuilder(spec: KindSpec, columns: readonly string[], path: string): DocBuilder {
  const constants: string[] = [];
  // Only quoteString is used by a plan (for constants); a marker per constant lets it be found again.
  const tx = { dialect: { ...bigqueryDialect, quoteString: (v: string) => `$beamline_constant_${constants.push(v) - 1}$` } } as unknown as WarehouseSession;
  const cols: SourceColumn[] = columns.map((name) => ({ name, type: 'VARCHAR' }));
  const plan = spec.plan(tx, cols, path);
  const sources: [string, FieldSource][] = [];
  for (const field of spec.fields) {
    const sql = plan[field]?.text;
    if (sql !== undefined) sources.push([field, sourceOf(field, sql, cols, constants)]);
  }
  return (cells) => `{${sources.flatMap(([f, s]) => {
    const v = value(s, cells);
    return v === undefined ? [] : [`"${f}":${v}`];
  }).join(',')}}`;
}

function sourceOf(field: string, sql: string, cols: readonly SourceColumn[], constants: readonly string[]): FieldSource {
  const constant = /^\$beamline_constant_(\d+)\$$/.exec(sql);
  if (constant) return { from: 'constant', value: constants[Number(constant[1])]! };
  for (const [index, c] of cols.entries()) {
    if (sql === columnField(c).text) return { from: 'column', index, json: false };
    if (sql === columnField(c, true).text) return { from: 'column', index, json: true };
  }
  if (sql.includes('beamline_bool_json(')) {
    // flat consent columns (events-kind.ts): json_object('analytics', beamline_bool_json(<a>), 'ads', beamline_bool_json(<b>))
    const flag = (name: string) => cols.findIndex((c) => sql.includes(`'${name}', beamline_bool_json(${columnField(c).text})`));
    const [analytics, ads] = [flag('analytics'), flag('ads')];
    if (analytics >= 0 || ads >= 0) return { from: 'flags', ...(analytics >= 0 ? { analytics } : {}), ...(ads >= 0 ? { ads } : {}) };
  }
  throw new Error(`extract: cannot tell which CSV column the plan reads for ${field} (${sql.slice(0, 120)}); record-docs.ts must learn this plan (please report)`);
}

/** A field's JSON value for one record; undefined when the field is absent (empty cell). */
function value(s: FieldSource, cells: readonly Cell[]): string | undefined {
  switch (s.from) {
    case 'constant':
      return JSON.stringify(s.value);
    case 'flags':
      return `{"analytics":${flag(s.analytics, cells)},"ads":${flag(s.ads, cells)}}`;
    case 'column': {
      const cell = cells[s.index] ?? null;
      if (cell === null) return undefined;
      // A JSON cell (consent, properties) goes in as written when it is JSON, so its text (and hash) equals NDJSON's.
      return s.json && isJson(cell) ? cell : JSON.stringify(cell);
    }
  }
}

/** A yes/no cell as JSON (events-kind's beamline_bool_json): true/1/yes, false/0/no, anything else a string; empty: null. */
function flag(index: number | undefined, cells: readonly Cell[]): string {
  const cell = index === undefined ? null : (cells[index] ?? null);
  if (cell === null) return 'null';
  const v = cell.replace(/^ +| +$/g, '').toLowerCase();
  if (v === 'true' || v === '1' || v === 'yes') return 'true';
  if (v === 'false' || v === '0' || v === 'no') return 'false';
  return JSON.stringify(cell);
}

function isJson(s: string): boolean {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
}
