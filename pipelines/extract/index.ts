/**
 * Extract: loads local event, spend, orders and FX files into the raw layer, fast and lossless.
 * Every row is validated in SQL over the warehouse's own file readers; valid rows land in the
 * kind's raw table, every other row in `raw_rejected` with its line, field and reason. Each file
 * loads in one transaction together with its `_beamline_loads` row, and a content already loaded
 * is skipped, so extract is idempotent and crash-safe. The contract is in docs/input.md.
 */
import { ConfigError, InputError } from '../../lib/errors.ts';
import { canBulkLoad, canReadFiles, type FileFormat, type FileReadingWarehouse, type Warehouse } from '../../warehouse/types.ts';
import { extractByBulkLoad } from './bulk-load.ts';
import { ExtractInputError } from './extract-error.ts';
import { checkFile, sha256Files } from './files.ts';
import { expandPaths } from './glob.ts';
import { KINDS } from './kinds.ts';
import { csvBatchKey, loadBatch, type BatchFile, type BatchFormat } from './load-batch.ts';
import { loadFile, loadIdOf, type LoadContext } from './load-file.ts';
import { ensureRawTables } from './raw-tables.ts';
import { EXTRACT_KINDS, type ExtractKind, type ExtractOptions, type ExtractSources, type ExtractSummary, type FileLoadSummary, type KindSummary } from './types.ts';

export type * from './types.ts';
export { EXTRACT_KINDS } from './types.ts';
export { ExtractInputError } from './extract-error.ts';
export { expandPaths } from './glob.ts';

/**
 * Loads every source file of every kind (events, spend, orders, fx, in that order).
 *
 * Before anything loads, every path is expanded and checked (exists, known extension): a missing
 * or unknown file fails the run with an InputError naming it and loads nothing. A file that turns
 * out unreadable while loading (bad encoding, malformed CSV, missing columns) loads nothing of
 * itself; the other files still load, and then an {@link ExtractInputError} names the failed files.
 * Warehouse errors stop the run at once (the current file's transaction rolls back).
 */
export async function extractAll(w: Warehouse, opts: ExtractOptions & { sources: ExtractSources }): Promise<ExtractSummary> {
  const planned = new Map<ExtractKind, [string, FileFormat][]>();
  for (const kind of EXTRACT_KINDS) planned.set(kind, await planFiles(kind, opts.sources[kind]));
  const kinds = {} as Record<ExtractKind, KindSummary>;
  const failures: InputError[] = [];
  for (const kind of EXTRACT_KINDS) {
    const r = await loadPlanned(w, kind, planned.get(kind)!, opts);
    kinds[kind] = r.summary;
    failures.push(...r.failures);
  }
  if (failures.length) throw new ExtractInputError(failures, EXTRACT_KINDS.flatMap((k) => kinds[k].files));
  const all = Object.values(kinds);
  return { runId: opts.runId, kinds, rowsLoaded: sum(all, (k) => k.rowsLoaded), rowsRejected: sum(all, (k) => k.rowsRejected) };
}

/** Loads files (paths or globs) of one kind; same rules as {@link extractAll}. */
export async function extractFiles(w: Warehouse, kind: ExtractKind, files: readonly string[], opts: ExtractOptions): Promise<KindSummary> {
  const r = await loadPlanned(w, kind, await planFiles(kind, files), opts);
  if (r.failures.length) throw new ExtractInputError(r.failures, r.summary.files);
  return r.summary;
}

