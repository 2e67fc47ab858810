import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataTestError } from '../../../lib/errors.ts';
import { MODEL_NAMES } from '../../../models/index.ts';
import { withoutAbility } from '../../helpers/without-ability.ts';
import { openFixture, type Fixture } from './fixtures.ts';

let f: Fixture;
beforeEach(async () => {
  f = await openFixture();
});
afterEach(async () => {
  await f.close();
});

const HEURISTIC = ['first_touch', 'last_touch', 'last_non_direct', 'linear', 'time_decay', 'position_based'];

/** p1: three touches and two conversions; p2: the lookback boundary; p3: no touch; p4: no fx rate; p5: never converts. */
async function seed(): Promise<void> {
  await f.touches([
    { id: 't1', person: 'p1', ts: '2026-03-01T10:00:00Z', channel: 'Organic Search', source: 'google', medium: 'organic' },
    { id: 't2', person: 'p1', ts: '2026-03-05T10:00:00Z', channel: 'Paid Search', source: 'google', medium: 'cpc', campaign: 'brand_search', campaignId: '20431001', platform: 'google_ads' },
    { id: 't3', person: 'p1', ts: '2026-03-10T10:00:00Z', channel: 'Email', source: 'newsletter', medium: 'email' },
    // c3 is at 2026-04-15T00:00Z: exactly 30 days before is in, one millisecond more is out.
    { id: 't4', person: 'p2', ts: '2026-03-16T00:00:00.000Z', channel: 'Referral' },
    { id: 't5', person: 'p2', ts: '2026-03-15T23:59:59.999Z', channel: 'Display' },
    { id: 't6', person: 'p2', ts: '2026-04-15T00:00:00.001Z', channel: 'Direct' }, // after the conversion
    { id: 't7', person: 'p4', ts: '2026-04-01T09:00:00Z', channel: 'Paid Social', platform: 'meta', campaign: 'prospecting_video' },
    { id: 't8', person: 'p5', ts: '2026-04-02T09:00:00Z', channel: 'Organic Social' },
    { id: 't9', person: 'p5', ts: '2026-04-03T09:00:00Z', channel: 'Direct' },
  ]);
  await f.conversions([
    { id: 'c1', person: 'p1', ts: '2026-03-06T12:00:00Z', value: 100, session: 't2' },
    { id: 'c2', person: 'p1', ts: '2026-03-10T10:05:00Z', value: 33.33, session: 't3' },
    { id: 'c3', person: 'p2', ts: '2026-04-15T00:00:00Z', value: 10 },
    { id: 'c4', person: 'p3', ts: '2026-04-20T08:00:00Z', value: 0.01 },
    { id: 'c5', person: 'p4', ts: '2026-04-01T09:30:00Z', value: null, session: 't7', fxMissing: true },
  ]);
}

const credits = (where: string) => f.rows(`SELECT touchpoint_id, channel, position, credit, CAST(revenue_credit AS VARCHAR) AS revenue FROM attribution_credits WHERE ${where} ORDER BY position`);

