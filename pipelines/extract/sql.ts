/**
 * The extract SQL files (`./sql/*.sql`): read once, with `{{name}}` placeholders filled by
 * SQL that extract itself builds (never by data: values are bound parameters).
 *
 * Generated fragments. A placeholder named `bq_…` or `duck_…`, or any `{{name:…}}`, is not a value but
 * SQL written here, the same wherever it stands. The four `validate-*.bigquery.sql` files share one
 * definition of their JSON source and per-field expressions this way (`bq_…`); the four DuckDB
 * `validate-*.sql` files (whose source relation `{{source}}` is built in source.ts, and whose scalar
 * helpers are the macros of `macros.sql`) share their line checks, stage columns and the check groups
 * that apply one rule to several files' fields (`duck_…`); `platform_id` is plain SQL both dialects read.
 * A field or column list follows a colon, comma-separated (whitespace and line breaks between names are
 * allowed); names are SQL identifiers. Generators are expanded before `{{key}}` values are filled, so an
 * included file's own placeholders (`{{lines}}`) get their values too.
 *
 * | placeholder                      | expands to                                                                   |
 * | -------------------------------- | ---------------------------------------------------------------------------- |
 * | `{{bq_json_source}}`             | the CTEs `lines` (the batch's lines, a byte-order mark dropped) and `docs`   |
 * |                                  | (`blank`, the document `d`, an NDJSON line's strict parse `parsed`): the     |
 * |                                  | text of `bigquery-json-source.sql` without its header comment                |
 * | `{{bq_json_queries:f,…}}`        | `JSON_QUERY(d, '$.f') AS q_f` per field: its JSON text as written            |
 * |                                  | (a string quoted, an object minified); NULL when absent                      |
 * | `{{bq_doc_error}}`               | `CASE … END AS doc_error`: 'invalid JSON' or 'not a JSON object, got …' for  |
 * |                                  | an NDJSON line (from `docs`), NULL for a blank line or a CSV record          |
 * | `{{bq_line_checks}}`             | the first two WHENs of a stage's `rej` CASE: a blank line is no reject (a    |
 * |                                  | NULL of rej's type), a doc_error rejects the field '(line)'                  |
 * | `{{bq_field_texts:f,…}}`         | `… AS c_f` per field (from `q_f` and `d`): a string unquoted; a number in    |
 * |                                  | its shortest form, as DuckDB writes it (1.50 → 1.5); an object or array as   |
 * |                                  | minified JSON; '' and null are NULL                                          |
 * | `{{bq_field_kinds:f,…}}`         | `… AS t_f` per field: string, number, object, array or boolean; NULL when    |
 * |                                  | absent or null                                                               |
 * | `{{bq_number:col}}`              | an expression: `col` trimmed of spaces as FLOAT64 when it is a decimal       |
 * |                                  | number written plainly (no NaN, Infinity, hex or underscores), ±infinity     |
 * |                                  | beyond FLOAT64 as DuckDB casts it, else NULL (DuckDB: `beamline_number`)     |
 * | `{{bq_date:col}}`                | an expression: the DATE `col` spells as YYYY-MM-DD or M/D/YYYY, else NULL    |
 * |                                  | (DuckDB: `beamline_date`)                                                    |
 * | `{{bq_ungroup:col}}`             | an expression: `col` trimmed, its thousands separators dropped when it is a  |
 * |                                  | grouped number (1,234,567.89 → 1234567.89) (DuckDB: `beamline_ungroup`)      |
 * | `{{bq_stage_columns}}`           | the columns every stage starts with: src_file, blank, rej, reason (the rule, |
 * |                                  | then the value as a JSON string cut to 100 characters), raw (a rejected      |
 * |                                  | row's line, cut to 2000), load_id and file (`@p3`/`@p4` at src_file - 1),    |
 * |                                  | line, loaded_at (`@p1`)                                                      |
 * | `{{duck_line_checks}}`           | the first two WHENs of a DuckDB stage's `rej` CASE: a blank line is no       |
 * |                                  | reject (NULL), a doc_error rejects the field '(line)' (twin: bq_line_checks) |
 * | `{{duck_stage_columns}}`         | the columns every DuckDB stage starts with: src_file, src_line, blank, rej,  |
 * |                                  | raw (a rejected row's line cut to 2000 characters, else NULL)                |
 * | `{{duck_id_checks:f}}`           | WHENs for a row's own id `c_f` (typed `t_f`): 'required'; 'must be a string  |
 * |                                  | or number, got …'; 'longer than 128 characters'; 'must not contain           |
 * |                                  | whitespace, quotes, semicolons or control characters' (`beamline_id_ok`)     |
 * | `{{duck_timestamp_checks:f,ts}}` | WHENs for an instant, after the field's own required (and type) checks:      |
 * |                                  | `c_f` 'not an ISO 8601 timestamp with offset'; `ts` (its `beamline_ts`) 'not |
 * |                                  | a valid date and time', 'implausible: before 2000-01-01', 'implausible: more |
 * |                                  | than 1 day in the future' (than `$1`, now)                                   |
 * | `{{duck_date_checks:f,d}}`       | WHENs for a required date: `c_f` 'required'; `d` (its `beamline_date`)       |
 * |                                  | 'not a date (YYYY-MM-DD or M/D/YYYY)'                                        |
 * | `{{duck_number_checks:f,n}}`     | WHENs for a required number: `c_f` 'required'; `n` (its `beamline_number`)   |
 * |                                  | 'not a number', 'not a finite number'                                        |
 * | `{{platform_id:col}}`            | an expression, either dialect: `col` (a name lower-cased, runs of spaces and |
 * |                                  | dashes as `_`) as Beamline's platform id, NULL when unknown: the alias table |
 * |                                  | {@link PLATFORM_ALIASES} as a CASE (the body of macros.sql's                 |
 * |                                  | `beamline_platform_id`, and in validate-spend.bigquery.sql)                  |
 *
 * A `duck_…_checks` generator writes the field's reject texts (`beamline_reject(field, rule, value)`) in
 * the order listed; a file's own checks stand before and after it. A list expands one item a line,
 * continued at the indentation of the placeholder's line. An unknown `bq_`/`duck_` name (or any
 * `{{name:…}}` that is not a generator), a missing, extra, repeated or malformed argument throws a
 * TypeError naming the file, the line and the placeholder.
 */
