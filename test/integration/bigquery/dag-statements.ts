/**
 * The statements the pipeline's SQL steps send to BigQuery, collected without BigQuery: each step
 * runs its real materialization against a recording warehouse with the BigQuery dialect, and the
 * recording holds every statement it issued, in order. Then {@link analyzeDag} hands them to the
 * ZetaSQL analyzer transform by transform, in the graph's order, growing the catalog as tables are
 * created — so a transform is checked against the columns and types its upstream really produces.
 */
import { loadConfig, type BeamlineConfig } from '../../../config/index.ts';
import { createLogger } from '../../../lib/log.ts';
import { RAW_TABLES } from '../../../pipelines/extract/raw-tables.ts';
import type { Pipeline, Step, StepContext } from '../../../pipelines/definition.ts';
import { inlineKeysAnswer, isFingerprintQuery, isInlineKeysQuery, unchangedFingerprintAnswer } from '../../../transforms/changed-dates.ts';
import { isStartsQuery, startsAnswer } from '../../../transforms/starts.ts';
import { bigqueryDialect } from '../../../warehouse/dialect.ts';
import type { ColumnInfo, Row, Warehouse, WarehouseSession } from '../../../warehouse/types.ts';
import { columnsFromDuckTypes, type BigQueryAnalyzer } from '../../helpers/zetasql.ts';

/**
 * A warehouse that runs nothing: it records statements and answers the few questions the steps ask —
 * tableExists from `existing`, queries from `answer` (no rows by default: counts read as 0, loops such
 * as identity's label propagation settle at once).
 */
