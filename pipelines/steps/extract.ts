/** The extract step: loads every new source file into the raw layer (see pipelines/extract). */
import { extractAll } from '../extract/index.ts';
import { RAW_TABLES } from '../extract/raw-tables.ts';
import type { TsStepDef } from '../definition.ts';

export const extractStep: TsStepDef = {
  name: 'extract',
  kind: 'extract',
  produces: Object.keys(RAW_TABLES),
  reads: [],
  // two extracts of the same new file would both load it on BigQuery (no unique constraint there)
  exclusive: true,
  async run(ctx) {
    const summary = await extractAll(ctx.warehouse, {
      sources: { events: [...ctx.config.sources.events], spend: [...ctx.config.sources.spend], orders: [...ctx.config.sources.orders], fx: [...ctx.config.sources.fx] },
      runId: ctx.runId,
      accountCurrency: ctx.config.account.currency,
      log: ctx.log,
    });
    const files = Object.values(summary.kinds).flatMap((k) => k.files);
    const skipped = files.filter((f) => f.skipped).length;
    const { rowsLoaded, rowsRejected } = summary;
    // No file at all is legal (a quiet day) but usually a wrong path: say where we looked.
    if (files.length === 0) ctx.log.warn({ sources: ctx.config.sources }, `no source files matched: events ${ctx.config.sources.events.join(', ')}`);
    return {
      rowsIn: rowsLoaded + rowsRejected,
      rowsOut: rowsLoaded,
      details: { rowsLoaded, rowsRejected, filesLoaded: files.length - skipped, filesSkipped: skipped, ...(files.length === 0 ? { noFilesMatched: ctx.config.sources.events } : {}) },
    };
  },
};
