/**
 * The load ledger, transform ledger, watermarks and data-test results over knex. Writes are
 * single upserts: `ignore` where the first record must win (loads), `merge` where a retried
 * step's record replaces the previous one (transforms, data tests, watermarks).
 */
import { InputError, StoreError } from '../lib/errors.ts';
import { toDataTest, toLoad, toTransform, toWatermark, type DbRow } from './rows.ts';
import type { StoreContext } from './steps.ts';
import type { DataTestRow, LeaseRow, LoadKind, LoadRow, NewDataTest, NewLoad, NewTransform, TransformRow, WatermarkRow } from './types.ts';
import { checkLoadKey, checkMetrics, checkName, checkOptionalDate } from './validate.ts';

/** See {@link RunStore.findLoad}. */
export async function findLoad(ctx: StoreContext, kind: LoadKind, contentHash: string): Promise<LoadRow | undefined> {
  checkLoadKey(kind, contentHash);
  const row = (await ctx.knex('load_ledger').where({ kind, content_hash: contentHash }).first()) as DbRow | undefined;
  return row ? toLoad(row) : undefined;
}

/** See {@link RunStore.recordLoad}: insert-or-ignore, then read the winner. */
export async function recordLoad(ctx: StoreContext, load: NewLoad): Promise<{ load: LoadRow; created: boolean }> {
  checkLoadKey(load.kind, load.contentHash);
  checkName('loadId', load.loadId);
  checkMetrics({ rowsLoaded: load.rowsLoaded, rowsRejected: load.rowsRejected });
  const inserted = (await ctx.knex('load_ledger')
    .insert({
      kind: load.kind, content_hash: load.contentHash, path: load.path, rows_loaded: load.rowsLoaded,
      rows_rejected: load.rowsRejected, load_id: load.loadId, run_id: load.runId ?? null, loaded_at: ctx.now(),
    })
    .onConflict(['kind', 'content_hash'])
    .ignore()
    .returning('load_id')) as DbRow[];
  const stored = await findLoad(ctx, load.kind, load.contentHash);
  if (!stored) throw new StoreError(`load ${load.kind}/${load.contentHash} was recorded but cannot be read back`);
  return { load: stored, created: inserted.length > 0 };
}

/** See {@link RunStore.recordTransform}. */
export async function recordTransform(ctx: StoreContext, entry: NewTransform): Promise<void> {
  for (const field of ['runId', 'name', 'step', 'version', 'checksum', 'materialization'] as const) checkName(field, entry[field]);
  checkOptionalDate('sliceFrom', entry.sliceFrom);
  checkOptionalDate('sliceTo', entry.sliceTo);
  if (entry.rows != null) checkMetrics({ rows: entry.rows });
  await ctx.knex('transform_ledger')
    .insert({
      run_id: entry.runId, name: entry.name, step: entry.step, version: entry.version, checksum: entry.checksum,
      materialization: entry.materialization, slice_from: entry.sliceFrom ?? '', slice_to: entry.sliceTo ?? '',
      rows: entry.rows ?? null, recorded_at: ctx.now(),
    })
    .onConflict(['run_id', 'name', 'slice_from', 'slice_to'])
    .merge(['step', 'version', 'checksum', 'materialization', 'rows', 'recorded_at']);
}

/** See {@link RunStore.listTransforms}. */
export async function listTransforms(ctx: StoreContext, runId: string): Promise<TransformRow[]> {
  const rows = (await ctx.knex('transform_ledger').where({ run_id: runId }).orderBy([{ column: 'recorded_at' }, { column: 'seq' }])) as DbRow[];
  return rows.map(toTransform);
}

/** See {@link RunStore.lastTransformVersion}. */
export async function lastTransformVersion(ctx: StoreContext, name: string): Promise<string | undefined> {
  const row = (await ctx.knex('transform_ledger')
    .where({ name })
    .orderBy([{ column: 'recorded_at', order: 'desc' }, { column: 'seq', order: 'desc' }])
    .first('version')) as DbRow | undefined;
  return row ? String(row.version) : undefined;
}

