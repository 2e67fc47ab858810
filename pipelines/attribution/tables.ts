/**
 * The tables the attribute step writes. Column names are a public API (docs/attribution.md):
 * change them only with a new version and a changelog note.
 */
import { appendsToTempTables, type ColumnSpec, type WarehouseSession } from '../../warehouse/types.ts';
import { createTableSql, type TableLayout } from '../../warehouse/dialect.ts';

/** `attribution_credits`: conversion × model × credited touch. */
export const CREDITS_TABLE = 'attribution_credits';
/** `attribution_training`: run × data-driven model: the window, versions and a summary of what was trained. */
export const TRAINING_TABLE = 'attribution_training';
/** `attribution_dirty_dates`: the conversion dates whose credits this run replaced (reports rebuild those dates). */
export const DIRTY_DATES_TABLE = 'attribution_dirty_dates';
/** Where credit rows are bulk-appended before they are typed into the credits table (a temporary table where the warehouse's append can fill one). */
const STAGE_TABLE = 'attribution_credits__stage';

export const CREDITS_COLUMNS = {
  conversion_id: 'VARCHAR',
  person_id: 'VARCHAR',
  conversion_ts: 'TIMESTAMPTZ',
  local_date: 'DATE',
  model: 'VARCHAR',
  model_version: 'VARCHAR',
  touchpoint_id: 'VARCHAR',
  session_id: 'VARCHAR',
  position: 'INTEGER',
  channel: 'VARCHAR',
  source: 'VARCHAR',
  medium: 'VARCHAR',
  campaign: 'VARCHAR',
  campaign_id: 'VARCHAR',
  platform: 'VARCHAR',
  credit: 'DOUBLE',
  revenue_credit: 'DECIMAL(18,2)',
  training_from: 'DATE',
  training_to: 'DATE',
} as const;

export const TRAINING_COLUMNS = {
  run_id: 'VARCHAR',
  model: 'VARCHAR',
  model_version: 'VARCHAR',
  training_from: 'DATE',
  training_to: 'DATE',
  paths: 'BIGINT',
  conversions: 'BIGINT',
  non_conversions: 'BIGINT',
  settings: 'VARCHAR',
  summary: 'VARCHAR',
  data_as_of: 'TIMESTAMPTZ',
} as const;

/**
 * The staged credit row: what only the models know. The conversion's person, time and date and the
 * touch's session and marketing fields join from `conversions` and `touchpoints` as the rows are
 * inserted (insertStaged), the model's version and training window from the run's models: a third of
 * the columns to append. Revenue in integer minor units (the appender has no DECIMAL).
 */
export const STAGE_COLUMNS: readonly ColumnSpec[] = [
  { name: 'conversion_id', type: 'varchar' },
  { name: 'model', type: 'varchar' },
  { name: 'touchpoint_id', type: 'varchar' },
  { name: 'position', type: 'integer' },
  { name: 'channel', type: 'varchar' },
  { name: 'credit', type: 'double' },
  { name: 'revenue_minor', type: 'bigint' },
];

/** A model of the run, as its credit rows record it. */
export interface StagedModel {
  readonly name: string;
  readonly version: string;
  /** The training window of a data-driven model ('YYYY-MM-DD', [from, to)); null for a heuristic one. */
  readonly trainingFrom: string | null;
  readonly trainingTo: string | null;
}

export const TRAINING_APPEND_COLUMNS: readonly ColumnSpec[] = [
  { name: 'run_id', type: 'varchar' },
  { name: 'model', type: 'varchar' },
  { name: 'model_version', type: 'varchar' },
  { name: 'training_from', type: 'date' },
  { name: 'training_to', type: 'date' },
  { name: 'paths', type: 'bigint' },
  { name: 'conversions', type: 'bigint' },
  { name: 'non_conversions', type: 'bigint' },
  { name: 'settings', type: 'varchar' },
  { name: 'summary', type: 'varchar' },
  { name: 'data_as_of', type: 'timestamptz' },
];

