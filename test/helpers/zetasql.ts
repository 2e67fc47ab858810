/**
 * BigQuery's SQL front end, here: Google's ZetaSQL analyzer, shipped by `@fivetrandevelopers/zetasql`
 * as a local gRPC server binary. {@link startZetaSql} starts it on a free port; the
 * {@link BigQueryAnalyzer} resolves names and types of a statement against a catalog of tables, with
 * the language features BigQuery has (QUALIFY, analytic functions, PIVOT, …) and its product mode
 * (external: no INT32, UINT64, proto or enum types). It checks names, functions and types — not
 * data, permissions or quotas.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { ZetaSQLClient } from '@fivetrandevelopers/zetasql';
import { afterAll, beforeAll } from 'vitest';
import { bigqueryType } from '../../warehouse/dialect.ts';

/** A ZetaSQL type as the protocol carries it (TypeProto): a kind, plus element / fields for ARRAY / STRUCT. */
export interface ZetaType {
  readonly typeKind: string | number;
  readonly arrayType?: { readonly elementType: ZetaType } | null;
  readonly structType?: { readonly field: ReadonlyArray<{ readonly fieldName: string; readonly fieldType: ZetaType }> } | null;
}

export interface ZetaColumn {
  readonly name: string;
  readonly type: ZetaType;
}

export type AnalysisResult =
  | { readonly ok: true; readonly kind: string; readonly columns: readonly ZetaColumn[]; readonly createdTable?: string }
  | { readonly ok: false; readonly message: string };

