/**
 * The invariants finance relies on in rpt_attribution_daily and rpt_roas_daily, each recomputed
 * here from the base tables (conversions, attribution_credits, stg_ad_spend) in integer cents, not
 * by re-running the reports' SQL. Each check returns its mismatches as readable lines, so a test
 * asserts `toEqual([])` and a failure names the row and both figures.
 *
 *   - per model and conversion date: Σ revenue = Σ conversions.value_reporting (exact to the cent:
 *     revenue credits are split in integer cents, docs/attribution.md), Σ conversions = number of
 *     conversions and Σ conversions_without_revenue = number of fx_missing conversions (credits are
 *     fractions summed as DECIMAL(38,9): within 1e-9 per conversion);
 *   - per model and (date, platform, campaign_id, campaign): rpt_roas_daily spend = Σ stg_ad_spend
 *     spend of that key, NULL with spend_fx_missing when the key's spend has no fx rate, 0 for a key
 *     without spend; every spend key under every model;
 *   - per model and (date, platform): rpt_roas_daily revenue and conversions = Σ revenue_credit and
 *     Σ credit of the credits of touches with an ad platform;
 *   - per row: roas = revenue / spend when spend > 0, else NULL; cpa = spend / conversions when
 *     conversions > 0, else NULL (NULL spend → NULL); never Infinity or NaN (docs/attribution.md,
 *     header of sql/attribution/rpt_roas_daily.sql).
 */
import type { Row } from '../../warehouse/index.ts';

type Query = (sql: string) => Promise<Row[]>;

/** DECIMAL(18,2) → integer cents (exact: |value| < 2^53 / 100). */
const cents = (v: unknown): number => Math.round(Number(v) * 100);
/** A fractional count as nanos (the reports' DECIMAL(38,9) scale). */
const nanos = (v: unknown): number => Math.round(Number(v) * 1e9);
const str = (v: unknown): string => (v === null || v === undefined ? '∅' : String(v));
const add = (m: Map<string, number>, k: string, v: number): void => {
  m.set(k, (m.get(k) ?? 0) + v);
};

/** The models that credited anything (attribution_credits), sorted. */
export async function creditedModels(q: Query): Promise<string[]> {
  return (await q(`SELECT DISTINCT model FROM attribution_credits ORDER BY model`)).map((r) => String(r.model));
}

/** rpt_attribution_daily against conversions, per model and conversion date. */
export async function attributionDailyMismatches(q: Query): Promise<string[]> {
  const models = await creditedModels(q);
  const conversions = await q(`SELECT CAST(local_date AS VARCHAR) AS d, value_minor, fx_missing FROM conversions`);
  const value = new Map<string, number>();
  const count = new Map<string, number>();
  const unpriced = new Map<string, number>();
  for (const c of conversions) {
    const d = String(c.d);
    add(count, d, 1);
    if (c.fx_missing === true) add(unpriced, d, 1);
    else add(value, d, Number(c.value_minor));
  }
  const report = await q(`SELECT CAST(local_date AS VARCHAR) AS d, model, revenue, conversions, conversions_without_revenue FROM rpt_attribution_daily`);
  const out: string[] = [];
  const reportModels = [...new Set(report.map((r) => String(r.model)))].sort();
  if (reportModels.join() !== models.join()) out.push(`models: report ${reportModels.join()} ≠ credits ${models.join()}`);
  const dates = [...count.keys()].sort();
  const totalConversions = conversions.length;
  for (const model of models) {
    const rows = report.filter((r) => r.model === model);
    const rev = new Map<string, number>();
    const conv = new Map<string, number>();
    const noRev = new Map<string, number>();
    for (const r of rows) {
      add(rev, String(r.d), cents(r.revenue));
      add(conv, String(r.d), nanos(r.conversions));
      add(noRev, String(r.d), nanos(r.conversions_without_revenue));
    }
    for (const d of new Set([...dates, ...rev.keys()])) {
      const n = count.get(d) ?? 0;
      if ((rev.get(d) ?? 0) !== (value.get(d) ?? 0)) out.push(`${model} ${d}: revenue ${(rev.get(d) ?? 0) / 100} ≠ Σ conversions.value_reporting ${(value.get(d) ?? 0) / 100}`);
      if (Math.abs((conv.get(d) ?? 0) - n * 1e9) > n + 1) out.push(`${model} ${d}: conversions ${(conv.get(d) ?? 0) / 1e9} ≠ ${n} conversions`);
      const m = unpriced.get(d) ?? 0;
      if (Math.abs((noRev.get(d) ?? 0) - m * 1e9) > m + 1) out.push(`${model} ${d}: conversions_without_revenue ${(noRev.get(d) ?? 0) / 1e9} ≠ ${m} fx_missing conversions`);
    }
    const total = [...rev.values()].reduce((s, v) => s + v, 0);
    const expected = [...value.values()].reduce((s, v) => s + v, 0);
    if (total !== expected) out.push(`${model} all dates: revenue ${total / 100} ≠ Σ conversions.value_reporting ${expected / 100}`);
    const totalConv = [...conv.values()].reduce((s, v) => s + v, 0);
    if (Math.abs(totalConv - totalConversions * 1e9) > totalConversions + 1) out.push(`${model} all dates: conversions ${totalConv / 1e9} ≠ ${totalConversions}`);
  }
  return out;
}

