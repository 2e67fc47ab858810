/**
 * The pipeline: one definition of the DAG, used by the in-process runner and by the BullMQ workers
 * alike. SQL transforms come from `sql/`; TypeScript steps (extract, attribution) declare the tables
 * they produce so SQL can ref() them. Everything is checked here, before anything runs.
 */
import { fileURLToPath } from 'node:url';
import type { BeamlineConfig } from '../config/index.ts';
import type { Logger } from '../lib/log.ts';
import { buildGraph, loadTransforms, materialize, type ExternalNode, type Slice, type TemplateFn, type TransformDef, type TransformGraph } from '../transforms/index.ts';
import type { Warehouse } from '../warehouse/types.ts';
import { transformVars } from './vars.ts';

export const SQL_DIR = fileURLToPath(new URL('../sql/', import.meta.url));

export interface StepContext {
  readonly config: BeamlineConfig;
  readonly warehouse: Warehouse;
  readonly runId: string;
  /** The slice of local dates this run rebuilds (already widened by the late-data lookback). */
  readonly slice: Slice;
  readonly fullRefresh: boolean;
  readonly log: Logger;
  /** The data's as-of instant: the latest event time seen (sessions active at it are "live"). */
  readonly now: Date;
}

export interface StepResult {
  readonly rowsIn?: number;
  readonly rowsOut: number;
  readonly details?: Readonly<Record<string, unknown>>;
  /** For SQL steps: what the transform ledger records. */
  readonly transform?: { readonly name: string; readonly version: number; readonly checksum: string; readonly materialization: string };
}

export interface Step {
  readonly name: string;
  readonly kind: 'extract' | 'sql' | 'ts';
  /** Names of the steps that must finish first. */
  readonly deps: readonly string[];
  /** Tables this step writes. */
  readonly produces: readonly string[];
  /** Runs one at a time across every process sharing the run store (a lease; see pipelines/lease.ts). */
  readonly exclusive?: boolean;
  /** For SQL steps: the transform's logic version and materialization (checked against the ledger before it runs). */
  /** SQL steps: `rebuildsOnChange` when the transform rebuilds itself whole on a new definition (rebuild_on_change). */
  readonly transform?: { readonly version: number; readonly materialization: string; readonly rebuildsOnChange?: boolean };
  run(ctx: StepContext): Promise<StepResult>;
}

/** A TypeScript step, declared with the tables it produces and the tables it reads. */
export interface TsStepDef {
  readonly name: string;
  readonly kind: 'extract' | 'ts';
  readonly produces: readonly string[];
  readonly reads: readonly string[];
  /** Runs one at a time across every process sharing the run store (see pipelines/lease.ts). */
  readonly exclusive?: boolean;
  run(ctx: StepContext): Promise<StepResult>;
}

export interface Pipeline {
  readonly graph: TransformGraph;
  /** Steps in a valid run order. */
  readonly steps: readonly Step[];
  step(name: string): Step;
}

export interface PipelineOptions {
  sqlDir?: string;
  tsSteps: readonly TsStepDef[];
  /** Macros available to every SQL template (e.g. channel_case from the channel rules). */
  macros?: (config: BeamlineConfig, warehouse: Warehouse) => Record<string, TemplateFn>;
}

/** Builds and checks the pipeline's DAG. Throws a DefinitionError naming the file on any fault. */
export function definePipeline(options: PipelineOptions): Pipeline {
  const transforms = loadTransforms(options.sqlDir ?? SQL_DIR);
  const external: ExternalNode[] = options.tsSteps.flatMap((s) => s.produces.map((table) => ({ name: table, dependsOn: s.reads, producer: `the ${s.name} step` })));
  const graph = buildGraph(transforms, external);
  const stepOf = new Map<string, string>();
  for (const s of options.tsSteps) for (const t of s.produces) stepOf.set(t, s.name);
  for (const t of transforms) stepOf.set(t.name, t.name);
  const seen = new Set<string>();
  const steps: Step[] = [];
  for (const node of graph.order) {
    const stepName = stepOf.get(node)!;
    if (seen.has(stepName)) continue;
    seen.add(stepName);
    const ts = options.tsSteps.find((s) => s.name === stepName);
    const nodes = ts ? ts.produces : [node];
    const deps = [...new Set(nodes.flatMap((n) => graph.depsOf(n)).map((d) => stepOf.get(d)!))].filter((d) => d !== stepName).sort();
    steps.push(ts ? { name: ts.name, kind: ts.kind, deps, produces: ts.produces, exclusive: ts.exclusive, run: ts.run } : sqlStep(graph.transforms.get(node)!, deps, options.macros));
  }
  const byName = new Map(steps.map((s) => [s.name, s]));
  return {
    graph,
    steps,
    step: (name) => {
      const s = byName.get(name);
      if (!s) throw new Error(`unknown step '${name}' (steps: ${steps.map((x) => x.name).join(', ')})`);
      return s;
    },
  };
}

function sqlStep(def: TransformDef, deps: readonly string[], macros: PipelineOptions['macros']): Step {
  return {
    name: def.name,
    kind: 'sql',
    deps,
    produces: [def.name],
    transform: { version: def.version, materialization: def.materialized, rebuildsOnChange: def.rebuildOnChange === true },
    async run(ctx) {
      const result = await materialize(ctx.warehouse, def, {
        dialect: ctx.warehouse.dialect,
        slice: ctx.slice,
        timeZone: ctx.config.account.timeZone,
        fullRefresh: ctx.fullRefresh,
        vars: { ...transformVars(ctx.config), as_of: ctx.now.toISOString(), run_id: ctx.runId },
        macros: macros?.(ctx.config, ctx.warehouse),
      });
      return { rowsOut: result.rowsOut, transform: { name: def.name, version: def.version, checksum: def.checksum, materialization: def.materialized } };
    },
  };
}
