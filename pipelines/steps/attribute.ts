/**
 * The attribute step: credits every conversion under every configured model (see docs/attribution.md).
 *
 * - Paths are read in bulk: one query joins conversions to their person's touchpoints in the lookback.
 * - Data-driven models are trained on the trailing `lookback.training_days` window ending at the
 *   slice end (converting and non-converting journeys); the window is recorded in
 *   `attribution_training` and on each of their credit rows.
 * - Incremental: only the conversions of `dirty_persons` are recomputed — with a rebuild horizon
 *   (`dirty_starts`), only those at or after the person's start: an earlier conversion's touchpoints
 *   were not rebuilt, so its credits cannot have changed. The dirty persons are first queued in
 *   `attribution_pending` with that start (so persons of a run whose attribution failed are credited by
 *   the next run, from the earlier of the two starts); their old credits are deleted and the new ones
 *   inserted in one transaction, the data tests run in that same transaction, and the commit empties the queue. A failed test leaves the
 *   previous credits in place. A full refresh, or a missing credits table, recomputes every conversion.
 * - `attribution_dirty_dates` lists the conversion dates whose credits changed, for the reports.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { attributionSettings } from '../../config/load.ts';
import { attribute, MODEL_NAMES, MODELS } from '../../models/index.ts';
import { CHANGED_DATES, changedWhole, ensureChangedDates } from '../../transforms/changed-dates.ts';
import type { AttributionModel, CreditRow, ModelName } from '../../models/index.ts';
import type { WarehouseSession } from '../../warehouse/types.ts';
import { checkCredits } from '../attribution/data-tests.ts';
import { readPaths, type ScopedPath } from '../attribution/paths.ts';
import { scopeFilter, type Scope } from '../attribution/sql.ts';
import { CREDITS_TABLE, DIRTY_DATES_TABLE, dropStages, ensureTables, insertStaged, PENDING_TABLE, stageRows, TRAINING_TABLE, type StagedModel } from '../attribution/tables.ts';
import { trainingRows } from '../attribution/training-record.ts';
import { readTrainingJourneys, trainingWindow, type TrainingData } from '../attribution/training.ts';
import type { StepContext, StepResult, TsStepDef } from '../definition.ts';

/** Bump on any change of the step's rules (paths, training window, scope); model versions are recorded per row. */
export const ATTRIBUTE_VERSION = 1;
const SQL_DIR = new URL('../attribution/sql/', import.meta.url);
/** The step's code and SQL, so a change without a version bump shows in the transform ledger. */
const CHECKSUM = createHash('sha256')
  .update(readFileSync(fileURLToPath(import.meta.url)))
  .update(readdirSync(SQL_DIR).sort().map((f) => readFileSync(new URL(f, SQL_DIR), 'utf8')).join('\n'))
  .digest('hex');

/** The persons whose journeys the journeys layer rebuilt this run, and where each was rebuilt from. */
const DIRTY_PERSONS = 'dirty_persons';
const STARTS = 'dirty_starts';

export const attributeStep: TsStepDef = {
  name: 'attribute',
  kind: 'ts',
  produces: [CREDITS_TABLE, TRAINING_TABLE, DIRTY_DATES_TABLE, PENDING_TABLE],
  // (dirty_starts is read when it exists; it comes before conversions, so it is there whenever the journeys ran)
  reads: ['touchpoints', 'conversions', DIRTY_PERSONS],
  run: runAttribution,
};

