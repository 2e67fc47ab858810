/**
 * The run store's public types: the {@link RunStore} interface and the rows it returns.
 * Timestamps are ISO 8601 strings in UTC (`2026-01-31T02:00:00.000Z`); the tables hold them as
 * epoch milliseconds (bigint) so both backends can do arithmetic on them the same way.
 * Local dates (`slice_from`, `slice_to`) are `YYYY-MM-DD`, half-open `[from, to)`.
 */

/** Why a run exists. */
export type RunKind = 'run' | 'backfill' | 'scheduled' | 'demo' | 'bench';
/** A run's status, derived from its steps on every read (see docs/run-store.md). */
export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'partial';
/** A step's status. `skipped` counts as done (nothing to do), like `succeeded`. */
export type StepStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped';
/** What a loaded file held. */
export type LoadKind = 'events' | 'spend' | 'orders' | 'fx';

/** One pipeline run over a slice of local dates. */
export interface RunRow {
  id: string;
  kind: RunKind;
  sliceFrom: string;
  sliceTo: string;
  configHash: string;
  /** Who started it: `cli`, `schedule`, `backfill`, `api`, … (free text). */
  trigger: string;
  status: RunStatus;
  createdAt: string;
  /** Set by {@link RunStore.completeRun}; null while the run is open. */
  finishedAt: string | null;
}

/** A run together with its steps, ordered by first start, then name and slice. */
export interface RunWithSteps extends RunRow {
  steps: StepRow[];
}

/** Identifies one step of a run. `slice` defaults to `''` (the whole run). */
export interface StepKey {
  runId: string;
  step: string;
  slice?: string;
}

/** One step (extract, transform, attribute, report, …) of a run for one slice. */
export interface StepRow {
  runId: string;
  step: string;
  slice: string;
  status: StepStatus;
  /** How many times the step was started (1 on the first start). */
  attempt: number;
  rowsIn: number | null;
  rowsOut: number | null;
  bytes: number | null;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  error: string | null;
  workerId: string | null;
}

/** Counters a step reports when it ends. */
export interface StepMetrics {
  rowsIn?: number;
  rowsOut?: number;
  bytes?: number;
}

/** Input of {@link RunStore.createRun}. */
export interface NewRun {
  /** A deterministic id (e.g. from kind + slice + config) makes enqueueing twice harmless; default: a UUID. */
  id?: string;
  kind: RunKind;
  sliceFrom: string;
  sliceTo: string;
  configHash: string;
  trigger: string;
}

/** One file loaded into the warehouse, keyed by (kind, contentHash). */
/** A named claim held by one process until it is released or expires (see {@link RunStore.acquireLease}). */
export interface LeaseRow {
  readonly name: string;
  readonly holder: string;
  readonly acquiredAt: Date;
  readonly expiresAt: Date;
}

export interface LoadRow {
  kind: LoadKind;
  /** sha256 of the file's bytes, lowercase hex. */
  contentHash: string;
  path: string;
  rowsLoaded: number;
  rowsRejected: number;
  loadId: string;
  runId: string | null;
  loadedAt: string;
}

/** Input of {@link RunStore.recordLoad}. */
export type NewLoad = Omit<LoadRow, 'loadedAt' | 'runId'> & { runId?: string | null };

/** One transform materialized by a run step, with the logic version that built it. */
export interface TransformRow {
  runId: string;
  /** The transform's name (its model name, e.g. `stg_events`). */
  name: string;
  /** The run step that built it. */
  step: string;
  /** The transform's logic version; compared for equality only. */
  version: string;
  /** sha256 of the rendered SQL template. */
  checksum: string;
  materialization: string;
  sliceFrom: string | null;
  sliceTo: string | null;
  rows: number | null;
  recordedAt: string;
}

/** Input of {@link RunStore.recordTransform}. */
export type NewTransform = Omit<TransformRow, 'recordedAt' | 'sliceFrom' | 'sliceTo' | 'rows'> & {
  sliceFrom?: string | null;
  sliceTo?: string | null;
  rows?: number | null;
};

/** A named high-water mark (e.g. the last loaded event time). */
export interface WatermarkRow {
  name: string;
  value: string;
  updatedAt: string;
}

/** The result of one data test (an invariant check) run by a step. */
export interface DataTestRow {
  runId: string;
  step: string;
  name: string;
  status: 'pass' | 'fail';
  failingRows: number;
  /** Free text, e.g. a JSON sample of failing rows. */
  details: string | null;
  recordedAt: string;
}

