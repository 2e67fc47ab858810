/**
 * A real DuckDB warehouse file and run store per test, with rows inserted straight into the raw
 * layer (no files): the journeys pipeline (staging, events, identity, sessions, conversions) runs
 * over them through the real runner.
 */
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, type BeamlineConfig } from '../../../config/index.ts';
import { createLogger } from '../../../lib/log.ts';
import { ensureRawTables, RAW_TABLES } from '../../../pipelines/extract/raw-tables.ts';
import { createPipeline, runPipeline, SQL_DIR, type RunSummary, type TsStepDef } from '../../../pipelines/index.ts';
import { identityStep } from '../../../pipelines/steps/identity.ts';
import { journeyStartsStep } from '../../../pipelines/steps/journey-starts.ts';
import { openRunStore, type RunStore } from '../../../store/index.ts';
import type { ColumnSpec, Row } from '../../../warehouse/index.ts';
import { openDuckDb, type DuckDbWarehouse } from '../../../warehouse/duckdb/index.ts';
import { afterEach } from 'vitest';
import { tempDir, type TempDir } from '../../helpers/tmp.ts';

/** One raw event row; anything left out takes a plain default. */
export interface RawRow {
  event_id: string;
  ts: string;
  source?: 'client' | 'server';
  event_name?: string;
  anonymous_id?: string | null;
  user_id?: string | null;
  session_id?: string | null;
  page_url?: string | null;
  referrer?: string | null;
  user_agent?: string | null;
  value?: number | null;
  currency?: string | null;
  order_id?: string | null;
  consent_analytics?: boolean | null;
  properties?: string | null;
}

/** Stands in for the extract step: the raw tables exist, rows are inserted by the test. */
const rawStep: TsStepDef = {
  name: 'raw',
  kind: 'extract',
  produces: Object.keys(RAW_TABLES),
  reads: [],
  async run(ctx) {
    await ctx.warehouse.transaction((tx) => ensureRawTables(tx));
    return { rowsOut: 0 };
  },
};

export interface Journeys {
  readonly w: DuckDbWarehouse;
  readonly config: BeamlineConfig;
  insert(rows: readonly RawRow[]): Promise<void>;
  insertFx(rows: ReadonlyArray<{ date: string; currency: string; rate: number }>): Promise<void>;
  run(from: string, to: string, options?: { fullRefresh?: boolean }): Promise<RunSummary>;
  rows(sql: string): Promise<Row[]>;
  close(): Promise<void>;
}

let loads = 0;

/** The SQL layers the journeys need (staging and the journeys' own), copied so that other layers in progress cannot break these tests. */
export function journeysSqlDir(into: string): string {
  const dir = join(into, 'sql');
  for (const layer of ['staging', 'identity', 'sessions', 'conversions']) cpSync(join(SQL_DIR, layer), join(dir, layer), { recursive: true });
  return dir;
}

/** Opens a fresh warehouse with the given config overrides (account zone UTC unless set). */
export async function openJourneys(overrides: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = {}): Promise<Journeys> {
  const dir: TempDir = tempDir('beamline-journeys-');
  const w = await openDuckDb({ path: join(dir.path, 'wh.duckdb') });
  await w.transaction((tx) => ensureRawTables(tx));
  const store: RunStore = await openRunStore({ databaseUrl: '', sqlitePath: join(dir.path, 'runs.sqlite') });
  const config = loadConfig({ overrides: { account: { time_zone: 'UTC', currency: 'USD' }, ...overrides }, env, cwd: dir.path });
  const pipeline = createPipeline({ sqlDir: journeysSqlDir(dir.path), tsSteps: [rawStep, identityStep, journeyStartsStep] });
  const log = createLogger({ level: 'silent' });
  const cols = Object.keys(RAW_TABLES.raw_events) as Array<keyof typeof RAW_TABLES.raw_events>;
  const types: Record<string, ColumnSpec['type']> = { line: 'bigint', loaded_at: 'timestamptz', event_ts: 'timestamptz', value: 'double', consent_analytics: 'boolean', consent_ads: 'boolean' };
  const specs = cols.map((name) => ({ name, type: types[name] ?? 'varchar' }) as ColumnSpec);
  return {
    w,
    config,
    async insert(rows) {
      const loadId = `L${++loads}`;
      await w.appendRows('raw_events', specs, rows.map((r, i) => {
        const full = {
          event_id: r.event_id, event_name: r.event_name ?? 'page_view', event_ts: Date.parse(r.ts), source: r.source ?? 'client',
          anonymous_id: r.anonymous_id === undefined ? 'a1' : r.anonymous_id, user_id: r.user_id ?? null, session_id: r.session_id ?? null,
          page_url: r.page_url === undefined ? 'https://shop.example.com/' : r.page_url, referrer: r.referrer ?? null, user_agent: r.user_agent ?? 'Mozilla/5.0',
          value: r.value ?? null, currency: r.currency ?? null, order_id: r.order_id ?? null, consent_analytics: r.consent_analytics ?? null, consent_ads: null,
          properties: r.properties ?? null,
        };
        const row: Record<string, unknown> = { ...full, load_id: loadId, file: 'test.ndjson', line: i + 1, loaded_at: Date.UTC(2026, 5, 1) };
        return cols.map((c) => row[c] ?? null);
      }));
    },
    async insertFx(rows) {
      const fxCols: ColumnSpec[] = [
        { name: 'load_id', type: 'varchar' }, { name: 'file', type: 'varchar' }, { name: 'line', type: 'bigint' }, { name: 'loaded_at', type: 'timestamptz' },
        { name: 'rate_date', type: 'date' }, { name: 'currency', type: 'varchar' }, { name: 'rate', type: 'double' },
      ];
      await w.appendRows('raw_fx', fxCols, rows.map((r, i) => [`F${++loads}`, 'fx.csv', i + 1, Date.UTC(2026, 5, 1), r.date, r.currency, r.rate]));
    },
    async run(from, to, options = {}) {
      const summary = await runPipeline({ config, pipeline, warehouse: w, store, log, slice: { from, to }, fullRefresh: options.fullRefresh });
      if (summary.status !== 'succeeded') throw summary.error ?? new Error('run failed');
      return summary;
    },
    rows: (sql) => w.query(sql),
    async close() {
      await w.close();
      await store.close();
      dir.remove();
    },
  };
}

/**
 * For a test file: a function that opens a warehouse (as openJourneys) and closes it after the test
 * that opened it. Call once, at the top of the file.
 */
export function journeysPerTest(): (overrides?: Record<string, unknown>, env?: NodeJS.ProcessEnv) => Promise<Journeys> {
  const open: Journeys[] = [];
  afterEach(async () => {
    for (const j of open.splice(0)) await j.close();
  });
  return async (overrides = {}, env = {}) => {
    const j = await openJourneys(overrides, env);
    open.push(j);
    return j;
  };
}
