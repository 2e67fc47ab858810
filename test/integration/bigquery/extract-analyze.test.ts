/**
 * Every statement extract sends to BigQuery, checked by BigQuery's SQL front end (the ZetaSQL
 * analyzer, with BigQuery's language features and declared parameter types): each kind's
 * `validate-*.bigquery.sql`, the raw tables' DDL, the INSERTs into the raw table, raw_rejected and
 * `_beamline_loads`, the ledger lookup and the counts. The statements are those of a real extract
 * run (over small files of each kind), in order, against a catalog grown by each CREATE TABLE — so
 * the INSERTs are checked against the stage the validation really produces. A broken statement fails
 * naming its file.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { extractFiles, type ExtractKind } from '../../../pipelines/extract/index.ts';
import { LINE_COLUMNS } from '../../../pipelines/extract/line-files.ts';
import { schemaField } from '../../../warehouse/bigquery/values.ts';
import { zetaSqlPerFile, zetaType, type BigQueryAnalyzer } from '../../helpers/zetasql.ts';
import { tempDir } from '../../helpers/tmp.ts';
import { event, ndjson, OPTS } from '../extract/helpers.ts';
import { declaredParams, ZetaWarehouse } from './zeta-warehouse.ts';

const SQL_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../pipelines/extract/sql');
const BIGQUERY_FILES = readdirSync(SQL_DIR).filter((f) => f.endsWith('.bigquery.sql')).sort();
const SCRATCH = '_beamline_lines_analyze';

const server = zetaSqlPerFile();

/** The file a statement comes from: the `.bigquery.sql` file whose first line it holds, else the TypeScript that builds it. */
function sourceOf(sql: string): string {
  const file = BIGQUERY_FILES.find((f) => sql.includes(readFileSync(join(SQL_DIR, f), 'utf8').split('\n')[0]!));
  return file ? `pipelines/extract/sql/${file}` : 'pipelines/extract/bulk-load.ts';
}

/** Analyzes statements in order; the first that fails is reported with its file and the analyzer's message. */
async function analyzeAll(analyzer: BigQueryAnalyzer, statements: ReadonlyArray<{ sql: string; params: readonly unknown[] }>): Promise<string | null> {
  analyzer.addTable(SCRATCH, LINE_COLUMNS.map((c) => ({ name: c.name, type: zetaType(schemaField(c).type) })));
  for (const [i, { sql, params }] of statements.entries()) {
    const result = await analyzer.analyze(sql.replaceAll(/`_beamline_lines_\w+`/g, `\`${SCRATCH}\``), declaredParams(params));
    if (!result.ok) return `${sourceOf(sql)} (statement ${i + 1} of the extract) does not pass BigQuery analysis:\n${result.message}`;
  }
  return null;
}

const FILES: Record<ExtractKind, [string, string]> = {
  events: ['events.ndjson', ndjson([event(), event({ event_id: 'bad id' })])],
  spend: ['spend.csv', 'date,platform,campaign_id,spend\n2024-03-01,google,c1,10\n2024-03-01,myspace,c1,10\n'],
  orders: ['orders.ndjson', ndjson([{ order_id: 'o1', timestamp: '2024-03-01T10:00:00Z', revenue: 1, status: 'completed' }, '{'])],
  fx: ['fx.csv', 'date,currency,rate\n2024-03-01,EUR,1.08\n2024-03-01,EUR,0\n'],
};

/** The statements a real extract of `kind` sends, with their bound values. */
async function extractStatements(kind: ExtractKind, dir: string): Promise<ZetaWarehouse['statements']> {
  const w = new ZetaWarehouse();
  const [name, content] = FILES[kind];
  const path = join(dir, name);
  writeFileSync(path, content);
  await extractFiles(w, kind, [path], OPTS);
  return w.statements;
}

describe('extract on BigQuery: every statement passes the BigQuery analyzer', () => {
  const dir = tempDir('beamline-zeta-extract-');
  afterAll(() => dir.remove());

  it.each(Object.keys(FILES) as ExtractKind[])('%s: ledger lookup, raw tables DDL, validation, inserts, counts, ledger row', async (kind) => {
    const statements = await extractStatements(kind, dir.path);
    const sources = new Set(statements.map((s) => sourceOf(s.sql)));
    expect(sources).toEqual(new Set(['pipelines/extract/bulk-load.ts', `pipelines/extract/sql/validate-${kind}.bigquery.sql`, 'pipelines/extract/sql/create-raw_events.bigquery.sql']));
    expect(statements.some((s) => /^INSERT INTO raw_rejected/.test(s.sql))).toBe(true);
    expect(statements.some((s) => /^INSERT INTO _beamline_loads/.test(s.sql))).toBe(true);
    const error = await analyzeAll(server().analyzer(), statements);
    if (error) expect.fail(error);
  });

  it('raw_events is partitioned by the date of event_ts', async () => {
    const ddl = (await extractStatements('events', dir.path)).find((s) => s.sql.includes('CREATE TABLE IF NOT EXISTS `raw_events`'))!.sql;
    expect(ddl).toMatch(/\nPARTITION BY DATE\(event_ts\)\s*$/);
    expect(await server().analyzer().analyze(ddl)).toMatchObject({ ok: true });
  });

  it.each([
    ['a DuckDB function', 'REGEXP_CONTAINS(c_event_name,', 'regexp_full_match(c_event_name,', /Function not found: regexp_full_match/],
    ['a DuckDB type', 'SAFE_CAST(c_timestamp AS TIMESTAMP)', 'SAFE_CAST(c_timestamp AS TIMESTAMPTZ)', /Type not found: TIMESTAMPTZ/],
    ['a misspelt column', 'c_event_name AS event_name', 'c_event_nam AS event_name', /Unrecognized name: c_event_nam/],
    ['a type error', "ts < TIMESTAMP '2000-01-01 00:00:00+00'", "ts < DATE '2000-01-01'", /No matching signature for operator </],
  ])('a broken validate-events.bigquery.sql (%s) fails, naming the file and the analyzer\'s message', async (_what, from, to, message) => {
    const statements = await extractStatements('events', dir.path);
    const file = readFileSync(join(SQL_DIR, 'validate-events.bigquery.sql'), 'utf8');
    expect(file).toContain(from);
    const broken = statements.map((s) => ({ ...s, sql: s.sql.replace(from, to) }));
    const error = await analyzeAll(server().analyzer(), broken);
    expect(error).toMatch(/^pipelines\/extract\/sql\/validate-events\.bigquery\.sql \(statement \d+ of the extract\) does not pass BigQuery analysis:\n/);
    expect(error).toMatch(message);
  });
});