/** Input of {@link RunStore.recordDataTest}. */
export type NewDataTest = Omit<DataTestRow, 'recordedAt' | 'details'> & { details?: string | null };

/** The persistent ledger of runs, steps, loads, transforms, watermarks and data tests. */
export interface RunStore {
  /** `'sqlite'` or `'postgres'`; for messages only — callers never branch on it. */
  readonly backend: 'sqlite' | 'postgres';
  /** Applies pending migrations; returns the names applied (empty when up to date). Safe to call concurrently. */
  migrate(): Promise<{ applied: string[] }>;
  /** Releases the connection pool. The store cannot be used afterwards. */
  close(): Promise<void>;

  /** Creates a run, or returns the existing run with the same id unchanged (the first create wins). */
  createRun(run: NewRun): Promise<RunRow>;
  /** Marks a run complete (sets `finished_at`, once). Its status stays derived from its steps. */
  completeRun(id: string): Promise<void>;
  /** The run with its steps, or undefined. */
  getRun(id: string): Promise<RunWithSteps | undefined>;
  /** Runs newest first (by creation time), optionally only those with a given derived status. */
  listRuns(options: { limit: number; status?: RunStatus }): Promise<RunRow[]>;

  /** Registers steps as `pending` so the run shows work to do; steps that exist are left alone. */
  planSteps(runId: string, steps: Array<Omit<StepKey, 'runId'>>): Promise<void>;
  /**
   * Marks a step `running` and increments its attempt (creating it at attempt 1). Starting a step
   * that is already running restarts it: its worker is presumed gone (BullMQ stalled-job retry or a
   * crash), so the attempt is incremented and the previous error and timings are cleared.
   */
  startStep(key: StepKey, options?: { workerId?: string }): Promise<StepRow>;
  /** Marks a started step `succeeded` with its counters and duration. Throws StoreError if never started. */
  finishStep(key: StepKey, metrics?: StepMetrics): Promise<StepRow>;
  /** Marks a started step `failed` with the error's message. Throws StoreError if never started. */
  failStep(key: StepKey, error: unknown, metrics?: StepMetrics): Promise<StepRow>;
  /** Marks a step `skipped` (nothing to do), creating it if needed. */
  skipStep(key: StepKey, reason?: string): Promise<StepRow>;
  /** The run's steps, in the order of {@link RunWithSteps.steps}. */
  listSteps(runId: string): Promise<StepRow[]>;

  /** The ledger entry for a file with this content, or undefined if it was never loaded. */
  findLoad(kind: LoadKind, contentHash: string): Promise<LoadRow | undefined>;
  /**
   * Records a loaded file. Idempotent on (kind, contentHash): the first record wins, also between
   * concurrent writers. Returns the stored row and whether this call created it.
   */
  recordLoad(load: NewLoad): Promise<{ load: LoadRow; created: boolean }>;

  /** Records what a step materialized; re-recording the same (run, name, slice) replaces the entry. */
  recordTransform(entry: NewTransform): Promise<void>;
  /** The run's transform entries, in the order they were recorded. */
  listTransforms(runId: string): Promise<TransformRow[]>;
  /** The version most recently recorded for a transform (any run), so a change can demand a full refresh. */
  lastTransformVersion(name: string): Promise<string | undefined>;

  /** A watermark, or undefined if never set. */
  getWatermark(name: string): Promise<WatermarkRow | undefined>;
  /** Sets (inserts or replaces) a watermark. */
  setWatermark(name: string, value: string): Promise<WatermarkRow>;

  /**
   * Takes the lease `name` for `holder` for `ttlMs` (renewing it when `holder` already holds it; taking
   * it over when it expired). Returns the lease when `holder` holds it now, undefined when another
   * holder does. At most one holder wins, also between concurrent callers.
   */
  acquireLease(name: string, holder: string, ttlMs: number): Promise<LeaseRow | undefined>;
  /** Gives the lease up if `holder` holds it; returns whether it did. */
  releaseLease(name: string, holder: string): Promise<boolean>;
  /** The lease as stored (possibly expired), or undefined. */
  getLease(name: string): Promise<LeaseRow | undefined>;
  /** Every lease as stored (expired ones too, until someone takes them over), by name. */
  listLeases(): Promise<LeaseRow[]>;

  /** Records a data test result; re-recording the same (run, step, name) replaces it. */
  recordDataTest(result: NewDataTest): Promise<void>;
  /** The run's data test results, by step then name. */
  listDataTests(runId: string): Promise<DataTestRow[]>;
}
