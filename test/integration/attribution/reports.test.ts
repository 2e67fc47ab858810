import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureRawTables } from '../../../pipelines/extract/raw-tables.ts';
import { materialize, readTransform, type RenderContext } from '../../../transforms/index.ts';
import { duckdbDialect } from '../../../warehouse/dialect.ts';
import { openFixture, type Fixture } from './fixtures.ts';

/** The sql/ folder a transform of this test lives in (its group name too). */
const folder = (name: string) => (name === 'report_dates_done' ? 'reports' : 'attribution');
const SQL = (name: string) => fileURLToPath(new URL(`../../../sql/${folder(name)}/${name}.sql`, import.meta.url));
const def = (name: string) => readTransform(SQL(name), folder(name));
const ctx = (fullRefresh = false): RenderContext => ({ dialect: duckdbDialect, slice: { from: '2026-03-01', to: '2026-05-01' }, timeZone: 'UTC', fullRefresh, vars: { currency: 'USD' } });

let f: Fixture;
beforeEach(async () => {
  f = await openFixture({ attribution: { models: ['first_touch', 'last_touch', 'linear'] } });
  await f.w.transaction((tx) => ensureRawTables(tx));
  await f.w.exec(`CREATE TABLE fx_rates (rate_date DATE, currency VARCHAR, rate DOUBLE)`);
  await f.w.exec(`INSERT INTO fx_rates VALUES ('2026-03-06', 'EUR', 1.1), ('2026-03-07', 'GBP', 1.25)`);
});
afterEach(async () => {
  await f.close();
});

let line = 0;
/** One raw spend row; `load` tells loads apart (an exact duplicate differs only in load, file and line). */
async function spend(load: string, date: string, platform: string, id: string | null, name: string | null, amount: string, currency: string, clicks = 10): Promise<void> {
  await f.w.exec(`INSERT INTO raw_ad_spend VALUES ($1, 'spend.csv', $2, TIMESTAMPTZ '2026-03-08 00:00:00+00', $3::DATE, $4, $5, $6, $7::DECIMAL(18,4), $8, 1000, $9)`, [
    load, ++line, date, platform, id, name, amount, currency, clicks,
  ]);
}

async function seedJourneys(): Promise<void> {
  await f.touches([
    { id: 'g1', person: 'p1', ts: '2026-03-06T10:00:00Z', channel: 'Paid Search', source: 'google', medium: 'cpc', campaign: 'brand_search', campaignId: '20431001', platform: 'google_ads' },
    // No utm_id on this landing: matched to spend by its name, whatever the case.
    { id: 'm1', person: 'p2', ts: '2026-03-06T11:00:00Z', channel: 'Paid Social', source: 'facebook', medium: 'paid_social', campaign: 'Prospecting_Video', platform: 'meta' },
    // A campaign that has no spend rows at all.
    { id: 'b1', person: 'p3', ts: '2026-03-06T12:00:00Z', channel: 'Paid Search', source: 'bing', medium: 'cpc', campaign: 'generic_search', campaignId: '500700', platform: 'microsoft_ads' },
    { id: 'o1', person: 'p4', ts: '2026-03-06T12:00:00Z', channel: 'Organic Search', source: 'google', medium: 'organic' },
  ]);
  await f.conversions([
    { id: 'c1', person: 'p1', ts: '2026-03-06T10:30:00Z', value: 100, session: 'g1' },
    { id: 'c2', person: 'p2', ts: '2026-03-06T11:30:00Z', value: 66, session: 'm1' },
    { id: 'c3', person: 'p3', ts: '2026-03-06T12:30:00Z', value: 20, session: 'b1' },
    { id: 'c4', person: 'p4', ts: '2026-03-06T12:30:00Z', value: 5, session: 'o1' },
  ]);
}

async function seedSpend(): Promise<void> {
  await spend('L1', '2026-03-06', 'google_ads', '20431001', 'brand_search', '50.00', 'USD');
  await spend('L2', '2026-03-06', 'google_ads', '20431001', 'brand_search', '50.00', 'USD'); // the same export, loaded again
  await spend('L1', '2026-03-06', 'meta', '6120000000001', 'prospecting_video', '30.00', 'EUR'); // 30 € × 1.1
  await spend('L1', '2026-03-06', 'linkedin', '380112', 'b2b_teams', '20.00', 'USD'); // nobody came from it
  await spend('L1', '2026-03-06', 'tiktok', '1790000000000001', 'spark_ugc', '10.00', 'GBP'); // no GBP rate that day
  await spend('L1', '2026-03-07', 'tiktok', '1790000000000001', 'spark_ugc', '8.00', 'GBP'); // 8 £ × 1.25
}

/** As the pipeline runs them: attribute, spend staging, the dates to rebuild, the date-keyed tables, and the mark that they finished. */
async function build(): Promise<void> {
  await f.attribute();
  await materialize(f.w, def('stg_ad_spend'), ctx());
  await f.reportDates();
  for (const name of ['attribution_totals_daily', 'rpt_attribution_daily', 'rpt_roas_daily', 'report_dates_done']) await materialize(f.w, def(name), ctx());
}