interface SpendKey { spend: number | null; fxMissing: boolean }

/** rpt_roas_daily spend against stg_ad_spend, per model and (date, platform, campaign_id, campaign). */
/** The report's campaign: its id, else its name case-insensitively (a campaign with two names that day is one campaign). */
function spendKey(d: unknown, platform: unknown, campaignId: unknown, name: unknown): string {
  return [d, platform, campaignId ?? `name:${String(name).toLowerCase()}`].map(str).join(' | ');
}

export async function roasSpendMismatches(q: Query): Promise<string[]> {
  const models = await creditedModels(q);
  const stg = new Map<string, SpendKey>();
  for (const s of await q(`SELECT CAST(spend_date AS VARCHAR) AS d, platform, campaign_id, campaign_name, spend, fx_missing FROM stg_ad_spend`)) {
    const k = spendKey(s.d, s.platform, s.campaign_id, s.campaign_name);
    const e = stg.get(k) ?? { spend: 0, fxMissing: false };
    if (s.fx_missing === true || s.spend === null) e.fxMissing = true;
    else if (e.spend !== null) e.spend += cents(s.spend);
    if (e.fxMissing) e.spend = null;
    stg.set(k, e);
  }
  const report = await q(`SELECT CAST(local_date AS VARCHAR) AS d, model, platform, campaign_id, campaign, spend, spend_fx_missing FROM rpt_roas_daily`);
  const out: string[] = [];
  for (const model of models) {
    const got = new Map<string, SpendKey & { rows: number }>();
    for (const r of report.filter((x) => x.model === model)) {
      const k = spendKey(r.d, r.platform, r.campaign_id, r.campaign);
      const e = got.get(k) ?? { spend: 0, fxMissing: false, rows: 0 };
      e.rows++;
      if (r.spend_fx_missing === true) e.fxMissing = true;
      if (r.spend === null) e.spend = null;
      else if (e.spend !== null) e.spend += cents(r.spend);
      got.set(k, e);
    }
    for (const [k, want] of stg) {
      const e = got.get(k);
      if (!e) { out.push(`${model} ${k}: spend key missing from rpt_roas_daily`); continue; }
      if (e.rows !== 1) out.push(`${model} ${k}: ${e.rows} rows for one spend key`);
      if (want.fxMissing) {
        if (e.spend !== null || !e.fxMissing) out.push(`${model} ${k}: spend ${str(e.spend)} / fx_missing ${e.fxMissing}, want NULL / true (no fx rate)`);
      } else if (e.spend !== want.spend || e.fxMissing) out.push(`${model} ${k}: spend ${str(e.spend === null ? null : e.spend / 100)} ≠ Σ stg_ad_spend ${want.spend! / 100}`);
    }
    for (const [k, e] of got) if (!stg.has(k) && (e.spend !== 0 || e.fxMissing)) out.push(`${model} ${k}: spend ${str(e.spend)} for a key without spend`);
  }
  return out;
}

