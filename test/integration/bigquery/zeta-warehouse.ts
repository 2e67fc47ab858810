/**
 * A warehouse that EXECUTES BigQuery SQL without BigQuery: tables live in memory and every statement
 * runs on the ZetaSQL reference implementation (the `EvaluateQuery` / `EvaluateModify` calls of the
 * `@fivetrandevelopers/zetasql` server) — GoogleSQL's semantics as Google's own reference engine has
 * them: its JSON, regex, cast and timestamp functions. It is not BigQuery: no quotas, no
 * partitions, no sessions (a transaction is a snapshot restored on failure), microsecond rounding
 * aside it may differ from the service in corner cases. Only the statements extract sends are
 * understood: CREATE TABLE [IF NOT EXISTS] (…), CREATE TEMP TABLE … AS SELECT, INSERT, DROP TABLE, SELECT.
 */
import { ZetaSQLClient } from '@fivetrandevelopers/zetasql';
import { readFile } from 'node:fs/promises';
import { bigqueryDialect } from '../../../warehouse/dialect.ts';
import type { BulkLoadingWarehouse, ColumnInfo, ColumnSpec, Row, WarehouseSession } from '../../../warehouse/types.ts';
import { BIGQUERY_FEATURES, BigQueryAnalyzer, typeName, zetaType, type ZetaType } from '../../helpers/zetasql.ts';
import { schemaField } from '../../../warehouse/bigquery/values.ts';

/** A value as the ZetaSQL protocol carries it (ValueProto; `value` names the set field, none = NULL). */
type ValueProto = Record<string, unknown> & { value?: string };
interface Column {
  readonly name: string;
  readonly type: ZetaType;
}
interface Table {
  readonly columns: readonly Column[];
  rows: ValueProto[][];
}

const LANGUAGE = {
  productMode: 'PRODUCT_EXTERNAL',
  nameResolutionMode: 'NAME_RESOLUTION_DEFAULT',
  enabledLanguageFeatures: [...BIGQUERY_FEATURES],
  supportedStatementKinds: ['RESOLVED_QUERY_STMT', 'RESOLVED_INSERT_STMT'],
};

/** The ZetaSQL type of a bound value, as the adapter types it (values.ts queryParameters). */
export function paramType(v: unknown): ZetaType {
  if (Array.isArray(v)) return { typeKind: 'TYPE_ARRAY', arrayType: { elementType: paramType(v[0] ?? '') } };
  if (typeof v === 'number') return { typeKind: Number.isInteger(v) ? 'TYPE_INT64' : 'TYPE_DOUBLE' };
  if (typeof v === 'boolean') return { typeKind: 'TYPE_BOOL' };
  if (v instanceof Date) return { typeKind: 'TYPE_TIMESTAMP' };
  return { typeKind: 'TYPE_STRING' };
}

/** `@p1`, `@p2`… declared with the types of `params`. */
export function declaredParams(params: readonly unknown[]): Array<{ name: string; type: ZetaType }> {
  return params.map((v, i) => ({ name: `p${i + 1}`, type: paramType(v) }));
}