import { readFileSync } from 'node:fs';

const expandedCache = new Map<string, string>();

/** The text of `sql/<name>` as written (read once per expansion: {@link sqlFile} keeps what it expands). */
const readSqlFile = (name: string): string => readFileSync(new URL(`./sql/${name}`, import.meta.url), 'utf8');

/**
 * The text of `sql/<name>` with its generators expanded, its `{{key}}` placeholders kept: as is for a file
 * without values (macros.sql), else through {@link renderSql}.
 */
export function sqlFile(name: string): string {
  let text = expandedCache.get(name);
  if (text === undefined) {
    text = expandSqlGenerators(readSqlFile(name), name);
    expandedCache.set(name, text);
  }
  return text;
}

/** `sql/<name>` with its generators expanded and every `{{key}}` replaced; throws on a placeholder without a value. */
export function renderSql(name: string, vars: Readonly<Record<string, string>>): string {
  return sqlFile(name).replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    const v = vars[key];
    if (v === undefined) throw new TypeError(`sql/${name}: no value for {{${key}}}`);
    return v;
  });
}

/**
 * What a generator takes after its colon: nothing, one name (a column, or a field for `duck_id_checks`),
 * a field and the column holding its typed value, or a list of field names.
 */
type Arity = 'none' | 'one' | 'field+column' | 'list';

interface Generator {
  readonly takes: Arity;
  /** For `one`: what the name is, as errors say it (default `column`). */
  readonly names?: 'field' | 'column';
  /** The SQL, lines separated by `\n` (no indentation: the caller indents continuation lines). */
  readonly expand: (args: readonly string[], stack: readonly string[]) => string;
}

/** Each item on its own line, comma-separated. */
const list = (items: readonly string[]): string => items.join(',\n');