/** Runs the step; exported for tests and the bench. */
export async function runAttribution(ctx: StepContext): Promise<StepResult> {
  const settings = attributionSettings(ctx.config.attribution);
  const names: readonly ModelName[] = settings.models ?? MODEL_NAMES;
  const dataDriven = names.some((n) => (MODELS[n] as AttributionModel).kind === 'data_driven');
  const w = ctx.warehouse;
  const full = ctx.fullRefresh || !(await w.tableExists(CREDITS_TABLE));
  await ensureTables(w);
  if (!full) {
    await w.transaction((tx) => queueDirtyPersons(tx));
    await w.exec(`DROP TABLE IF EXISTS ${w.dialect.quoteIdent('_attribution_queue')}`);
  }
  const scope: Scope = full ? { kind: 'all' } : { kind: 'persons', keysFrom: PENDING_TABLE };
  const lookbackDays = ctx.config.lookback.attributionDays;

  const t0 = performance.now();
  const paths = await readPaths(w, scope, lookbackDays);
  const tRead = performance.now();
  const window = trainingWindow(ctx.slice.to, ctx.config.lookback.trainingDays);
  const training: TrainingData | undefined = dataDriven && paths.length > 0 ? await readTrainingJourneys(w, window, lookbackDays) : undefined;
  const tTrainRead = performance.now();
  const result = attribute(paths, { ...settings, models: [...names], pathTransforms: [...settings.pathTransforms] }, dataDriven ? (training?.journeys ?? []) : undefined);
  const tModels = performance.now();

  // each model's version, and the training window of a data-driven one, as its credit rows record them
  const models: StagedModel[] = result.models.map((m) => {
    const window = m.kind === 'data_driven' ? training?.window : undefined;
    return { name: m.name, version: m.version, trainingFrom: window?.from ?? null, trainingTo: window?.to ?? null };
  });
  const byId = new Map(paths.map((p) => [p.conversionId, p]));
  const written = await stageRows(
    w,
    creditRecords(result.rows, byId),
    training ? trainingRows(ctx.runId, result.models, result, training, settings, ctx.now) : [],
  );
  await ensureChangedDates(w);
  await w.transaction(async (tx) => {
    await replaceScope(tx, scope);
    await insertStaged(tx, ctx.runId, models, written);
    await markNewDates(tx, scope);
    await queueChangedDates(tx, full, ctx.runId);
    await checkCredits(tx, scope, result.models.length, ctx.log);
    await tx.exec(`DELETE FROM ${tx.dialect.quoteIdent(PENDING_TABLE)} WHERE TRUE`);
  });
  await dropStages(w);
  const tWrite = performance.now();

  const unattributed = paths.filter((p) => p.touches.length === 0).length;
  const withoutValue = paths.filter((p) => !p.info.hasValue).length;
  return {
    rowsIn: paths.length,
    rowsOut: written,
    transform: { name: 'attribute', version: ATTRIBUTE_VERSION, checksum: CHECKSUM, materialization: full ? 'table' : 'incremental_by_key' },
    details: {
      mode: full ? 'full' : 'incremental',
      conversions: paths.length,
      unattributed,
      conversionsWithoutValue: withoutValue,
      models: result.models.map((m) => `${m.name}@${m.version}`),
      trainingWindow: training ? `${training.window.from}..${training.window.to}` : null,
      trainingPaths: training?.paths ?? 0,
      trainingConversions: training?.conversions ?? 0,
      trainingNonConversions: training?.nonConversions ?? 0,
      ms: { readPaths: Math.round(tRead - t0), readTraining: Math.round(tTrainRead - tRead), models: Math.round(tModels - tTrainRead), write: Math.round(tWrite - tModels) },
    },
  };
}

/**
 * Credit rows as `attribution_credits` stage rows (column order of STAGE_COLUMNS): what the models
 * decided; the conversion's and the touch's own fields join back in SQL (insertStaged).
 */
function* creditRecords(rows: readonly CreditRow[], paths: ReadonlyMap<string, ScopedPath>): Generator<unknown[]> {
  for (const r of rows) {
    const path = paths.get(r.conversionId)!;
    yield [r.conversionId, r.model, r.touchId, r.position, r.channel, r.credit, path.info.hasValue ? r.revenueMinor : null];
  }
}

/**
 * Deletes the credits about to be recomputed — every credit on a full run; else those of the dirty
 * persons (persons merged away included) and of their current conversions — and records the
 * conversion dates they covered in `attribution_dirty_dates`, so the reports rebuild those dates.
 */
