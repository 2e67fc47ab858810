/**
 * SQL generation per warehouse, kept apart from execution (as Malloy does). TypeScript code that
 * builds SQL goes through these helpers only, so the same code renders for DuckDB and BigQuery.
 */
export type DialectName = 'duckdb' | 'bigquery';

export interface SqlDialect {
  readonly name: DialectName;
  /** Quote an identifier that has already been validated with {@link assertIdentifier}. */
  quoteIdent(name: string): string;
  /** A string literal, escaped. Use bound parameters for data; literals are for definitions (rules, config). */
  quoteString(value: string): string;
  /** Boolean expression: `expr` matches the regular expression `pattern` anywhere (RE2 syntax on both). */
  regexpContains(expr: string, pattern: string): string;
  /** Lower-case of a string expression. */
  lower(expr: string): string;
  /** The local calendar date (DATE) of a TIMESTAMPTZ expression in an IANA zone. */
  localDate(tsExpr: string, timeZone: string): string;
  /**
   * The start (TIMESTAMPTZ) of the UTC quarter-hour a TIMESTAMPTZ expression falls in. Every zone's
   * offset since 1972 is a whole number of quarter-hours, so local midnights and offset changes fall on
   * these starts: all instants of one quarter-hour share a local date, and counting rows per
   * quarter-hour first, then taking one local date per quarter-hour, counts them by local date exactly.
   */
  quarterHour(tsExpr: string): string;
  /** A positional bound-parameter placeholder (1-based). */
  param(index: number): string;
  /** The URL-decoded value of query parameter `name` (case-insensitive) in a URL expression; NULL when absent or empty. */
  urlParam(urlExpr: string, name: string): string;
  /** The lower-cased host of a URL expression (no port, no user info); NULL when it has none. */
  urlHost(urlExpr: string): string;
  /** The path of a URL expression ('/' style, without query or fragment); NULL when it has none. */
  urlPath(urlExpr: string): string;
  /** Lower-case hex MD5 of a string expression (32 characters): opaque, deterministic keys. */
  md5Hex(expr: string): string;
  /** Lower-case hex SHA-256 of a string expression (64 characters): salted hashing of identifiers. */
  sha256Hex(expr: string): string;
  /**
   * The payload hash of the raw event row aliased `alias`: lower-case hex md5 of every contract field
   * (PAYLOAD_FIELDS) as the warehouse serialises them, so equal payloads hash equal within a warehouse
   * (the values differ between warehouses). Equal id and hash: a natural duplicate; equal id, other hash:
   * a synthetic one.
   */
  payloadHash(alias: string): string;
  /** Milliseconds since the Unix epoch (BIGINT / INT64) of a TIMESTAMPTZ expression. */
  epochMillis(tsExpr: string): string;
  /** An expression cast to text (VARCHAR / STRING). */
  castText(expr: string): string;
  /**
   * A key of one row of the table aliased `alias`, whose columns `naturalKey` identify its rows: for
   * joining a narrow selection of rows back to their wide columns within one transaction. DuckDB: the
   * row's `rowid` (BIGINT, stable while the transaction lasts); BigQuery: the key's columns as one text.
   */
  rowKey(alias: string, naturalKey: readonly string[]): string;
  /**
   * One statement that creates or atomically replaces `table` with the rows of `select`. `layout`
   * is the physical layout where the warehouse has one (BigQuery: PARTITION BY / CLUSTER BY);
   * DuckDB ignores it. A single statement, so it never runs inside a multi-statement transaction.
   */
  replaceTableAs(table: string, select: string, layout?: TableLayout): string;
  /** The clause that lays out a table created with a column list (`CREATE TABLE t (…) <clause>`); empty where layout is the engine's own. */
  layoutClause(layout?: TableLayout): string;
  /** The warehouse's name for a portable column type written the DuckDB way (`VARCHAR`, `TIMESTAMPTZ`, `DECIMAL(18,4)`, `VARCHAR[]`). */
  columnType(portableType: string): string;
}

/**
 * `CREATE TABLE` from a column map written in portable (DuckDB-style) types, mapped to the dialect's
 * names, with the dialect's layout clause. `verb` defaults to `CREATE TABLE IF NOT EXISTS`.
 */
export function createTableSql(
  dialect: SqlDialect,
  table: string,
  columns: Readonly<Record<string, string>>,
  options: { verb?: 'CREATE TABLE IF NOT EXISTS' | 'CREATE OR REPLACE TABLE' | 'CREATE OR REPLACE TEMP TABLE'; layout?: TableLayout } = {},
): string {
  const body = Object.entries(columns).map(([c, t]) => `${dialect.quoteIdent(c)} ${dialect.columnType(t)}`).join(', ');
  return `${options.verb ?? 'CREATE TABLE IF NOT EXISTS'} ${dialect.quoteIdent(table)} (${body})${dialect.layoutClause(options.layout)}`;
}

