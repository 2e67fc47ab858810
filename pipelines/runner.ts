/**
 * The in-process runner: runs the pipeline's steps in order on one machine, with no Redis. Each step
 * is recorded in the run store (status, rows, timings; the transform ledger for SQL steps). The
 * BullMQ workers run the very same steps through {@link runStep}.
 */
import { randomUUID } from 'node:crypto';
import type { BeamlineConfig } from '../config/index.ts';
import { DefinitionError } from '../lib/errors.ts';
import type { Logger } from '../lib/log.ts';
import type { RunStore } from '../store/index.ts';
import { localMidnightUtc, type Slice } from '../transforms/index.ts';
import { canScopeJobs, compactsTables, traceStep, type Warehouse } from '../warehouse/index.ts';
import type { Pipeline, Step, StepContext, StepResult } from './definition.ts';
import { addDays } from './dates.ts';
import { leaseHolder, withLease } from './lease.ts';

export interface RunOptions {
  readonly config: BeamlineConfig;
  readonly pipeline: Pipeline;
  readonly warehouse: Warehouse;
  readonly store: RunStore;
  readonly log: Logger;
  /** The requested slice of local dates `[from, to)`. */
  readonly slice: Slice;
  /** Rebuild every table from scratch over the slice instead of replacing slices and keys. */
  readonly fullRefresh?: boolean;
  /** Widen the slice backwards by the late-data lookback (default true). */
  readonly lookback?: boolean;
  readonly runId?: string;
  readonly kind?: 'run' | 'backfill' | 'scheduled' | 'demo' | 'bench';
  readonly trigger?: string;
  /** Called as steps start and end, for progress displays. */
  readonly onStep?: (event: StepEvent) => void;
}

export type StepEvent =
  | { readonly type: 'start'; readonly step: Step; readonly index: number; readonly total: number }
  | { readonly type: 'finish'; readonly step: Step; readonly index: number; readonly total: number; readonly result: StepResult; readonly ms: number }
  | { readonly type: 'fail'; readonly step: Step; readonly index: number; readonly total: number; readonly error: Error; readonly ms: number };

export interface RunSummary {
  readonly runId: string;
  readonly slice: Slice;
  readonly status: 'succeeded' | 'failed';
  readonly steps: ReadonlyArray<{ readonly name: string; readonly kind: string; readonly status: 'succeeded' | 'failed'; readonly ms: number; readonly rowsOut: number; readonly details?: Readonly<Record<string, unknown>> }>;
  readonly ms: number;
  readonly error?: Error;
}

/** The slice a run rebuilds: the requested one, widened back by `late_data_days` so late events are picked up. */
export function effectiveSlice(config: BeamlineConfig, slice: Slice, lookback = true): Slice {
  if (slice.from >= slice.to) throw new DefinitionError(`empty slice: --from ${slice.from} must be before --to ${slice.to} (the range is [from, to))`);
  return lookback ? { from: addDays(slice.from, -config.lookback.lateDataDays), to: slice.to } : slice;
}

/** Runs every step in order. A failed step stops the run; its error is in the summary and the store. */
export async function runPipeline(options: RunOptions): Promise<RunSummary> {
  const { config, pipeline, store, log } = options;
  const slice = effectiveSlice(config, options.slice, options.lookback ?? true);
  const runId = options.runId ?? `run-${new Date().toISOString().replace(/[-:.TZ]/g, '').slice(0, 14)}-${randomUUID().slice(0, 8)}`;
  await store.createRun({ id: runId, kind: options.kind ?? 'run', sliceFrom: slice.from, sliceTo: slice.to, configHash: config.hash, trigger: options.trigger ?? 'cli' });
  const started = performance.now();
  const results: Array<RunSummary['steps'][number]> = [];
  const since = sliceStart(config, slice);
  // (before anything is loaded: the run builds every table from scratch, and the data's as-of is the epoch)
  const firstBuild = !(await options.warehouse.tableExists('raw_events'));
  let now = firstBuild ? new Date(0) : await dataAsOf(options.warehouse, since);
  const total = pipeline.steps.length;
  const runSteps = async (): Promise<RunSummary> => {
    for (const [index, step] of pipeline.steps.entries()) {
      const ctx: StepContext = { config, warehouse: options.warehouse, runId, slice, fullRefresh: options.fullRefresh ?? false, log: log.child({ runId, step: step.name, slice: `${slice.from}..${slice.to}` }), now };
      options.onStep?.({ type: 'start', step, index, total });
      const t0 = performance.now();
      try {
        const result = await runStep(step, ctx, store);
        // New loads move the data's as-of instant; every later step of the run sees the same one.
        if (step.kind === 'extract') now = await dataAsOf(options.warehouse, since);
        const ms = performance.now() - t0;
        results.push({ name: step.name, kind: step.kind, status: 'succeeded', ms, rowsOut: result.rowsOut, details: result.details });
        options.onStep?.({ type: 'finish', step, index, total, result, ms });
      } catch (err) {
        const ms = performance.now() - t0;
        const error = err as Error;
        results.push({ name: step.name, kind: step.kind, status: 'failed', ms, rowsOut: 0 });
        options.onStep?.({ type: 'fail', step, index, total, error, ms });
        return { runId, slice, status: 'failed', steps: results, ms: performance.now() - started, error };
      }
    }
    await store.completeRun(runId);
    return { runId, slice, status: 'succeeded', steps: results, ms: performance.now() - started };
  };
  // A build from scratch deletes no rows: its checkpoints need not compact the tables it writes.
  const w = options.warehouse;
  if (compactsTables(w) && (options.fullRefresh || firstBuild)) {
    log.debug({ event: 'compaction_paused' }, 'a build from scratch: checkpoints skip table compaction');
    return w.withoutCompaction(runSteps);
  }
  return runSteps();
}

