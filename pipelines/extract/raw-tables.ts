/**
 * The raw layer: append-only tables the extract step writes and the SQL transforms read.
 * Every row keeps where it came from (load_id, file, line) so any number can be traced back.
 * Portable DDL (DuckDB and BigQuery types are mapped by the dialect when they differ).
 */
import { createTableSql } from '../../warehouse/dialect.ts';
import type { WarehouseSession } from '../../warehouse/types.ts';

/** Column name → DuckDB type, in table order. */
export const RAW_TABLES = {
  /** One row per valid input event row, as captured (duplicates included: they are merged later, and counted). */
  raw_events: {
    load_id: 'VARCHAR', file: 'VARCHAR', line: 'BIGINT', loaded_at: 'TIMESTAMPTZ',
    event_id: 'VARCHAR', event_name: 'VARCHAR', event_ts: 'TIMESTAMPTZ', source: 'VARCHAR',
    anonymous_id: 'VARCHAR', user_id: 'VARCHAR', session_id: 'VARCHAR',
    page_url: 'VARCHAR', referrer: 'VARCHAR', user_agent: 'VARCHAR',
    value: 'DOUBLE', currency: 'VARCHAR', order_id: 'VARCHAR',
    consent_analytics: 'BOOLEAN', consent_ads: 'BOOLEAN', properties: 'VARCHAR',
    // (no payload hash: `events` hashes only the copies it compares, and `stg_events` shows it; a table
    // created by an earlier version keeps its payload_hash column, NULL in the rows loaded since)
  },
  /** One row per rejected input row of any kind, with the field and the reason. */
  raw_rejected: {
    load_id: 'VARCHAR', kind: 'VARCHAR', file: 'VARCHAR', line: 'BIGINT', loaded_at: 'TIMESTAMPTZ',
    field: 'VARCHAR', reason: 'VARCHAR', raw: 'VARCHAR',
  },
  /** One row per valid spend row (exact duplicates kept here, removed in staging). */
  raw_ad_spend: {
    load_id: 'VARCHAR', file: 'VARCHAR', line: 'BIGINT', loaded_at: 'TIMESTAMPTZ',
    spend_date: 'DATE', platform: 'VARCHAR', campaign_id: 'VARCHAR', campaign_name: 'VARCHAR',
    spend: 'DECIMAL(18,4)', currency: 'VARCHAR', impressions: 'BIGINT', clicks: 'BIGINT',
  },
  /** The orders ledger (finance's source of truth for revenue). */
  raw_orders: {
    load_id: 'VARCHAR', file: 'VARCHAR', line: 'BIGINT', loaded_at: 'TIMESTAMPTZ',
    order_id: 'VARCHAR', order_ts: 'TIMESTAMPTZ', revenue: 'DECIMAL(18,4)', currency: 'VARCHAR', status: 'VARCHAR',
  },
  /** FX rates: 1 unit of `currency` = `rate` units of the reporting currency on `rate_date`. */
  raw_fx: {
    load_id: 'VARCHAR', file: 'VARCHAR', line: 'BIGINT', loaded_at: 'TIMESTAMPTZ',
    rate_date: 'DATE', currency: 'VARCHAR', rate: 'DOUBLE',
  },
  /** The warehouse's own load ledger, written in the same transaction as the rows: the authority on "already loaded". */
  _beamline_loads: {
    load_id: 'VARCHAR', kind: 'VARCHAR', content_hash: 'VARCHAR', file: 'VARCHAR', loaded_at: 'TIMESTAMPTZ',
    rows_loaded: 'BIGINT', rows_rejected: 'BIGINT', run_id: 'VARCHAR',
  },
} as const;

export type RawTableName = keyof typeof RAW_TABLES;

/** Creates any raw table that does not exist yet. */
export async function ensureRawTables(w: WarehouseSession): Promise<void> {
  for (const [name, cols] of Object.entries(RAW_TABLES)) await w.exec(createTableSql(w.dialect, name, cols));
}
