/**
 * Extract on BigQuery rejects the same rows, with the same field and reason, as extract on DuckDB —
 * checked by EXECUTING the BigQuery path: the same files go through the real extract code twice, once
 * into DuckDB and once into a warehouse whose SQL runs on ZetaSQL's reference implementation (the
 * engine Google publishes as the definition of GoogleSQL, see zeta-warehouse.ts). Only the service is
 * stood in for; the statements, the lines files and the validation SQL are those a BigQuery run sends.
 * What differs on purpose (and is documented in docs/bigquery.md) is asserted as a difference.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractFiles, type ExtractKind, type KindSummary } from '../../../pipelines/extract/index.ts';
import type { Row } from '../../../warehouse/types.ts';
import { startZetaSql, type ZetaSqlServer } from '../../helpers/zetasql.ts';
import { OPTS, testBed, type TestBed } from '../extract/helpers.ts';
import { ndjson } from '../extract/helpers.ts';
import { EVENTS_CSV, eventsNdjson, fixture, FX_NDJSON, KNOWN_DIFFERENCES, ORDERS_NDJSON, SPEND_NDJSON } from './extract-fixtures.ts';
import { ZetaWarehouse } from './zeta-warehouse.ts';

let server: ZetaSqlServer;
let bed: TestBed;
beforeAll(async () => {
  server = await startZetaSql();
  bed = await testBed();
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await bed?.close();
});

const RAW: Record<ExtractKind, string> = { events: 'raw_events', spend: 'raw_ad_spend', orders: 'raw_orders', fx: 'raw_fx' };

/** A value for comparison: instants as ISO text, integers as numbers, NUMERIC rounded to its 4 places. */
function plain(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number') return Math.round(v * 1e6) / 1e6;
  if (v !== null && typeof v === 'object' && 'toDouble' in v) return plain((v as { toDouble(): number }).toDouble());
  return v;
}

function normalise(rows: readonly Row[], drop: readonly string[]): Row[] {
  return rows
    .map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !drop.includes(k)).map(([k, v]) => [k, plain(v)])))
    .sort((a, b) => `${a.file}:${String(a.line).padStart(9, '0')}`.localeCompare(`${b.file}:${String(b.line).padStart(9, '0')}`));
}

interface Outcome {
  readonly summary: KindSummary;
  readonly rejected: Row[];
  readonly loaded: Row[];
  readonly ledger: Row[];
}

async function viaDuckDb(kind: ExtractKind, paths: string[]): Promise<Outcome> {
  const summary = await extractFiles(bed.w, kind, paths, OPTS);
  const ids = summary.files.map((f) => f.loadId);
  const where = `WHERE load_id IN (${ids.map((_, i) => `$${i + 1}`).join(', ')})`;
  return {
    summary,
    rejected: await bed.w.query(`SELECT file, line, field, reason, raw FROM raw_rejected ${where}`, ids),
    loaded: await bed.w.query(`SELECT * FROM ${RAW[kind]} ${where}`, ids),
    ledger: await bed.w.query(`SELECT load_id, kind, content_hash, file, rows_loaded, rows_rejected FROM _beamline_loads ${where}`, ids),
  };
}

async function viaBigQuerySql(kind: ExtractKind, paths: string[]): Promise<Outcome & { w: ZetaWarehouse }> {
  const w = new ZetaWarehouse();
  const summary = await extractFiles(w, kind, paths, OPTS);
  return {
    w, summary,
    rejected: w.rows('raw_rejected').map(({ file, line, field, reason, raw }) => ({ file, line, field, reason, raw })),
    loaded: w.rows(RAW[kind]),
    ledger: w.rows('_beamline_loads').map(({ load_id, kind: k, content_hash, file, rows_loaded, rows_rejected }) => ({ load_id, kind: k, content_hash, file, rows_loaded, rows_rejected })),
  };
}

const CASES: Array<[ExtractKind, Array<[name: string, content: () => string]>]> = [
  ['events', [['events.ndjson', eventsNdjson], ['events.csv', () => EVENTS_CSV]]],
  ['spend', [['google-ads.csv', () => fixture('google-ads-campaigns.csv')], ['meta.csv', () => fixture('meta-ads-campaigns.csv')], ['spend.ndjson', () => SPEND_NDJSON]]],
  ['orders', [['orders.csv', () => fixture('orders.csv')], ['orders.ndjson', () => ORDERS_NDJSON]]],
  ['fx', [['fx.csv', () => fixture('fx.csv')], ['fx.ndjson', () => FX_NDJSON]]],
];

describe.each(CASES)('extract %s: BigQuery SQL (ZetaSQL reference engine) vs DuckDB, same files', (kind, files) => {
  let duck: Outcome;
  let bq: Outcome & { w: ZetaWarehouse };
  beforeAll(async () => {
    const paths = files.map(([name, content]) => bed.file(`${kind}/${name}`, content()));
    duck = await viaDuckDb(kind, paths);
    bq = await viaBigQuerySql(kind, paths);
  }, 120_000);

  it('rejects the same rows with the same line, field, reason and raw text', () => {
    const want = normalise(duck.rejected, []);
    expect(want.length).toBeGreaterThan(3);
    expect(normalise(bq.rejected, [])).toEqual(want);
  });

  it('loads the same rows with the same values', () => {
    const want = normalise(duck.loaded, []);
    expect(want.length).toBeGreaterThan(0);
    expect(normalise(bq.loaded, [])).toEqual(want);
  });

  it('reports the same per-file counts and reasons, and writes the same ledger rows', () => {
    const counts = (s: KindSummary) => s.files.map(({ path, loadId, rowsLoaded, rowsRejected, blankLines, rejectReasons, skipped }) => ({ path, loadId, rowsLoaded, rowsRejected, blankLines, rejectReasons, skipped }));
    expect(counts(bq.summary)).toEqual(counts(duck.summary));
    expect(normalise(bq.ledger, [])).toEqual(normalise(duck.ledger, []));
  });

  it('loading the same files again adds nothing (the ledger lookup), as on DuckDB', async () => {
    const again = await extractFiles(bq.w, kind, files.map(([name]) => `${bed.dir}/${kind}/${name}`), OPTS);
    expect(again.files.map((f) => f.skipped)).toEqual(files.map(() => true));
    expect(bq.w.rows('_beamline_loads')).toHaveLength(files.length);
  });
});

describe('where the engines differ (documented in docs/bigquery.md)', () => {
  /** What became of line 1 of a one-line events file: `field: reason`, or `loaded: <column> <value>`. */
  const outcome = (o: Outcome, column: string) => {
    const r = o.rejected[0];
    if (r) return `${String(r.field)}: ${String(r.reason)}`;
    return `loaded: ${column} ${String(plain(o.loaded[0]?.[column]))}`;
  };
  it.each(KNOWN_DIFFERENCES.map((d, i) => [d.what, d, i] as const))('%s', async (_what, d, i) => {
    const path = bed.file(`differences/${i}.ndjson`, ndjson([d.line]));
    const column = d.duckdb.includes('properties') ? 'properties' : 'event_ts';
    expect(outcome(await viaDuckDb('events', [path]), column)).toBe(d.duckdb);
    expect(outcome(await viaBigQuerySql('events', [path]), column)).toBe(d.bigquery);
  });
});
