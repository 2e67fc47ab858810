import { describe, expect, it } from 'vitest';
import { dumpTables } from './compare.ts';
import { journeysPerTest, type Journeys, type RawRow } from './harness.ts';

const journeys = journeysPerTest();

const day = '2026-01-10';
let n = 0;
const ev = (ts: string, extra: Partial<RawRow> = {}): RawRow => ({ event_id: `e${++n}`, ts: `${day}T${ts}Z`, ...extra });
const conversions = (j: Journeys) =>
  j.rows(`SELECT order_id, event_name, value, currency, fx_rate, value_reporting::VARCHAR AS value_reporting, value_minor, fx_missing, duplicate_events FROM conversions ORDER BY conversion_ts`);

describe('conversions', () => {
  it('counts an order once across trackers and re-sends; page views and zero-value goals are not conversions', async () => {
    const j = await journeys();
    await j.insert([
      ev('10:00:00', { event_name: 'page_view', value: 99 }),
      ev('10:01:00', { event_name: 'add_to_cart' }),
      ev('10:02:00', { event_name: 'sign_up', value: 0 }),
      ev('10:05:00', { event_name: 'purchase', value: 59.99, order_id: 'ORD-1', source: 'client' }),
      // the server's copy 40 s later with its own id: too far for the fuzzy match, same order
      ev('10:05:40', { event_name: 'purchase', value: 59.99, order_id: 'ORD-1', source: 'server' }),
      ev('10:07:00', { event_name: 'lead', value: 50 }),
      ev('10:08:00', { event_name: 'lead', value: 50 }),
    ]);
    await j.run(day, '2026-01-11');
    expect(await conversions(j)).toEqual([
      { order_id: 'ORD-1', event_name: 'purchase', value: 59.99, currency: 'USD', fx_rate: 1, value_reporting: '59.99', value_minor: 5999, fx_missing: false, duplicate_events: 1 },
      { order_id: null, event_name: 'lead', value: 50, currency: 'USD', fx_rate: 1, value_reporting: '50.00', value_minor: 5000, fx_missing: false, duplicate_events: 0 },
      { order_id: null, event_name: 'lead', value: 50, currency: 'USD', fx_rate: 1, value_reporting: '50.00', value_minor: 5000, fx_missing: false, duplicate_events: 0 },
    ]);
    expect(await j.rows(`SELECT event_name FROM engagements ORDER BY engagement_ts`)).toEqual([{ event_name: 'add_to_cart' }, { event_name: 'sign_up' }]);
    expect(await j.rows(`SELECT has_conversion, conversion_events, has_engagement, engagement_events FROM sessions`)).toEqual([
      { has_conversion: true, conversion_events: 4, has_engagement: true, engagement_events: 2 },
    ]);
  });

  it('converts to the reporting currency at the local date’s rate, and flags a missing rate instead of a zero', async () => {
    const fx = [{ date: day, currency: 'EUR', rate: 1.087654 }, { date: '2026-01-09', currency: 'GBP', rate: 1.27 }];
    const lateFx = [{ date: day, currency: 'GBP', rate: 1.25 }];
    const rows = [
      ev('10:00:00', { event_name: 'purchase', value: 100.05, currency: 'eur', order_id: 'E-1', anonymous_id: 'a1' }),
      ev('11:00:00', { event_name: 'purchase', value: 80, currency: 'GBP', order_id: 'G-1', anonymous_id: 'a2' }),
    ];
    const nextDay = [{ event_id: 'n1', ts: '2026-01-20T09:00:00Z', anonymous_id: 'a3' }];
    const j = await journeys();
    await j.insertFx(fx);
    await j.insert(rows);
    await j.run(day, '2026-01-11');
    expect(await conversions(j)).toEqual([
      { order_id: 'E-1', event_name: 'purchase', value: 100.05, currency: 'EUR', fx_rate: 1.087654, value_reporting: '108.82', value_minor: 10882, fx_missing: false, duplicate_events: 0 },
      { order_id: 'G-1', event_name: 'purchase', value: 80, currency: 'GBP', fx_rate: null, value_reporting: null, value_minor: null, fx_missing: true, duplicate_events: 0 },
    ]);
    // the missing rate arrives ten days later (outside the run's lookback): the run re-prices the conversion, as a full run would
    await j.insertFx(lateFx);
    await j.insert(nextDay);
    await j.run('2026-01-20', '2026-01-21');
    expect((await conversions(j))[1]).toMatchObject({ fx_rate: 1.25, value_reporting: '100.00', value_minor: 10000, fx_missing: false });
    const full = await journeys();
    await full.insertFx([...fx, ...lateFx]);
    await full.insert([...rows, ...nextDay]);
    await full.run(day, '2026-01-21', { fullRefresh: true });
    expect(await dumpTables(j.rows)).toEqual(await dumpTables(full.rows));
  });
});