/** See {@link RunStore.getWatermark}. */
export async function getWatermark(ctx: StoreContext, name: string): Promise<WatermarkRow | undefined> {
  const row = (await ctx.knex('watermarks').where({ name }).first()) as DbRow | undefined;
  return row ? toWatermark(row) : undefined;
}

/** See {@link RunStore.setWatermark}. */
export async function setWatermark(ctx: StoreContext, name: string, value: string): Promise<WatermarkRow> {
  checkName('watermark name', name);
  const rows = (await ctx.knex('watermarks')
    .insert({ name, value, updated_at: ctx.now() })
    .onConflict('name')
    .merge(['value', 'updated_at'])
    .returning('*')) as DbRow[];
  return toWatermark(rows[0] as DbRow);
}

/** See {@link RunStore.recordDataTest}. */
export async function recordDataTest(ctx: StoreContext, result: NewDataTest): Promise<void> {
  for (const field of ['runId', 'step', 'name'] as const) checkName(field, result[field]);
  if (result.status !== 'pass' && result.status !== 'fail') {
    throw new InputError(`data test status must be pass or fail, got ${JSON.stringify(result.status)}`);
  }
  checkMetrics({ failingRows: result.failingRows });
  await ctx.knex('data_test_results')
    .insert({
      run_id: result.runId, step: result.step, name: result.name, status: result.status,
      failing_rows: result.failingRows, details: result.details ?? null, recorded_at: ctx.now(),
    })
    .onConflict(['run_id', 'step', 'name'])
    .merge(['status', 'failing_rows', 'details', 'recorded_at']);
}

/** See {@link RunStore.listDataTests}. */
export async function listDataTests(ctx: StoreContext, runId: string): Promise<DataTestRow[]> {
  const rows = (await ctx.knex('data_test_results').where({ run_id: runId }).orderBy(['step', 'name'])) as DbRow[];
  return rows.map(toDataTest);
}

/** See {@link RunStore.acquireLease}: renew our own lease, else take a free or expired one. */
export async function acquireLease(ctx: StoreContext, name: string, holder: string, ttlMs: number): Promise<LeaseRow | undefined> {
  checkName('lease name', name);
  checkName('lease holder', holder);
  if (!Number.isInteger(ttlMs) || ttlMs < 1) throw new StoreError(`lease ttlMs must be a whole number of milliseconds ≥ 1, got ${ttlMs}`);
  const now = ctx.now();
  const renewed = await ctx.knex('leases').where({ name, holder }).update({ expires_at: now + ttlMs });
  if (renewed === 0) {
    await ctx.knex('leases').where({ name }).andWhere('expires_at', '<=', now).delete();
    await ctx.knex('leases').insert({ name, holder, acquired_at: now, expires_at: now + ttlMs }).onConflict('name').ignore();
  }
  const [row] = (await ctx.knex('leases').where({ name })) as DbRow[];
  return row && row.holder === holder ? toLease(row) : undefined;
}

/** See {@link RunStore.releaseLease}. */
export async function releaseLease(ctx: StoreContext, name: string, holder: string): Promise<boolean> {
  return (await ctx.knex('leases').where({ name, holder }).delete()) > 0;
}

/** See {@link RunStore.getLease}. */
export async function getLease(ctx: StoreContext, name: string): Promise<LeaseRow | undefined> {
  const [row] = (await ctx.knex('leases').where({ name })) as DbRow[];
  return row ? toLease(row) : undefined;
}

/** See {@link RunStore.listLeases}. */
export async function listLeases(ctx: StoreContext): Promise<LeaseRow[]> {
  return ((await ctx.knex('leases').orderBy('name')) as DbRow[]).map(toLease);
}

function toLease(row: DbRow): LeaseRow {
  return { name: String(row.name), holder: String(row.holder), acquiredAt: new Date(Number(row.acquired_at)), expiresAt: new Date(Number(row.expires_at)) };
}