export class RecordingWarehouse implements Warehouse {
  readonly dialect = bigqueryDialect;
  readonly statements: Array<{ readonly sql: string; readonly inTransaction: boolean }> = [];
  #inTransaction = false;
  constructor(private readonly existing: (table: string) => boolean, private readonly answer: (sql: string) => Row[] = () => []) {}
  async query<T extends Row = Row>(sql: string): Promise<T[]> {
    this.statements.push({ sql, inTransaction: this.#inTransaction });
    return this.answer(sql) as T[];
  }
  async exec(sql: string): Promise<number> {
    this.statements.push({ sql, inTransaction: this.#inTransaction });
    return 0;
  }
  async transaction<T>(fn: (tx: WarehouseSession) => Promise<T>): Promise<T> {
    this.#inTransaction = true;
    try {
      return await fn(this);
    } finally {
      this.#inTransaction = false;
    }
  }
  async tableExists(table: string): Promise<boolean> {
    return this.existing(table);
  }
  async columns(): Promise<ColumnInfo[]> {
    return [];
  }
  /** A load job on BigQuery: nothing to analyze (the table's DDL was). */
  async appendRows(): Promise<number> {
    return 0;
  }
  async close(): Promise<void> {}
}

/** CREATE / DROP of a permanent table (TEMP tables are allowed in a transaction). */
const PERMANENT_DDL = /^\s*(CREATE\s+(OR\s+REPLACE\s+)?TABLE|DROP\s+TABLE)\b/i;

/**
 * The ways a step runs: first build, incremental slice, full refresh of an existing table — and an
 * incremental slice with sessions.rebuild_horizon_days, whose person-keyed steps rebuild from starts.
 */
export const PHASES = [
  { name: 'first build', exists: false, fullRefresh: false, horizon: false },
  { name: 'incremental run', exists: true, fullRefresh: false, horizon: false },
  { name: 'full refresh', exists: true, fullRefresh: true, horizon: false },
  { name: 'incremental run with a rebuild horizon', exists: true, fullRefresh: false, horizon: true },
] as const;
export type Phase = (typeof PHASES)[number];

/**
 * Runs one step against a recording warehouse and returns the statements it issued. `exists`
 * answers tableExists (the analyzer's catalog, so branches over tables not built yet stay off).
 */
export async function stepStatements(step: Step, phase: Phase, exists: (table: string) => boolean, config?: BeamlineConfig): Promise<RecordingWarehouse['statements']> {
  config ??= loadConfig({ env: {}, overrides: phase.horizon ? { sessions: { rebuild_horizon_days: 30 } } : {} });
  // With a horizon, the engine's question about per-key starts (transforms/starts.ts) finds some, so the bounded SQL is rendered.
  // The date-keyed reports find two dates and an unchanged definition, so their by-date SQL is rendered.
  const w = new RecordingWarehouse((t) => phase.exists && exists(t), (sql) => {
    if (phase.horizon && isStartsQuery(sql)) return [startsAnswer('2026-01-30')];
    if (isInlineKeysQuery(sql)) return inlineKeysAnswer(['2026-03-01', '2026-03-07']);
    if (isFingerprintQuery(sql)) return unchangedFingerprintAnswer(sql);
    return [];
  });
  const ctx: StepContext = {
    config, warehouse: w, runId: 'analyze', slice: { from: '2026-03-01', to: '2026-03-08' }, fullRefresh: phase.fullRefresh,
    log: createLogger({ level: 'silent' }), now: new Date('2026-03-08T00:00:00Z'),
  };
  await step.run(ctx);
  return w.statements;
}

export interface StepVerdict {
  /** The transform's or the TypeScript step's name. */
  readonly name: string;
  readonly kind: 'sql' | 'ts';
  /** The transform's file, or the step that makes the tables. */
  readonly where: string;
  /** null when every statement resolved. */
  readonly error: string | null;
  readonly statements: number;
}

/**
 * Analyzes every SQL transform and TypeScript step of `pipeline` (extract aside: it loads files), in
 * the graph's order. The catalog starts with the raw tables and any `externalSchemas`; each CREATE
 * TABLE a step issues adds its table. A step whose upstream failed is reported as not analyzed,
 * naming the upstream, so one fault gives one clear failure.
 */
export async function analyzeDag(pipeline: Pipeline, analyzer: BigQueryAnalyzer, externalSchemas: Readonly<Record<string, Readonly<Record<string, string>>>> = {}): Promise<StepVerdict[]> {
  for (const [name, cols] of Object.entries({ ...RAW_TABLES, ...externalSchemas })) analyzer.addTable(name, columnsFromDuckTypes(cols));
  const verdicts: StepVerdict[] = [];
  const failed = new Set<string>();
  const producedBy = new Map<string, string>();
  for (const step of pipeline.steps) for (const t of step.produces) producedBy.set(t, step.name);
  for (const step of pipeline.steps.filter((s) => s.kind !== 'extract')) {
    const kind = step.kind === 'sql' ? 'sql' : 'ts';
    const where = pipeline.graph.transforms.get(step.name)?.file ?? `the ${step.name} step`;
    const reads = [...new Set(step.produces.flatMap((t) => pipeline.graph.depsOf(t)))].filter((t) => !step.produces.includes(t)).sort();
    const blocked = reads.filter((t) => failed.has(t) || !analyzer.hasTable(t));
    if (blocked.length > 0) {
      const why = blocked.map((t) => (failed.has(t) ? `'${t}' failed analysis` : `the schema of '${t}' (made by ${pipeline.graph.external.get(t)?.producer ?? producedBy.get(t)}) is unknown: it was not created by an analyzed step; pass it in externalSchemas`));
      verdicts.push({ name: step.name, kind, where, error: `not analyzed: ${why.join('; ')}`, statements: 0 });
      for (const t of step.produces) failed.add(t);
      continue;
    }
    // A SQL error stops the step and its downstream; a BigQuery rule broken by statements that
    // resolve (DDL inside a transaction) fails the step but lets its tables feed the rest.
    let error: string | null = null;
    let ruleError: string | null = null;
    let count = 0;
    for (const phase of PHASES) {
      let statements: RecordingWarehouse['statements'];
      try {
        statements = await stepStatements(step, phase, (t) => analyzer.hasTable(t));
      } catch (err) {
        error = `rendering for BigQuery (${phase.name}) failed: ${(err as Error).message}`;
        break;
      }
      for (const { sql, inTransaction } of statements) {
        count++;
        if (inTransaction && PERMANENT_DDL.test(sql) && ruleError === null) {
          ruleError = `${phase.name}, statement ${count}: BigQuery runs no DDL on permanent tables inside a multi-statement transaction (https://cloud.google.com/bigquery/docs/transactions#statements_supported_in_transactions). Inside transaction(): CREATE TEMP TABLE for scratch tables, DELETE/INSERT/MERGE/TRUNCATE for permanent ones; outside it: one CREATE OR REPLACE TABLE (atomic by itself).\n  ${sql.replace(/\s+/g, ' ').slice(0, 160)}`;
        }
        const result = await analyzer.analyze(sql);
        if (!result.ok) {
          error = `${phase.name}, statement ${count}: ${result.message}`;
          break;
        }
      }
      if (error) break;
    }
    if (error) for (const t of step.produces) failed.add(t);
    error ??= ruleError;
    verdicts.push({ name: step.name, kind, where, error, statements: count });
  }
  return verdicts;
}
