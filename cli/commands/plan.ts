/**
 * `beamline plan --from --to`: what a run over the slice would cost on BigQuery, without running it.
 * Each SQL step is materialized against a recording warehouse (the real one answers only "does this
 * table exist?"), so the statements planned are exactly the ones a run would send; each is then
 * dry-run, and the bytes it would process are priced at the on-demand rate.
 */
import { Command, Option } from 'commander';
import { ConfigError } from '../../lib/errors.ts';
import type { Pipeline, StepContext } from '../../pipelines/definition.ts';
import { effectiveSlice } from '../../pipelines/runner.ts';
import { horizonDates } from '../../pipelines/steps/journey-starts.ts';
import { inlineKeysAnswer, isFingerprintQuery, isInlineKeysQuery } from '../../transforms/changed-dates.ts';
import { splitSlice } from '../../transforms/render.ts';
import { isStartsQuery, startsAnswer } from '../../transforms/starts.ts';
import type { Slice } from '../../transforms/index.ts';
import { canDryRun, type DryRunWarehouse, type Warehouse } from '../../warehouse/index.ts';
import type { ColumnInfo, Row, WarehouseSession } from '../../warehouse/types.ts';
import { openContext, type CommandContext } from '../context.ts';
import { parseDateOption } from './run.ts';

const TIB = 2 ** 40;

/** Records the statements a step issues instead of running them; existence questions go to the real warehouse. */
class RecordingWarehouse implements Warehouse {
  readonly statements: string[] = [];
  readonly dialect: Warehouse['dialect'];
  /**
   * `startsFloor`: with a rebuild horizon, the date the person-keyed steps are planned from (see planRun).
   * `reportDates`: the dates the date-keyed reports are planned for (see planRun).
   */
  constructor(private readonly inner: Warehouse, private readonly startsFloor: string | undefined, private readonly reportDates: readonly string[]) {
    this.dialect = inner.dialect;
  }
  async query<T extends Row = Row>(sql: string): Promise<T[]> {
    // The engine's questions about per-key starts and a report's dates are answered, not planned: a run
    // asks them of tables its journey_starts and report_dates steps have just written.
    if (isStartsQuery(sql)) return this.startsFloor ? [startsAnswer(this.startsFloor) as unknown as T] : [];
    if (isInlineKeysQuery(sql)) return inlineKeysAnswer(this.reportDates) as unknown as T[];
    // Whether a report's definition changed since its last build is a real, tiny read.
    if (isFingerprintQuery(sql)) return this.inner.query<T>(sql);
    this.statements.push(sql);
    return [];
  }
  async exec(sql: string): Promise<number> {
    this.statements.push(sql);
    return 0;
  }
  transaction<T>(fn: (tx: WarehouseSession) => Promise<T>): Promise<T> {
    return fn(this);
  }
  tableExists(table: string): Promise<boolean> {
    return this.inner.tableExists(table);
  }
  columns(table: string): Promise<ColumnInfo[]> {
    return this.inner.columns(table);
  }
  async appendRows(): Promise<number> {
    return 0;
  }
  async close(): Promise<void> {}
}

export interface StepPlan {
  readonly step: string;
  readonly kind: string;
  /** Bytes the step's statements would process; null when it could not be estimated (see `note`). */
  readonly bytes: number | null;
  readonly statements: number;
  /** The largest single statement: each job is capped by maximum_bytes_billed on its own. */
  readonly largest: number;
  readonly note?: string;
}

/** Dry-runs every SQL step of `pipeline` over `slice`. */
export async function planRun(pipeline: Pipeline, ctx: Omit<StepContext, 'warehouse'> & { warehouse: DryRunWarehouse }): Promise<StepPlan[]> {
  const plans: StepPlan[] = [];
  // With sessions.rebuild_horizon_days, the person-keyed steps are planned from the earliest start a
  // night can have: the day before the horizon (persons whose events identity moved start there).
  const days = ctx.config.sessions.rebuildHorizonDays;
  const startsFloor = days !== undefined && !ctx.fullRefresh ? horizonDates(ctx.slice.from, days).floor : undefined;
  // The date-keyed reports are planned for the dates the person-keyed steps rewrite: from that floor
  // (else the slice's first day) to the slice's end. (Without a horizon a night may list older dates:
  // those of every dirty person's rows.)
  const reportDates = splitSlice({ from: startsFloor ?? ctx.slice.from, to: ctx.slice.to }, 1).map((s) => s.from);
  for (const step of pipeline.steps) {
    if (step.kind !== 'sql') {
      plans.push({ step: step.name, kind: step.kind, bytes: null, statements: 0, largest: 0, note: step.kind === 'extract' ? 'load jobs: not billed' : 'TypeScript step: not estimated' });
      continue;
    }
    const recorder = new RecordingWarehouse(ctx.warehouse, startsFloor, reportDates);
    await step.run({ ...ctx, warehouse: recorder });
    let bytes = 0;
    let largest = 0;
    let note: string | undefined;
    for (const sql of recorder.statements) {
      try {
        const b = (await ctx.warehouse.dryRun(sql)).bytesProcessed;
        bytes += b;
        largest = Math.max(largest, b);
      } catch (err) {
        const msg = (err as Error).message.split('\n')[0]!;
        note = /Not found: Table/i.test(msg) ? `an input table is not built yet (${msg.replace(/^BigQuery: /, '')}): run once, then plan` : msg;
        break;
      }
    }
    plans.push({ step: step.name, kind: step.kind, bytes: note ? null : bytes, statements: recorder.statements.length, largest, note });
  }
  return plans;
}

