/**
 * Extract on a warehouse that cannot read local files but bulk-loads them (BigQuery): the same
 * contract as on DuckDB (docs/input.md), in four moves per kind.
 *
 * 1. Ledger: each file's sha256; a content already in `_beamline_loads` (or twice in this call) is
 *    skipped, and nothing of it is sent.
 * 2. Lines: each new file is read here, streamed, and written as numbered NDJSON rows
 *    (line-files.ts); a file that cannot be read (not UTF-8, a broken CSV, missing columns) is named
 *    and left out, the others go on.
 * 3. One bulk load (a load job) puts every line of the batch into a scratch table.
 * 4. One transaction: the kind's `validate-*.<dialect>.sql` stages every line (the same checks,
 *    fields and reasons as on DuckDB), then valid rows go to the raw table, rejects to raw_rejected
 *    and one `_beamline_loads` row per file — all visible together or not at all.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ConfigError, InputError } from '../../lib/errors.ts';
import type { BulkLoadingWarehouse, FileFormat, WarehouseSession } from '../../warehouse/types.ts';
import { sha256Files } from './files.ts';
import type { KindSpec } from './kind-spec.ts';
import { LINE_COLUMNS, writeLineRows } from './line-files.ts';
import { loadIdOf, STAGE, type LoadContext } from './load-file.ts';
import { ensureRawTables, RAW_TABLES } from './raw-tables.ts';
import { renderSql } from './sql.ts';
import type { ExtractLogger, FileLoadSummary, KindSummary } from './types.ts';

interface Fresh {
  readonly path: string;
  readonly format: FileFormat;
  readonly contentHash: string;
  readonly loadId: string;
}

/** `name.sql` → `name.<dialect>.sql`; a ConfigError when this warehouse has no such file. */
export function dialectSqlFile(name: string, dialect: string): string {
  const file = name.replace(/\.sql$/, `.${dialect}.sql`);
  if (!existsSync(new URL(`./sql/${file}`, import.meta.url))) throw new ConfigError(`extract has no ${file} for the ${dialect} warehouse (pipelines/extract/sql/${file})`);
  return file;
}

/** Creates the raw tables that do not exist yet; a table with a `create-<table>.<dialect>.sql` (its layout) is created by that file. */
export async function ensureRawTablesFor(w: WarehouseSession): Promise<void> {
  for (const [table, cols] of Object.entries(RAW_TABLES)) {
    const file = `create-${table}.${w.dialect.name}.sql`;
    if (!existsSync(new URL(`./sql/${file}`, import.meta.url))) continue;
    const columns = Object.entries(cols).map(([c, t]) => `${w.dialect.quoteIdent(c)} ${w.dialect.columnType(t)}`).join(', ');
    await w.exec(renderSql(file, { columns }));
  }
  await ensureRawTables(w);
}

/** Loads `files` of one kind through a bulk load; same rules and results as the DuckDB path (see index.ts). */
export async function extractByBulkLoad(
  w: BulkLoadingWarehouse, spec: KindSpec, files: readonly (readonly [string, FileFormat])[], ctx: LoadContext, log?: ExtractLogger,
): Promise<{ summary: KindSummary; failures: InputError[] }> {
  const validation = dialectSqlFile(spec.sqlFile, w.dialect.name);
  await ensureRawTablesFor(w);
  const done = new Map<string, FileLoadSummary>();
  const failed = new Map<string, InputError>();
  const hashes = await sha256Files(files.map(([p]) => p));
  const known = new Set((await w.query<{ h: string }>(`SELECT content_hash AS h FROM _beamline_loads WHERE kind = ${w.dialect.param(1)}`, [spec.kind])).map((r) => r.h));
  const fresh: Fresh[] = [];
  files.forEach(([path, format], i) => {
    const contentHash = hashes[i]!;
    const loadId = loadIdOf(spec.kind, contentHash);
    if (known.has(contentHash)) done.set(path, { kind: spec.kind, path, format, contentHash, loadId, skipped: true, rowsLoaded: 0, rowsRejected: 0, blankLines: 0, rejectReasons: {}, durationMs: 0 });
    else {
      known.add(contentHash);
      fresh.push({ path, format, contentHash, loadId });
    }
  });
  if (fresh.length > 0) {
    const started = performance.now();
    const dir = await mkdtemp(join(tmpdir(), 'beamline-lines-'));
    const scratch = `_beamline_lines_${spec.kind}_${createHash('sha256').update(fresh.map((f) => f.loadId).join(',')).digest('hex').slice(0, 16)}`;
    try {
      const batch: Fresh[] = [];
      const parts: string[] = [];
      for (const f of fresh) {
        const part = join(dir, `${batch.length + 1}.ndjson`);
        try {
          await writeLineRows(spec, f.path, f.format, batch.length + 1, part);
          batch.push(f);
          parts.push(part);
        } catch (err) {
          if (!(err instanceof InputError)) throw err;
          failed.set(f.path, err);
        }
      }
      if (batch.length > 0) {
        await w.bulkLoad(scratch, LINE_COLUMNS, parts);
        const loaded = await w.transaction((tx) => loadBatch(tx, spec, validation, scratch, batch, ctx));
        const ms = (performance.now() - started) / batch.length;
        for (const r of loaded) done.set(r.path, { ...r, durationMs: ms });
      }
    } finally {
      await w.exec(`DROP TABLE IF EXISTS ${w.dialect.quoteIdent(scratch)}`).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    }
  }
  const loads = files.flatMap(([p]) => (done.has(p) ? [done.get(p)!] : []));
  for (const r of loads) {
    log?.info({ kind: spec.kind, file: r.path, loadId: r.loadId, skipped: r.skipped, rowsLoaded: r.rowsLoaded, rowsRejected: r.rowsRejected, blankLines: r.blankLines, ms: Math.round(r.durationMs) }, r.skipped ? 'file already loaded, skipped' : 'file loaded');
    if (r.rowsRejected > 0) log?.warn({ kind: spec.kind, file: r.path, rejectReasons: r.rejectReasons }, `${r.rowsRejected} rows rejected: SELECT * FROM raw_rejected WHERE load_id = '${r.loadId}'`);
  }
  const failures = files.flatMap(([p]) => (failed.has(p) ? [failed.get(p)!] : []));
  for (const f of failures) log?.warn({ kind: spec.kind, err: f.message }, 'file not loaded');
  const sum = (f: (l: FileLoadSummary) => number) => loads.reduce((a, l) => a + f(l), 0);
  return {
    summary: {
      kind: spec.kind, files: loads, rowsLoaded: sum((l) => l.rowsLoaded), rowsRejected: sum((l) => l.rowsRejected),
      blankLines: sum((l) => l.blankLines), filesSkipped: loads.filter((l) => l.skipped).length,
    },
    failures,
  };
}

