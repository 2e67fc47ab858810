/**
 * The one {@link RunStore} implementation, over a knex instance that `sqlite.ts` or
 * `postgres.ts` configured. Backends differ only in connection set-up, migration locking and
 * error redaction; every query is shared and portable.
 */
import type { Knex } from 'knex';
import { BeamlineError, StoreError } from '../lib/errors.ts';
import * as ledgers from './ledgers.ts';
import { RunStoreMigrationSource } from './migrations/index.ts';
import * as steps from './steps.ts';
import { errorText, type StoreContext } from './steps.ts';
import type { RunStore } from './types.ts';

/** The table where knex records applied migrations (named so it cannot clash with an app's own `knex_migrations`). */
export const MIGRATIONS_TABLE = 'beamline_store_migrations';

/** What a backend supplies to {@link createKnexRunStore}. */
export interface KnexBackend {
  backend: RunStore['backend'];
  knex: Knex;
  /** Schema that holds the tables (PostgreSQL only). */
  schema?: string;
  /** Runs `fn` while no other process migrates the same store. */
  withMigrationLock<T>(fn: () => Promise<T>): Promise<T>;
  /** Removes secrets from a message. */
  redact(text: string): string;
  /** Epoch milliseconds. Default: `Date.now`. */
  now?: () => number;
}

/** Builds a RunStore whose every method turns driver errors into {@link StoreError}. */
export function createKnexRunStore(b: KnexBackend): RunStore {
  const ctx: StoreContext = { knex: b.knex, now: b.now ?? Date.now };
  const guard = async <T>(op: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof BeamlineError) throw err;
      throw new StoreError(`run store (${b.backend}): ${op} failed: ${b.redact(errorText(err))}`, { cause: err });
    }
  };
  const migrationConfig = { migrationSource: new RunStoreMigrationSource(), tableName: MIGRATIONS_TABLE, schemaName: b.schema };

  return {
    backend: b.backend,
    migrate: () => guard('migrate', () => b.withMigrationLock(async () => {
      const [, applied] = (await b.knex.migrate.latest(migrationConfig)) as [number, string[]];
      return { applied };
    })),
    close: () => guard('close', () => b.knex.destroy()),

    createRun: (run) => guard('createRun', () => steps.createRun(ctx, run)),
    completeRun: (id) => guard('completeRun', () => steps.completeRun(ctx, id)),
    getRun: (id) => guard('getRun', () => steps.getRun(ctx, id)),
    listRuns: (options) => guard('listRuns', () => steps.listRuns(ctx, options)),

    planSteps: (runId, list) => guard('planSteps', () => steps.planSteps(ctx, runId, list)),
    startStep: (key, options) => guard('startStep', () => steps.startStep(ctx, key, options?.workerId ?? null)),
    finishStep: (key, metrics) => guard('finishStep', () => steps.endStep(ctx, key, 'succeeded', metrics ?? {}, null)),
    failStep: (key, error, metrics) => guard('failStep', () => steps.endStep(ctx, key, 'failed', metrics ?? {}, errorText(error))),
    skipStep: (key, reason) => guard('skipStep', () => steps.skipStep(ctx, key, reason ?? null)),
    listSteps: (runId) => guard('listSteps', () => steps.listSteps(ctx, runId)),

    findLoad: (kind, hash) => guard('findLoad', () => ledgers.findLoad(ctx, kind, hash)),
    recordLoad: (load) => guard('recordLoad', () => ledgers.recordLoad(ctx, load)),
    recordTransform: (entry) => guard('recordTransform', () => ledgers.recordTransform(ctx, entry)),
    listTransforms: (runId) => guard('listTransforms', () => ledgers.listTransforms(ctx, runId)),
    lastTransformVersion: (name) => guard('lastTransformVersion', () => ledgers.lastTransformVersion(ctx, name)),
    getWatermark: (name) => guard('getWatermark', () => ledgers.getWatermark(ctx, name)),
    setWatermark: (name, value) => guard('setWatermark', () => ledgers.setWatermark(ctx, name, value)),
    acquireLease: (name, holder, ttlMs) => guard('acquireLease', () => ledgers.acquireLease(ctx, name, holder, ttlMs)),
    releaseLease: (name, holder) => guard('releaseLease', () => ledgers.releaseLease(ctx, name, holder)),
    getLease: (name) => guard('getLease', () => ledgers.getLease(ctx, name)),
    listLeases: () => guard('listLeases', () => ledgers.listLeases(ctx)),
    recordDataTest: (result) => guard('recordDataTest', () => ledgers.recordDataTest(ctx, result)),
    listDataTests: (runId) => guard('listDataTests', () => ledgers.listDataTests(ctx, runId)),
  };
}
