import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { duckdbDialect as d } from '../../../warehouse/dialect.ts';
import { openDuckDb, type DuckDbWarehouse } from '../../../warehouse/duckdb/index.ts';

// pipeline_health_current counts raw rows per UTC quarter-hour and gives each quarter-hour one local
// date (quarterHour in warehouse/dialect.ts): exact only if every instant of a quarter-hour has the
// local date of the quarter-hour's start, in every zone an account may use.
let w: DuckDbWarehouse;
beforeAll(async () => {
  w = await openDuckDb({ path: ':memory:' });
});
afterAll(async () => {
  await w.close();
});

// whole-hour zones with DST on both hemispheres, and the zones whose offsets are not whole hours:
// +05:30, +05:45, −03:30 / −02:30, +10:30 / +11 (a half-hour DST), +12:45 / +13:45
const ZONES = ['America/New_York', 'Europe/Berlin', 'Australia/Sydney', 'Asia/Kolkata', 'Asia/Kathmandu', 'America/St_Johns', 'Australia/Lord_Howe', 'Pacific/Chatham'];

describe('quarterHour (DuckDB)', () => {
  it('gives the instants of 2026 the local date of its quarter-hour, whatever the session time zone', async () => {
    for (const session of ['UTC', 'Asia/Kathmandu']) {
      await w.exec(`SET TimeZone = '${session}'`);
      for (const zone of ZONES) {
        // every 7 minutes: 7 and 15 are coprime, so the samples land on every minute of the quarter-hour in turn
        const rows = await w.query<{ samples: bigint | number; differ: bigint | number; off_quarter: bigint | number }>(`
          SELECT count(*) AS samples,
            count(*) FILTER (WHERE ${d.localDate('q', zone)} <> ${d.localDate('ts', zone)}) AS differ,
            count(*) FILTER (WHERE epoch_ms(q) % 900000 <> 0 OR q > ts OR ts - q >= INTERVAL 15 MINUTE) AS off_quarter
          FROM (
            SELECT ts, ${d.quarterHour('ts')} AS q
            FROM (SELECT unnest(generate_series(TIMESTAMPTZ '2026-01-01 00:00:00+00', TIMESTAMPTZ '2027-01-01 00:00:00+00', INTERVAL 7 MINUTE)) AS ts)
          )`);
        expect({ session, zone, samples: Number(rows[0]!.samples), differ: Number(rows[0]!.differ), offQuarter: Number(rows[0]!.off_quarter) })
          .toEqual({ session, zone, samples: 75_086, differ: 0, offQuarter: 0 });
      }
    }
    await w.exec(`SET TimeZone = 'UTC'`);
  });

  it('would not hold for whole-hour buckets (the check can fail)', async () => {
    const rows = await w.query<{ differ: bigint | number }>(`
      SELECT count(*) FILTER (WHERE ${d.localDate("time_bucket(INTERVAL 1 HOUR, ts)", 'Asia/Kathmandu')} <> ${d.localDate('ts', 'Asia/Kathmandu')}) AS differ
      FROM (SELECT unnest(generate_series(TIMESTAMPTZ '2026-03-01 00:00:00+00', TIMESTAMPTZ '2026-03-02 00:00:00+00', INTERVAL 1 MINUTE)) AS ts)`);
    expect(Number(rows[0]!.differ)).toBe(45);
  });
});