/** The transaction: stage (validate), write valid rows, rejects and the ledger rows; returns each file's counts. */
async function loadBatch(tx: WarehouseSession, spec: KindSpec, validation: string, scratch: string, batch: readonly Fresh[], ctx: LoadContext): Promise<Omit<FileLoadSummary, 'durationMs'>[]> {
  const d = tx.dialect;
  const p = (i: number) => d.param(i);
  await tx.exec(`CREATE TEMP TABLE ${d.quoteIdent(STAGE)} AS\n${renderSql(validation, { lines: d.quoteIdent(scratch) })}`, [ctx.now, ctx.accountCurrency, batch.map((f) => f.loadId), batch.map((f) => f.path)]);
  const cols = Object.keys(RAW_TABLES[spec.table]).map((c) => d.quoteIdent(c)).join(', ');
  await tx.exec(`INSERT INTO ${d.quoteIdent(spec.table)} (${cols}) SELECT ${cols} FROM ${d.quoteIdent(STAGE)} WHERE rej IS NULL AND NOT blank`);
  await tx.exec(
    `INSERT INTO raw_rejected (load_id, kind, file, line, loaded_at, field, reason, raw) SELECT load_id, ${p(1)}, file, line, loaded_at, rej.field, reason, raw FROM ${d.quoteIdent(STAGE)} WHERE rej IS NOT NULL`,
    [spec.kind],
  );
  const counts = await tx.query<{ src_file: number; field: string | null; rule: string | null; blank: boolean; n: number }>(
    `SELECT src_file, rej.field AS field, rej.rule AS rule, blank, COUNT(*) AS n FROM ${d.quoteIdent(STAGE)} GROUP BY 1, 2, 3, 4 ORDER BY 1, 5 DESC, 2, 3`,
  );
  const per = batch.map(() => ({ loaded: 0, rejected: 0, blank: 0, reasons: {} as Record<string, number> }));
  for (const c of counts) {
    const f = per[Number(c.src_file) - 1]!;
    const n = Number(c.n);
    if (c.blank) f.blank += n;
    else if (c.field === null) f.loaded += n;
    else {
      f.rejected += n;
      f.reasons[`${c.field}: ${c.rule}`] = n;
    }
  }
  await tx.exec(
    `INSERT INTO _beamline_loads (load_id, kind, content_hash, file, loaded_at, rows_loaded, rows_rejected, run_id) VALUES ${batch
      .map((_, i) => `(${p(5 * i + 4)}, ${p(1)}, ${p(5 * i + 5)}, ${p(5 * i + 6)}, CAST(${p(2)} AS ${d.columnType('TIMESTAMPTZ')}), ${p(5 * i + 7)}, ${p(5 * i + 8)}, ${p(3)})`)
      .join(', ')}`,
    [spec.kind, ctx.now, ctx.runId, ...batch.flatMap((f, i) => [f.loadId, f.contentHash, f.path, per[i]!.loaded, per[i]!.rejected])],
  );
  return batch.map((f, i) => ({
    kind: spec.kind, path: f.path, format: f.format, contentHash: f.contentHash, loadId: f.loadId, skipped: false,
    rowsLoaded: per[i]!.loaded, rowsRejected: per[i]!.rejected, blankLines: per[i]!.blank, rejectReasons: per[i]!.reasons,
  }));
}