/** Language features BigQuery has (GoogleSQL for BigQuery), as ZetaSQL names them. */
export const BIGQUERY_FEATURES = [
  'FEATURE_ANALYTIC_FUNCTIONS', 'FEATURE_NUMERIC_TYPE', 'FEATURE_BIGNUMERIC_TYPE', 'FEATURE_JSON_TYPE', 'FEATURE_JSON_ARRAY_FUNCTIONS',
  'FEATURE_JSON_VALUE_EXTRACTION_FUNCTIONS', 'FEATURE_JSON_CONSTRUCTOR_FUNCTIONS', 'FEATURE_INTERVAL_TYPE', 'FEATURE_GEOGRAPHY',
  'FEATURE_TIMESTAMP_NANOS', 'FEATURE_TABLESAMPLE', 'FEATURE_GROUP_BY_ROLLUP', 'FEATURE_NAMED_ARGUMENTS', 'FEATURE_TABLE_VALUED_FUNCTIONS',
  'FEATURE_CREATE_TABLE_PARTITION_BY', 'FEATURE_CREATE_TABLE_CLUSTER_BY', 'FEATURE_CREATE_TABLE_NOT_NULL', 'FEATURE_CREATE_TABLE_AS_SELECT_COLUMN_LIST',
  'FEATURE_CREATE_TABLE_LIKE', 'FEATURE_CREATE_TABLE_COPY', 'FEATURE_CREATE_TABLE_CLONE', 'FEATURE_DML_UPDATE_WITH_JOIN', 'FEATURE_PARAMETERIZED_TYPES',
  'FEATURE_ROUND_WITH_ROUNDING_MODE', 'FEATURE_TIME_BUCKET_FUNCTIONS', 'FEATURE_INVERSE_TRIG_FUNCTIONS', 'FEATURE_CBRT_FUNCTIONS', 'FEATURE_RANGE_TYPE',
  'FEATURE_V_1_1_WITH_ON_SUBQUERY', 'FEATURE_V_1_1_SELECT_STAR_EXCEPT_REPLACE', 'FEATURE_V_1_1_ORDER_BY_IN_AGGREGATE', 'FEATURE_V_1_1_LIMIT_IN_AGGREGATE', 'FEATURE_V_1_1_HAVING_IN_AGGREGATE',
  'FEATURE_V_1_1_NULL_HANDLING_MODIFIER_IN_AGGREGATE', 'FEATURE_V_1_1_NULL_HANDLING_MODIFIER_IN_ANALYTIC', 'FEATURE_V_1_1_FOR_SYSTEM_TIME_AS_OF',
  'FEATURE_V_1_2_CIVIL_TIME', 'FEATURE_V_1_2_SAFE_FUNCTION_CALL', 'FEATURE_V_1_2_WEEK_WITH_WEEKDAY', 'FEATURE_V_1_2_GROUP_BY_STRUCT',
  'FEATURE_V_1_3_ADDITIONAL_STRING_FUNCTIONS', 'FEATURE_V_1_3_ALLOW_DASHES_IN_TABLE_NAME', 'FEATURE_V_1_3_ALLOW_REGEXP_EXTRACT_OPTIONALS',
  'FEATURE_V_1_3_CONCAT_MIXED_TYPES', 'FEATURE_V_1_3_DATE_ARITHMETICS', 'FEATURE_V_1_3_DATE_TIME_CONSTRUCTORS', 'FEATURE_V_1_3_DECIMAL_ALIAS',
  'FEATURE_V_1_3_EXTENDED_DATE_TIME_SIGNATURES', 'FEATURE_V_1_3_FORMAT_IN_CAST', 'FEATURE_V_1_3_IS_DISTINCT', 'FEATURE_V_1_3_LIKE_ANY_SOME_ALL',
  'FEATURE_V_1_3_NULLS_FIRST_LAST_IN_ORDER_BY', 'FEATURE_V_1_3_OMIT_INSERT_COLUMN_LIST', 'FEATURE_V_1_3_PIVOT', 'FEATURE_V_1_3_UNPIVOT',
  'FEATURE_V_1_3_QUALIFY', 'FEATURE_V_1_3_REPEAT', 'FEATURE_V_1_3_FOR_IN', 'FEATURE_V_1_3_CASE_STMT', 'FEATURE_V_1_3_SCRIPT_LABEL',
  'FEATURE_V_1_3_UNNEST_AND_FLATTEN_ARRAYS', 'FEATURE_V_1_3_WITH_RECURSIVE', 'FEATURE_V_1_3_WITH_GROUP_ROWS', 'FEATURE_V_1_3_COLLATION_SUPPORT',
  'FEATURE_V_1_3_ANNOTATION_FRAMEWORK', 'FEATURE_V_1_3_TYPEOF_FUNCTION', 'FEATURE_V_1_3_INLINE_LAMBDA_ARGUMENT', 'FEATURE_V_1_3_ARRAY_ORDERING',
  'FEATURE_V_1_4_GROUPING_SETS', 'FEATURE_V_1_4_GROUPING_BUILTIN', 'FEATURE_V_1_4_ARRAY_FIND_FUNCTIONS', 'FEATURE_V_1_4_ARRAY_AGGREGATION_FUNCTIONS',
  'FEATURE_V_1_4_NULLIFZERO_ZEROIFNULL', 'FEATURE_V_1_4_PI_FUNCTIONS',
] as const;

/** The statements Beamline sends to BigQuery. */
const STATEMENT_KINDS = [
  'RESOLVED_QUERY_STMT', 'RESOLVED_CREATE_TABLE_STMT', 'RESOLVED_CREATE_TABLE_AS_SELECT_STMT', 'RESOLVED_INSERT_STMT', 'RESOLVED_DELETE_STMT',
  'RESOLVED_UPDATE_STMT', 'RESOLVED_MERGE_STMT', 'RESOLVED_TRUNCATE_STMT', 'RESOLVED_DROP_STMT', 'RESOLVED_BEGIN_STMT', 'RESOLVED_COMMIT_STMT',
  'RESOLVED_ROLLBACK_STMT', 'RESOLVED_CREATE_VIEW_STMT',
];

