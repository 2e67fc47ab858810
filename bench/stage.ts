/**
 * One stage of the benchmark, run in its own process so its peak RSS is its own:
 *   generate <dir> <events>   demo data for about <events> events (skipped when already there)
 *   pipeline <dir> [limit]    the whole pipeline, raw files to reports, on a fresh DuckDB file (DuckDB memory_limit, e.g. 4GB; default: the config's, 900MB)
 *   floor <dir>               the hand-written one-pass DuckDB floor (bench/floor.sql)
 *   nightly <dir> [limit]     a nightly run: the first DAYS-1 days' files are built (full), then the last
 *                             day's files arrive and one incremental run rebuilds that day (with the
 *                             late-data lookback), as a scheduled run would; reports the second run
 *                             (wall and CPU time, each step); BEAMLINE_BENCH_KEEP=1 keeps <dir>/nightly
 * Prints one JSON object on stdout.
 */
import { existsSync, linkSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../config/index.ts';
import { createLogger } from '../lib/log.ts';
import { generateDemoData } from '../pipelines/demo/index.ts';
import { addDays } from '../pipelines/dates.ts';
import { createPipeline } from '../pipelines/index.ts';
import { runPipeline } from '../pipelines/runner.ts';
import { openRunStore } from '../store/index.ts';
import { openDuckDb } from '../warehouse/duckdb/index.ts';
import { demoConfig } from '../cli/commands/demo.ts';

const [stage, dir, arg] = process.argv.slice(2);
const START = '2026-03-01';
// BEAMLINE_BENCH_DAYS (bench/run.ts --days N): the data set's length in days
const DAYS = Number(process.env.BEAMLINE_BENCH_DAYS ?? 30);

function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

/** The process's CPU time (user + system, every thread) since `start`, in ms. */
function cpuMsSince(start: NodeJS.CpuUsage): number {
  const cpu = process.cpuUsage(start);
  return Math.round((cpu.user + cpu.system) / 1000);
}

async function generate(events: number) {
  const manifestFile = join(dir!, 'data', 'manifest.json');
  if (existsSync(manifestFile)) {
    const m = JSON.parse(readFileSync(manifestFile, 'utf8')) as { options: { targetEvents?: number; days?: number }; totals: { eventsWritten: number } };
    if (m.options.targetEvents === events && m.options.days === DAYS) return { stage, reused: true, eventsWritten: m.totals.eventsWritten };
  }
  const t0 = performance.now();
  const m = await generateDemoData({ outDir: join(dir!, 'data'), startDate: START, days: DAYS, targetEvents: events, seed: 7, timeZone: 'America/New_York' });
  return { stage, reused: false, eventsWritten: m.totals.eventsWritten, ms: Math.round(performance.now() - t0), peakRssMb: peakRssMb() };
}

/**
 * One pipeline run on the warehouse and run store in `home` (files kept from earlier runs), with the
 * config the demo writes; times include closing the warehouse (its last checkpoint: part of getting
 * the reports onto disk). Throws when the run does not succeed.
 */
async function runOnce(home: string, slice: { from: string; to: string }, lookback: boolean) {
  // BEAMLINE_BENCH_HORIZON=N (bench/run.ts --horizon N): sessions.rebuild_horizon_days for the run
  const horizon = process.env.BEAMLINE_BENCH_HORIZON ? { sessions: { rebuild_horizon_days: Number(process.env.BEAMLINE_BENCH_HORIZON) } } : {};
  const config = loadConfig({ overrides: { ...demoConfig('America/New_York'), ...horizon }, cwd: home, env: {} });
  if (config.warehouse.type !== 'duckdb') throw new Error('the bench runs on DuckDB');
  const memoryLimit = arg || config.warehouse.memoryLimit;
  // BEAMLINE_BENCH_COMPRESSION=light (bench/run.ts --compression light): warehouse.compression
  const compression = process.env.BEAMLINE_BENCH_COMPRESSION === 'light' ? 'light' : config.warehouse.compression;
  const warehouse = await openDuckDb({ path: join(home, 'warehouse.duckdb'), memoryLimit, compression });
  const store = await openRunStore({ databaseUrl: '', sqlitePath: join(home, 'runs.sqlite') });
  const log = createLogger({ level: 'error' });
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  try {
    const summary = await runPipeline({ config, pipeline: createPipeline(), warehouse, store, log, slice, lookback, kind: 'bench', trigger: 'bench' });
    const runMs = performance.now() - t0;
    await warehouse.close();
    const totalMs = performance.now() - t0;
    const cpuMs = cpuMsSince(cpu0);
    if (summary.status !== 'succeeded') throw summary.error ?? new Error('pipeline failed');
    return { summary, memoryLimit, compression: compression ?? 'auto', runMs, totalMs, cpuMs, horizonDays: config.sessions.rebuildHorizonDays ?? null };
  } finally {
    await store.close();
  }
}

async function pipeline() {
  for (const f of ['warehouse.duckdb', 'warehouse.duckdb.wal', 'runs.sqlite', 'runs.sqlite-wal', 'runs.sqlite-shm']) rmSync(join(dir!, f), { force: true });
  const { summary, memoryLimit, compression, runMs, totalMs, cpuMs } = await runOnce(dir!, { from: START, to: addDays(START, DAYS + 1) }, false);
  return {
    stage,
    totalMs: Math.round(totalMs),
    cpuMs,
    closeMs: Math.round(totalMs - runMs),
    memoryLimit,
    compression,
    warehouseBytes: statSync(join(dir!, 'warehouse.duckdb')).size,
    peakRssMb: peakRssMb(),
    steps: summary.steps.map((s) => ({ step: s.name, rows: s.rowsOut, ms: Math.round(s.ms), rowsPerSec: s.ms > 0 ? Math.round((s.rowsOut / s.ms) * 1000) : null })),
  };
}

/** Hard links to the data files in `into`, all of them or all but the last day's (file names carry their date). */
function linkData(into: string, lastDay: string, withLastDay: boolean): number {
  let n = 0;
  for (const kind of readdirSync(join(dir!, 'data'), { withFileTypes: true }).filter((d) => d.isDirectory())) {
    mkdirSync(join(into, 'data', kind.name), { recursive: true });
    for (const f of readdirSync(join(dir!, 'data', kind.name))) {
      if (f.includes(lastDay) !== withLastDay) continue;
      linkSync(join(dir!, 'data', kind.name, f), join(into, 'data', kind.name, f));
      n++;
    }
  }
  return n;
}

async function nightly() {
  const home = join(dir!, 'nightly');
  rmSync(home, { recursive: true, force: true });
  const lastDay = addDays(START, DAYS - 1);
  linkData(home, lastDay, false);
  const history = await runOnce(home, { from: START, to: lastDay }, false);
  const newFiles = linkData(home, lastDay, true);
  const night = await runOnce(home, { from: lastDay, to: addDays(lastDay, 1) }, true);
  const steps = night.summary.steps.map((s) => ({ step: s.name, rows: s.rowsOut, ms: Math.round(s.ms) }));
  if (!process.env.BEAMLINE_BENCH_KEEP) rmSync(home, { recursive: true, force: true });
  return {
    stage, horizonDays: night.horizonDays, historyDays: DAYS - 1, historyMs: Math.round(history.totalMs), newFiles, nightlyMs: Math.round(night.totalMs), nightlyCpuMs: night.cpuMs, historyCpuMs: history.cpuMs,
    memoryLimit: night.memoryLimit, peakRssMb: peakRssMb(), steps: steps.filter((s) => s.ms >= 50).sort((a, b) => b.ms - a.ms),
  };
}

async function floor() {
  const files = readdirSync(join(dir!, 'data', 'events')).filter((f) => f.endsWith('.ndjson')).map((f) => join(dir!, 'data', 'events', f));
  const sql = readFileSync(fileURLToPath(new URL('./floor.sql', import.meta.url)), 'utf8').replaceAll('{{files}}', `[${files.map((f) => `'${f.replace(/'/g, "''")}'`).join(', ')}]`);
  const path = join(dir!, 'floor.duckdb');
  rmSync(path, { force: true });
  const w = await openDuckDb({ path });
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await w.exec(sql);
  const ms = performance.now() - t0;
  const cpuMs = cpuMsSince(cpu0);
  const [row] = await w.query<{ n: number }>('SELECT count(*)::INTEGER AS n FROM floor_credits');
  await w.close();
  rmSync(path, { force: true });
  return { stage, ms: Math.round(ms), cpuMs, conversions: row?.n ?? 0, peakRssMb: peakRssMb(), note: 'NDJSON files only (the pipeline also reads the CSV event files)' };
}

const result = stage === 'generate' ? await generate(Number(arg)) : stage === 'pipeline' ? await pipeline() : stage === 'floor' ? await floor() : stage === 'nightly' ? await nightly() : null;
if (result === null) throw new Error(`unknown stage ${stage}`);
process.stdout.write(`${JSON.stringify(result)}\n`);
