/**
 * `npm run bench -- --events N [--dir D] [--memory-limit 4GB] [--skip-floor] [--nightly] [--horizon N] [--compression light] [--runs N] [--days D]`: generates about N demo events (30 days unless --days, both trackers),
 * runs the whole pipeline from raw files to reports on a fresh DuckDB file, and runs the one-pass
 * floor query over the same files. Prints JSON: rows/s per step, total wall time, peak RSS, and the
 * pipeline's time (and CPU time) as a multiple of the floor's. Each stage runs in its own process. `--nightly` adds
 * a scheduled night: the first 29 days built, then the last day's files arrive and one incremental
 * run (with the late-data lookback) rebuilds it; its wall and CPU time and slowest steps are printed.
 * `--horizon N` runs every stage with `sessions.rebuild_horizon_days: N` (what it saves shows in the nightly run);
 * `--compression light` with `warehouse.compression: light` (faster writes, a larger file: the pipeline prints `warehouseBytes`).
 * `--runs N` runs the pipeline and the floor N times each, interleaved (pipeline, floor, pipeline, …), so
 * each pair sees the machine in the same minute: `pipeline` and `floor` are then the median runs (by wall
 * time) and `runs` lists every run's wall and CPU time and each pair's ratio. On a shared machine one
 * run's time moves by ±15% from minute to minute; a ratio from interleaved pairs moves less.
 * Targets (issue #2, 2-core machine): 1M events < 10 s, peak RSS < 1.5 GB, within 2× of the floor.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { events: { type: 'string', default: '1000000' }, dir: { type: 'string' }, 'skip-floor': { type: 'boolean', default: false }, 'memory-limit': { type: 'string', default: '' }, nightly: { type: 'boolean', default: false }, horizon: { type: 'string' }, compression: { type: 'string' }, runs: { type: 'string', default: '1' }, days: { type: 'string', default: '30' } } });
const events = Number(values.events);
if (!Number.isInteger(events) || events < 1000) throw new Error(`--events must be a whole number ≥ 1000, got ${values.events}`);
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1 || runs > 20) throw new Error(`--runs must be a whole number from 1 to 20, got ${values.runs}`);
const days = Number(values.days);
if (!Number.isInteger(days) || days < 2 || days > 731) throw new Error(`--days must be a whole number from 2 to 731, got ${values.days}`);
const dir = resolve(values.dir ?? `.beamline/bench/${events}${days === 30 ? '' : `-${days}d`}`);
mkdirSync(dir, { recursive: true });

if (values.horizon !== undefined && !/^\d+$/.test(values.horizon)) throw new Error(`--horizon must be a whole number of days, got ${values.horizon}`);
if (values.compression !== undefined && !['auto', 'light'].includes(values.compression)) throw new Error(`--compression must be auto or light, got ${values.compression}`);
const env = { ...process.env, ...(values.horizon !== undefined ? { BEAMLINE_BENCH_HORIZON: values.horizon } : {}), ...(values.compression !== undefined ? { BEAMLINE_BENCH_COMPRESSION: values.compression } : {}), BEAMLINE_BENCH_DAYS: String(days) };

function stage(...args: string[]): Record<string, unknown> {
  const out = execFileSync(process.execPath, ['--import', 'tsx', new URL('./stage.ts', import.meta.url).pathname, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24, env });
  return JSON.parse(out.trim().split('\n').pop()!) as Record<string, unknown>;
}

const generated = stage('generate', dir, String(events));
const pipelines: Record<string, unknown>[] = [];
const floors: Record<string, unknown>[] = [];
for (let i = 0; i < runs; i++) {
  pipelines.push(stage('pipeline', dir, values['memory-limit']));
  if (!values['skip-floor']) floors.push(stage('floor', dir));
}
const pipeline = median(pipelines, 'totalMs');
const floor = floors.length ? median(floors, 'ms') : null;
const nightly = values.nightly ? stage('nightly', dir, values['memory-limit']) : null;
const totalMs = pipeline.totalMs as number;
// each interleaved pair's wall-time ratio
const pairRatios = floors.map((f, i) => (pipelines[i]!.totalMs as number) / (f.ms as number));
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
  runs: runs > 1
    ? {
        pipelineMs: pipelines.map((p) => p.totalMs),
        pipelineCpuMs: pipelines.map((p) => p.cpuMs),
        floorMs: floors.map((f) => f.ms),
        floorCpuMs: floors.map((f) => f.cpuMs),
        pairRatios: pairRatios.map((r) => Number(r.toFixed(2))),
        pairRatioMedian: pairRatios.length ? medianOf(pairRatios) : null,
      }
    : null,
  nightly,
  targets: { totalMsUnder: 10_000, peakRssMbUnder: 1536, ratioUnder: 2, scaledTo1M: true },
};
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);

/** The middle element of a sorted list (the lower middle of an even count). */
function middle<T>(sorted: readonly T[]): T {
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

/** The run with the median `key`. */
function median(xs: readonly Record<string, unknown>[], key: string): Record<string, unknown> {
  return middle([...xs].sort((a, b) => (a[key] as number) - (b[key] as number)));
}

function medianOf(xs: readonly number[]): number {
  return Number(middle([...xs].sort((a, b) => a - b)).toFixed(2));
}
