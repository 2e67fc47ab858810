/**
 * Loads `beamline.yml` (or JSON) once, applies environment overrides, validates with zod and returns
 * a deeply frozen {@link BeamlineConfig}. A bad config fails here, at start-up, naming the key.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { ConfigError, DefinitionError } from '../lib/errors.ts';
import { parseModelSettings } from '../models/settings.ts';
import type { ModelSettings } from '../models/settings.ts';
import { configSchema, type RawConfig } from './schema.ts';

/** The validated config, with paths made absolute and secrets taken from the environment. */
export interface BeamlineConfig {
  /** Folder that relative paths in the file are resolved against (the config file's folder). */
  readonly baseDir: string;
  /** The file it came from, or null when built from defaults. */
  readonly file: string | null;
  readonly account: { readonly timeZone: string; readonly currency: string };
  readonly warehouse:
    | { readonly type: 'duckdb'; readonly path: string; readonly threads?: number; readonly memoryLimit?: string; readonly compression?: 'auto' | 'light' }
    | { readonly type: 'bigquery'; readonly project: string; readonly dataset: string; readonly location: string; readonly keyFile?: string; readonly maximumBytesBilled: number };
  readonly runStore: { readonly sqlitePath: string; readonly databaseUrl?: string };
  readonly redisUrl: string;
  readonly sources: { readonly events: readonly string[]; readonly spend: readonly string[]; readonly orders: readonly string[]; readonly fx: readonly string[] };
  readonly sessions: { readonly timeoutMinutes: number; readonly splitOnCampaignChange: boolean; readonly splitAtMidnight: boolean; readonly rebuildHorizonDays?: number };
  readonly dedupe: { readonly crossTrackerToleranceSeconds: number; readonly copyWindowHours: number };
  readonly identity: { readonly maxIdsPerPerson: number; readonly hashIds: boolean; readonly salt?: string };
  readonly consent: { readonly requireAnalyticsForJourneys: boolean; readonly countUnconsentedInTotals: boolean };
  readonly lookback: { readonly attributionDays: number; readonly lateDataDays: number; readonly trainingDays: number };
  readonly channels: unknown;
  readonly attribution: Readonly<Record<string, unknown>>;
  readonly schedule: { readonly cron: string; readonly timeZone: string };
  readonly reports: { readonly periodDays: number };
  /** sha256 of the settings that change results (not paths or secrets): recorded with every run. */
  readonly hash: string;
}

/** Names of the environment variables that override the file. Secrets are only ever read from here. */
export const ENV = {
  config: 'BEAMLINE_CONFIG',
  warehousePath: 'BEAMLINE_WAREHOUSE_PATH',
  databaseUrl: 'DATABASE_URL',
  redisUrl: 'REDIS_URL',
  idSalt: 'BEAMLINE_ID_SALT',
  bqProject: 'BEAMLINE_BQ_PROJECT',
  bqDataset: 'BEAMLINE_BQ_DATASET',
  bqKeyFile: 'GOOGLE_APPLICATION_CREDENTIALS',
} as const;

export interface LoadOptions {
  /** Path of the config file; default `$BEAMLINE_CONFIG`, else `./beamline.yml` if it exists, else defaults only. */
  file?: string;
  /** Settings merged over the file's (used by `beamline demo` and tests). */
  overrides?: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Reads, validates and freezes the config. Throws {@link ConfigError} naming the bad key. */
export function loadConfig(options: LoadOptions = {}): BeamlineConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const file = options.file ?? env[ENV.config] ?? (existsSync(resolve(cwd, 'beamline.yml')) ? 'beamline.yml' : undefined);
  const path = file === undefined ? null : resolve(cwd, file);
  let raw: unknown = {};
  if (path !== null) {
    if (!existsSync(path)) throw new ConfigError(`config file ${path} does not exist (set ${ENV.config} or pass --config)`);
    try {
      raw = parseYaml(readFileSync(path, 'utf8')) ?? {};
    } catch (err) {
      throw new ConfigError(`config file ${path} is not valid YAML: ${(err as Error).message}`, { cause: err });
    }
  }
  raw = deepMerge(raw, options.overrides ?? {});
  raw = applyEnv(raw as Record<string, unknown>, env);
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(formatIssues(parsed.error.issues, path));
  return deepFreeze(toConfig(parsed.data, path === null ? cwd : dirname(path), path, env));
}

function formatIssues(issues: z.core.$ZodIssue[], path: string | null): string {
  const where = path === null ? 'config' : `config ${path}`;
  const lines = issues.map((i) => {
    const key = i.path.length > 0 ? i.path.join('.') : '(root)';
    if (i.code === 'unrecognized_keys') return `  ${[...i.path, ...i.keys].join('.')}: unknown key (check the spelling; see docs/config.md)`;
    return `  ${key}: ${i.message}`;
  });
  return `${where} is invalid:\n${lines.join('\n')}`;
}

function applyEnv(raw: Record<string, unknown>, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = { ...raw };
  const wh = { ...((out.warehouse as Record<string, unknown> | undefined) ?? { type: 'duckdb' }) };
  if (env[ENV.warehousePath] && (wh.type ?? 'duckdb') === 'duckdb') wh.path = env[ENV.warehousePath];
  if (env[ENV.bqProject] && wh.type === 'bigquery') wh.project = env[ENV.bqProject];
  if (env[ENV.bqDataset] && wh.type === 'bigquery') wh.dataset = env[ENV.bqDataset];
  if (env[ENV.bqKeyFile] && wh.type === 'bigquery') wh.key_file = env[ENV.bqKeyFile];
  out.warehouse = wh;
  if (env[ENV.databaseUrl]) out.run_store = { ...((out.run_store as object | undefined) ?? {}), database_url: env[ENV.databaseUrl] };
  if (env[ENV.redisUrl]) out.redis_url = env[ENV.redisUrl];
  return out;
}

