/**
 * The data's as-of instant for a run's slice, fixed when the slice's first step starts and kept in
 * the run store, so every step of the slice — on whichever worker, after whatever retry — sees the
 * same value. It is fixed at the slice's first step after extract (new loads move it), as the
 * in-process runner does.
 */
import type { RunStore } from '../store/index.ts';
import type { Slice } from '../transforms/index.ts';
import { dataAsOf } from '../pipelines/runner.ts';
import type { Warehouse } from '../warehouse/types.ts';
import { sliceKey } from './names.ts';

/** The as-of instant of (run, slice): the stored one, or the warehouse's latest event time, stored now. */
export async function runAsOf(store: RunStore, warehouse: Warehouse, runId: string, slice: Slice, since?: Date): Promise<Date> {
  const name = `as_of/${runId}/${sliceKey(slice)}`;
  const stored = await store.getWatermark(name);
  if (stored) return new Date(stored.value);
  const now = await dataAsOf(warehouse, since);
  await store.setWatermark(name, now.toISOString());
  return now;
}
