// Content hashes of many files (the load ledger's key), computed on worker threads: real files on disk,
// checked against `sha256sum` (a separate implementation) and against the one-file path.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../lib/errors.ts';
import { sha256File, sha256Files } from '../../../pipelines/extract/files.ts';

describe('extract: content hashes of a batch of files', () => {
  let dir: string;
  const paths: string[] = [];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'beamline-hash-'));
    // sizes around the workers' 4 MB read buffer, an empty file, and one byte — each content distinct
    const sizes = [0, 1, 4 << 20, (4 << 20) + 1, (9 << 20) - 3, 1000, 65_537, 3];
    sizes.forEach((n, i) => {
      const p = join(dir, `f${i}.ndjson`);
      const buf = Buffer.alloc(n);
      for (let k = 0; k < n; k++) buf[k] = (k * 31 + i * 7) & 0xff;
      writeFileSync(p, buf);
      paths.push(p);
    });
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

  it('hashes one file, and no files, without workers', async () => {
    expect(await sha256Files([])).toEqual([]);
    expect(await sha256Files([paths[2]!])).toEqual([await sha256File(paths[2]!)]);
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