describe('stg_ad_spend', () => {
  it('counts an exact duplicate spend row once and converts to the reporting currency', async () => {
    await seedSpend();
    await materialize(f.w, def('stg_ad_spend'), ctx());
    const rows = await f.rows(`SELECT spend_date, platform, campaign_id, CAST(spend AS VARCHAR) AS spend, fx_missing, clicks, spend_rows, duplicate_rows FROM stg_ad_spend ORDER BY spend_date, platform`);
    expect(rows).toEqual([
      { spend_date: '2026-03-06', platform: 'google_ads', campaign_id: '20431001', spend: '50.00', fx_missing: false, clicks: 10, spend_rows: 1, duplicate_rows: 1 },
      { spend_date: '2026-03-06', platform: 'linkedin', campaign_id: '380112', spend: '20.00', fx_missing: false, clicks: 10, spend_rows: 1, duplicate_rows: 0 },
      { spend_date: '2026-03-06', platform: 'meta', campaign_id: '6120000000001', spend: '33.00', fx_missing: false, clicks: 10, spend_rows: 1, duplicate_rows: 0 },
      { spend_date: '2026-03-06', platform: 'tiktok', campaign_id: '1790000000000001', spend: null, fx_missing: true, clicks: 10, spend_rows: 1, duplicate_rows: 0 },
      { spend_date: '2026-03-07', platform: 'tiktok', campaign_id: '1790000000000001', spend: '10.00', fx_missing: false, clicks: 10, spend_rows: 1, duplicate_rows: 0 },
    ]);
  });

  it('keeps two rows of one campaign and day that differ in any column (two real rows)', async () => {
    await spend('L1', '2026-03-06', 'google_ads', '20431001', 'brand_search', '50.00', 'USD', 10);
    await spend('L1', '2026-03-06', 'google_ads', '20431001', 'brand_search', '50.00', 'USD', 11);
    await materialize(f.w, def('stg_ad_spend'), ctx());
    expect(await f.rows(`SELECT CAST(spend AS VARCHAR) AS spend, clicks, duplicate_rows FROM stg_ad_spend`)).toEqual([{ spend: '100.00', clicks: 21, duplicate_rows: 0 }]);
  });
});

describe('rpt_roas_daily', () => {
  const roas = () =>
    f.rows(`SELECT local_date, platform, campaign_id, campaign, CAST(spend AS VARCHAR) AS spend, spend_fx_missing, CAST(conversions AS DOUBLE) AS conversions,
              CAST(revenue AS VARCHAR) AS revenue, CAST(roas AS DOUBLE) AS roas, CAST(cpa AS DOUBLE) AS cpa
            FROM rpt_roas_daily WHERE model = 'last_touch' ORDER BY local_date, platform`);

  it('joins spend to credits by platform and campaign id, or name; shows spend without touchpoints and credits without spend', async () => {
    await seedJourneys();
    await seedSpend();
    await build();
    expect(await roas()).toEqual([
      { local_date: '2026-03-06', platform: 'google_ads', campaign_id: '20431001', campaign: 'brand_search', spend: '50.00', spend_fx_missing: false, conversions: 1, revenue: '100.00', roas: 2, cpa: 50 },
      { local_date: '2026-03-06', platform: 'linkedin', campaign_id: '380112', campaign: 'b2b_teams', spend: '20.00', spend_fx_missing: false, conversions: 0, revenue: '0.00', roas: 0, cpa: null },
      { local_date: '2026-03-06', platform: 'meta', campaign_id: '6120000000001', campaign: 'prospecting_video', spend: '33.00', spend_fx_missing: false, conversions: 1, revenue: '66.00', roas: 2, cpa: 33 },
      { local_date: '2026-03-06', platform: 'microsoft_ads', campaign_id: '500700', campaign: 'generic_search', spend: '0.00', spend_fx_missing: false, conversions: 1, revenue: '20.00', roas: null, cpa: 0 },
      { local_date: '2026-03-06', platform: 'tiktok', campaign_id: '1790000000000001', campaign: 'spark_ugc', spend: null, spend_fx_missing: true, conversions: 0, revenue: '0.00', roas: null, cpa: null },
      { local_date: '2026-03-07', platform: 'tiktok', campaign_id: '1790000000000001', campaign: 'spark_ugc', spend: '10.00', spend_fx_missing: false, conversions: 0, revenue: '0.00', roas: 0, cpa: null },
    ]);
    // Spend appears once per model, never more: the total per model is the deduplicated spend.
    const totals = await f.rows(`SELECT model, CAST(sum(spend) AS VARCHAR) AS spend FROM rpt_roas_daily GROUP BY model ORDER BY model`);
    expect(totals).toEqual(['first_touch', 'last_touch', 'linear'].map((model) => ({ model, spend: '113.00' })));
  });

  it('does not match a touch whose campaign id differs from the spend row, even with the same name', async () => {
    await seedJourneys();
    await f.w.exec(`UPDATE touchpoints SET campaign_id = '99999' WHERE touchpoint_id = 'g1'`);
    await seedSpend();
    await build();
    const google = (await roas()).filter((r) => r.platform === 'google_ads');
    expect(google.map((r) => [r.campaign_id, r.spend, r.conversions])).toEqual([['20431001', '50.00', 0], ['99999', '0.00', 1]]);
  });
});