describe('the attribute step on hand-made journeys', () => {
  it('credits a person with three touches and two conversions by each path', async () => {
    await seed();
    const result = await f.attribute();
    expect(result.details).toMatchObject({ mode: 'full', conversions: 5, unattributed: 1, conversionsWithoutValue: 1 });
    expect(await credits(`conversion_id = 'c1' AND model = 'first_touch'`)).toEqual([{ touchpoint_id: 't1', channel: 'Organic Search', position: 1, credit: 1, revenue: '100.00' }]);
    expect(await credits(`conversion_id = 'c1' AND model = 'last_touch'`)).toEqual([{ touchpoint_id: 't2', channel: 'Paid Search', position: 2, credit: 1, revenue: '100.00' }]);
    // c2's path is t1, t2, t3 (its own session t3 included); 33.33 over three touches: 11.11 each.
    const linear = await credits(`conversion_id = 'c2' AND model = 'linear'`);
    expect(linear.map(({ credit, ...r }) => ({ ...r, credit: Number((credit as number).toFixed(12)) }))).toEqual([
      { touchpoint_id: 't1', channel: 'Organic Search', position: 1, credit: 0.333333333333, revenue: '11.11' },
      { touchpoint_id: 't2', channel: 'Paid Search', position: 2, credit: 0.333333333333, revenue: '11.11' },
      { touchpoint_id: 't3', channel: 'Email', position: 3, credit: 0.333333333333, revenue: '11.11' },
    ]);
    // Position based 40/20/40 of 3333 cents: 1333.2, 666.6, 1333.2 → floors 1333 + 666 + 1333 = 3332; the
    // one cent left goes to the largest remainder (.6, the middle touch).
    expect((await credits(`conversion_id = 'c2' AND model = 'position_based'`)).map((r) => r.revenue)).toEqual(['13.33', '6.67', '13.33']);
    const [row] = await f.rows(`SELECT * FROM attribution_credits WHERE conversion_id = 'c1' AND model = 'last_touch'`);
    expect(row).toMatchObject({
      person_id: 'p1', local_date: '2026-03-06', model_version: '1', session_id: 't2', source: 'google', medium: 'cpc',
      campaign: 'brand_search', campaign_id: '20431001', platform: 'google_ads', training_from: null, training_to: null,
    });
    expect((row!.conversion_ts as Date).toISOString()).toBe('2026-03-06T12:00:00.000Z');
  });

  it('keeps touches from exactly the lookback before the conversion up to the conversion, and no later', async () => {
    await seed();
    await f.attribute();
    expect(await credits(`conversion_id = 'c3' AND model = 'linear'`)).toEqual([{ touchpoint_id: 't4', channel: 'Referral', position: 1, credit: 1, revenue: '10.00' }]);
  });

  it('credits a conversion without touchpoints to (none) under every model, never dropping it', async () => {
    await seed();
    await f.attribute();
    const rows = await f.rows(`SELECT model, touchpoint_id, position, channel, credit, CAST(revenue_credit AS VARCHAR) AS revenue FROM attribution_credits WHERE conversion_id = 'c4' ORDER BY model`);
    expect(rows.map((r) => r.model)).toEqual([...MODEL_NAMES].sort());
    for (const r of rows) expect(r).toMatchObject({ touchpoint_id: null, position: 0, channel: '(none)', credit: 1, revenue: '0.01' });
  });

  it('gives a conversion without a reporting-currency value full conversion credit and NULL revenue', async () => {
    await seed();
    await f.attribute();
    const rows = await f.rows(`SELECT model, channel, credit, revenue_credit FROM attribution_credits WHERE conversion_id = 'c5'`);
    expect(rows).toHaveLength(MODEL_NAMES.length);
    for (const r of rows) expect(r).toMatchObject({ channel: 'Paid Social', credit: 1, revenue_credit: null });
  });

  it('allocates each conversion value exactly to the cent under every model', async () => {
    await seed();
    await f.attribute();
    const sums = await f.rows(`
      SELECT a.conversion_id, a.model, sum(a.credit) AS credit, sum(a.revenue_credit) = c.value_reporting AS exact
      FROM attribution_credits a JOIN conversions c USING (conversion_id)
      WHERE NOT c.fx_missing GROUP BY a.conversion_id, a.model, c.value_reporting`);
    expect(sums).toHaveLength(4 * MODEL_NAMES.length);
    for (const s of sums) {
      expect(s.exact).toBe(true);
      expect(Math.abs((s.credit as number) - 1)).toBeLessThan(1e-9);
    }
  });

  it('trains the data-driven models on the trailing window and records it', async () => {
    await seed();
    const result = await f.attribute({ from: '2026-04-01', to: '2026-05-01' });
    expect(result.details).toMatchObject({ trainingWindow: '2026-01-31..2026-05-01', trainingConversions: 5, trainingNonConversions: 1 });
    const training = await f.rows(`SELECT model, model_version, training_from, training_to, paths, conversions, non_conversions FROM attribution_training ORDER BY model`);
    expect(training).toEqual(['leave_one_out', 'markov', 'shapley'].map((model) => ({
      model, model_version: '1', training_from: '2026-01-31', training_to: '2026-05-01', paths: 6, conversions: 5, non_conversions: 1,
    })));
    const [markov] = await f.rows(`SELECT summary FROM attribution_training WHERE model = 'markov'`);
    expect(JSON.parse(markov!.summary as string)).toMatchObject({ order: 1, solver: 'dense' });
    const windows = await f.rows(`SELECT DISTINCT model, training_from FROM attribution_credits WHERE model IN ('markov', 'shapley', 'leave_one_out') ORDER BY model`);
    expect(windows.map((r) => r.training_from)).toEqual(['2026-01-31', '2026-01-31', '2026-01-31']);
  });

  it('runs only the configured models, with the configured settings', async () => {
    await f.close();
    f = await openFixture({ attribution: { models: ['linear', 'time_decay'], time_decay: { half_life_days: 1 } } });
    await seed();
    const result = await f.attribute();
    expect(result.details).toMatchObject({ models: ['linear@1', 'time_decay@1'], trainingWindow: null });
    // c1: t1 is 5 days + 2 h before, t2 1 day + 2 h before; half-life 1 day: weights 2^-5.083 and 2^-1.083.
    const rows = await credits(`conversion_id = 'c1' AND model = 'time_decay'`);
    const w1 = 2 ** -(122 / 24);
    const w2 = 2 ** -(26 / 24);
    expect(rows[0]!.credit).toBeCloseTo(w1 / (w1 + w2), 12);
    expect(await f.rows(`SELECT count(*)::INTEGER AS n FROM attribution_training`)).toEqual([{ n: 0 }]);
  });

  it('incremental: recomputes only the dirty persons, and running twice gives the same table', async () => {
    await seed();
    await f.attribute();
    const before = await f.dump();
    // p1's first touch is reclassified and p2's changes too, but only p1 is marked dirty.
    await f.w.exec(`UPDATE touchpoints SET channel = 'Organic Social' WHERE touchpoint_id = 't1'`);
    await f.w.exec(`UPDATE touchpoints SET channel = 'Affiliates' WHERE touchpoint_id = 't4'`);
    await f.dirty(['p1']);
    const result = await f.attribute();
    expect(result.details).toMatchObject({ mode: 'incremental', conversions: 2 });
    expect(await credits(`conversion_id = 'c1' AND model = 'first_touch'`)).toMatchObject([{ channel: 'Organic Social' }]);
    expect(await credits(`conversion_id = 'c3' AND model = 'first_touch'`)).toMatchObject([{ channel: 'Referral' }]); // not dirty: untouched
    const heuristicOthers = `person_id <> 'p1' AND model IN (${HEURISTIC.map((m) => `'${m}'`).join(', ')})`;
    expect(await f.dump(heuristicOthers)).toEqual(before.filter((r) => !r.includes('"person_id":"p1"') && HEURISTIC.some((m) => r.includes(`"model":"${m}"`))));
    expect(await f.rows(`SELECT local_date FROM attribution_dirty_dates ORDER BY local_date`)).toEqual([{ local_date: '2026-03-06' }, { local_date: '2026-03-10' }]);
    const once = await f.dump();
    await f.attribute();
    expect(await f.dump()).toEqual(once);
  });

  it('a full refresh twice gives the same table', async () => {
    await seed();
    await f.attribute(undefined, { fullRefresh: true });
    const once = await f.dump();
    await f.attribute(undefined, { fullRefresh: true });
    expect(await f.dump()).toEqual(once);
  });

  it('removes the credits of a person merged away, and moves a conversion to its new person', async () => {
    await seed();
    await f.attribute();
    // p2 is merged into p1: p2 vanishes, its conversion and touches now belong to p1.
    await f.w.exec(`UPDATE touchpoints SET person_id = 'p1' WHERE person_id = 'p2'`);
    await f.w.exec(`UPDATE conversions SET person_id = 'p1' WHERE person_id = 'p2'`);
    await f.dirty(['p1', 'p2']);
    await f.attribute();
    expect(await f.rows(`SELECT count(*)::INTEGER AS n FROM attribution_credits WHERE person_id = 'p2'`)).toEqual([{ n: 0 }]);
    expect(await f.rows(`SELECT count(DISTINCT conversion_id)::INTEGER AS n FROM attribution_credits WHERE person_id = 'p1'`)).toEqual([{ n: 3 }]);
    // c3 now sees p1's touches too, but they are all over 30 days before it (t3: 36 days): its path is still t4.
    expect(await credits(`conversion_id = 'c3' AND model = 'first_touch'`)).toMatchObject([{ touchpoint_id: 't4' }]);
  });

  it('a failed data test rolls the write back and fails the step; the persons stay queued for the next run', async () => {
    await seed();
    await f.attribute();
    const before = await f.dump();
    // The journeys layer hands over a value whose cents disagree with its decimal value.
    await f.w.exec(`UPDATE conversions SET value_minor = 9999 WHERE conversion_id = 'c1'`);
    await f.dirty(['p1']);
    const err = await f.attribute().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataTestError);
    expect((err as Error).message).toMatch(/revenue_sums_to_value: conversion c1/);
    expect(await f.dump()).toEqual(before);
    expect(await f.rows(`SELECT person_id FROM attribution_pending`)).toEqual([{ person_id: 'p1' }]);
    // Fixed upstream; the next run's dirty list no longer names p1, but the queue does.
    await f.w.exec(`UPDATE conversions SET value_minor = 10000 WHERE conversion_id = 'c1'`);
    await f.dirty([]);
    const result = await f.attribute();
    expect(result.details).toMatchObject({ conversions: 2 });
    expect(await f.rows(`SELECT count(*)::INTEGER AS n FROM attribution_pending`)).toEqual([{ n: 0 }]);
  });
});