/**
 * BigQuery's own names for INT64, which ZetaSQL leaves to the engine's catalog
 * (https://cloud.google.com/bigquery/docs/reference/standard-sql/data-types#integer_types).
 * VARCHAR, TEXT and DOUBLE are not among BigQuery's names and stay errors.
 */
const INTEGER_ALIASES = ['INT', 'SMALLINT', 'INTEGER', 'BIGINT', 'TINYINT', 'BYTEINT'];

const LANGUAGE_OPTIONS = {
  productMode: 'PRODUCT_EXTERNAL',
  nameResolutionMode: 'NAME_RESOLUTION_DEFAULT',
  enabledLanguageFeatures: [...BIGQUERY_FEATURES],
  supportedStatementKinds: STATEMENT_KINDS,
  reservedKeywords: ['QUALIFY'],
};

/** Where the package keeps the server binary for this platform, or why there is none. */
export function zetaSqlBinary(): string {
  const lib = dirname(createRequire(import.meta.url).resolve('@fivetrandevelopers/zetasql'));
  const arm = process.arch === 'arm64' ? '_arm' : '';
  if (process.platform !== 'linux' && process.platform !== 'darwin') throw new Error(`the ZetaSQL server binary exists for Linux and macOS only, not ${process.platform}`);
  return join(lib, 'zetasql', `remote_server${arm}${process.platform === 'linux' ? '.so' : ''}`);
}

