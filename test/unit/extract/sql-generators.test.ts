import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expandSqlGenerators, PLATFORM_ALIASES, renderSql, SQL_GENERATORS, sqlFile } from '../../../pipelines/extract/sql.ts';

const SQL_DIR = new URL('../../../pipelines/extract/sql/', import.meta.url);
const VALIDATE_BIGQUERY = readdirSync(SQL_DIR).filter((f) => /^validate-\w+\.bigquery\.sql$/.test(f)).sort();
const VALIDATE_DUCKDB = readdirSync(SQL_DIR).filter((f) => /^validate-\w+\.sql$/.test(f) && !f.endsWith('.bigquery.sql')).sort();

/** The (field, rule) of each reject a rendered validation writes, in order (a rule's leading literal, or its expression). */
function rejects(sql: string, call: RegExp): string[] {
  return [...sql.matchAll(call)].map((m) => `${m[1]} ${m[2]}`);
}

describe('extract SQL generators ({{bq_…}})', () => {
  it('lists per-field JSON queries one a line, at the indentation of the placeholder', () => {
    const sql = 'SELECT *,\n    {{bq_json_queries:date,currency,rate}}\n  FROM docs';
    expect(expandSqlGenerators(sql, 'x.sql')).toBe([
      'SELECT *,',
      "    JSON_QUERY(d, '$.date') AS q_date,",
      "    JSON_QUERY(d, '$.currency') AS q_currency,",
      "    JSON_QUERY(d, '$.rate') AS q_rate",
      '  FROM docs',
    ].join('\n'));
  });

  it('takes a list spread over lines, with spaces after the commas', () => {
    expect(expandSqlGenerators('  {{bq_json_queries: a,\n    b}}', 'x.sql')).toBe("  JSON_QUERY(d, '$.a') AS q_a,\n  JSON_QUERY(d, '$.b') AS q_b");
  });

  it('writes each field\'s text (c_*) and JSON kind (t_*) from its q_* fragment', () => {
    expect(expandSqlGenerators('    {{bq_field_texts:rate}}', 'x.sql')).toBe([
      `    NULLIF(CASE IFNULL(LEFT(q_rate, 1), 'n') WHEN '"' THEN JSON_VALUE(d, '$.rate') WHEN 'n' THEN NULL WHEN '{' THEN q_rate WHEN '[' THEN q_rate WHEN 't' THEN q_rate WHEN 'f' THEN q_rate`,
      "      ELSE IFNULL(NULLIF(TO_JSON_STRING(SAFE.PARSE_JSON(q_rate, wide_number_mode => 'round')), 'null'), q_rate) END, '') AS c_rate",
    ].join('\n'));
    expect(expandSqlGenerators('{{bq_field_kinds:id}}', 'x.sql')).toBe(
      `CASE LEFT(q_id, 1) WHEN 'n' THEN NULL WHEN '"' THEN 'string' WHEN '{' THEN 'object' WHEN '[' THEN 'array' WHEN 't' THEN 'boolean' WHEN 'f' THEN 'boolean' ELSE IF(q_id IS NULL, NULL, 'number') END AS t_id`,
    );
  });

  it('writes expressions over one column: number, date, thousands separators', () => {
    expect(expandSqlGenerators('{{bq_number:c_rate}} AS rate_num', 'x.sql')).toBe(
      String.raw`IF(REGEXP_CONTAINS(TRIM(c_rate, ' '), r'^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$'), IFNULL(SAFE_CAST(TRIM(c_rate, ' ') AS FLOAT64), IF(STARTS_WITH(TRIM(c_rate, ' '), '-'), CAST('-inf' AS FLOAT64), CAST('inf' AS FLOAT64))), NULL) AS rate_num`,
    );
    expect(expandSqlGenerators('  {{bq_date:c_date}} AS d', 'x.sql')).toBe([
      '  CASE',
      String.raw`    WHEN REGEXP_CONTAINS(TRIM(c_date, ' '), r'^\d{4}-\d{2}-\d{2}$') THEN SAFE_CAST(TRIM(c_date, ' ') AS DATE)`,
      String.raw`    WHEN REGEXP_CONTAINS(TRIM(c_date, ' '), r'^\d{1,2}/\d{1,2}/\d{4}$') THEN SAFE.PARSE_DATE('%m/%d/%Y', TRIM(c_date, ' '))`,
      '  END AS d',
    ].join('\n'));
    expect(expandSqlGenerators('{{bq_ungroup:c_spend}}', 'x.sql')).toBe(
      String.raw`IF(REGEXP_CONTAINS(TRIM(c_spend, ' '), r'^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$'), REPLACE(TRIM(c_spend, ' '), ',', ''), TRIM(c_spend, ' '))`,
    );
  });

  it('writes the fixed fragments: doc_error, the line checks, the stage columns', () => {
    expect(expandSqlGenerators('    {{bq_doc_error}},', 'x.sql')).toMatch(/^ {4}CASE\n {6}WHEN blank OR doc IS NOT NULL THEN NULL\n[^]*\n {4}END AS doc_error,$/);
    expect(expandSqlGenerators('      {{bq_line_checks}}', 'x.sql')).toBe([
      '      WHEN blank THEN CAST(NULL AS STRUCT<field STRING, rule STRING, value STRING>)',
      "      WHEN doc_error IS NOT NULL THEN STRUCT('(line)', doc_error, NULL)",
    ].join('\n'));
    const stage = expandSqlGenerators('SELECT\n  {{bq_stage_columns}},\n  d AS rate_date', 'x.sql');
    expect(stage.split('\n').filter((l) => !l.trim().startsWith('--')).map((l) => /(\w+),?$/.exec(l)?.[1])).toEqual([
      'SELECT', 'rej', 'reason', 'raw', 'load_id', 'file', 'line', 'loaded_at', 'rate_date',
    ]);
  });

  it('includes the JSON source prelude without its header comment, leaving {{lines}} for the value', () => {
    const prelude = expandSqlGenerators('WITH {{bq_json_source}},\nx AS (SELECT 1)', 'x.sql');
    expect(prelude).toMatch(/^WITH lines AS \(\n/);
    expect(prelude).toContain('  FROM {{lines}}\n');
    expect(prelude).toContain(') AS parsed\n  FROM lines\n),\nx AS (SELECT 1)');
    expect(prelude).not.toContain('-- purpose');
  });

  it('leaves value placeholders alone', () => {
    expect(expandSqlGenerators('SELECT * FROM {{lines}}', 'x.sql')).toBe('SELECT * FROM {{lines}}');
  });

  it('throws on an unknown generator, naming the file, line and placeholder', () => {
    expect(() => expandSqlGenerators('SELECT\n  {{bq_json_sauce}}', 'validate-x.bigquery.sql'))
      .toThrow(/^sql\/validate-x\.bigquery\.sql:2: \{\{bq_json_sauce\}\}: unknown generator bq_json_sauce \(known: bq_json_source, /);
    expect(() => expandSqlGenerators('{{bq_nope:a,b}}', 'y.sql')).toThrow(/^sql\/y\.sql:1: \{\{bq_nope:a,b\}\}: unknown generator bq_nope/);
    expect(() => expandSqlGenerators('{{lines:a}}', 'y.sql')).toThrow(/^sql\/y\.sql:1: \{\{lines:a\}\}: unknown generator lines/);
  });

  it.each([
    ['{{bq_json_queries}}', /takes a list of field names/],
    ['{{bq_json_queries:}}', /"" is not a field or column name/],
    ['{{bq_field_texts:date,,rate}}', /"" is not a field or column name/],
    ["{{bq_field_texts:date,ra'te}}", /"ra'te" is not a field or column name/],
    ['{{bq_field_kinds:a,b,a}}', /a is listed twice/],
    ['{{bq_number:a,b}}', /bq_number takes one column name/],
    ['{{bq_date}}', /bq_date takes one column name/],
    ['{{bq_doc_error:x}}', /bq_doc_error takes no arguments/],
    ['{{bq_json_source:}}', /bq_json_source takes no arguments/],
    ['{{duck_id_checks}}', /duck_id_checks takes one field name \(\{\{duck_id_checks:field\}\}\)/],
    ['{{duck_id_checks:event_id,order_id}}', /duck_id_checks takes one field name/],
    ['{{duck_number_checks:rate}}', /duck_number_checks takes a field and its column \(\{\{duck_number_checks:field,column\}\}\)/],
    ['{{duck_timestamp_checks:timestamp,ts,now}}', /duck_timestamp_checks takes a field and its column/],
    ['{{duck_date_checks:date,date}}', /date is listed twice/],
    ['{{duck_date_checks:date,d-1}}', /"d-1" is not a field or column name/],
    ['{{duck_line_checks:rej}}', /duck_line_checks takes no arguments/],
    ['{{duck_stage_columns:}}', /duck_stage_columns takes no arguments/],
    ['{{platform_id:a,b}}', /platform_id takes one column name \(\{\{platform_id:column\}\}\)/],
  ])('throws on bad arguments: %s', (placeholder, message) => {
    const error = (() => {
      try {
        expandSqlGenerators(`SELECT\n  ${placeholder}`, 'z.sql');
      } catch (err) {
        return err as Error;
      }
      throw new Error('no error');
    })();
    expect(error.message).toContain(`sql/z.sql:2: ${placeholder}: `);
    expect(error.message).toMatch(message);
  });

  it('throws on a malformed generator placeholder', () => {
    expect(() => expandSqlGenerators('SELECT {{ bq_doc_error }}', 'z.sql')).toThrow(/^sql\/z\.sql: malformed generator placeholder \{\{ bq_doc_error \}\}/);
  });

  it('knows each generator the module documents', () => {
    expect([...SQL_GENERATORS].sort()).toEqual([
      'bq_date', 'bq_doc_error', 'bq_field_kinds', 'bq_field_texts', 'bq_json_queries', 'bq_json_source', 'bq_line_checks',
      'bq_number', 'bq_stage_columns', 'bq_ungroup',
      'duck_date_checks', 'duck_id_checks', 'duck_line_checks', 'duck_number_checks', 'duck_stage_columns', 'duck_timestamp_checks',
      'platform_id',
    ]);
    const documented = new Set([...readFileSync(new URL('../../../pipelines/extract/sql.ts', import.meta.url), 'utf8')
      .matchAll(/^ \* \| `\{\{(\w+)/gm)].map((m) => m[1]));
    expect(documented).toEqual(new Set(SQL_GENERATORS));
  });

  it.each(VALIDATE_BIGQUERY)('%s renders whole: no placeholder left, the prelude and every q_ it reads', (file) => {
    const sql = renderSql(file, { lines: '`scratch`' });
    expect(sql).not.toContain('{{');
    expect(sql).toContain('WITH lines AS (');
    expect(sql).toContain('FROM `scratch`');
    const queried = new Set([...sql.matchAll(/ AS (q_\w+)/g)].map((m) => m[1]));
    for (const [, q] of sql.matchAll(/LEFT\((q_\w+), 1\)/g)) expect(queried).toContain(q);
  });
});

describe('extract SQL generators for DuckDB ({{duck_…}}, {{platform_id:…}})', () => {
  it('writes the line checks and the stage columns every validate-*.sql starts with', () => {
    expect(expandSqlGenerators('    CASE\n      {{duck_line_checks}}\n      WHEN x', 'x.sql')).toBe([
      '    CASE',
      '      WHEN blank THEN NULL',
      "      WHEN doc_error IS NOT NULL THEN beamline_reject('(line)', doc_error, NULL)",
      '      WHEN x',
    ].join('\n'));
    expect(expandSqlGenerators('SELECT\n  {{duck_stage_columns}},\n  d AS rate_date', 'x.sql')).toBe([
      'SELECT',
      '  src_file, src_line, blank, rej,',
      '  CASE WHEN rej IS NOT NULL THEN left(raw, 2000) END AS raw,',
      '  d AS rate_date',
    ].join('\n'));
  });

  it('writes the checks of a row\'s own id, in order', () => {
    expect(expandSqlGenerators('      {{duck_id_checks:order_id}}', 'x.sql')).toBe([
      "      WHEN c_order_id IS NULL THEN beamline_reject('order_id', 'required', NULL)",
      "      WHEN NOT (t_order_id = 'VARCHAR' OR beamline_is_number(t_order_id)) THEN beamline_reject('order_id', 'must be a string or number, got ' || beamline_json_kind(t_order_id), NULL)",
      "      WHEN length(c_order_id) > 128 THEN beamline_reject('order_id', 'longer than 128 characters', c_order_id)",
      "      WHEN NOT beamline_id_ok(c_order_id) THEN beamline_reject('order_id', 'must not contain whitespace, quotes, semicolons or control characters', c_order_id)",
    ].join('\n'));
  });

  it('writes the checks of an instant, a date and a number over the field and its typed column', () => {
    expect(expandSqlGenerators('{{duck_timestamp_checks:timestamp,ts}}', 'x.sql')).toBe([
      "WHEN ts IS NULL AND NOT beamline_is_iso_ts(c_timestamp) THEN beamline_reject('timestamp', 'not an ISO 8601 timestamp with offset', c_timestamp)",
      "WHEN ts IS NULL THEN beamline_reject('timestamp', 'not a valid date and time', c_timestamp)",
      "WHEN ts < TIMESTAMPTZ '2000-01-01 00:00:00+00' THEN beamline_reject('timestamp', 'implausible: before 2000-01-01', c_timestamp)",
      "WHEN ts > CAST($1 AS TIMESTAMPTZ) + INTERVAL 1 DAY THEN beamline_reject('timestamp', 'implausible: more than 1 day in the future', c_timestamp)",
    ].join('\n'));
    expect(expandSqlGenerators('{{duck_date_checks:date,d}}', 'x.sql')).toBe([
      "WHEN c_date IS NULL THEN beamline_reject('date', 'required', NULL)",
      "WHEN d IS NULL THEN beamline_reject('date', 'not a date (YYYY-MM-DD or M/D/YYYY)', c_date)",
    ].join('\n'));
    expect(expandSqlGenerators('{{duck_number_checks: rate, rate_num}}', 'x.sql')).toBe([
      "WHEN c_rate IS NULL THEN beamline_reject('rate', 'required', NULL)",
      "WHEN rate_num IS NULL THEN beamline_reject('rate', 'not a number', c_rate)",
      "WHEN NOT isfinite(rate_num) THEN beamline_reject('rate', 'not a finite number', c_rate)",
    ].join('\n'));
  });

  it('writes the platform alias table as a CASE over a column, for either dialect', () => {
    const sql = expandSqlGenerators('    {{platform_id:platform_key}} AS platform_id,', 'x.sql');
    expect(sql.split('\n')).toEqual([
      '    CASE',
      "      WHEN platform_key IN ('google', 'google_ads', 'adwords', 'google_adwords') THEN 'google_ads'",
      "      WHEN platform_key IN ('facebook', 'meta', 'instagram', 'facebook_ads', 'meta_ads') THEN 'meta'",
      "      WHEN platform_key IN ('bing', 'bing_ads', 'microsoft', 'microsoft_ads', 'microsoft_advertising') THEN 'microsoft_ads'",
      "      WHEN platform_key IN ('linkedin', 'linkedin_ads') THEN 'linkedin'",
      "      WHEN platform_key IN ('tiktok', 'tiktok_ads') THEN 'tiktok'",
      "      WHEN platform_key IN ('pinterest', 'pinterest_ads') THEN 'pinterest'",
      "      WHEN platform_key IN ('reddit', 'reddit_ads') THEN 'reddit'",
      "      WHEN platform_key IN ('x', 'twitter', 'x_ads', 'twitter_ads') THEN 'x'",
      '    END AS platform_id,',
    ]);
    // one table: DuckDB's macro and BigQuery's spend validation write the same CASE
    const macros = sqlFile('macros.sql');
    expect(macros).not.toContain('{{');
    expect(macros).toContain(`CREATE OR REPLACE TEMP MACRO beamline_platform_id(p) AS CASE\n  WHEN p IN ('google',`);
    expect(renderSql('validate-spend.bigquery.sql', { lines: 'l' })).toContain("WHEN platform_key IN ('x', 'twitter', 'x_ads', 'twitter_ads') THEN 'x'");
    // the reject reason written in both spend files names every id of the table
    const known = `unknown platform (known: ${Object.keys(PLATFORM_ALIASES).join(', ')})`;
    expect(sqlFile('validate-spend.sql')).toContain(`'${known}'`);
    expect(sqlFile('validate-spend.bigquery.sql')).toContain(`'${known}'`);
  });

  it('throws on an unknown duck_ generator, naming the file, line and placeholder', () => {
    expect(() => expandSqlGenerators('SELECT\n  CASE\n    {{duck_line_check}}', 'validate-x.sql'))
      .toThrow(/^sql\/validate-x\.sql:3: \{\{duck_line_check\}\}: unknown generator duck_line_check \(known: .*duck_line_checks/);
    expect(() => expandSqlGenerators('{{platform:c_platform}}', 'y.sql')).toThrow(/^sql\/y\.sql:1: \{\{platform:c_platform\}\}: unknown generator platform /);
  });

  it('throws on a malformed duck_ placeholder', () => {
    expect(() => expandSqlGenerators('SELECT {{ duck_stage_columns }}', 'z.sql')).toThrow(/^sql\/z\.sql: malformed generator placeholder \{\{ duck_stage_columns \}\}/);
  });

  it.each(VALIDATE_DUCKDB)('%s renders whole: no placeholder left, the stage and its source filled in', (file) => {
    const sql = renderSql(file, { stage: 'stage_x', source: 'SELECT * FROM scan_x' });
    expect(sql).not.toContain('{{');
    expect(sql).toMatch(/^CREATE OR REPLACE TEMP TABLE stage_x AS\nWITH src AS \(\nSELECT \* FROM scan_x\n\),$/m);
    expect(sql).toContain('WHEN blank THEN NULL');
    expect(sql).toContain('src_file, src_line, blank, rej,');
  });

  it.each(VALIDATE_DUCKDB)('%s rejects the same fields for the same rules in the same order as its BigQuery twin', (file) => {
    const duck = rejects(renderSql(file, { stage: 's', source: 'x' }), /beamline_reject\(('[^']*'), ('[^']*'|\w+)/g);
    const bq = rejects(renderSql(file.replace(/\.sql$/, '.bigquery.sql'), { lines: 'l' }), /STRUCT\(('[^']*'), ('[^']*'|\w+)/g);
    expect(duck.length).toBeGreaterThan(5);
    expect(duck).toEqual(bq);
  });
});
