/**
 * The reconciliation invariants on the demo data set (every planted fault included), and health
 * against the demo's manifest. For every day and model, to the cent:
 *   ledger revenue = matched ledger revenue + ledger-only revenue,
 *   tracked revenue = matched tracked revenue + tracked-only revenue,
 *   attributed + unattributed revenue = tracked revenue;
 * and the ledger and tracked figures equal an independent recomputation here, in integer cents,
 * from raw_orders, fx_rates and conversions. rpt_attribution_daily and rpt_roas_daily are
 * reconciled with conversions, attribution_credits and stg_ad_spend (./attribution-invariants.ts).
 */
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attributionDailyMismatches, creditedModels, roasCreditMismatches, roasRatioMismatches, roasSpendMismatches } from './attribution-invariants.ts';
import { demoConfig } from '../../cli/commands/demo.ts';
import { loadConfig } from '../../config/index.ts';
import { createLogger } from '../../lib/log.ts';
import { generateDemoData, type DemoManifest } from '../../pipelines/demo/index.ts';
import { createPipeline, runPipeline } from '../../pipelines/index.ts';
import { openRunStore, type RunStore } from '../../store/index.ts';
import { openWarehouse, type Row, type Warehouse } from '../../warehouse/index.ts';
import { tempDir } from '../helpers/tmp.ts';

const dir = tempDir('beamline-golden-demo-');
let w: Warehouse;
let store: RunStore;
let manifest: DemoManifest;
const RUN_ID = 'demo-reconciliation';

beforeAll(async () => {
  manifest = await generateDemoData({ outDir: join(dir.path, 'data'), startDate: '2026-03-01', days: 10, visitors: 1500, seed: 7, timeZone: 'America/New_York', currency: 'USD' });
  const file = join(dir.path, 'beamline.yml');
  writeFileSync(file, stringify(demoConfig('America/New_York')));
  const config = loadConfig({ file, env: {} });
  w = await openWarehouse(config.warehouse);
  store = await openRunStore({ databaseUrl: '', sqlitePath: join(dir.path, 'runs.sqlite') });
  const summary = await runPipeline({
    config, pipeline: createPipeline(), warehouse: w, store, log: createLogger({ level: 'silent' }),
    slice: { from: '2026-03-01', to: '2026-03-12' }, lookback: false, runId: RUN_ID,
  });
  if (summary.status !== 'succeeded') throw summary.error ?? new Error('demo run failed');
}, 180_000);

afterAll(async () => {
  await w?.close();
  await store?.close();
  dir.remove();
});

const cents = (v: unknown): number => Math.round(Number(v) * 100);
const daily = (): Promise<Row[]> => w.query(`SELECT * FROM rpt_finance_reconciliation WHERE period_type = 'day' ORDER BY period_start, model`);

describe('finance reconciliation on the demo data', () => {
  it('has a row for every day and model', async () => {
    const rows = await daily();
    const models = new Set(rows.map((r) => r.model));
    expect(models.size).toBeGreaterThanOrEqual(6);
    expect(new Set(rows.map((r) => r.period_start)).size).toBe(10);
  });

  it('splits ledger and tracked revenue exactly, and attributes every tracked cent, per day and model', async () => {
    for (const r of await daily()) {
      const where = `${r.period_start} ${r.model}`;
      expect(cents(r.ledger_revenue), where).toBe(cents(r.matched_ledger_revenue) + cents(r.ledger_only_revenue));
      expect(cents(r.tracked_revenue), where).toBe(cents(r.matched_tracked_revenue) + cents(r.tracked_only_revenue));
      expect(cents(r.attributed_revenue) + cents(r.unattributed_revenue), where).toBe(cents(r.tracked_revenue));
      expect(cents(r.uncredited_revenue), where).toBe(0);
    }
  });

  it('matches an independent recomputation of the ledger (refunds netted, fx at the order date) and of tracked revenue', async () => {
    const orders = await w.query<{ order_id: string; d: string; status: string; revenue: number; currency: string; rate: number | null }>(`
      WITH r AS (SELECT DISTINCT order_id, order_ts, revenue, currency, status FROM raw_orders WHERE status IN ('completed', 'refunded')),
      d AS (SELECT order_id, CAST(timezone('America/New_York', coalesce(min(order_ts) FILTER (WHERE status = 'completed'), min(order_ts))) AS DATE) AS d FROM r GROUP BY order_id)
      SELECT r.order_id, CAST(d.d AS VARCHAR) AS d, r.status, CAST(r.revenue AS DOUBLE) AS revenue, r.currency, CASE WHEN r.currency = 'USD' THEN 1.0 ELSE fx.rate END AS rate
      FROM r JOIN d USING (order_id) LEFT JOIN fx_rates AS fx ON fx.rate_date = d.d AND fx.currency = r.currency`);
    // per order: Σ completed − Σ refunded in its currency, converted once and rounded to cents
    const byOrder = new Map<string, { d: string; amount: number; rate: number | null }>();
    for (const o of orders) {
      const e = byOrder.get(o.order_id) ?? { d: o.d, amount: 0, rate: o.rate };
      e.amount += o.status === 'completed' ? o.revenue : -Math.abs(o.revenue);
      if (o.rate === null) e.rate = null;
      byOrder.set(o.order_id, e);
    }
    const ledger = new Map<string, number>();
    for (const o of byOrder.values()) if (o.rate !== null) ledger.set(o.d, (ledger.get(o.d) ?? 0) + Math.round(Math.round(o.amount * 10_000) * o.rate / 100));
    const tracked = new Map<string, number>();
    for (const c of await w.query<{ d: string; v: number }>(`SELECT CAST(local_date AS VARCHAR) AS d, value_minor AS v FROM conversions WHERE NOT fx_missing`)) tracked.set(c.d, (tracked.get(c.d) ?? 0) + Number(c.v));
    for (const r of (await daily()).filter((x) => x.model === 'last_touch')) {
      expect(cents(r.ledger_revenue), String(r.period_start)).toBe(ledger.get(String(r.period_start)) ?? 0);
      expect(cents(r.tracked_revenue), String(r.period_start)).toBe(tracked.get(String(r.period_start)) ?? 0);
    }
  });

  it('sums the days into the month', async () => {
    const [m] = await w.query(`SELECT * FROM rpt_finance_reconciliation WHERE period_type = 'month' AND model = 'last_touch'`);
    const days = (await daily()).filter((r) => r.model === 'last_touch');
    for (const col of ['ledger_revenue', 'tracked_revenue', 'attributed_revenue', 'ledger_only_revenue', 'tracked_only_revenue', 'spend_total']) {
      expect(cents(m![col]), col).toBe(days.reduce((s, r) => s + cents(r[col]), 0));
    }
  });
});

