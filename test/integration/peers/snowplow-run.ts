/**
 * Runs the whole pipeline (real extract, DuckDB, every step to the attribute step) on the Snowplow
 * fractribution peer's 98 raw atomic events (shared/peers/snowplow-fractribution/source), turned into
 * Beamline's input contract by {@link toContract}. Test-only.
 */
import { join } from 'node:path';
import { loadConfig } from '../../../config/index.ts';
import { createLogger } from '../../../lib/log.ts';
import { datesIn } from '../../../pipelines/dates.ts';
import { createPipeline, runPipeline } from '../../../pipelines/index.ts';
import { attributeStep } from '../../../pipelines/steps/attribute.ts';
import { extractStep } from '../../../pipelines/steps/extract.ts';
import { identityStep } from '../../../pipelines/steps/identity.ts';
import { journeyStartsStep } from '../../../pipelines/steps/journey-starts.ts';
import { reportDatesStep } from '../../../pipelines/steps/report-dates.ts';
import { openRunStore } from '../../../store/index.ts';
import type { Row } from '../../../warehouse/index.ts';
import { openDuckDb } from '../../../warehouse/duckdb/index.ts';
import { tempDir } from '../../helpers/tmp.ts';
import { readCsv } from '../../unit/models/peers.ts';

/** GA-style placeholders a Snowplow export writes where a marketing field is empty. */
const PLACEHOLDERS = new Set(['', '(direct)', '(none)', '(not set)']);

/**
 * One Snowplow atomic event as a Beamline event. The peer's marketing fields (mkt_source / medium /
 * campaign: Snowplow's parse of the landing URL's UTM parameters) go back into the page URL as
 * utm_* parameters; a row with a transaction total (`tr_total`) is a goal event named `transaction`
 * with that value (the peer's conversions); the cookie id (`domain_userid`) is the anonymous id.
 */
export function toContract(r: Readonly<Record<string, string>>): Record<string, unknown> {
  const utm = new URLSearchParams();
  for (const [param, field] of [['utm_source', 'mkt_source'], ['utm_medium', 'mkt_medium'], ['utm_campaign', 'mkt_campaign']] as const) {
    if (!PLACEHOLDERS.has(r[field] ?? '')) utm.set(param, r[field]!);
  }
  const query = utm.toString();
  return {
    event_id: r.event_id,
    event_name: r.tr_total ? 'transaction' : r.event_name,
    timestamp: r.derived_tstamp,
    source: 'clickbeam',
    anonymous_id: r.domain_userid,
    page_url: `https://${r.page_urlhost}/${query ? `?${query}` : ''}`,
    user_agent: r.useragent,
    ...(r.tr_total ? { value: Number(r.tr_total), currency: 'USD' } : {}),
  };
}

/**
 * The peer's conversion window, 2022-06-03 to 2022-08-01 with both ends included, as local dates
 * `[from, to)`: the run's slice, and the data-driven models' training window.
 */
export const WINDOW = { from: '2022-06-03', to: '2022-08-02' } as const;

/** Runs the pipeline on the peer's events; returns the queried rows of each SQL in `queries`. */
export async function runSnowplowPeer<K extends string>(queries: Readonly<Record<K, string>>): Promise<Record<K, Row[]>> {
  const dir = tempDir('beamline-peer-snowplow-');
  try {
    const events = readCsv('snowplow-fractribution/source/snowplow_fractribution_events.csv');
    dir.write('src/events/snowplow.ndjson', `${events.map((e) => JSON.stringify(toContract(e))).join('\n')}\n`);
    const config = loadConfig({
      cwd: dir.path,
      env: {},
      overrides: {
        account: { time_zone: 'UTC', currency: 'USD' },
        sources: { events: 'src/events/*.ndjson' },
        // the peer: 30-day path lookback, models trained on the conversion window, the exposure transform
        lookback: { attribution_days: 30, training_days: datesIn(WINDOW.from, WINDOW.to).length, late_data_days: 0 },
        attribution: { models: ['last_touch', 'linear', 'leave_one_out'], path_transforms: ['exposure'] },
      },
    });
    const w = await openDuckDb({ path: join(dir.path, 'wh.duckdb') });
    const store = await openRunStore({ databaseUrl: '', sqlitePath: join(dir.path, 'runs.sqlite') });
    try {
      const pipeline = createPipeline({ tsSteps: [extractStep, identityStep, journeyStartsStep, attributeStep, reportDatesStep] });
      const summary = await runPipeline({ config, pipeline, warehouse: w, store, log: createLogger({ level: 'silent' }), slice: { ...WINDOW }, fullRefresh: false });
      if (summary.status !== 'succeeded') throw summary.error ?? new Error('the peer run failed');
      const out = {} as Record<K, Row[]>;
      for (const [k, sql] of Object.entries(queries) as Array<[K, string]>) out[k] = await w.query(sql);
      return out;
    } finally {
      await w.close();
      await store.close();
    }
  } finally {
    dir.remove();
  }
}