async function replaceScope(tx: WarehouseSession, scope: Scope): Promise<void> {
  const q = (n: string) => tx.dialect.quoteIdent(n);
  const credits = q(CREDITS_TABLE);
  await tx.exec(`DELETE FROM ${q(DIRTY_DATES_TABLE)} WHERE TRUE`);
  if (scope.kind === 'all') {
    await tx.exec(`INSERT INTO ${q(DIRTY_DATES_TABLE)} SELECT DISTINCT local_date FROM ${credits}`);
    await tx.exec(`DELETE FROM ${credits} WHERE TRUE`);
    return;
  }
  // A queued person's credits from their start on (all when it is NULL), and the credits of their
  // current conversions from the start on (a conversion that moved to them from another person).
  const inScope = (person: string, ts: string) => scopeFilter(tx.dialect, scope, person, ts);
  const where = `(${inScope(`${credits}.person_id`, `${credits}.conversion_ts`)})
    OR conversion_id IN (SELECT c.conversion_id FROM ${q('conversions')} AS c WHERE ${inScope('c.person_id', 'c.conversion_ts')})`;
  await tx.exec(`INSERT INTO ${q(DIRTY_DATES_TABLE)} SELECT DISTINCT local_date FROM ${credits} WHERE ${where}`);
  await tx.exec(`DELETE FROM ${credits} WHERE ${where}`);
}

/**
 * Adds this run's dirty persons to the queue, each once, with their start (dirty_starts; NULL when
 * they have none): a person already queued keeps the earlier start, NULL (all conversions) winning.
 */
async function queueDirtyPersons(tx: WarehouseSession): Promise<void> {
  const q = (n: string) => tx.dialect.quoteIdent(n);
  const starts = (await tx.tableExists(STARTS))
    ? `SELECT d.person_id, s.from_ts FROM ${q(DIRTY_PERSONS)} AS d LEFT JOIN ${q(STARTS)} AS s ON s.person_id = d.person_id`
    : `SELECT person_id, CAST(NULL AS ${tx.dialect.columnType('TIMESTAMPTZ')}) AS from_ts FROM ${q(DIRTY_PERSONS)}`;
  await tx.exec(`CREATE OR REPLACE TEMP TABLE ${q('_attribution_queue')} AS
    SELECT person_id, CASE WHEN count(*) > count(from_ts) THEN NULL ELSE min(from_ts) END AS from_ts
    FROM (SELECT person_id, from_ts FROM ${q(PENDING_TABLE)} UNION ALL ${starts}) AS p
    WHERE person_id IS NOT NULL
    GROUP BY person_id`);
  await tx.exec(`DELETE FROM ${q(PENDING_TABLE)} WHERE TRUE`);
  await tx.exec(`INSERT INTO ${q(PENDING_TABLE)} (person_id, from_ts) SELECT person_id, from_ts FROM ${q('_attribution_queue')}`);
}

/**
 * Queues the dates whose credits changed for the reports kept by date (transforms/changed-dates.ts):
 * `attribution_dirty_dates`, or NULL (any date) when every credit was rewritten.
 */
async function queueChangedDates(tx: WarehouseSession, full: boolean, runId: string): Promise<void> {
  const d = tx.dialect;
  const writeId = `${runId}:attribute`;
  await tx.exec(full
    ? changedWhole(d, CREDITS_TABLE, writeId)
    : `INSERT INTO ${d.quoteIdent(CHANGED_DATES)} (table_name, local_date, write_id) SELECT DISTINCT ${d.quoteString(CREDITS_TABLE)}, local_date, ${d.quoteString(writeId)} FROM ${d.quoteIdent(DIRTY_DATES_TABLE)}`);
}

/** Adds the dates of the conversions just credited to `attribution_dirty_dates`. */
async function markNewDates(tx: WarehouseSession, scope: Scope): Promise<void> {
  const q = (n: string) => tx.dialect.quoteIdent(n);
  const inScope = scopeFilter(tx.dialect, scope, 'c.person_id', 'c.conversion_ts');
  await tx.exec(
    `INSERT INTO ${q(DIRTY_DATES_TABLE)} SELECT DISTINCT c.local_date FROM ${q('conversions')} AS c WHERE ${inScope} AND c.local_date NOT IN (SELECT local_date FROM ${q(DIRTY_DATES_TABLE)})`,
  );
}