/** One WHEN of a DuckDB stage's `rej` CASE: when `cond`, reject `field` for `rule` (an SQL expression) with `value` (SQL). */
const duckReject = (cond: string, field: string, rule: string, value: string): string =>
  `WHEN ${cond} THEN beamline_reject('${field}', ${rule}, ${value})`;

/**
 * Ad platform names as exports and people write them (lower-cased, runs of spaces and dashes as `_`) →
 * Beamline's platform ids. One table for both dialects: `{{platform_id:col}}` writes it as a CASE, in
 * macros.sql (DuckDB's `beamline_platform_id`) and in validate-spend.bigquery.sql.
 */
export const PLATFORM_ALIASES: Readonly<Record<string, readonly string[]>> = {
  google_ads: ['google', 'google_ads', 'adwords', 'google_adwords'],
  meta: ['facebook', 'meta', 'instagram', 'facebook_ads', 'meta_ads'],
  microsoft_ads: ['bing', 'bing_ads', 'microsoft', 'microsoft_ads', 'microsoft_advertising'],
  linkedin: ['linkedin', 'linkedin_ads'],
  tiktok: ['tiktok', 'tiktok_ads'],
  pinterest: ['pinterest', 'pinterest_ads'],
  reddit: ['reddit', 'reddit_ads'],
  x: ['x', 'twitter', 'x_ads', 'twitter_ads'],
};

const quoted = (s: string): string => `'${s.replace(/'/g, "''")}'`;

