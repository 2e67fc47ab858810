/**
 * A warehouse as one without an ability: the same object (its methods bound to it) with the capability
 * flag `ability` (e.g. `stagesCtes`, `batchesSlices`, `appendsToTempTables`; warehouse/types.ts) reading
 * as absent — to check the path another warehouse (BigQuery) takes, on a real DuckDB. `onExec` sees every
 * statement run through `exec`.
 */
import type { Warehouse } from '../../warehouse/types.ts';

export function withoutAbility<W extends Warehouse>(w: W, ability: string, onExec?: (sql: string) => void): Warehouse {
  return new Proxy(w, {
    get(target, prop) {
      if (prop === ability) return undefined;
      if (prop === 'exec' && onExec) return (sql: string, params?: readonly unknown[]) => (onExec(sql), target.exec(sql, params));
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