/** How a table is laid out on disk. Never changes its rows. */
export interface TableLayout {
  /** A DATE column: one partition per day. */
  readonly partitionBy?: string;
  /** Up to 4 columns the data is sorted by within a partition (the usual filters). */
  readonly clusterBy?: readonly string[];
}

/**
 * The contract fields a raw event's payload hash covers, in order: all of them but where the row came
 * from (load_id, file, line, loaded_at). They are stored normalised (the instant, not its spelling; the
 * canonical source), so a copy hashes the same whatever the file format it arrived in.
 */
export const PAYLOAD_FIELDS = [
  'event_id', 'event_name', 'event_ts', 'source', 'anonymous_id', 'user_id', 'session_id', 'page_url', 'referrer', 'user_agent',
  'value', 'currency', 'order_id', 'consent_analytics', 'consent_ads', 'properties',
] as const;

function payloadFields(alias: string, field: (column: string, name: (typeof PAYLOAD_FIELDS)[number]) => string, quote: (a: string) => string): string {
  const a = quote(assertIdentifier(alias, 'table alias'));
  return PAYLOAD_FIELDS.map((f) => field(`${a}.${f}`, f)).join(', ');
}

const URL_HOST_RE = '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]+)';
const URL_PATH_RE = '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*([^?#]*)';
function paramRe(name: string): string {
  assertIdentifier(name, 'URL parameter name');
  return `(?i)[?&]${name}=([^&#]*)`;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** Throws unless `name` is a plain SQL identifier (letters, digits, underscore; not starting with a digit). */
export function assertIdentifier(name: string, what = 'identifier'): string {
  if (!IDENT.test(name)) {
    throw new TypeError(`invalid ${what} ${JSON.stringify(name)}: use letters, digits and _ only, not starting with a digit`);
  }
  return name;
}

function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export const duckdbDialect: SqlDialect = {
  name: 'duckdb',
  quoteIdent: (n) => `"${assertIdentifier(n)}"`,
  quoteString: sqlString,
  regexpContains: (e, p) => `regexp_matches(${e}, ${sqlString(p)})`,
  lower: (e) => `lower(${e})`,
  localDate: (ts, tz) => `CAST(timezone(${sqlString(tz)}, ${ts}) AS DATE)`,
  quarterHour: (ts) => `time_bucket(INTERVAL 15 MINUTE, ${ts})`,
  param: (i) => `$${i}`,
  urlParam: (e, n) => `nullif(url_decode(replace(regexp_extract(${e}, ${sqlString(paramRe(n))}, 1), '+', ' ')), '')`,
  urlHost: (e) => `nullif(lower(regexp_extract(${e}, ${sqlString(URL_HOST_RE)}, 1)), '')`,
  urlPath: (e) => `nullif(regexp_extract(${e}, ${sqlString(URL_PATH_RE)}, 1), '')`,
  md5Hex: (e) => `md5(${e})`,
  sha256Hex: (e) => `sha256(${e})`,
  // (the instant as epoch microseconds; properties as JSON, not as a JSON string)
  payloadHash(a) {
    return this.md5Hex(`CAST(json_array(${payloadFields(a, (c, f) => (f === 'event_ts' ? `epoch_us(${c})` : f === 'properties' ? `json(${c})` : c), (x) => `"${x}"`)}) AS VARCHAR)`);
  },
  epochMillis: (ts) => `epoch_ms(${ts})`,
  castText: (e) => `CAST(${e} AS VARCHAR)`,
  rowKey: (a) => `"${assertIdentifier(a, 'table alias')}".rowid`,
  replaceTableAs: (t, select) => `CREATE OR REPLACE TABLE "${assertIdentifier(t, 'table name')}" AS\n${select}`,
  layoutClause: () => '',
  columnType: (t) => t,
};

/** `PARTITION BY … CLUSTER BY …` for BigQuery (each on its own line), or '' with no layout. */
function bigqueryLayout(layout?: TableLayout): string {
  const q = (n: string) => `\`${assertIdentifier(n, 'column name')}\``;
  const partition = layout?.partitionBy ? `\nPARTITION BY ${q(layout.partitionBy)}` : '';
  const cluster = layout?.clusterBy?.length ? `\nCLUSTER BY ${layout.clusterBy.map(q).join(', ')}` : '';
  return `${partition}${cluster}`;
}

/** BigQuery string literals treat backslash as an escape character. */
function bigqueryString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export const bigqueryDialect: SqlDialect = {
  name: 'bigquery',
  quoteIdent: (n) => `\`${assertIdentifier(n)}\``,
  quoteString: bigqueryString,
  regexpContains: (e, p) => `REGEXP_CONTAINS(${e}, ${bigqueryString(p)})`,
  lower: (e) => `LOWER(${e})`,
  localDate: (ts, tz) => `DATE(${ts}, ${bigqueryString(tz)})`,
  quarterHour: (ts) => `TIMESTAMP_SECONDS(DIV(UNIX_SECONDS(${ts}), 900) * 900)`,
  param: (i) => `@p${i}`,
  // BigQuery has no URL decoder: the common escapes are decoded; others stay as written.
  urlParam: (e, n) =>
    `NULLIF(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REGEXP_EXTRACT(${e}, ${bigqueryString(paramRe(n))}), '+', ' '), '%20', ' '), '%2F', '/'), '%3A', ':'), '%40', '@'), '')`,
  urlHost: (e) => `NULLIF(LOWER(REGEXP_EXTRACT(${e}, ${bigqueryString(URL_HOST_RE)})), '')`,
  urlPath: (e) => `NULLIF(REGEXP_EXTRACT(${e}, ${bigqueryString(URL_PATH_RE)}), '')`,
  md5Hex: (e) => `TO_HEX(MD5(${e}))`,
  sha256Hex: (e) => `TO_HEX(SHA256(${e}))`,
  // (the instant as epoch microseconds: TO_JSON_STRING of a STRUCT, whose field names are the columns')
  payloadHash(a) {
    return this.md5Hex(`TO_JSON_STRING(STRUCT(${payloadFields(a, (c, f) => (f === 'event_ts' ? `UNIX_MICROS(${c}) AS event_ts` : c), (x) => `\`${x}\``)}))`);
  },
  epochMillis: (ts) => `UNIX_MILLIS(${ts})`,
  castText: (e) => `CAST(${e} AS STRING)`,
  rowKey: (a, key) => `CONCAT(${key.map((c) => `CAST(\`${assertIdentifier(a, 'table alias')}\`.\`${assertIdentifier(c, 'column name')}\` AS STRING)`).join(", ':', ")})`,
  replaceTableAs: (t, select, layout) => `CREATE OR REPLACE TABLE \`${assertIdentifier(t, 'table name')}\`${bigqueryLayout(layout)} AS\n${select}`,
  layoutClause: (layout) => bigqueryLayout(layout),
  columnType: bigqueryType,
};

