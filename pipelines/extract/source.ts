/**
 * Turns one scanned file into the relation every validation SQL file reads as `{{source}}`:
 *
 *   raw VARCHAR, blank BOOLEAN, doc_error VARCHAR,
 *   and per contract field f: c_f VARCHAR (the value as text, '' → NULL) and t_f VARCHAR (its JSON type:
 *   VARCHAR, BIGINT, UBIGINT, HUGEINT, DOUBLE, BOOLEAN, OBJECT, ARRAY, NULL; NULL when absent).
 *
 * NDJSON is parsed with DuckDB's JSON functions, once per line;
 * CSV and Parquet columns are mapped to contract fields by the kind's column plan and cast to text,
 * so every format then goes through the same checks.
 */
import type { WarehouseSession } from '../../warehouse/types.ts';

/** A column of a CSV or Parquet file, with DuckDB's type name for it. */
export interface SourceColumn {
  readonly name: string;
  readonly type: string;
}

/** SQL for one contract field: its text and its JSON type name. */
export interface FieldSql {
  readonly text: string;
  readonly type: string;
}

/** Contract field → where its value comes from. A missing field is absent on every row. */
export type ColumnPlan = Partial<Record<string, FieldSql>>;

/** A file column as an SQL identifier (any name: embedded quotes are doubled). */
export function quoteColumn(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The columns of a CSV/Parquet scan, as the file names them. */
export async function describeColumns(tx: WarehouseSession, scan: string): Promise<SourceColumn[]> {
  const rows = await tx.query<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM ${scan}`);
  return rows.map((r) => ({ name: r.column_name, type: r.column_type }));
}

/** The first column whose name equals one of `names` (case and surrounding spaces ignored). */
export function findColumn(columns: readonly SourceColumn[], ...names: string[]): SourceColumn | undefined {
  const wanted = names.map((n) => n.toLowerCase());
  return columns.find((c) => wanted.includes(c.name.trim().toLowerCase()));
}

/** A file column as a contract field. `json`: the field holds a JSON object (consent, properties), given as JSON text in CSV. */
export function columnField(col: SourceColumn, json = false): FieldSql {
  const c = quoteColumn(col.name);
  const t = col.type.toUpperCase();
  if (t === 'VARCHAR') {
    return json
      ? { text: `CASE WHEN json_valid(${c}) THEN CAST(json(${c}) AS VARCHAR) ELSE nullif(${c}, '') END`, type: `CASE WHEN json_valid(${c}) THEN json_type(${c}) ELSE 'VARCHAR' END` }
      : { text: `nullif(${c}, '')`, type: `'VARCHAR'` };
  }
  if (t === 'BOOLEAN') return { text: `CASE WHEN ${c} THEN 'true' WHEN NOT ${c} THEN 'false' END`, type: `'BOOLEAN'` };
  if (/^(U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?|FLOAT|REAL|DOUBLE|DECIMAL.*)$/.test(t)) return { text: `CAST(${c} AS VARCHAR)`, type: `'DOUBLE'` };
  if (t === 'TIMESTAMP WITH TIME ZONE') return { text: `strftime(timezone('UTC', ${c}), '%Y-%m-%dT%H:%M:%S.%fZ')`, type: `'VARCHAR'` };
  if (/^(STRUCT|MAP|JSON)|\[\]$/.test(t)) return { text: `CAST(to_json(${c}) AS VARCHAR)`, type: `json_type(to_json(${c}))` };
  // DATE, naive TIMESTAMP, BLOB, …: as text (a naive timestamp then fails the offset check, as it should)
  return { text: `CAST(${c} AS VARCHAR)`, type: `'VARCHAR'` };
}

/** A constant for every row (a spend preset's platform, the currency in a Meta header). */
export function literalField(tx: WarehouseSession, value: string): FieldSql {
  return { text: tx.dialect.quoteString(value), type: `'VARCHAR'` };
}

/**
 * `{{source}}` for an NDJSON scan. `fields` are contract field names (plain identifiers); `jsonFields`
 * are read as JSON fragments, whose type is their first character (value, consent, properties), the
 * rest as text. Each line is parsed once, by `json_transform` under `try` (NULL: not JSON); a text
 * field's JSON type is looked up (a second parse) only when its text could be an object, array or boolean.
 */
export function ndjsonSource(scan: string, fields: readonly string[], jsonFields: ReadonlySet<string>): string {
  const struct = `'{${fields.map((f) => `"${f}":"${jsonFields.has(f) ? 'JSON' : 'VARCHAR'}"`).join(',')}}'`;
  const cols = fields.map((f) =>
    jsonFields.has(f)
      ? `beamline_fragment_text(j.${f}) AS c_${f}, beamline_fragment_type(j.${f}) AS t_${f}`
      : `nullif(j.${f}, '') AS c_${f}, beamline_text_type(j.${f}, raw, '$.${f}') AS t_${f}`,
  );
  // Blank = empty or whitespace only; a byte-order mark is dropped. CASE keeps the costly branches rare.
  // src_file / src_line pass through untouched (set by a batched load; NULL for a one-file scan).
  return `SELECT src_file, src_line, raw, blank, doc_error,
  ${cols.join(',\n  ')}
FROM (
  SELECT *,
    CASE
      WHEN blank THEN NULL
      WHEN j IS NULL THEN 'invalid JSON'
      WHEN left(raw, 1) <> '{' AND NOT starts_with(ltrim(raw, E' \\t\\r'), '{') THEN 'not a JSON object, got ' || beamline_json_kind(json_type(raw))
    END AS doc_error
  FROM (
    SELECT src_file, src_line, raw, blank, CASE WHEN NOT blank THEN try(json_transform(raw, ${struct})) END AS j
    FROM (
      SELECT src_file, src_line, raw, CASE WHEN raw IS NULL THEN true WHEN left(raw, 1) = '{' THEN false ELSE trim(raw, E' \\t\\r') = '' END AS blank
      FROM (SELECT src_file, src_line, CASE WHEN left(raw, 1) = chr(65279) THEN ltrim(raw, chr(65279)) ELSE raw END AS raw FROM ${scan})
    )
  )
)`;
}

/** A one-file NDJSON scan (column `raw`) with the NULL src_file / src_line that {@link ndjsonSource} expects. */
export function singleFileLines(scan: string): string {
  return `(SELECT CAST(NULL AS VARCHAR) AS src_file, CAST(NULL AS BIGINT) AS src_line, raw FROM ${scan})`;
}

/**
 * `{{source}}` for a CSV/Parquet scan: each row's `raw` is the row as a JSON object of the file's columns.
 * `numbered`: the scan also has `src_file` and `src_line` columns (a batch of files), passed through.
 */
export function tabularSource(tx: WarehouseSession, scan: string, columns: readonly SourceColumn[], plan: ColumnPlan, fields: readonly string[], numbered = false): string {
  const raw = `CAST(json_object(${columns.map((c) => `${tx.dialect.quoteString(c.name)}, ${quoteColumn(c.name)}`).join(', ')}) AS VARCHAR)`;
  const cols = fields.map((f) => {
    const p = plan[f];
    return p ? `${p.text} AS c_${f}, ${p.type} AS t_${f}` : `CAST(NULL AS VARCHAR) AS c_${f}, CAST(NULL AS VARCHAR) AS t_${f}`;
  });
  const position = numbered ? 'src_file, src_line' : 'CAST(NULL AS VARCHAR) AS src_file, CAST(NULL AS BIGINT) AS src_line';
  return `SELECT ${position}, ${raw} AS raw, false AS blank, CAST(NULL AS VARCHAR) AS doc_error,
  ${cols.join(',\n  ')}
FROM ${scan}`;
}