const fmtBytes = (b: number): string => {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let i = 0;
  let v = b;
  while (v >= 1024 && i < units.length - 1) [v, i] = [v / 1024, i + 1];
  return `${v.toFixed(i === 0 ? 0 : 2)} ${units[i]}`;
};

/** The plan as a table: step, bytes, cost; totals; steps over the byte cap flagged. */
export function formatPlan(plans: readonly StepPlan[], slice: Slice, pricePerTiB: number, cap: number | undefined): string {
  const lines = [`plan for local dates ${slice.from} .. ${slice.to} (exclusive), on-demand at $${pricePerTiB}/TiB`, ''];
  let total = 0;
  for (const p of plans) {
    const cost = p.bytes === null ? '' : `$${((p.bytes / TIB) * pricePerTiB).toFixed(4)}`;
    const over = cap !== undefined && p.largest > cap ? '  OVER maximum_bytes_billed' : '';
    lines.push(`${p.step.padEnd(28)} ${(p.bytes === null ? '—' : fmtBytes(p.bytes)).padStart(12)}  ${cost.padStart(10)}${p.note ? `  ${p.note}` : ''}${over}`);
    total += p.bytes ?? 0;
  }
  lines.push('', `${'total'.padEnd(28)} ${fmtBytes(total).padStart(12)}  ${`$${((total / TIB) * pricePerTiB).toFixed(4)}`.padStart(10)}`);
  if (plans.some((p) => p.bytes === null && p.kind === 'sql')) lines.push('(steps marked — could not be estimated: the total is a lower bound)');
  return lines.join('\n');
}

export function planCommand(): Command {
  return new Command('plan')
    .description('dry-run every SQL step over the local dates [from, to) on BigQuery: bytes each would process and the estimated cost')
    .addOption(new Option('--from <date>', 'first local date (inclusive), YYYY-MM-DD').argParser(parseDateOption('from')).makeOptionMandatory())
    .addOption(new Option('--to <date>', 'end local date (exclusive), YYYY-MM-DD').argParser(parseDateOption('to')).makeOptionMandatory())
    .option('--full-refresh', 'plan a full refresh instead of an incremental run')
    .option('--no-lookback', 'do not widen the slice back by lookback.late_data_days')
    .addOption(new Option('--price-per-tib <usd>', 'on-demand price per TiB processed').default(6.25).argParser((v) => {
      const n = Number(v);
      if (!Number.isFinite(n) || n < 0) throw new ConfigError(`--price-per-tib: expected a number of dollars, got ${JSON.stringify(v)}`);
      return n;
    }))
    .action(async (opts: { from: string; to: string; fullRefresh?: boolean; lookback: boolean; pricePerTib: number }, cmd: Command) => {
      const global = cmd.optsWithGlobals<{ config?: string; logLevel?: string }>();
      const ctx: CommandContext = await openContext({ file: global.config, logLevel: global.logLevel });
      try {
        const warehouse = ctx.warehouse;
        if (!canDryRun(warehouse)) throw new ConfigError(`beamline plan estimates BigQuery costs: set warehouse.type: bigquery (this config uses ${warehouse.dialect.name}, which bills nothing)`);
        const slice = effectiveSlice(ctx.config, { from: opts.from, to: opts.to }, opts.lookback);
        const plans = await planRun(ctx.pipeline, {
          config: ctx.config, warehouse, runId: 'plan', slice, fullRefresh: opts.fullRefresh ?? false, log: ctx.log, now: new Date(),
        });
        const cap = ctx.config.warehouse.type === 'bigquery' ? ctx.config.warehouse.maximumBytesBilled : undefined;
        process.stdout.write(`${formatPlan(plans, slice, opts.pricePerTib, cap)}\n`);
      } finally {
        await ctx.close();
      }
    });
}
