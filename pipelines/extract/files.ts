/**
 * What extract needs to know about a file before reading it: that it exists, its format (from the
 * extension) and the sha256 of its bytes, which identifies the content whatever the file is called.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { InputError } from '../../lib/errors.ts';
import type { FileFormat } from '../../warehouse/types.ts';

const EXTENSIONS: readonly [RegExp, FileFormat][] = [
  [/\.(ndjson|jsonl|json)(\.(gz|zst))?$/i, 'ndjson'],
  [/\.(csv|tsv)(\.(gz|zst))?$/i, 'csv'],
  [/\.(parquet|pq)$/i, 'parquet'],
];

/** The file's format from its extension (`.ndjson`/`.jsonl`/`.json`, `.csv`/`.tsv`, optionally `.gz`/`.zst`; `.parquet`). */
export function formatOf(path: string): FileFormat | undefined {
  return EXTENSIONS.find(([re]) => re.test(path))?.[1];
}

/** Throws an InputError naming the file unless it is a readable regular file in one of `allowed` formats. */
export async function checkFile(path: string, allowed: readonly FileFormat[], kind: string): Promise<FileFormat> {
  const format = formatOf(path);
  if (format === undefined || !allowed.includes(format)) {
    throw new InputError(`cannot load ${path} as ${kind}: unknown file type (expected ${allowed.map((f) => `.${f}`).join(', ')}; the format comes from the extension)`);
  }
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new Error('not a regular file');
  } catch (err) {
    throw new InputError(`cannot load ${path} as ${kind}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`, { cause: err });
  }
  return format;
}

/** sha256 of the file's bytes (streamed), hex. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  } catch (err) {
    throw new InputError(`cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  return hash.digest('hex');
}

/**
 * The hashing workers' code (plain JS, run with `eval`, so it needs no TypeScript loader): each message
 * `{ i, path }` is answered `{ i, hash }` or `{ i, error }`. A worker has nothing else to do, so it reads
 * the file synchronously, 4 MB at a time, into one buffer: a read stream's overhead made hashing ~2× slower.
 */
const HASH_WORKER = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { openSync, readSync, closeSync } = require('node:fs');
const buf = Buffer.allocUnsafe(1 << 22);
parentPort.on('message', ({ i, path }) => {
  let fd;
  try {
    const hash = createHash('sha256');
    fd = openSync(path, 'r');
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0;) hash.update(buf.subarray(0, n));
    parentPort.postMessage({ i, hash: hash.digest('hex') });
  } catch (err) {
    parentPort.postMessage({ i, error: String((err && err.message) || err) });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
});`;

/** At most this many hashing threads (a batch of a month's event files is hashed by every core). */
const MAX_HASH_WORKERS = 4;

/**
 * Below this many bytes in all, a batch is hashed on this thread: starting the workers costs ~60 ms
 * (measured: 30 spend files of 124 KB, 60–78 ms on workers, 10–27 ms here).
 */
export const MIN_WORKER_BYTES = 64 << 20;

/**
 * sha256 of each file, in `paths` order. A batch of at least {@link MIN_WORKER_BYTES} is spread over
 * worker threads, one per core (at most {@link MAX_HASH_WORKERS}), each reading one file at a time: hashing
 * is CPU work, and the warehouse waits for it (measured on the 1M-event bench, 60 files, 506 MB, 2 cores:
 * 0.5–0.8 s streamed on this thread, 0.25–0.28 s on two workers). Each worker holds a 4 MB buffer. A
 * smaller batch, or one core, is hashed here, one file at a time. A file that cannot be read is an
 * InputError naming it.
 */
export async function sha256Files(paths: readonly string[]): Promise<string[]> {
  // (a file that cannot be stat'ed counts 0 bytes: hashing it fails, naming it)
  const bytes = (await Promise.all(paths.map((p) => stat(p).then((st) => st.size, () => 0)))).reduce((a, b) => a + b, 0);
  const n = bytes < MIN_WORKER_BYTES ? 1 : Math.min(availableParallelism(), MAX_HASH_WORKERS, paths.length);
  if (n <= 1) {
    const out: string[] = [];
    for (const p of paths) out.push(await sha256File(p));
    return out;
  }
  const out = new Array<string>(paths.length);
  const workers = Array.from({ length: n }, () => new Worker(HASH_WORKER, { eval: true }));
  try {
    let next = 0;
    await Promise.all(workers.map((w) => new Promise<void>((resolve, reject) => {
      const send = () => {
        if (next >= paths.length) return resolve();
        const i = next++;
        w.postMessage({ i, path: paths[i] });
      };
      w.on('message', (m: { i: number; hash?: string; error?: string }) => {
        if (m.error !== undefined) return reject(new InputError(`cannot read ${paths[m.i]}: ${m.error}`));
        out[m.i] = m.hash!;
        send();
      });
      w.on('error', reject);
      w.on('exit', (code) => reject(new Error(`a file-hashing thread stopped (exit code ${code})`)));
      send();
    })));
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return out;
}
