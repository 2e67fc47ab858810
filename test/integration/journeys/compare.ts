/**
 * Sorted full dumps of the journeys tables, for comparing two warehouses row by row.
 */
import type { Row } from '../../../warehouse/index.ts';

/** The tables an incremental run must leave exactly as a full refresh builds them. */
export const JOURNEY_TABLES = ['events', 'identity_map', 'identity_excess', 'session_events', 'sessions', 'touchpoints', 'conversion_events', 'conversions', 'engagements'] as const;

/** Every row of every journeys table, as sorted JSON lines (one array per table). */
export async function dumpTables(query: (sql: string) => Promise<Row[]>, tables: readonly string[] = JOURNEY_TABLES): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const t of tables) {
    const rows = await query(`SELECT * FROM ${t}`);
    out[t] = rows.map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))).sort();
  }
  return out;
}
