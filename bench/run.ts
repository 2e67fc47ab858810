/**
 * `npm run bench -- --events N [--dir D] [--memory-limit 4GB] [--skip-floor] [--nightly] [--horizon N] [--compression light]`: generates about N demo events (30 days, both trackers),
 * runs the whole pipeline from raw files to reports on a fresh DuckDB file, and runs the one-pass
 * floor query over the same files. Prints JSON: rows/s per step, total wall time, peak RSS, and the
 * pipeline's time (and CPU time) as a multiple of the floor's. Each stage runs in its own process. `--nightly` adds
 * a scheduled night: the first 29 days built, then the last day's files arrive and one incremental
 * run (with the late-data lookback) rebuilds it; its wall and CPU time and slowest steps are printed.
 * `--horizon N` runs every stage with `sessions.rebuild_horizon_days: N` (what it saves shows in the nightly run);
 * `--compression light` with `warehouse.compression: light` (faster writes, a larger file: the pipeline prints `warehouseBytes`).
 * Targets (issue #2, 2-core machine): 1M events < 10 s, peak RSS < 1.5 GB, within 2× of the floor.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { events: { type: 'string', default: '1000000' }, dir: { type: 'string' }, 'skip-floor': { type: 'boolean', default: false }, 'memory-limit': { type: 'string', default: '' }, nightly: { type: 'boolean', default: false }, horizon: { type: 'string' }, compression: { type: 'string' } } });
const events = Number(values.events);
if (!Number.isInteger(events) || events < 1000) throw new Error(`--events must be a whole number ≥ 1000, got ${values.events}`);
const dir = resolve(values.dir ?? `.beamline/bench/${events}`);
mkdirSync(dir, { recursive: true });

if (values.horizon !== undefined && !/^\d+$/.test(values.horizon)) throw new Error(`--horizon must be a whole number of days, got ${values.horizon}`);
if (values.compression !== undefined && !['auto', 'light'].includes(values.compression)) throw new Error(`--compression must be auto or light, got ${values.compression}`);
const env = { ...process.env, ...(values.horizon !== undefined ? { BEAMLINE_BENCH_HORIZON: values.horizon } : {}), ...(values.compression !== undefined ? { BEAMLINE_BENCH_COMPRESSION: values.compression } : {}) };

function stage(...args: string[]): Record<string, unknown> {
  const out = execFileSync(process.execPath, ['--import', 'tsx', new URL('./stage.ts', import.meta.url).pathname, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24, env });
  return JSON.parse(out.trim().split('\n').pop()!) as Record<string, unknown>;
}

const generated = stage('generate', dir, String(events));
const pipeline = stage('pipeline', dir, values['memory-limit']);
const floor = values['skip-floor'] ? null : stage('floor', dir);
const nightly = values.nightly ? stage('nightly', dir, values['memory-limit']) : null;
const totalMs = pipeline.totalMs as number;
const report = {
  events: generated.eventsWritten,
  memoryLimit: pipeline.memoryLimit,
  dir,
  generate: generated,
  pipeline,
  floor,
  ratioToFloor: floor ? Number((totalMs / (floor.ms as number)).toFixed(2)) : null,
  // CPU seconds (all threads) as a second ratio: it moves less than wall time when the machine is busy or slow
  cpuRatioToFloor: floor ? Number(((pipeline.cpuMs as number) / (floor.cpuMs as number)).toFixed(2)) : null,
  nightly,
  targets: { totalMsUnder: 10_000, peakRssMbUnder: 1536, ratioUnder: 2, scaledTo1M: true },
};
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
