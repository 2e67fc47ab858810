/**
 * The attribute step's statements and the attribution reports, rendered for BigQuery and checked by
 * ZetaSQL (BigQuery's front end), against the journeys tables' schemas as the contract gives them —
 * so this check does not wait on the journeys SQL passing its own.
 */
import { cpSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RAW_TABLES } from '../../../pipelines/extract/raw-tables.ts';
import { createPipeline, type TsStepDef } from '../../../pipelines/index.ts';
import { attributeStep } from '../../../pipelines/steps/attribute.ts';
import { startZetaSql, type ZetaSqlServer } from '../../helpers/zetasql.ts';
import { tempDir } from '../../helpers/tmp.ts';
import { analyzeDag, type StepVerdict } from '../bigquery/dag-statements.ts';

/** The journeys layer's tables, as the attribution issue's contract names them. */
const JOURNEYS = {
  touchpoints: {
    touchpoint_id: 'VARCHAR', person_id: 'VARCHAR', session_id: 'VARCHAR', touch_ts: 'TIMESTAMPTZ', local_date: 'DATE', channel: 'VARCHAR', source: 'VARCHAR',
    medium: 'VARCHAR', campaign: 'VARCHAR', campaign_id: 'VARCHAR', term: 'VARCHAR', content: 'VARCHAR', platform: 'VARCHAR', click_id: 'VARCHAR', landing_page: 'VARCHAR', referrer_host: 'VARCHAR',
  },
  conversions: {
    conversion_id: 'VARCHAR', person_id: 'VARCHAR', session_id: 'VARCHAR', event_key: 'VARCHAR', conversion_ts: 'TIMESTAMPTZ', local_date: 'DATE', event_name: 'VARCHAR',
    order_id: 'VARCHAR', value: 'DOUBLE', currency: 'VARCHAR', fx_rate: 'DOUBLE', value_reporting: 'DECIMAL(18,2)', value_minor: 'BIGINT', fx_missing: 'BOOLEAN',
  },
  dirty_persons: { person_id: 'VARCHAR', batch: 'VARCHAR' },
  fx_rates: { rate_date: 'DATE', currency: 'VARCHAR', rate: 'DOUBLE' },
  // the report_dates step's snapshot, which rpt_roas_daily is keyed by
  report_dates: { table_name: 'VARCHAR', local_date: 'DATE', write_id: 'VARCHAR', snapshot_id: 'VARCHAR' },
} as const;

/** Stands in for extract and the journeys layer (not analyzed here: their tables come from JOURNEYS). */
const upstream: TsStepDef[] = [
  { name: 'extract', kind: 'extract', produces: Object.keys(RAW_TABLES), reads: [], run: async () => ({ rowsOut: 0 }) },
  { name: 'journeys', kind: 'extract', produces: Object.keys(JOURNEYS), reads: [], run: async () => ({ rowsOut: 0 }) },
];

let server: ZetaSqlServer;
const dir = tempDir('beamline-attribution-zeta-');
let verdicts: StepVerdict[];

beforeAll(async () => {
  server = await startZetaSql();
  cpSync(fileURLToPath(new URL('../../../sql/attribution/', import.meta.url)), `${dir.path}/attribution`, { recursive: true });
  const pipeline = createPipeline({ sqlDir: dir.path, tsSteps: [...upstream, attributeStep] });
  verdicts = await analyzeDag(pipeline, server.analyzer(), JOURNEYS);
}, 120_000);
afterAll(async () => {
  await server?.stop();
  dir.remove();
});

describe('attribution SQL for BigQuery', () => {
  it.each(['attribute', 'stg_ad_spend', 'rpt_attribution_daily', 'rpt_roas_daily'])('%s resolves', (name) => {
    const v = verdicts.find((x) => x.name === name);
    expect(v, `${name} analyzed`).toBeDefined();
    if (v!.error !== null) expect.fail(`${v!.name} (${v!.where}):\n${v!.error}`);
    expect(v!.statements).toBeGreaterThan(0);
  });
});