const GENERATORS: Readonly<Record<string, Generator>> = {
  bq_json_source: { takes: 'none', expand: (_, stack) => include('bigquery-json-source.sql', stack) },
  bq_json_queries: { takes: 'list', expand: (fields) => list(fields.map((f) => `JSON_QUERY(d, '$.${f}') AS q_${f}`)) },
  bq_doc_error: {
    takes: 'none',
    expand: () => [
      'CASE',
      '  WHEN blank OR doc IS NOT NULL THEN NULL',
      "  WHEN parsed IS NULL OR JSON_TYPE(parsed) = 'null' THEN 'invalid JSON'  -- a line `null` too, as on DuckDB",
      "  WHEN JSON_TYPE(parsed) <> 'object' THEN 'not a JSON object, got ' || JSON_TYPE(parsed)",
      'END AS doc_error',
    ].join('\n'),
  },
  bq_line_checks: {
    takes: 'none',
    expand: () => [
      'WHEN blank THEN CAST(NULL AS STRUCT<field STRING, rule STRING, value STRING>)',
      "WHEN doc_error IS NOT NULL THEN STRUCT('(line)', doc_error, NULL)",
    ].join('\n'),
  },
  bq_field_texts: {
    takes: 'list',
    expand: (fields) => list(fields.map((f) => {
      const q = `q_${f}`;
      return `NULLIF(CASE IFNULL(LEFT(${q}, 1), 'n') WHEN '"' THEN JSON_VALUE(d, '$.${f}') WHEN 'n' THEN NULL WHEN '{' THEN ${q} WHEN '[' THEN ${q} WHEN 't' THEN ${q} WHEN 'f' THEN ${q}\n`
        + `  ELSE IFNULL(NULLIF(TO_JSON_STRING(SAFE.PARSE_JSON(${q}, wide_number_mode => 'round')), 'null'), ${q}) END, '') AS c_${f}`;
    })),
  },
  bq_field_kinds: {
    takes: 'list',
    expand: (fields) => list(fields.map((f) =>
      `CASE LEFT(q_${f}, 1) WHEN 'n' THEN NULL WHEN '"' THEN 'string' WHEN '{' THEN 'object' WHEN '[' THEN 'array' WHEN 't' THEN 'boolean' WHEN 'f' THEN 'boolean' ELSE IF(q_${f} IS NULL, NULL, 'number') END AS t_${f}`)),
  },
  bq_number: {
    takes: 'one',
    expand: ([c]) => {
      const t = `TRIM(${c}, ' ')`;
      return String.raw`IF(REGEXP_CONTAINS(${t}, r'^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$'), IFNULL(SAFE_CAST(${t} AS FLOAT64), IF(STARTS_WITH(${t}, '-'), CAST('-inf' AS FLOAT64), CAST('inf' AS FLOAT64))), NULL)`;
    },
  },
  bq_date: {
    takes: 'one',
    expand: ([c]) => {
      const t = `TRIM(${c}, ' ')`;
      return [
        'CASE',
        String.raw`  WHEN REGEXP_CONTAINS(${t}, r'^\d{4}-\d{2}-\d{2}$') THEN SAFE_CAST(${t} AS DATE)`,
        String.raw`  WHEN REGEXP_CONTAINS(${t}, r'^\d{1,2}/\d{1,2}/\d{4}$') THEN SAFE.PARSE_DATE('%m/%d/%Y', ${t})`,
        'END',
      ].join('\n');
    },
  },
  bq_ungroup: {
    takes: 'one',
    expand: ([c]) => {
      const t = `TRIM(${c}, ' ')`;
      return String.raw`IF(REGEXP_CONTAINS(${t}, r'^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$'), REPLACE(${t}, ',', ''), ${t})`;
    },
  },
  bq_stage_columns: {
    takes: 'none',
    expand: () => [
      'src_file, blank, rej,',
      '-- the reason as stored: the rule, then the offending value as a JSON string cut to 100 characters',
      "rej.rule || IF(rej.value IS NULL, '', ': ' || TO_JSON_STRING(LEFT(rej.value, 100))) AS reason,",
      'IF(rej IS NOT NULL, LEFT(raw, 2000), NULL) AS raw,',
      '@p3[OFFSET(src_file - 1)] AS load_id,',
      '@p4[OFFSET(src_file - 1)] AS file,',
      'src_line AS line,',
      'CAST(@p1 AS TIMESTAMP) AS loaded_at',
    ].join('\n'),
  },
  duck_line_checks: {
    takes: 'none',
    expand: () => [
      'WHEN blank THEN NULL',
      duckReject('doc_error IS NOT NULL', '(line)', 'doc_error', 'NULL'),
    ].join('\n'),
  },
  duck_stage_columns: {
    takes: 'none',
    expand: () => [
      'src_file, src_line, blank, rej,',
      'CASE WHEN rej IS NOT NULL THEN left(raw, 2000) END AS raw',
    ].join('\n'),
  },
  duck_id_checks: {
    takes: 'one',
    names: 'field',
    expand: ([f]) => {
      const [c, t] = [`c_${f}`, `t_${f}`];
      return [
        duckReject(`${c} IS NULL`, f!, "'required'", 'NULL'),
        duckReject(`NOT (${t} = 'VARCHAR' OR beamline_is_number(${t}))`, f!, `'must be a string or number, got ' || beamline_json_kind(${t})`, 'NULL'),
        duckReject(`length(${c}) > 128`, f!, "'longer than 128 characters'", c),
        duckReject(`NOT beamline_id_ok(${c})`, f!, "'must not contain whitespace, quotes, semicolons or control characters'", c),
      ].join('\n');
    },
  },
  duck_timestamp_checks: {
    takes: 'field+column',
    expand: ([f, ts]) => {
      const c = `c_${f}`;
      return [
        // (ts, its beamline_ts, is set only from a text of that form: for a row with an instant the pattern is not matched twice)
        duckReject(`${ts} IS NULL AND NOT beamline_is_iso_ts(${c})`, f!, "'not an ISO 8601 timestamp with offset'", c),
        duckReject(`${ts} IS NULL`, f!, "'not a valid date and time'", c),
        duckReject(`${ts} < TIMESTAMPTZ '2000-01-01 00:00:00+00'`, f!, "'implausible: before 2000-01-01'", c),
        duckReject(`${ts} > CAST($1 AS TIMESTAMPTZ) + INTERVAL 1 DAY`, f!, "'implausible: more than 1 day in the future'", c),
      ].join('\n');
    },
  },
  duck_date_checks: {
    takes: 'field+column',
    expand: ([f, d]) => [
      duckReject(`c_${f} IS NULL`, f!, "'required'", 'NULL'),
      duckReject(`${d} IS NULL`, f!, "'not a date (YYYY-MM-DD or M/D/YYYY)'", `c_${f}`),
    ].join('\n'),
  },
  duck_number_checks: {
    takes: 'field+column',
    expand: ([f, n]) => [
      duckReject(`c_${f} IS NULL`, f!, "'required'", 'NULL'),
      duckReject(`${n} IS NULL`, f!, "'not a number'", `c_${f}`),
      duckReject(`NOT isfinite(${n})`, f!, "'not a finite number'", `c_${f}`),
    ].join('\n'),
  },
  platform_id: {
    takes: 'one',
    expand: ([c]) => [
      'CASE',
      ...Object.entries(PLATFORM_ALIASES).map(([id, aliases]) => `  WHEN ${c} IN (${aliases.map(quoted).join(', ')}) THEN ${quoted(id)}`),
      'END',
    ].join('\n'),
  },
};