/** Runs one step and records it (start, finish or failure, and the transform ledger). Used by the runner and by BullMQ workers. */
export async function runStep(step: Step, ctx: StepContext, store: RunStore, workerId = 'in-process'): Promise<StepResult> {
  const key = { runId: ctx.runId, step: step.name, slice: `${ctx.slice.from}..${ctx.slice.to}` };
  await assertSameVersion(step, ctx, store);
  const started = await store.startStep(key, { workerId });
  // A warehouse that tags its jobs (BigQuery) gets the run, step, slice and attempt: deterministic job ids and labels.
  if (canScopeJobs(ctx.warehouse)) {
    ctx = { ...ctx, warehouse: ctx.warehouse.withJobContext({ runId: ctx.runId, step: step.name, slice: ctx.slice, attempt: started.attempt - 1 }) };
  }
  ctx.log.info({ event: 'step_start', attempt: started.attempt }, `step ${step.name} started`);
  const t0 = performance.now();
  traceStep(step.name);
  try {
    const run = () => step.run(ctx);
    const result = step.exclusive ? await withLease(store, `step:${step.name}`, { holder: leaseHolder(`${workerId}/${ctx.runId}`), log: ctx.log }, run) : await run();
    if (result.transform) {
      const t = result.transform;
      await store.recordTransform({ runId: ctx.runId, name: t.name, step: step.name, version: String(t.version), checksum: t.checksum, materialization: t.materialization, sliceFrom: ctx.slice.from, sliceTo: ctx.slice.to, rows: result.rowsOut });
    }
    await store.finishStep(key, { rowsIn: result.rowsIn, rowsOut: result.rowsOut });
    ctx.log.info({ event: 'step_finish', rowsOut: result.rowsOut, ms: Math.round(performance.now() - t0), ...result.details }, `step ${step.name} finished`);
    return result;
  } catch (err) {
    const error = err as Error;
    await store.failStep(key, error).catch(() => undefined);
    ctx.log.error({ event: 'step_fail', err: error }, `step ${step.name} failed: ${error.message}`);
    throw err;
  }
}

/**
 * A transform that keeps history (incremental) and whose logic version changed since it last ran
 * would mix rows made by two versions: demand a full refresh instead (a DefinitionError: no retry).
 * A transform with `rebuild_on_change` rebuilds itself whole on a new definition (transforms/changed-dates.ts).
 */
async function assertSameVersion(step: Step, ctx: StepContext, store: RunStore): Promise<void> {
  const t = step.transform;
  if (!t || ctx.fullRefresh || t.materialization === 'table' || t.materialization === 'view' || t.rebuildsOnChange) return;
  const last = await store.lastTransformVersion(step.name);
  if (last !== undefined && last !== String(t.version)) {
    throw new DefinitionError(`transform '${step.name}' changed from version ${last} to ${t.version} since it last ran: its table holds rows of the old version; rebuild it with \`beamline run --full-refresh --from <first date> --to <end>\``);
  }
}

/**
 * The data's as-of instant: the latest event time in the raw layer (the epoch when empty). With
 * `since` (the run's slice start), the latest event at or after it is looked up first — the same
 * answer whenever there is one, and on BigQuery a read of the partitions from `since` on instead of
 * every raw event's time (≈ 0.3 TB at a year of 100M-event days) — and the whole table only when
 * there is none.
 */
export async function dataAsOf(w: Warehouse, since?: Date): Promise<Date> {
  if (!(await w.tableExists('raw_events'))) return new Date(0);
  const latest = async (where: string) => (await w.query<{ t: Date | null }>(`SELECT max(event_ts) AS t FROM raw_events${where}`))[0]?.t ?? null;
  const recent = since ? await latest(` WHERE event_ts >= CAST(${w.dialect.quoteString(since.toISOString())} AS ${w.dialect.columnType('TIMESTAMPTZ')})`) : null;
  return recent ?? (await latest('')) ?? new Date(0);
}

/** The instant a slice begins (local midnight of its first date), the lower bound dataAsOf looks from first. */
export function sliceStart(config: BeamlineConfig, slice: Slice): Date {
  return localMidnightUtc(slice.from, config.account.timeZone);
}
