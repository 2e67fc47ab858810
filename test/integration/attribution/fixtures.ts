/**
 * Hand-made journeys tables (`touchpoints`, `conversions`, `dirty_persons`, with the journeys
 * layer's column names) in a fresh DuckDB file, and a StepContext to run the attribute step on them.
 */
import { join } from 'node:path';
import { loadConfig, type BeamlineConfig } from '../../../config/index.ts';
import { createLogger } from '../../../lib/log.ts';
import type { StepContext, StepResult } from '../../../pipelines/definition.ts';
import { runAttribution } from '../../../pipelines/steps/attribute.ts';
import { snapshotReportDates } from '../../../pipelines/steps/report-dates.ts';
import type { ColumnSpec, Row } from '../../../warehouse/index.ts';
import { openDuckDb, type DuckDbWarehouse } from '../../../warehouse/duckdb/index.ts';
import { tempDir, type TempDir } from '../../helpers/tmp.ts';

export interface TouchFixture {
  id: string;
  person: string;
  ts: string;
  channel: string;
  source?: string | null;
  medium?: string | null;
  campaign?: string | null;
  campaignId?: string | null;
  platform?: string | null;
}

export interface ConversionFixture {
  id: string;
  person: string;
  ts: string;
  /** Value in the reporting currency; null with fxMissing. */
  value: number | null;
  session?: string | null;
  fxMissing?: boolean;
}

const TOUCH_COLUMNS: ColumnSpec[] = [
  { name: 'touchpoint_id', type: 'varchar' }, { name: 'person_id', type: 'varchar' }, { name: 'session_id', type: 'varchar' },
  { name: 'touch_ts', type: 'timestamptz' }, { name: 'local_date', type: 'date' }, { name: 'channel', type: 'varchar' },
  { name: 'source', type: 'varchar' }, { name: 'medium', type: 'varchar' }, { name: 'campaign', type: 'varchar' },
  { name: 'campaign_id', type: 'varchar' }, { name: 'platform', type: 'varchar' },
];

export interface Fixture {
  readonly w: DuckDbWarehouse;
  readonly config: BeamlineConfig;
  touches(rows: readonly TouchFixture[]): Promise<void>;
  conversions(rows: readonly ConversionFixture[]): Promise<void>;
  /** Replaces `dirty_persons`. */
  dirty(persons: readonly string[]): Promise<void>;
  /** Runs the attribute step over the slice `[from, to)`. */
  attribute(slice?: { from: string; to: string }, options?: { fullRefresh?: boolean; runId?: string }): Promise<StepResult>;
  /** Runs the report_dates step (the dates the date-keyed reports rebuild), as the pipeline does after attribute. */
  reportDates(): Promise<StepResult>;
  rows(sql: string, params?: unknown[]): Promise<Row[]>;
  /** Every credit row, sorted, as JSON strings (for whole-table comparisons). */
  dump(where?: string): Promise<string[]>;
  close(): Promise<void>;
}

export async function openFixture(overrides: Record<string, unknown> = {}): Promise<Fixture> {
  const dir: TempDir = tempDir('beamline-attribution-');
  const w = await openDuckDb({ path: join(dir.path, 'wh.duckdb') });
  const config = loadConfig({ overrides: { account: { time_zone: 'UTC', currency: 'USD' }, ...overrides }, env: {}, cwd: dir.path });
  await w.exec(`CREATE TABLE touchpoints (touchpoint_id VARCHAR, person_id VARCHAR, session_id VARCHAR, touch_ts TIMESTAMPTZ, local_date DATE, channel VARCHAR,
    source VARCHAR, medium VARCHAR, campaign VARCHAR, campaign_id VARCHAR, platform VARCHAR)`);
  await w.exec(`CREATE TABLE conversions (conversion_id VARCHAR, person_id VARCHAR, session_id VARCHAR, conversion_ts TIMESTAMPTZ, local_date DATE,
    value_reporting DECIMAL(18,2), value_minor BIGINT, fx_missing BOOLEAN)`);
  await w.exec(`CREATE TABLE dirty_persons (person_id VARCHAR, batch VARCHAR)`);
  const log = createLogger({ level: 'silent' });
  let runs = 0;
  return {
    w,
    config,
    async touches(rows) {
      await w.appendRows('touchpoints', TOUCH_COLUMNS, rows.map((t) => [
        t.id, t.person, t.id, Date.parse(t.ts), t.ts.slice(0, 10), t.channel, t.source ?? null, t.medium ?? null, t.campaign ?? null, t.campaignId ?? null, t.platform ?? null,
      ]));
    },
    async conversions(rows) {
      for (const c of rows) {
        const cents = c.value === null ? null : Math.round(c.value * 100);
        await w.exec(`INSERT INTO conversions VALUES ($1, $2, $3, $4::TIMESTAMPTZ, $5::DATE, $6::DECIMAL(18,2), $7::BIGINT, $8)`, [
          c.id, c.person, c.session ?? null, c.ts, c.ts.slice(0, 10), c.value === null ? null : c.value.toFixed(2), cents, c.fxMissing ?? false,
        ]);
      }
    },
    async dirty(persons) {
      await w.exec(`DELETE FROM dirty_persons`);
      for (const p of persons) await w.exec(`INSERT INTO dirty_persons VALUES ($1, 'b')`, [p]);
    },
    attribute(slice = { from: '2026-03-01', to: '2026-05-01' }, options = {}) {
      const ctx: StepContext = { config, warehouse: w, runId: options.runId ?? `run-${++runs}`, slice, fullRefresh: options.fullRefresh ?? false, log, now: new Date('2026-05-01T00:00:00Z') };
      return runAttribution(ctx);
    },
    reportDates() {
      const ctx: StepContext = { config, warehouse: w, runId: `run-${++runs}`, slice: { from: '2026-03-01', to: '2026-05-01' }, fullRefresh: false, log, now: new Date('2026-05-01T00:00:00Z') };
      return snapshotReportDates(ctx);
    },
    rows: (sql, params) => w.query(sql, params),
    async dump(where = 'TRUE') {
      const rows = await w.query(`SELECT * FROM attribution_credits WHERE ${where} ORDER BY conversion_id, model, position`);
      return rows.map((r) => JSON.stringify(r));
    },
    async close() {
      await w.close();
      dir.remove();
    },
  };
}