describe('attribution and ROAS reports on the demo data (recomputed from conversions, attribution_credits and stg_ad_spend)', () => {
  const q = (sql: string): Promise<Row[]> => w.query(sql);

  it('credits every model and has spend, an fx gap in conversions, and ROAS rows to check', async () => {
    expect((await creditedModels(q)).length).toBeGreaterThanOrEqual(6);
    const [c] = await w.query<{ unpriced: number; total: number }>(`SELECT count(*) FILTER (WHERE fx_missing) AS unpriced, count(*) AS total FROM conversions`);
    expect(Number(c!.unpriced)).toBeGreaterThan(0);
    const [r] = await w.query<{ spent: number; credited: number }>(`SELECT count(*) FILTER (WHERE spend > 0) AS spent, count(*) FILTER (WHERE conversions > 0 AND spend > 0) AS credited FROM rpt_roas_daily`);
    expect(Number(r!.spent)).toBeGreaterThan(0);
    expect(Number(r!.credited)).toBeGreaterThan(0);
  });

  it('per model and date, attributed revenue = Σ conversions.value_reporting to the cent, conversions = the conversions\' count', async () => {
    expect(await attributionDailyMismatches(q)).toEqual([]);
  });

  it('per model and (date, platform, campaign), ROAS spend = Σ stg_ad_spend spend (NULL on an fx gap)', async () => {
    expect(await roasSpendMismatches(q)).toEqual([]);
  });

  it('per model and (date, platform), ROAS revenue and conversions = the credits of ad-platform touches', async () => {
    expect(await roasCreditMismatches(q)).toEqual([]);
  });

  it('roas = revenue / spend when spend > 0 and cpa = spend / conversions when conversions > 0, else NULL (never Infinity)', async () => {
    expect(await roasRatioMismatches(q)).toEqual([]);
  });
});

describe('pipeline health on the demo data shows every planted fault', () => {
  const total = async (metric: string, dimension?: string): Promise<number> => {
    const [r] = await w.query<{ v: number | null }>(`SELECT sum(value) AS v FROM rpt_pipeline_health WHERE run_id = $1 AND metric = $2 AND ($3 IS NULL OR dimension = $3)`, [RUN_ID, metric, dimension ?? null]);
    return Number(r?.v ?? 0);
  };

  it('rejected rows, duplicates, cross-tracker merges and late rows equal the manifest', async () => {
    const t = manifest.totals;
    expect(await total('rows_rejected', 'events')).toBe(t.malformedRows);
    expect(await total('rows_ingested', 'events:client') + await total('rows_ingested', 'events:server')).toBe(t.eventsWritten);
    expect(await total('duplicates_merged', 'natural')).toBe(t.naturalDuplicates);
    expect(await total('duplicates_merged', 'synthetic')).toBe(t.syntheticDuplicates);
    expect(await total('duplicates_merged', 'cross_tracker')).toBe(t.crossTrackerPairs);
    expect(await total('events')).toBe(t.realEvents);
    expect(await total('late_events', 'within_lookback') + await total('late_events', 'beyond_lookback')).toBe(t.lateEvents);
    expect(await total('late_events', 'beyond_lookback')).toBe(t.lateBeyondLookback);
  });

  it('nothing is lost: staged rows = events + merged duplicates', async () => {
    expect(await total('raw_event_rows')).toBe(await total('events') + await total('duplicates_merged'));
  });

  it('shows the fx gap on its day, and a KL divergence per model', async () => {
    const gaps = await w.query(`SELECT CAST(local_date AS VARCHAR) AS d, dimension FROM rpt_pipeline_health WHERE run_id = $1 AND metric = 'fx_missing' AND dimension = 'conversions:' || $2`, [RUN_ID, manifest.fxGap.currency]);
    expect(gaps).toEqual([{ d: manifest.fxGap.date, dimension: `conversions:${manifest.fxGap.currency}` }]);
    const kl = await w.query<{ value: number }>(`SELECT value FROM rpt_pipeline_health WHERE run_id = $1 AND metric = 'channel_share_kl'`, [RUN_ID]);
    expect(kl.length).toBeGreaterThan(0);
    for (const r of kl) expect(r.value).toBeGreaterThanOrEqual(0);
  });
});