function toConfig(c: RawConfig, baseDir: string, file: string | null, env: NodeJS.ProcessEnv): BeamlineConfig {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  const salt = env[ENV.idSalt];
  attributionSettings(c.attribution);
  if (c.identity.hash_ids && !salt) throw new ConfigError(`identity.hash_ids is true but ${ENV.idSalt} is not set: the salt is a secret and comes from the environment`);
  const warehouse: BeamlineConfig['warehouse'] =
    c.warehouse.type === 'duckdb'
      ? { type: 'duckdb', path: c.warehouse.path === ':memory:' ? ':memory:' : abs(c.warehouse.path), threads: c.warehouse.threads, memoryLimit: c.warehouse.memory_limit, compression: c.warehouse.compression }
      : { type: 'bigquery', project: c.warehouse.project, dataset: c.warehouse.dataset, location: c.warehouse.location, keyFile: c.warehouse.key_file, maximumBytesBilled: c.warehouse.maximum_bytes_billed };
  const semantic = {
    account: c.account, sessions: c.sessions, dedupe: c.dedupe, identity: { ...c.identity }, consent: c.consent,
    lookback: c.lookback, channels: c.channels ?? null, attribution: c.attribution,
  };
  return {
    baseDir,
    file,
    account: { timeZone: c.account.time_zone, currency: c.account.currency },
    warehouse,
    runStore: { sqlitePath: abs(c.run_store.sqlite_path), databaseUrl: c.run_store.database_url },
    redisUrl: c.redis_url,
    sources: { events: c.sources.events.map(abs), spend: c.sources.spend.map(abs), orders: c.sources.orders.map(abs), fx: c.sources.fx.map(abs) },
    sessions: { timeoutMinutes: c.sessions.timeout_minutes, splitOnCampaignChange: c.sessions.split_on_campaign_change, splitAtMidnight: c.sessions.split_at_midnight, rebuildHorizonDays: c.sessions.rebuild_horizon_days },
    dedupe: { crossTrackerToleranceSeconds: c.dedupe.cross_tracker_tolerance_seconds, copyWindowHours: c.dedupe.copy_window_hours },
    identity: { maxIdsPerPerson: c.identity.max_ids_per_person, hashIds: c.identity.hash_ids, salt },
    consent: { requireAnalyticsForJourneys: c.consent.require_analytics_for_journeys, countUnconsentedInTotals: c.consent.count_unconsented_in_totals },
    lookback: { attributionDays: c.lookback.attribution_days, lateDataDays: c.lookback.late_data_days, trainingDays: c.lookback.training_days },
    channels: c.channels ?? null,
    attribution: c.attribution,
    schedule: { cron: c.schedule.cron, timeZone: c.schedule.time_zone ?? c.account.time_zone },
    reports: { periodDays: c.reports.period_days },
    hash: createHash('sha256').update(JSON.stringify(semantic)).digest('hex').slice(0, 16),
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Merges `over` into `base`: objects key by key, everything else replaced. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

const MS_PER_DAY = 86_400_000;

function camel(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, ch: string) => ch.toUpperCase());
}

function snake(key: string): string {
  return key.replace(/[A-Z]/g, (ch) => `_${ch.toLowerCase()}`);
}

/** Object keys snake_case → camelCase, recursively (values such as channel names are left alone). */
function camelKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(camelKeys);
  if (!isPlainObject(v)) return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [camel(k), camelKeys(x)]));
}

/**
 * The attribution model settings of the config's `attribution:` record (snake_case in the file:
 * `models`, `direct_channel`, `time_decay.half_life_days` (or `half_life_ms`), `position_based`,
 * `markov.order`, `shapley.max_channels`, `path_transforms`), validated by the models' own
 * `parseModelSettings`. Called at load, so a bad setting fails at start-up.
 *
 * @throws ConfigError naming the key as written in the file, e.g. `attribution.markov.order`.
 */
export function attributionSettings(raw: Readonly<Record<string, unknown>>): Readonly<ModelSettings> {
  const input = camelKeys(raw) as Record<string, unknown>;
  const decay = input.timeDecay;
  if (isPlainObject(decay) && 'halfLifeDays' in decay) {
    if ('halfLifeMs' in decay) throw new ConfigError('config is invalid:\n  attribution.time_decay: give half_life_days or half_life_ms, not both');
    const days = decay.halfLifeDays;
    if (typeof days !== 'number' || !(days > 0) || !Number.isFinite(days)) throw new ConfigError('config is invalid:\n  attribution.time_decay.half_life_days: expected a number > 0');
    const rest = Object.fromEntries(Object.entries(decay).filter(([k]) => k !== 'halfLifeDays'));
    input.timeDecay = { ...rest, halfLifeMs: days * MS_PER_DAY };
  }
  try {
    return parseModelSettings(input);
  } catch (err) {
    if (!(err instanceof DefinitionError)) throw err;
    // The models name the key in camelCase; say it as the file spells it.
    const message = err.message
      .replace(/^Invalid model setting "([^"]*)": /, (_, key: string) => `attribution.${key.split('.').map(snake).join('.')}: `)
      .replace(/Unrecognized keys?: .*$/, 'unknown key (check the spelling; see docs/attribution.md)');
    throw new ConfigError(`config is invalid:\n  ${message}`, { cause: err });
  }
}