const BIGQUERY_TYPES: Record<string, string> = {
  VARCHAR: 'STRING', TEXT: 'STRING', STRING: 'STRING', UUID: 'STRING', JSON: 'JSON',
  BIGINT: 'INT64', INTEGER: 'INT64', INT: 'INT64', SMALLINT: 'INT64', TINYINT: 'INT64', HUGEINT: 'INT64', UBIGINT: 'INT64', UINTEGER: 'INT64',
  DOUBLE: 'FLOAT64', FLOAT: 'FLOAT64', REAL: 'FLOAT64', BOOLEAN: 'BOOL', BOOL: 'BOOL', BLOB: 'BYTES',
  DATE: 'DATE', TIMESTAMPTZ: 'TIMESTAMP', 'TIMESTAMP WITH TIME ZONE': 'TIMESTAMP', TIMESTAMP: 'DATETIME', TIME: 'TIME', INTERVAL: 'INTERVAL',
};

/** DuckDB type name → BigQuery type name (DECIMAL(p,s) → NUMERIC or BIGNUMERIC; `T[]` → ARRAY<T>). */
export function bigqueryType(duckType: string): string {
  const t = duckType.trim().toUpperCase();
  if (t.endsWith('[]')) return `ARRAY<${bigqueryType(t.slice(0, -2))}>`;
  const dec = /^(?:DECIMAL|NUMERIC)(?:\((\d+)\s*,\s*(\d+)\))?$/.exec(t);
  if (dec) {
    const [p, s] = [Number(dec[1] ?? 18), Number(dec[2] ?? 3)];
    return s <= 9 && p - s <= 29 ? 'NUMERIC' : 'BIGNUMERIC';
  }
  const mapped = BIGQUERY_TYPES[t];
  if (mapped === undefined) throw new TypeError(`no BigQuery type for the DuckDB type ${JSON.stringify(duckType)}`);
  return mapped;
}

export const DIALECTS: Record<DialectName, SqlDialect> = { duckdb: duckdbDialect, bigquery: bigqueryDialect };