describe('the credit stage', () => {
  it('is a temporary table where the warehouse appends into one (DuckDB), a table of the warehouse elsewhere', async () => {
    const { stageRows, dropStages } = await import('../../../pipelines/attribution/tables.ts');
    const kind = async () => (await f.rows(`SELECT table_name, temporary FROM duckdb_tables() WHERE table_name LIKE 'attribution_%__stage' ORDER BY 1`));
    await stageRows(f.w, [], []);
    expect(await kind()).toEqual([{ table_name: 'attribution_credits__stage', temporary: true }, { table_name: 'attribution_training__stage', temporary: true }]);
    await dropStages(f.w);
    // the same warehouse without the ability (as BigQuery, whose append is a load job into a dataset table)
    await stageRows(withoutAbility(f.w, 'appendsToTempTables'), [], []);
    expect(await kind()).toEqual([{ table_name: 'attribution_credits__stage', temporary: false }, { table_name: 'attribution_training__stage', temporary: false }]);
    await dropStages(f.w);
    expect(await kind()).toEqual([]);
  });

  it("joins each credit's conversion and touch back as it is inserted, and refuses credits whose conversion is gone", async () => {
    await seed();
    await f.attribute();
    const { ensureTables, stageRows, insertStaged, dropStages } = await import('../../../pipelines/attribution/tables.ts');
    await ensureTables(f.w);
    const model = { name: 'linear', version: 'v-test', trainingFrom: null, trainingTo: null };
    const cols = `conversion_id, person_id, CAST(conversion_ts AS VARCHAR) AS ts, CAST(local_date AS VARCHAR) AS d, model_version, touchpoint_id, session_id, channel, source, medium, campaign, campaign_id, platform, CAST(revenue_credit AS VARCHAR) AS revenue, training_from`;
    await f.w.exec(`DELETE FROM attribution_credits WHERE TRUE`);
    await stageRows(f.w, [['c1', 'linear', 't2', 2, 'Paid Search', 1, 10000], ['c4', 'linear', null, 0, '(none)', 1, 1]], []);
    await f.w.transaction((tx) => insertStaged(tx, 'r-test', [model], 2));
    expect(await f.rows(`SELECT ${cols} FROM attribution_credits ORDER BY conversion_id`)).toEqual([
      { conversion_id: 'c1', person_id: 'p1', ts: '2026-03-06 12:00:00+00', d: '2026-03-06', model_version: 'v-test', touchpoint_id: 't2', session_id: 't2', channel: 'Paid Search', source: 'google', medium: 'cpc', campaign: 'brand_search', campaign_id: '20431001', platform: 'google_ads', revenue: '100.00', training_from: null },
      { conversion_id: 'c4', person_id: 'p3', ts: '2026-04-20 08:00:00+00', d: '2026-04-20', model_version: 'v-test', touchpoint_id: null, session_id: null, channel: '(none)', source: null, medium: null, campaign: null, campaign_id: null, platform: null, revenue: '0.01', training_from: null },
    ]);
    await dropStages(f.w);
    // a credit of a conversion no longer in `conversions`: the transaction fails, nothing is written
    await stageRows(f.w, [['c1', 'linear', 't2', 1, 'Paid Search', 1, 10000], ['gone', 'linear', null, 0, '(none)', 1, 500]], []);
    await expect(f.w.transaction((tx) => insertStaged(tx, 'r-test', [model], 2))).rejects.toThrow('2 credit rows staged but 1 inserted');
    expect(await f.rows(`SELECT count(*)::INTEGER AS n FROM attribution_credits`)).toEqual([{ n: 2 }]);
    await dropStages(f.w);
  });
});