describe('rpt_attribution_daily', () => {
  it('sums fractional credit and exact revenue per day, model and dimension', async () => {
    await seedJourneys();
    await build();
    const rows = await f.rows(`SELECT model, CAST(sum(conversions) AS DOUBLE) AS conversions, CAST(sum(revenue) AS VARCHAR) AS revenue, CAST(sum(touchpoints_credited) AS INTEGER) AS touches
      FROM rpt_attribution_daily GROUP BY model ORDER BY model`);
    expect(rows).toEqual(['first_touch', 'last_touch', 'linear'].map((model) => ({ model, conversions: 4, revenue: '191.00', touches: 4 })));
  });

  it('rebuilds exactly the dates whose credits changed, ending where a full rebuild ends', async () => {
    await seedJourneys();
    await build();
    // p4 converts again a week later, and their earlier conversion moves to another channel.
    await f.touches([{ id: 'o2', person: 'p4', ts: '2026-03-13T09:00:00Z', channel: 'Email' }]);
    await f.conversions([{ id: 'c5', person: 'p4', ts: '2026-03-13T09:30:00Z', value: 7, session: 'o2' }]);
    await f.w.exec(`UPDATE touchpoints SET channel = 'Referral' WHERE touchpoint_id = 'o1'`);
    await f.dirty(['p4']);
    await f.attribute();
    expect(await f.rows(`SELECT local_date FROM attribution_dirty_dates ORDER BY 1`)).toEqual([{ local_date: '2026-03-06' }, { local_date: '2026-03-13' }]);
    // the attribute step queued those dates; report_dates lists them (and nothing else changed)
    await f.reportDates();
    expect(await f.rows(`SELECT DISTINCT table_name, local_date FROM report_dates ORDER BY ALL`)).toEqual([
      { table_name: 'attribution_credits', local_date: '2026-03-06' }, { table_name: 'attribution_credits', local_date: '2026-03-13' },
    ]);
    const dump = async (table: string) => (await f.rows(`SELECT * FROM ${table} ORDER BY ALL`)).map((r) => JSON.stringify(r));
    for (const table of ['attribution_totals_daily', 'rpt_attribution_daily']) {
      await materialize(f.w, def(table), ctx());
      const incremental = await dump(table);
      expect(incremental.some((r) => r.includes('"local_date":"2026-03-13"')), table).toBe(true);
      await materialize(f.w, def(table), ctx(true));
      expect(await dump(table), table).toEqual(incremental);
    }
    expect((await dump('rpt_attribution_daily')).some((r) => r.includes('"channel":"Referral"'))).toBe(true);
  });
});

describe('attribution_totals_daily', () => {
  it('sums revenue credited to touchpoints and to none, and counts the conversions credited to none, per date and model', async () => {
    await seedJourneys();
    // a conversion of a person with no touchpoint: credited to no touchpoint under every model
    await f.conversions([{ id: 'c9', person: 'p9', ts: '2026-03-07T08:00:00Z', value: 12.5 }]);
    await build();
    const rows = await f.rows(`SELECT CAST(local_date AS VARCHAR) AS d, model, CAST(attributed_revenue AS VARCHAR) AS attributed, CAST(unattributed_revenue AS VARCHAR) AS unattributed,
      CAST(unattributed_conversions AS INTEGER) AS none, CAST(credit_rows AS INTEGER) AS credit_rows FROM attribution_totals_daily ORDER BY 1, 2`);
    expect(rows).toEqual([
      ...['first_touch', 'last_touch', 'linear'].map((model) => ({ d: '2026-03-06', model, attributed: '191.00', unattributed: null, none: 0, credit_rows: 4 })),
      ...['first_touch', 'last_touch', 'linear'].map((model) => ({ d: '2026-03-07', model, attributed: null, unattributed: '12.50', none: 1, credit_rows: 1 })),
    ]);
    // it carries exactly the credits' totals
    const [credits] = await f.rows(`SELECT CAST(sum(revenue_credit) AS VARCHAR) AS s FROM attribution_credits`);
    const [totals] = await f.rows(`SELECT CAST(sum(coalesce(attributed_revenue, 0) + coalesce(unattributed_revenue, 0)) AS VARCHAR) AS s FROM attribution_totals_daily`);
    expect(totals).toEqual(credits);
  });
});