async function planFiles(kind: ExtractKind, patterns: readonly string[]): Promise<[string, FileFormat][]> {
  const remote = patterns.find((p) => /^[a-z][a-z0-9+.-]*:\/\//i.test(p));
  if (remote) throw new ConfigError(`sources.${kind}: ${remote} is not a local path; extract reads local files only (line numbers come from reading each file), so copy it first (e.g. gcloud storage cp ${remote} .)`);
  const paths = await expandPaths(patterns);
  const checked = await Promise.allSettled(paths.map((p) => checkFile(p, KINDS[kind].formats, kind)));
  const bad = checked.flatMap((c) => (c.status === 'rejected' ? [c.reason as Error] : []));
  if (bad.length === 1) throw bad[0]!;
  if (bad.length > 1) throw new InputError(`${bad.length} ${kind} files cannot be loaded:\n${bad.map((e) => `  - ${e.message}`).join('\n')}`, { cause: bad[0] });
  return paths.map((p, i) => [p, (checked[i] as PromiseFulfilledResult<FileFormat>).value]);
}

async function loadPlanned(w: Warehouse, kind: ExtractKind, files: readonly [string, FileFormat][], opts: ExtractOptions): Promise<{ summary: KindSummary; failures: InputError[] }> {
  if (!canReadFiles(w)) {
    // BigQuery: files are read here and bulk-loaded as numbered lines, then validated in its SQL (bulk-load.ts).
    if (canBulkLoad(w)) return extractByBulkLoad(w, KINDS[kind], files, loadContext(opts), opts.log);
    throw new ConfigError('extract needs a warehouse that reads local files (DuckDB) or bulk-loads them (BigQuery); this warehouse does neither');
  }
  const ctx = loadContext(opts);
  await ensureRawTables(w);
  // Results are reported in the order the files were listed, whichever way each was loaded.
  const done = new Map<string, FileLoadSummary>();
  const failed = new Map<string, InputError>();
  const report = (r: FileLoadSummary) => {
    done.set(r.path, r);
    opts.log?.info({ kind, file: r.path, loadId: r.loadId, skipped: r.skipped, rowsLoaded: r.rowsLoaded, rowsRejected: r.rowsRejected, blankLines: r.blankLines, ms: Math.round(r.durationMs) }, r.skipped ? 'file already loaded, skipped' : 'file loaded');
    if (r.rowsRejected > 0) opts.log?.warn({ kind, file: r.path, rejectReasons: r.rejectReasons }, `${r.rowsRejected} rows rejected: SELECT * FROM raw_rejected WHERE load_id = '${r.loadId}'`);
  };
  const one = async (path: string, format: FileFormat) => {
    try {
      report(await loadFile(w, KINDS[kind], path, format, ctx));
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      opts.log?.warn({ kind, file: path, err: err.message }, 'file not loaded');
      failed.set(path, err);
    }
  };
  // Files of one shape load together in one pass: NDJSON files, and CSV files with the same header line.
  const { batches, skipped } = await planBatches(w, kind, files);
  for (const r of skipped) report(r);
  for (const { format, batch } of batches) {
    try {
      for (const r of await loadBatch(w, KINDS[kind], format, batch, ctx)) report(r);
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      // One unreadable file: retry file by file, so the others still load and the bad one is named.
      for (const f of batch) await one(f.path, format);
    }
  }
  const batched = batches.flatMap((b) => b.batch);
  const inBatch = new Set([...batched.map((f) => f.path), ...skipped.map((f) => f.path)]);
  for (const [path, format] of files) if (!inBatch.has(path)) await one(path, format);
  const loads = files.flatMap(([p]) => (done.has(p) ? [done.get(p)!] : []));
  const failures = files.flatMap(([p]) => (failed.has(p) ? [failed.get(p)!] : []));
  const summary: KindSummary = {
    kind, files: loads,
    rowsLoaded: sum(loads, (l) => l.rowsLoaded), rowsRejected: sum(loads, (l) => l.rowsRejected),
    blankLines: sum(loads, (l) => l.blankLines), filesSkipped: loads.filter((l) => l.skipped).length,
  };
  return { summary, failures };
}

/**
 * Groups the files that can load together — NDJSON files; CSV files with the same header line — into
 * batches of two or more. Each batch's files are hashed: those already loaded (or repeating an earlier
 * file's content) are skipped, the rest form the batch. Any other file loads on its own.
 */
async function planBatches(w: FileReadingWarehouse, kind: ExtractKind, files: readonly [string, FileFormat][]): Promise<{ batches: { format: BatchFormat; batch: BatchFile[] }[]; skipped: FileLoadSummary[] }> {
  const groups = new Map<string, { format: BatchFormat; paths: string[] }>();
  for (const [path, format] of files) {
    const key = format === 'ndjson' ? 'ndjson' : format === 'csv' ? await csvBatchKey(path).catch(() => null) : null;
    if (key === null) continue;
    const g = groups.get(key) ?? { format: format as BatchFormat, paths: [] };
    g.paths.push(path);
    groups.set(key, g);
  }
  const batches: { format: BatchFormat; batch: BatchFile[] }[] = [];
  const skipped: FileLoadSummary[] = [];
  const candidates = [...groups.values()].filter((g) => g.paths.length > 1);
  if (candidates.length === 0) return { batches, skipped };
  const known = new Set((await w.query<{ h: string }>(`SELECT content_hash AS h FROM _beamline_loads WHERE kind = $1`, [kind])).map((r) => r.h));
  for (const { format, paths } of candidates) {
    const hashes = await sha256Files(paths);
    const batch: BatchFile[] = [];
    paths.forEach((path, i) => {
      const contentHash = hashes[i]!;
      const loadId = loadIdOf(kind, contentHash);
      if (known.has(contentHash)) {
        skipped.push({ kind, path, format, contentHash, loadId, skipped: true, rowsLoaded: 0, rowsRejected: 0, blankLines: 0, rejectReasons: {}, durationMs: 0 });
      } else {
        known.add(contentHash);
        batch.push({ path, contentHash, loadId });
      }
    });
    if (batch.length > 0) batches.push({ format, batch });
  }
  return { batches, skipped };
}

function loadContext(opts: ExtractOptions): LoadContext {
  if (!/^[A-Za-z]{3}$/.test(opts.accountCurrency)) throw new ConfigError(`accountCurrency ${JSON.stringify(opts.accountCurrency)} is not a 3-letter ISO 4217 code`);
  return { runId: opts.runId, now: opts.now ?? new Date(), accountCurrency: opts.accountCurrency.toUpperCase() };
}

function sum<T>(xs: readonly T[], f: (x: T) => number): number {
  return xs.reduce((a, x) => a + f(x), 0);
}
