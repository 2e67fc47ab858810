/** rpt_roas_daily when one campaign id carries two names on one day (a rename, or two export spellings). */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { roasCreditMismatches, roasSpendMismatches } from './attribution-invariants.ts';
import { openGolden, type Golden } from './harness.ts';
let g: Golden;
beforeAll(async () => { g = await openGolden(); }, 120_000);
afterAll(async () => { await g?.close(); });
it('a campaign renamed within a day is one campaign in rpt_roas_daily: its spend summed, its credits counted once', async () => {
  await g.rows(`INSERT INTO raw_ad_spend BY NAME SELECT * REPLACE ('Spring Sale' AS campaign_name, 10.00 AS spend, 'probe' AS load_id) FROM raw_ad_spend WHERE campaign_name = 'spring' AND spend_date = DATE '2026-03-02'`);
  await g.rerun('golden-run-2');
  // one row for the campaign (id 111) that day, with both rows' spend and its credits once
  const rows = await g.rows(`SELECT model, campaign_id, campaign, CAST(spend AS DOUBLE) AS spend FROM rpt_roas_daily WHERE local_date = DATE '2026-03-02' AND campaign_id = '111' ORDER BY model`);
  expect(rows.length).toBeGreaterThan(0);
  expect(new Set(rows.map((r) => r.model)).size).toBe(rows.length);
  expect(await roasSpendMismatches((s) => g.rows(s))).toEqual([]);
  expect(await roasCreditMismatches((s) => g.rows(s))).toEqual([]);
});
