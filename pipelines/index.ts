/**
 * Beamline's pipeline: the SQL transforms under sql/ plus the TypeScript steps, with the macros
 * every template may use. `createPipeline()` is the one definition both runners use.
 */
import { compileChannelSql, deriveSourceMediumSql, loadChannelRules } from '../config/channels/index.ts';
import type { TemplateFn } from '../transforms/index.ts';
import { definePipeline, type Pipeline, type TsStepDef } from './definition.ts';
import { attributeStep } from './steps/attribute.ts';
import { extractStep } from './steps/extract.ts';
import { healthStep } from './steps/health.ts';
import { identityStep } from './steps/identity.ts';
import { journeyStartsStep } from './steps/journey-starts.ts';
import { reportDatesStep } from './steps/report-dates.ts';

export { definePipeline, SQL_DIR, type Pipeline, type Step, type StepContext, type StepResult, type TsStepDef } from './definition.ts';
export { runPipeline, runStep, effectiveSlice, type RunOptions, type RunSummary, type StepEvent } from './runner.ts';

/** The TypeScript steps, in no particular order (the graph orders them). */
export const TS_STEPS: readonly TsStepDef[] = [extractStep, identityStep, journeyStartsStep, attributeStep, reportDatesStep, healthStep];

/** Builds and checks the pipeline definition. */
export function createPipeline(options: { sqlDir?: string; tsSteps?: readonly TsStepDef[] } = {}): Pipeline {
  return definePipeline({
    sqlDir: options.sqlDir,
    tsSteps: options.tsSteps ?? TS_STEPS,
    macros: (config, warehouse) => {
      const rules = loadChannelRules(config.channels);
      const macros: Record<string, TemplateFn> = {
        channel_case: () => compileChannelSql(rules, warehouse.dialect),
        // The landing's derived source / medium over the journeys' column names (utm_source, utm_medium).
        derived_source: () => deriveSourceMediumSql(warehouse.dialect, { source: 'utm_source', medium: 'utm_medium' }).source,
        derived_medium: () => deriveSourceMediumSql(warehouse.dialect, { source: 'utm_source', medium: 'utm_medium' }).medium,
        // identity.hash_ids: user ids are stored as the salted SHA-256 (salt from BEAMLINE_ID_SALT); otherwise as given.
        hash_id: (expr) => (config.identity.hashIds ? warehouse.dialect.sha256Hex(`${warehouse.dialect.quoteString(config.identity.salt ?? '')} || ${String(expr)}`) : String(expr)),
      };
      return macros;
    },
  });
}
