/**
 * What a worker does with a job. A step job runs one pipeline step through `runStep` — the same code
 * path as the in-process runner, which records the step in the run store — on a warehouse from the
 * provider. A nightly job (fired by the job scheduler) enqueues the nightly run.
 */
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { BeamlineConfig } from '../config/index.ts';
import { isPermanent } from '../lib/errors.ts';
import type { Logger } from '../lib/log.ts';
import type { Pipeline } from '../pipelines/definition.ts';
import { dataAsOf, runStep, sliceStart } from '../pipelines/runner.ts';
import type { RunStore } from '../store/index.ts';
import { runAsOf } from './as-of.ts';
import { completeRunIfDone, enqueueRun, nightlyPlan, type EnqueueResult } from './enqueue.ts';
import type { RetryPolicy, StepJobData } from './flow.ts';
import { JOB, sliceKey } from './names.ts';
import type { Queues } from './queues.ts';
import { nightlyDate } from './schedule.ts';
import type { WarehouseProvider } from './warehouse-provider.ts';

export interface ProcessorDeps {
  readonly config: BeamlineConfig;
  readonly pipeline: Pipeline;
  readonly store: RunStore;
  readonly warehouses: WarehouseProvider;
  readonly queues: Queues;
  readonly log: Logger;
  readonly workerId: string;
  readonly retry?: RetryPolicy;
  /** How long a job handed back at shutdown waits before another worker may take it. Default 1000 ms. */
  readonly requeueDelayMs?: number;
}

/** Thrown into a running step when the worker's shutdown deadline passes. */
class ShutdownAbort extends Error {}

/** The processor function for BullMQ workers. */
export function createProcessor(deps: ProcessorDeps) {
  return async (job: Job, token?: string, signal?: AbortSignal): Promise<unknown> => {
    if (job.name === JOB.nightly) return processNightly(deps, job);
    if (job.name !== JOB.step) throw new UnrecoverableError(`unknown job name '${job.name}' (expected '${JOB.step}' or '${JOB.nightly}')`);
    try {
      return await untilAborted(processStep(deps, job as Job<StepJobData>), signal);
    } catch (err) {
      if (err instanceof ShutdownAbort && token) {
        // Hand the job back without spending an attempt; the step's writes are transactional, and this
        // process exits right after, so the uncommitted work is rolled back.
        await job.moveToDelayed(Date.now() + (deps.requeueDelayMs ?? 1000), token);
        throw new DelayedError();
      }
      if (isPermanent(err)) throw new UnrecoverableError(`${(err as Error).name}: ${(err as Error).message}`);
      throw err;
    }
  };
}

async function processStep(deps: ProcessorDeps, job: Job<StepJobData>): Promise<{ rowsOut: number }> {
  const { runId, slice, fullRefresh } = job.data;
  const step = deps.pipeline.step(job.data.step);
  const log = deps.log.child({ runId, step: step.name, slice: sliceKey(slice), jobId: job.id, attempt: job.attemptsMade + 1 });
  const result = await deps.warehouses.use(async (warehouse) => {
    // extract does not read the as-of instant, and its loads move it: fix it from the next step on.
    const since = sliceStart(deps.config, slice);
    const now = step.kind === 'extract' ? await dataAsOf(warehouse, since) : await runAsOf(deps.store, warehouse, runId, slice, since);
    return runStep(step, { config: deps.config, warehouse, runId, slice, fullRefresh, log, now }, deps.store, deps.workerId);
  });
  if (await completeRunIfDone(deps.store, runId)) log.info({ event: 'run_complete' }, `run ${runId} complete`);
  return { rowsOut: result.rowsOut };
}

async function processNightly(deps: ProcessorDeps, job: Job): Promise<EnqueueResult> {
  const fireMillis = job.opts.prevMillis ?? job.timestamp + (job.opts.delay ?? 0);
  const date = nightlyDate(fireMillis, deps.config.schedule.timeZone);
  const plan = nightlyPlan(deps.config, date);
  const result = await enqueueRun({ queues: deps.queues, store: deps.store, pipeline: deps.pipeline, configHash: deps.config.hash, retry: deps.retry }, plan);
  deps.log.info({ event: 'nightly_enqueued', runId: result.runId, fireTime: new Date(fireMillis).toISOString(), outcomes: result.flows.map((f) => f.outcome) }, `nightly run ${result.runId} enqueued`);
  return result;
}

/** Resolves or rejects with `work`, or rejects with ShutdownAbort when `signal` aborts first. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  work.catch(() => undefined); // after an abort nobody awaits it
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new ShutdownAbort(`aborted: ${String(signal.reason ?? 'shutdown')}`));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