/**
 * `attribution_pending`: dirty persons queued for crediting, with the start of their journeys' rebuild
 * (`from_ts`, from `dirty_starts`; NULL: all their conversions); cleared by the commit that credits
 * them, so a failed run is completed by the next one.
 */
export const PENDING_TABLE = 'attribution_pending';
const TRAINING_STAGE_TABLE = 'attribution_training__stage';

function ddl(w: Pick<WarehouseSession, 'dialect'>, name: string, columns: Readonly<Record<string, string>>, verb?: 'CREATE OR REPLACE TABLE' | 'CREATE OR REPLACE TEMP TABLE', layout?: TableLayout): string {
  return createTableSql(w.dialect, name, columns, { verb, layout });
}

/** Creates the step's tables when missing (outside any transaction: BigQuery allows no DDL in one). */
export async function ensureTables(w: Pick<WarehouseSession, 'dialect' | 'exec' | 'tableExists' | 'columns'>): Promise<void> {
  // Partitioned by the conversion's local date, clustered by the usual filters (BigQuery; DuckDB ignores layout).
  await w.exec(ddl(w, CREDITS_TABLE, CREDITS_COLUMNS, undefined, { partitionBy: 'local_date', clusterBy: ['model', 'channel', 'person_id'] }));
  await w.exec(ddl(w, TRAINING_TABLE, TRAINING_COLUMNS));
  await w.exec(ddl(w, DIRTY_DATES_TABLE, { local_date: 'DATE' }));
  // (a queue from before starts existed is rebuilt with the column: its persons, NULL, are credited whole)
  if ((await w.tableExists(PENDING_TABLE)) && !(await w.columns(PENDING_TABLE)).some((c) => c.name === 'from_ts')) {
    const t = w.dialect.quoteIdent(PENDING_TABLE);
    await w.exec(`CREATE OR REPLACE TABLE ${t} AS SELECT person_id, CAST(NULL AS ${w.dialect.columnType('TIMESTAMPTZ')}) AS from_ts FROM ${t}`);
  }
  await w.exec(ddl(w, PENDING_TABLE, { person_id: 'VARCHAR', from_ts: 'TIMESTAMPTZ' }));
}

/**
 * Bulk-appends credit and training rows into stage tables, before the step's transaction (a stage
 * table is the step's scratch: nobody reads it, and the next run replaces it). Temporary where the
 * warehouse can append into one (DuckDB: the rows are then written once, into the credits table, not
 * also into the stage's WAL and checkpoint); a table of the dataset on BigQuery (a load job's target).
 */
export async function stageRows(w: Pick<WarehouseSession, 'dialect' | 'exec' | 'appendRows'>, credits: Iterable<readonly unknown[]>, training: Iterable<readonly unknown[]>): Promise<number> {
  const stageCols = Object.fromEntries(STAGE_COLUMNS.map((c) => [c.name, c.name === 'revenue_minor' ? 'BIGINT' : CREDITS_COLUMNS[c.name as keyof typeof CREDITS_COLUMNS]]));
  const verb = appendsToTempTables(w) ? 'CREATE OR REPLACE TEMP TABLE' : 'CREATE OR REPLACE TABLE';
  await w.exec(ddl(w, STAGE_TABLE, stageCols, verb));
  await w.exec(ddl(w, TRAINING_STAGE_TABLE, TRAINING_COLUMNS, verb));
  await w.appendRows(TRAINING_STAGE_TABLE, TRAINING_APPEND_COLUMNS, training);
  return w.appendRows(STAGE_TABLE, STAGE_COLUMNS, credits);
}

/**
 * Moves the staged rows into the tables, turning minor units into exact DECIMAL(18,2) and joining each
 * credit's conversion (by conversion_id) and touch (by touchpoint_id; none for a conversion without
 * touches) back. Call inside the step's transaction. Returns the credit rows inserted, which must be
 * the rows staged: a conversion missing from `conversions` would lose its credits, and this throws.
 */
