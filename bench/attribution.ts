/**
 * Attribution step benchmark on the demo data. Run: `node --import tsx bench/attribution.ts`
 * (prints one JSON object). BEAMLINE_BENCH_EVENTS sets the size (default 1,000,000 event rows).
 *
 * 1. Generates the demo data and runs the pipeline once, full refresh (extract → journeys → attribute
 *    → reports), to build the journeys tables; reports each step's time.
 * 2. Runs the attribute step alone, full refresh, end to end (read paths, read training journeys,
 *    train, credit, stage, swap in one transaction, data tests) once per model and once with every
 *    model, and reports conversions per second. Each figure is the best of three runs.
 *
 * Not part of `npm test`: timings depend on the machine.
 */
import { join } from 'node:path';
import { loadConfig } from '../config/index.ts';
import { createLogger } from '../lib/log.ts';
import { MODEL_NAMES } from '../models/index.ts';
import { generateDemoData } from '../pipelines/demo/index.ts';
import { createPipeline, runPipeline, type StepContext } from '../pipelines/index.ts';
import { attributeStep, runAttribution } from '../pipelines/steps/attribute.ts';
import { extractStep } from '../pipelines/steps/extract.ts';
import { identityStep } from '../pipelines/steps/identity.ts';
import { journeyStartsStep } from '../pipelines/steps/journey-starts.ts';
import { openRunStore } from '../store/index.ts';
import { openDuckDb } from '../warehouse/duckdb/index.ts';
import { tempDir } from '../test/helpers/tmp.ts';

const targetEvents = Number(process.env.BEAMLINE_BENCH_EVENTS ?? 1_000_000);


const dir = tempDir('beamline-bench-attribution-');
try {
  const t0 = performance.now();
  const manifest = await generateDemoData({ outDir: join(dir.path, 'demo'), targetEvents });
  const generateMs = performance.now() - t0;
  const w = await openDuckDb({ path: join(dir.path, 'wh.duckdb') });
  const store = await openRunStore({ databaseUrl: '', sqlitePath: join(dir.path, 'runs.sqlite') });
  const log = createLogger({ level: 'silent' });
  const configFor = (attribution: Record<string, unknown>) =>
    loadConfig({
      cwd: dir.path,
      env: {},
      overrides: {
        account: { time_zone: manifest.options.timeZone, currency: manifest.options.currency },
        sources: { events: ['demo/events/*.ndjson', 'demo/events/*.csv'], spend: 'demo/spend/*.csv', orders: 'demo/orders/*.csv', fx: 'demo/fx/*.csv' },
        attribution,
      },
    });
  const config = configFor({});
  const summary = await runPipeline({ config, pipeline: createPipeline({ tsSteps: [extractStep, identityStep, journeyStartsStep, attributeStep] }), warehouse: w, store, log, slice: manifest.period, fullRefresh: true, kind: 'bench' });
  if (summary.status !== 'succeeded') throw summary.error ?? new Error('pipeline failed');

  const [counts] = await w.query<{ events: number; touchpoints: number; conversions: number; persons: number }>(
    `SELECT (SELECT count(*) FROM raw_events) AS events, (SELECT count(*) FROM touchpoints) AS touchpoints,
            (SELECT count(*) FROM conversions) AS conversions, (SELECT count(DISTINCT person_id) FROM touchpoints) AS persons`,
  );
  const conversions = Number(counts!.conversions);

  const timeStep = async (models: readonly string[]) => {
    const ctx: StepContext = { config: configFor({ models }), warehouse: w, runId: 'bench', slice: manifest.period, fullRefresh: true, log, now: new Date() };
    let best = Infinity;
    let details: Readonly<Record<string, unknown>> | undefined;
    let rows = 0;
    for (let i = 0; i < 3; i++) {
      const start = performance.now();
      const r = await runAttribution(ctx);
      const ms = performance.now() - start;
      if (ms < best) [best, details, rows] = [ms, r.details, r.rowsOut];
    }
    return { ms: Math.round(best), conversionsPerSecond: Math.round((conversions / best) * 1000), creditRows: rows, phasesMs: details?.ms };
  };

  const perModel: Record<string, unknown> = {};
  for (const m of MODEL_NAMES) perModel[m] = await timeStep([m]);
  const allModels = await timeStep(MODEL_NAMES);

  console.log(JSON.stringify({
    targetEvents,
    data: { events: Number(counts!.events), touchpoints: Number(counts!.touchpoints), persons: Number(counts!.persons), conversions, period: manifest.period },
    generateMs: Math.round(generateMs),
    pipelineStepsMs: Object.fromEntries(summary.steps.map((s) => [s.name, Math.round(s.ms)])),
    attributeStep: { perModel, allModels },
  }, null, 2));
  await w.close();
  await store.close();
} finally {
  dir.remove();
}
