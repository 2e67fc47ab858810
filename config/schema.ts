/**
 * The schema of `beamline.yml`. Parsed once with zod into a frozen object; every key has a default
 * so an empty file is a valid config. Keys are snake_case in the file and camelCase in code.
 */
import { z } from 'zod';

/**
 * DuckDB's memory cap unless the config sets one. Every step spills or is computed in day batches
 * beyond it, so a fixed cap bounds the process whatever the history's length. The process needs
 * ~0.3–0.5 GB beside DuckDB's buffer pool (Node, DuckDB's own allocations while writing), so 900MB
 * keeps the 1M-event bench at 1.18–1.38 GB peak RSS (1GB: 1.28–1.58 GB, no faster). Raise it for speed.
 */
export const DEFAULT_DUCKDB_MEMORY_LIMIT = '900MB';


const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD');

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const globs = z.union([z.string().min(1), z.array(z.string().min(1))]).transform((v) => (Array.isArray(v) ? v : [v]));

export const configSchema = z
  .object({
    account: z
      .object({
        time_zone: z.string().refine(isTimeZone, 'not an IANA time zone (e.g. America/New_York)').default('UTC'),
        currency: z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 4217 code such as USD').default('USD'),
      })
      .strict()
      .default({ time_zone: 'UTC', currency: 'USD' }),
    warehouse: z
      .discriminatedUnion('type', [
        z.object({ type: z.literal('duckdb'), path: z.string().min(1).default('.beamline/warehouse.duckdb'), threads: z.number().int().positive().optional(), memory_limit: z.string().regex(/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i, "expected a size such as '1GB' or '512MiB'").default(DEFAULT_DUCKDB_MEMORY_LIMIT), compression: z.enum(['auto', 'light']).default('auto') }).strict(),
        z
          .object({
            type: z.literal('bigquery'),
            project: z.string().min(1),
            dataset: z.string().regex(/^[A-Za-z0-9_]+$/, 'letters, digits and _ only'),
            location: z.string().default('US'),
            key_file: z.string().optional(),
            maximum_bytes_billed: z.number().int().positive().default(100 * 2 ** 30),
          })
          .strict(),
      ])
      .default({ type: 'duckdb', path: '.beamline/warehouse.duckdb', memory_limit: DEFAULT_DUCKDB_MEMORY_LIMIT, compression: 'auto' }),
    run_store: z
      .object({ sqlite_path: z.string().default('.beamline/runs.sqlite'), database_url: z.string().optional() })
      .strict()
      .default({ sqlite_path: '.beamline/runs.sqlite' }),
    redis_url: z.string().default('redis://127.0.0.1:6379'),
    sources: z
      .object({
        events: globs.default(['data/events/*.ndjson', 'data/events/*.csv', 'data/events/*.parquet']),
        spend: globs.default(['data/spend/*.csv']),
        orders: globs.default(['data/orders/*.csv']),
        fx: globs.default(['data/fx/*.csv']),
      })
      .strict()
      .default({
        events: ['data/events/*.ndjson', 'data/events/*.csv', 'data/events/*.parquet'],
        spend: ['data/spend/*.csv'],
        orders: ['data/orders/*.csv'],
        fx: ['data/fx/*.csv'],
      }),
    sessions: z
      .object({
        timeout_minutes: z.number().int().min(1).max(24 * 60).default(30),
        split_on_campaign_change: z.boolean().default(true),
        split_at_midnight: z.boolean().default(false),
        /**
         * Rebuild a dirty person's journeys from their session open at (slice start − N days), not
         * over their whole history (docs/journeys.md, "the rebuild horizon"). Absent: whole history.
         */
        rebuild_horizon_days: z.number().int().min(0).max(3650).optional(),
      })
      .strict()
      .default({ timeout_minutes: 30, split_on_campaign_change: true, split_at_midnight: false }),
    dedupe: z
      .object({
        cross_tracker_tolerance_seconds: z.number().min(0).max(60).default(2),
        copy_window_hours: z.number().int().min(1).max(24 * 366).default(24),
      })
      .strict()
      .default({ cross_tracker_tolerance_seconds: 2, copy_window_hours: 24 }),
    identity: z
      .object({
        max_ids_per_person: z.number().int().min(2).default(50),
        hash_ids: z.boolean().default(false),
      })
      .strict()
      .default({ max_ids_per_person: 50, hash_ids: false }),
    consent: z
      .object({
        /** Events without analytics consent are kept out of stitching and journeys. */
        require_analytics_for_journeys: z.boolean().default(true),
        /** ...but still counted in the KPI totals (anonymous counts). Turn off where the law does not allow it. */
        count_unconsented_in_totals: z.boolean().default(true),
      })
      .strict()
      .default({ require_analytics_for_journeys: true, count_unconsented_in_totals: true }),
    lookback: z
      .object({
        attribution_days: z.number().int().min(1).max(365).default(30),
        late_data_days: z.number().int().min(0).max(90).default(3),
        training_days: z.number().int().min(1).max(730).default(90),
      })
      .strict()
      .default({ attribution_days: 30, late_data_days: 3, training_days: 90 }),
    channels: z.unknown().optional(),
    attribution: z.record(z.string(), z.unknown()).default({}),
    schedule: z
      .object({ cron: z.string().default('0 3 * * *'), time_zone: z.string().refine(isTimeZone, 'not an IANA time zone').optional() })
      .strict()
      .default({ cron: '0 3 * * *' }),
    reports: z
      .object({ period_days: z.number().int().min(1).max(366).default(28) })
      .strict()
      .default({ period_days: 28 }),
  })
  .strict();

export type RawConfig = z.infer<typeof configSchema>;
export { isoDate };