function encode(v: unknown): ValueProto {
  if (v === null || v === undefined) return {};
  if (Array.isArray(v)) return { arrayValue: { element: v.map(encode) } };
  if (typeof v === 'number') return Number.isInteger(v) ? { int64Value: String(v) } : { doubleValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (v instanceof Date) return { timestampValue: { seconds: String(Math.floor(v.getTime() / 1000)), nanos: (v.getTime() % 1000) * 1e6 } };
  return { stringValue: String(v) };
}

function long(x: unknown): number {
  if (typeof x === 'object' && x !== null && 'low' in x) {
    const l = x as { low: number; high: number };
    return Number((BigInt(l.high) << 32n) | BigInt(l.low >>> 0));
  }
  return Number(x);
}

/** A NUMERIC / BIGNUMERIC value: little-endian two's complement of the value × 10^9 (10^38). */
function numeric(bytes: Uint8Array, scale: number): number {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  if (bytes.length > 0 && bytes[bytes.length - 1]! & 0x80) n -= 1n << BigInt(8 * bytes.length);
  return Number(n) / 10 ** scale;
}

/** A ValueProto as plain JS (the Row contract: Date for TIMESTAMP, 'YYYY-MM-DD' for DATE). */
export function decode(v: ValueProto, type?: ZetaType): unknown {
  switch (v.value) {
    case undefined:
      return null;
    case 'int64Value':
      return long(v.int64Value);
    case 'timestampValue': {
      const t = v.timestampValue as { seconds: unknown; nanos: number };
      return new Date(long(t.seconds) * 1000 + Math.floor(t.nanos / 1e6));
    }
    case 'dateValue':
      return new Date(Number(v.dateValue) * 86_400_000).toISOString().slice(0, 10);
    case 'numericValue':
      return numeric(v.numericValue as Uint8Array, 9);
    case 'arrayValue':
      return ((v.arrayValue as { element: ValueProto[] }).element ?? []).map((e) => decode(e, type?.arrayType?.elementType));
    case 'structValue': {
      const fields = (v.structValue as { field: ValueProto[] }).field;
      const names = type?.structType?.field.map((f) => f.fieldName) ?? fields.map((_, i) => `f${i}`);
      return Object.fromEntries(fields.map((f, i) => [names[i]!, decode(f, type?.structType?.field[i]?.fieldType)]));
    }
    default:
      return v[v.value];
  }
}

function call<T>(method: string, request: unknown): Promise<T> {
  const api = (ZetaSQLClient as unknown as { API: Record<string, (r: unknown, cb: (e: { details?: string; message: string } | null, r: T) => void) => void> }).API;
  return new Promise((resolve, reject) => api[method]!.call(api, request, (err, res) => (err ? reject(new Error(err.details ?? err.message)) : resolve(res))));
}

/** Executes extract's BigQuery statements on the ZetaSQL reference engine (see the file header). The ZetaSQL server must be started. */
export class ZetaWarehouse implements BulkLoadingWarehouse {
  readonly dialect = bigqueryDialect;
  readonly tables = new Map<string, Table>();
  /** Every statement executed, in order (the SQL and its bound values). */
  readonly statements: Array<{ readonly sql: string; readonly params: readonly unknown[] }> = [];

  #request(sql: string, params: readonly unknown[]) {
    const table = [...this.tables].map(([name, t]) => ({ name, column: t.columns.map((c) => ({ name: c.name, type: c.type })) }));
    const tableContent = Object.fromEntries([...this.tables].map(([name, t]) => [name, { tableData: { row: t.rows.map((cell) => ({ cell })) } }]));
    return {
      sql,
      options: { languageOptions: LANGUAGE, defaultTimezone: 'UTC', parameterMode: 'PARAMETER_NAMED', queryParameters: declaredParams(params) },
      simpleCatalog: { name: 'beamline', table, builtinFunctionOptions: { languageOptions: LANGUAGE } },
      tableContent,
      params: params.map((v, i) => ({ name: `p${i + 1}`, value: encode(v) })),
    };
  }

  async #select(sql: string, params: readonly unknown[]): Promise<Table> {
    const res = await call<{ content: { tableData: { row: Array<{ cell: ValueProto[] }> } }; prepared: { columns: Column[] } }>('evaluateQuery', this.#request(sql, params))
      .catch((err: Error) => failed(err, sql));
    return { columns: res.prepared.columns.map((c) => ({ name: c.name, type: c.type })), rows: (res.content?.tableData?.row ?? []).map((r) => r.cell) };
  }

  async query<T extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    this.statements.push({ sql, params });
    const t = await this.#select(sql, params);
    return t.rows.map((cells) => Object.fromEntries(t.columns.map((c, i) => [c.name, decode(cells[i]!, c.type)])) as T);
  }

  async exec(sql: string, params: readonly unknown[] = []): Promise<number> {
    this.statements.push({ sql, params });
    const s = sql.replace(/^(\s*--[^\n]*\n)+/, '').trim(); // leading comments
    let m: RegExpExecArray | null;
    if ((m = /^CREATE (?:OR REPLACE )?TEMP TABLE `?(\w+)`? AS\s/i.exec(s))) {
      const t = await this.#select(s.slice(m[0].length), params);
      this.tables.set(m[1]!, t);
      return t.rows.length;
    }
    if ((m = /^CREATE (OR REPLACE )?TABLE (IF NOT EXISTS )?`?(\w+)`?/i.exec(s))) {
      if (m[2] && this.tables.has(m[3]!)) return 0;
      const result = await new BigQueryAnalyzer().analyze(s);
      if (!result.ok) failed(new Error(result.message), sql);
      else this.tables.set(m[3]!, { columns: result.columns, rows: [] });
      return 0;
    }
    if ((m = /^DROP TABLE (IF EXISTS )?`?(\w+)`?/i.exec(s))) {
      this.tables.delete(m[2]!);
      return 0;
    }
    if (/^INSERT INTO/i.test(s)) {
      const res = await call<{ tableName: string; content: Array<{ operation: string; cell: ValueProto[] }> }>('evaluateModify', this.#request(s, params)).catch((err: Error) => failed(err, sql));
      const target = this.tables.get(res.tableName)!;
      target.rows.push(...res.content.map((r) => r.cell));
      return res.content.length;
    }
    throw new Error(`ZetaWarehouse does not run: ${s.slice(0, 80)}`);
  }

  async transaction<T>(fn: (tx: WarehouseSession) => Promise<T>): Promise<T> {
    const snapshot = new Map([...this.tables].map(([k, t]) => [k, { columns: t.columns, rows: [...t.rows] }]));
    try {
      return await fn(this);
    } catch (err) {
      this.tables.clear();
      for (const [k, t] of snapshot) this.tables.set(k, t);
      throw err;
    }
  }

  async bulkLoad(table: string, columns: readonly ColumnSpec[], ndjsonFiles: readonly string[]): Promise<number> {
    const cols = columns.map((c) => ({ name: c.name, type: zetaType(schemaField(c).type) }));
    const rows: ValueProto[][] = [];
    for (const f of ndjsonFiles) {
      for (const line of (await readFile(f, 'utf8')).split('\n')) {
        if (line === '') continue;
        const obj = JSON.parse(line) as Record<string, unknown>;
        rows.push(cols.map((c) => encode(obj[c.name] ?? null)));
      }
    }
    this.tables.set(table, { columns: cols, rows });
    return rows.length;
  }

  /** Every row of a table, as plain JS. */
  rows(table: string): Row[] {
    const t = this.tables.get(table);
    return (t?.rows ?? []).map((cells) => Object.fromEntries(t!.columns.map((c, i) => [c.name, decode(cells[i]!, c.type)])));
  }

  async tableExists(table: string): Promise<boolean> {
    return this.tables.has(table);
  }
  async columns(table: string): Promise<ColumnInfo[]> {
    return (this.tables.get(table)?.columns ?? []).map((c) => ({ name: c.name, type: typeName(c.type) }));
  }
  async appendRows(): Promise<number> {
    throw new Error('ZetaWarehouse: appendRows is not used by extract');
  }
  async close(): Promise<void> {}
}

function failed(err: Error, sql: string): never {
  throw new Error(`ZetaSQL reference engine: ${err.message}\n  in: ${sql.replace(/\s+/g, ' ').slice(0, 300)}`, { cause: err });
}
