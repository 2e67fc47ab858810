/**
 * Times the journeys transforms on generated demo data (not part of `vitest run`):
 *
 *   node --import tsx test/integration/journeys/bench.ts [targetEvents=1000000]
 *
 * Loads the files once with the extract code, then times a full refresh and one daily
 * incremental run (the last day, with the default 3-day lookback), step by step.
 */
import { join } from 'node:path';
import { loadConfig } from '../../../config/index.ts';
import { createLogger } from '../../../lib/log.ts';
import { generateDemoData } from '../../../pipelines/demo/index.ts';
import { extractAll } from '../../../pipelines/extract/index.ts';
import { ensureRawTables, RAW_TABLES } from '../../../pipelines/extract/raw-tables.ts';
import { addDays } from '../../../pipelines/dates.ts';
import { createPipeline, runPipeline, type RunSummary, type TsStepDef } from '../../../pipelines/index.ts';
import { identityStep } from '../../../pipelines/steps/identity.ts';
import { journeyStartsStep } from '../../../pipelines/steps/journey-starts.ts';
import { openRunStore } from '../../../store/index.ts';
import { openDuckDb } from '../../../warehouse/duckdb/index.ts';
import { tempDir } from '../../helpers/tmp.ts';
import { journeysSqlDir } from './harness.ts';

const target = Number(process.argv[2] ?? 1_000_000);
const dir = tempDir('beamline-bench-journeys-');
const loaded: TsStepDef = { name: 'raw', kind: 'extract', produces: Object.keys(RAW_TABLES), reads: [], run: async () => ({ rowsOut: 0 }) };
try {
  let t = performance.now();
  const manifest = await generateDemoData({ outDir: join(dir.path, 'demo'), targetEvents: target });
  console.log(`generated ${manifest.totals.eventsWritten} event rows in ${Math.round(performance.now() - t)} ms`);
  const w = await openDuckDb({ path: join(dir.path, 'wh.duckdb') });
  await w.transaction((tx) => ensureRawTables(tx));
  const demo = (p: string) => join(dir.path, 'demo', p);
  t = performance.now();
  await extractAll(w, { sources: { events: [demo('events/*.ndjson'), demo('events/*.csv')], spend: [demo('spend/*.csv')], orders: [demo('orders/*.csv')], fx: [demo('fx/*.csv')] }, runId: 'bench', accountCurrency: 'USD', log: createLogger({ level: 'silent' }) });
  console.log(`extracted in ${Math.round(performance.now() - t)} ms`);
  const config = loadConfig({ cwd: dir.path, env: {}, overrides: { account: { time_zone: manifest.options.timeZone, currency: manifest.options.currency } } });
  const store = await openRunStore({ databaseUrl: '', sqlitePath: join(dir.path, 'runs.sqlite') });
  const pipeline = createPipeline({ sqlDir: journeysSqlDir(dir.path), tsSteps: [loaded, identityStep, journeyStartsStep] });
  const log = createLogger({ level: 'silent' });
  const report = (label: string, s: RunSummary) => {
    console.log(`\n${label}: ${s.status} in ${Math.round(s.ms)} ms (slice ${s.slice.from}..${s.slice.to})`);
    for (const step of s.steps) console.log(`  ${step.name.padEnd(20)} ${String(Math.round(step.ms)).padStart(7)} ms  ${String(step.rowsOut).padStart(9)} rows${step.details ? `  ${JSON.stringify(step.details)}` : ''}`);
    if (s.error) console.log(s.error);
  };
  const { from, to } = manifest.period;
  report('full refresh', await runPipeline({ config, pipeline, warehouse: w, store, log, slice: { from, to }, fullRefresh: true }));
  report('daily run (last day)', await runPipeline({ config, pipeline, warehouse: w, store, log, slice: { from: addDays(to, -1), to } }));
  const counts = await w.query(`SELECT (SELECT count(*) FROM stg_events) AS stg_events, (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM identity_map) AS ids,
    (SELECT count(DISTINCT person_id) FROM identity_map) AS persons, (SELECT count(*) FROM sessions) AS sessions, (SELECT count(*) FROM conversions) AS conversions`);
  console.log('\n', counts[0]);
  await w.close();
  await store.close();
} finally {
  dir.remove();
}