export async function insertStaged(w: Pick<WarehouseSession, 'dialect' | 'exec'>, runId: string, models: readonly StagedModel[], staged: number): Promise<number> {
  const q = (n: string) => w.dialect.quoteIdent(n);
  const lit = (v: string) => w.dialect.quoteString(v);
  const date = w.dialect.columnType('DATE');
  const perModel = (pick: (m: StagedModel) => string, empty: string) =>
    models.length === 0 ? empty : `CASE s.${q('model')} ${models.map((m) => `WHEN ${lit(m.name)} THEN ${pick(m)}`).join(' ')} END`;
  const dateOf = (v: string | null) => (v === null ? `CAST(NULL AS ${date})` : `CAST(${lit(v)} AS ${date})`);
  const from: Record<keyof typeof CREDITS_COLUMNS, string> = {
    conversion_id: `s.${q('conversion_id')}`,
    person_id: `c.${q('person_id')}`,
    conversion_ts: `c.${q('conversion_ts')}`,
    local_date: `c.${q('local_date')}`,
    model: `s.${q('model')}`,
    model_version: perModel((m) => lit(m.version), `CAST(NULL AS ${w.dialect.columnType('VARCHAR')})`),
    touchpoint_id: `s.${q('touchpoint_id')}`,
    session_id: `t.${q('session_id')}`,
    position: `s.${q('position')}`,
    channel: `s.${q('channel')}`,
    source: `t.${q('source')}`,
    medium: `t.${q('medium')}`,
    campaign: `t.${q('campaign')}`,
    campaign_id: `t.${q('campaign_id')}`,
    platform: `t.${q('platform')}`,
    credit: `s.${q('credit')}`,
    // BIGINT × DECIMAL literal is exact in DuckDB (a BigQuery override would divide a NUMERIC by 100).
    revenue_credit: `CAST(s.${q('revenue_minor')} * 0.01 AS DECIMAL(18,2))`,
    training_from: perModel((m) => dateOf(m.trainingFrom), dateOf(null)),
    training_to: perModel((m) => dateOf(m.trainingTo), dateOf(null)),
  };
  const cols = Object.keys(CREDITS_COLUMNS) as (keyof typeof CREDITS_COLUMNS)[];
  const inserted = await w.exec(
    `INSERT INTO ${q(CREDITS_TABLE)} (${cols.map(q).join(', ')})
SELECT ${cols.map((c) => from[c]).join(', ')}
FROM ${q(STAGE_TABLE)} AS s
JOIN ${q('conversions')} AS c ON c.${q('conversion_id')} = s.${q('conversion_id')}
LEFT JOIN ${q('touchpoints')} AS t ON t.${q('touchpoint_id')} = s.${q('touchpoint_id')}`,
  );
  if (inserted !== staged) throw new Error(`attribution_credits: ${staged} credit rows staged but ${inserted} inserted (a credit's conversion is missing from conversions, or a conversion_id or touchpoint_id repeats there)`);
  await w.exec(`DELETE FROM ${q(TRAINING_TABLE)} WHERE run_id = ${w.dialect.param(1)}`, [runId]);
  const tcols = Object.keys(TRAINING_COLUMNS).map(q).join(', ');
  await w.exec(`INSERT INTO ${q(TRAINING_TABLE)} (${tcols}) SELECT ${tcols} FROM ${q(TRAINING_STAGE_TABLE)}`);
  return inserted;
}

/** Drops the stage tables once their rows are committed. */
export async function dropStages(w: Pick<WarehouseSession, 'dialect' | 'exec'>): Promise<void> {
  for (const t of [STAGE_TABLE, TRAINING_STAGE_TABLE]) await w.exec(`DROP TABLE IF EXISTS ${w.dialect.quoteIdent(t)}`);
}
