// Content hashes of many files (the load ledger's key), computed on worker threads: real files on disk,
// checked against `sha256sum` (a separate implementation) and against the one-file path.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../lib/errors.ts';
import { MIN_WORKER_BYTES, sha256File, sha256Files } from '../../../pipelines/extract/files.ts';

describe('extract: content hashes of a batch of files', () => {
  let dir: string;
  const paths: string[] = [];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'beamline-hash-'));
    // sizes around the workers' 4 MB read buffer, an empty file, and one byte — each content distinct —
    // and a large one, so the batch is big enough to be hashed on worker threads
    const sizes = [0, 1, 4 << 20, (4 << 20) + 1, (9 << 20) - 3, 1000, 65_537, 3, (56 << 20) + 11];
    sizes.forEach((n, i) => {
      const p = join(dir, `f${i}.ndjson`);
      const pattern = Buffer.from(Array.from({ length: 251 }, (_, k) => (k * 31 + i * 7) & 0xff));
      writeFileSync(p, Buffer.alloc(n, pattern));
      paths.push(p);
    });
    expect(sizes.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(MIN_WORKER_BYTES);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives each file its sha256, in the order listed, as sha256sum does', async () => {
    const listed = [...paths].reverse();
    const hashes = await sha256Files(listed);
    const expected = listed.map((p) => execFileSync('sha256sum', [p], { encoding: 'utf8' }).split(' ')[0]);
    expect(hashes).toEqual(expected);
    expect(new Set(hashes).size).toBe(listed.length);
    expect(await Promise.all(listed.map((p) => sha256File(p)))).toEqual(expected);
  });

  it('hashes one file, no files, and a small batch on this thread, the same', async () => {
    expect(await sha256Files([])).toEqual([]);
    expect(await sha256Files([paths[2]!])).toEqual([await sha256File(paths[2]!)]);
    const small = paths.slice(0, 4);
    expect(await sha256Files(small)).toEqual(await Promise.all(small.map((p) => sha256File(p))));
  });

  it('names a file that cannot be read, whatever its place in the batch', async () => {
    const sub = join(dir, 'a-directory.ndjson');
    mkdirSync(sub, { recursive: true });
    for (const at of [0, 3, paths.length]) {
      const listed = [...paths.slice(0, at), sub, ...paths.slice(at)];
      const err = await sha256Files(listed).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InputError);
      expect((err as Error).message).toMatch(new RegExp(`^cannot read ${sub.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: .*EISDIR`));
    }
  });
});