/** The names of the generators `{{bq_…}}`, `{{duck_…}}` and `{{platform_id:…}}` (see the module comment). */
export const SQL_GENERATORS: readonly string[] = Object.keys(GENERATORS);

const PLACEHOLDER = /\{\{(\w+)(?::([^{}]*))?\}\}/g;
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** A name that is always a generator, even without arguments (else `{{name}}` is a value). */
const GENERATOR_NAME = /^(bq|duck)_/;

/**
 * `text` (the SQL file `file`, named in errors) with every generator placeholder (`{{bq_…}}`, `{{duck_…}}`,
 * `{{name:…}}`) replaced by its SQL; `{{key}}` value placeholders are left for {@link renderSql}.
 */
export function expandSqlGenerators(text: string, file: string, stack: readonly string[] = []): string {
  const out = text.replace(PLACEHOLDER, (match: string, name: string, rawArgs: string | undefined, offset: number) => {
    if (rawArgs === undefined && !GENERATOR_NAME.test(name)) return match;
    const where = `sql/${file}:${text.slice(0, offset).split('\n').length}: ${match.replace(/\s+/g, ' ')}`;
    const gen = GENERATORS[name];
    if (gen === undefined) throw new TypeError(`${where}: unknown generator ${name} (known: ${SQL_GENERATORS.join(', ')})`);
    const args = rawArgs === undefined ? [] : rawArgs.split(',').map((a) => a.trim());
    if (gen.takes === 'none' && rawArgs !== undefined) throw new TypeError(`${where}: ${name} takes no arguments`);
    if (gen.takes === 'one' && args.length !== 1) {
      const what = gen.names ?? 'column';
      throw new TypeError(`${where}: ${name} takes one ${what} name ({{${name}:${what}}})`);
    }
    if (gen.takes === 'field+column' && args.length !== 2) throw new TypeError(`${where}: ${name} takes a field and its column ({{${name}:field,column}})`);
    if (gen.takes === 'list' && args.length === 0) throw new TypeError(`${where}: ${name} takes a list of field names ({{${name}:a,b,…}})`);
    for (const a of args) {
      if (!IDENT.test(a)) throw new TypeError(`${where}: ${JSON.stringify(a)} is not a field or column name (letters, digits, _)`);
    }
    const repeated = args.find((a, i) => args.indexOf(a) !== i);
    if (repeated !== undefined) throw new TypeError(`${where}: ${repeated} is listed twice`);
    const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
    const indent = /^[ \t]*/.exec(text.slice(lineStart))![0];
    return gen.expand(args, [...stack, file]).split('\n').join(`\n${indent}`);
  });
  const stray = /\{\{\s*(?:bq|duck)_[^}]*\}?\}?/.exec(out);
  if (stray) throw new TypeError(`sql/${file}: malformed generator placeholder ${stray[0]} (write {{bq_name}} or {{bq_name:a,b}})`);
  return out;
}

/** `sql/<name>` without its leading comment lines, its generators expanded (its `{{key}}` placeholders kept). */
function include(name: string, stack: readonly string[]): string {
  if (stack.includes(name)) throw new TypeError(`sql/${name} includes itself (via ${stack.join(' → ')})`);
  const body = readSqlFile(name).replace(/^(?:[ \t]*(?:--[^\n]*)?\n)*/, '').trimEnd();
  return expandSqlGenerators(body, name, stack);
}