/** Says precisely why the binary cannot run: missing file, missing shared libraries (ldd), or its own output. */
export function diagnoseBinary(binary: string, output = ''): string {
  if (!existsSync(binary)) return `${binary} does not exist (is @fivetrandevelopers/zetasql installed, with its lib/zetasql folder?)`;
  const lines = [`${binary} did not start${output ? `: ${output.trim()}` : ''}`];
  const ldd = spawnSync('ldd', [binary], { encoding: 'utf8' });
  if (ldd.error === undefined) {
    const missing = ldd.stdout.split('\n').filter((l) => l.includes('not found')).map((l) => l.trim());
    lines.push(missing.length ? `missing shared libraries (install them in .ci/run): ${missing.join('; ')}` : `ldd finds every shared library:\n${ldd.stdout}${ldd.stderr}`);
  }
  return lines.join('\n');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface ZetaSqlServer {
  readonly port: number;
  /** A new analyzer with an empty catalog. */
  analyzer(): BigQueryAnalyzer;
  stop(): Promise<void>;
}

/** Starts the analyzer server on a free port on 127.0.0.1 and waits until it answers. */
export async function startZetaSql(timeoutMs = 20_000): Promise<ZetaSqlServer> {
  const binary = zetaSqlBinary();
  if (!existsSync(binary)) throw new Error(diagnoseBinary(binary));
  const port = await freePort();
  let output = '';
  const child: ChildProcess = spawn(binary, ['127.0.0.1', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<string>((resolve) => {
    child.once('error', (err) => resolve(`spawn failed: ${err.message}`));
    child.once('exit', (code, signal) => resolve(`exited with ${signal ?? `code ${code}`}`));
  });
  const listening = new Promise<void>((resolve) => {
    const check = () => (output.includes('Server listening') ? resolve() : undefined);
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
  });
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    listening.then(() => 'ok'),
    exited,
    new Promise<string>((resolve) => (timer = setTimeout(() => resolve(`not listening after ${timeoutMs} ms`), timeoutMs))),
  ]);
  clearTimeout(timer);
  if (outcome !== 'ok') {
    child.kill('SIGKILL');
    throw new Error(diagnoseBinary(binary, `${outcome}\n${output}`));
  }
  ZetaSQLClient.init(port);
  if (!(await ZetaSQLClient.getInstance().testConnection())) {
    child.kill('SIGKILL');
    throw new Error(`the ZetaSQL server listens on port ${port} but does not answer gRPC calls:\n${output}`);
  }
  return {
    port,
    analyzer: () => new BigQueryAnalyzer(),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await Promise.race([gone, new Promise((r) => setTimeout(r, 2000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

const SCALAR_KINDS: Record<string, string> = {
  STRING: 'TYPE_STRING', INT64: 'TYPE_INT64', FLOAT64: 'TYPE_DOUBLE', NUMERIC: 'TYPE_NUMERIC', BIGNUMERIC: 'TYPE_BIGNUMERIC', BOOL: 'TYPE_BOOL',
  DATE: 'TYPE_DATE', TIMESTAMP: 'TYPE_TIMESTAMP', DATETIME: 'TYPE_DATETIME', TIME: 'TYPE_TIME', BYTES: 'TYPE_BYTES', JSON: 'TYPE_JSON', INTERVAL: 'TYPE_INTERVAL',
};

/** A BigQuery type name (`STRING`, `ARRAY<INT64>`) as a ZetaSQL type. */
export function zetaType(bigqueryTypeName: string): ZetaType {
  const array = /^ARRAY<(.+)>$/.exec(bigqueryTypeName);
  if (array) return { typeKind: 'TYPE_ARRAY', arrayType: { elementType: zetaType(array[1]!) } };
  const kind = SCALAR_KINDS[bigqueryTypeName];
  if (kind === undefined) throw new Error(`no ZetaSQL type for the BigQuery type ${bigqueryTypeName}`);
  return { typeKind: kind };
}

/** Columns from a DuckDB-typed table definition (e.g. RAW_TABLES), through BigQuery's types. */
export function columnsFromDuckTypes(columns: Readonly<Record<string, string>>): ZetaColumn[] {
  return Object.entries(columns).map(([name, t]) => ({ name, type: zetaType(bigqueryType(t)) }));
}

type Resolved = Record<string, unknown>;

/** Analyzes statements against a catalog that grows as tables are created. */
export class BigQueryAnalyzer {
  readonly #tables = new Map<string, readonly ZetaColumn[]>();

  /** Adds (or replaces) a table in the catalog. */
  addTable(name: string, columns: readonly ZetaColumn[]): void {
    this.#tables.set(name, columns);
  }

  hasTable(name: string): boolean {
    return this.#tables.has(name);
  }

  columns(name: string): readonly ZetaColumn[] | undefined {
    return this.#tables.get(name);
  }

  /**
   * Resolves one statement. A CREATE TABLE … AS SELECT or CREATE VIEW that resolves adds its table
   * to the catalog, so the statements of later transforms see it. `parameters` declares the types of
   * named parameters (`@p1`: …); without it, their types are inferred from how they are used.
   */
  async analyze(sql: string, parameters?: ReadonlyArray<{ readonly name: string; readonly type: ZetaType }>): Promise<AnalysisResult> {
    const catalog = {
      name: 'beamline',
      table: [...this.#tables].map(([name, cols]) => ({ name, column: cols.map((c) => ({ name: c.name, type: c.type })) })),
      namedType: INTEGER_ALIASES.map((name) => ({ name, type: { typeKind: 'TYPE_INT64' } })),
      builtinFunctionOptions: { languageOptions: LANGUAGE_OPTIONS },
    };
    // Values are bound parameters (@p1, …): their types are inferred from how they are used.
    const options = {
      languageOptions: LANGUAGE_OPTIONS, errorMessageMode: 'ERROR_MESSAGE_MULTI_LINE_WITH_CARET', defaultTimezone: 'UTC', parameterMode: 'PARAMETER_NAMED',
      ...(parameters ? { queryParameters: parameters } : { allowUndeclaredParameters: true }),
    };
    let response;
    try {
      response = await ZetaSQLClient.getInstance().analyze({ sqlStatement: sql, simpleCatalog: catalog as never, options: options as never });
    } catch (err) {
      const e = err as { code?: number; details?: string; message: string };
      if (e.code === 3 || e.code === 5 || e.code === 12) return { ok: false, message: e.details ?? e.message };
      throw err;
    }
    const stmt = (response?.resolvedStatement ?? {}) as Resolved;
    const { kind, node } = leaf(stmt);
    if (kind === 'resolvedQueryStmtNode') return { ok: true, kind, columns: outputColumns(node.outputColumnList) };
    if (kind === 'resolvedCreateTableAsSelectStmtNode' || kind === 'resolvedCreateTableStmtNode') {
      const base = findKey(node, 'columnDefinitionList') as Array<{ name: string; type: ZetaType }> | undefined;
      const namePath = findKey(node, 'namePath') as string[] | undefined;
      const columns = (base ?? []).map((c) => ({ name: c.name, type: c.type }));
      const table = namePath?.at(-1);
      if (table) this.addTable(table, columns);
      return { ok: true, kind, columns, createdTable: table };
    }
    if (kind === 'resolvedCreateViewStmtNode') {
      // A view joins the catalog as a table of its output columns, so later statements can read it.
      const columns = outputColumns(findKey(node, 'outputColumnList'));
      const table = (findKey(node, 'namePath') as string[] | undefined)?.at(-1);
      if (table) this.addTable(table, columns);
      return { ok: true, kind, columns, createdTable: table };
    }
    return { ok: true, kind, columns: [] };
  }
}

/** The concrete node of a oneof-nested resolved statement (the protocol nests one level per class). */
function leaf(stmt: Resolved): { kind: string; node: Resolved } {
  let kind = '';
  let node: Resolved = stmt;
  for (;;) {
    const key = Object.keys(node).find((k) => /^resolved[A-Za-z]+Node$/.test(k) && node[k] !== null && node[k] !== undefined);
    if (!key) return { kind, node };
    kind = key;
    node = node[key] as Resolved;
  }
}

function findKey(node: unknown, key: string): unknown {
  if (node === null || typeof node !== 'object') return undefined;
  const rec = node as Resolved;
  if (key in rec && rec[key] !== null) return rec[key];
  if ('parent' in rec) return findKey(rec.parent, key);
  return undefined;
}

function outputColumns(list: unknown): ZetaColumn[] {
  return ((list ?? []) as Array<{ name: string; column: { type: ZetaType } }>).map((o) => ({ name: o.name, type: o.column.type }));
}

/** A short type name for messages: `STRING`, `ARRAY<INT64>`. */
export function typeName(t: ZetaType): string {
  if (t.arrayType) return `ARRAY<${typeName(t.arrayType.elementType)}>`;
  const k = typeof t.typeKind === 'number' ? Object.entries(KIND_NUMBERS).find(([, n]) => n === t.typeKind)?.[0] ?? String(t.typeKind) : t.typeKind;
  return k.replace(/^TYPE_/, '').replace('DOUBLE', 'FLOAT64');
}

const KIND_NUMBERS: Record<string, number> = {
  TYPE_INT64: 2, TYPE_BOOL: 5, TYPE_DOUBLE: 7, TYPE_STRING: 8, TYPE_BYTES: 9, TYPE_DATE: 10, TYPE_TIMESTAMP: 19, TYPE_ARRAY: 16, TYPE_STRUCT: 17,
  TYPE_TIME: 20, TYPE_DATETIME: 21, TYPE_GEOGRAPHY: 22, TYPE_NUMERIC: 23, TYPE_BIGNUMERIC: 24, TYPE_JSON: 26, TYPE_INTERVAL: 27, TYPE_RANGE: 29,
};

/**
 * For a test file: starts the analyzer before the file's tests and stops it after them. Returns the
 * running server (call it inside a test or hook). Call once, at the top of the file.
 */
export function zetaSqlPerFile(): () => ZetaSqlServer {
  let server: ZetaSqlServer | undefined;
  beforeAll(async () => {
    server = await startZetaSql();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (!server) throw new Error('the ZetaSQL server is not running (zetaSqlPerFile() serves tests and hooks only)');
    return server;
  };
}