/** rpt_roas_daily revenue and conversions against the credits of ad-platform touches, per model and (date, platform). */
export async function roasCreditMismatches(q: Query): Promise<string[]> {
  const rev = new Map<string, number>();
  const conv = new Map<string, number>();
  const n = new Map<string, number>();
  for (const c of await q(`SELECT CAST(local_date AS VARCHAR) AS d, model, lower(platform) AS platform, conversion_id, credit, revenue_credit FROM attribution_credits WHERE platform IS NOT NULL`)) {
    const k = `${c.model} ${c.d} ${c.platform}`;
    add(rev, k, c.revenue_credit === null ? 0 : cents(c.revenue_credit));
    add(conv, k, nanos(c.credit));
    add(n, k, 1);
  }
  const gotRev = new Map<string, number>();
  const gotConv = new Map<string, number>();
  for (const r of await q(`SELECT CAST(local_date AS VARCHAR) AS d, model, platform, revenue, conversions FROM rpt_roas_daily`)) {
    const k = `${r.model} ${r.d} ${r.platform}`;
    add(gotRev, k, cents(r.revenue));
    add(gotConv, k, nanos(r.conversions));
  }
  const out: string[] = [];
  for (const k of new Set([...rev.keys(), ...gotRev.keys()])) {
    if ((gotRev.get(k) ?? 0) !== (rev.get(k) ?? 0)) out.push(`${k}: revenue ${(gotRev.get(k) ?? 0) / 100} ≠ Σ revenue_credit ${(rev.get(k) ?? 0) / 100}`);
    if (Math.abs((gotConv.get(k) ?? 0) - (conv.get(k) ?? 0)) > (n.get(k) ?? 0) + 1) out.push(`${k}: conversions ${(gotConv.get(k) ?? 0) / 1e9} ≠ Σ credit ${(conv.get(k) ?? 0) / 1e9}`);
  }
  return out;
}

/** roas and cpa of every rpt_roas_daily row against the row's own revenue, spend and conversions. */
export async function roasRatioMismatches(q: Query): Promise<string[]> {
  const out: string[] = [];
  const close = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
  for (const r of await q(`SELECT CAST(local_date AS VARCHAR) AS d, model, platform, campaign_id, campaign, spend, revenue, conversions, roas, cpa FROM rpt_roas_daily`)) {
    const where = [r.d, r.model, r.platform, r.campaign_id, r.campaign].map(str).join(' | ');
    const spend = r.spend === null ? null : Number(r.spend);
    const revenue = Number(r.revenue);
    const conversions = Number(r.conversions);
    for (const col of ['roas', 'cpa'] as const) {
      if (r[col] !== null && !Number.isFinite(Number(r[col]))) out.push(`${where}: ${col} ${str(r[col])} is not finite`);
    }
    if (spend !== null && spend > 0) {
      if (r.roas === null || !close(Number(r.roas), revenue / spend)) out.push(`${where}: roas ${str(r.roas)} ≠ ${revenue} / ${spend}`);
    } else if (r.roas !== null) out.push(`${where}: roas ${str(r.roas)} with spend ${str(spend)}, want NULL`);
    if (spend !== null && conversions > 0) {
      if (r.cpa === null || !close(Number(r.cpa), spend / conversions)) out.push(`${where}: cpa ${str(r.cpa)} ≠ ${spend} / ${conversions}`);
    } else if (r.cpa !== null) out.push(`${where}: cpa ${str(r.cpa)} with spend ${str(spend)} and conversions ${conversions}, want NULL`);
  }
  return out;
}
