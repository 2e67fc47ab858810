/**
 * Golden tests: the fixture files of test/fixtures/golden go through the real pipeline in two runs,
 * and every reporting table is compared, row by row, with the expected CSV worked out by hand
 * (test/fixtures/golden/README.md). The fixtures cross the start of daylight saving time in New York
 * (2026-03-08) and the February → March boundary (an order at 23:39 local on 02-28 is 03-01 in UTC).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attributionDailyMismatches, creditedModels, roasCreditMismatches, roasRatioMismatches, roasSpendMismatches } from './attribution-invariants.ts';
import { openGolden, readExpected, toCsv, type Golden } from './harness.ts';
import { GOLDEN_QUERIES } from './queries.ts';

let g: Golden;
beforeAll(async () => {
  g = await openGolden();
}, 120_000);
afterAll(async () => {
  await g?.close();
});

describe('golden reports', () => {
  it.each(Object.keys(GOLDEN_QUERIES))('%s equals its expected CSV', async (table) => {
    const actual = toCsv(await g.rows(GOLDEN_QUERIES[table]!));
    expect(actual).toEqual(readExpected(table));
  });

  it('counts each local date in New York time across the DST change (00:30 EDT on 03-09 is 04:30 UTC)', async () => {
    const rows = await g.rows(`SELECT local_date, event_count FROM sessions WHERE landing_event_key IN (SELECT event_key FROM session_events WHERE event_id = 'e12')`);
    expect(rows).toEqual([{ local_date: '2026-03-09', event_count: 2 }]);
  });

  it('holds the reconciliation identities on every row, to the cent', async () => {
    const rows = await g.rows(`SELECT * FROM rpt_finance_reconciliation
      WHERE ledger_revenue <> matched_ledger_revenue + ledger_only_revenue
         OR tracked_revenue <> matched_tracked_revenue + tracked_only_revenue
         OR tracked_revenue <> attributed_revenue + unattributed_revenue + uncredited_revenue
         OR uncredited_revenue <> 0`);
    expect(rows).toEqual([]);
  });

  it('reconciles rpt_attribution_daily and rpt_roas_daily with conversions, credits and stg_ad_spend (recomputed in the test)', async () => {
    const q = (sql: string) => g.rows(sql);
    expect(await creditedModels(q)).toEqual(['first_touch', 'last_touch', 'linear']);
    expect(await attributionDailyMismatches(q)).toEqual([]);
    expect(await roasSpendMismatches(q)).toEqual([]);
    expect(await roasCreditMismatches(q)).toEqual([]);
    expect(await roasRatioMismatches(q)).toEqual([]);
  });

  it('re-running the last run leaves every report as it was (the health step replaces its run\'s rows)', async () => {
    const before = await Promise.all(Object.values(GOLDEN_QUERIES).map((q) => g.rows(q)));
    await g.rerun('golden-run-2');
    const after = await Promise.all(Object.values(GOLDEN_QUERIES).map((q) => g.rows(q)));
    expect(after).toEqual(before);
  });
});
