// An exclusive step (extract) runs one at a time across processes sharing the run store: two
// "workers" (two store connections to one real PostgreSQL schema, two warehouses) start the same
// pipeline at once; their exclusive steps never overlap, a plain step does.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../config/index.ts';
import { createLogger } from '../../../lib/log.ts';
import { definePipeline, type TsStepDef } from '../../../pipelines/definition.ts';
import { leaseHolder, withLease } from '../../../pipelines/lease.ts';
import { hostname } from 'node:os';
import { spawnSync } from 'node:child_process';
import { runPipeline } from '../../../pipelines/runner.ts';
import { openRunStore, type RunStore } from '../../../store/index.ts';
import { openDuckDb } from '../../../warehouse/duckdb/index.ts';
import { dropSchema, freshSchemaName, postgresTestsEnabled, TEST_DATABASE_URL } from '../../helpers/postgres.ts';
import { tempDir, type TempDir } from '../../helpers/tmp.ts';

describe.skipIf(!postgresTestsEnabled)('exclusive steps across workers (real PostgreSQL run store)', () => {
  let dir: TempDir;
  let schema: string;
  let stores: RunStore[];
  beforeEach(async () => {
    dir = tempDir();
    schema = freshSchemaName();
    stores = [await openRunStore({ databaseUrl: TEST_DATABASE_URL, schema }), await openRunStore({ databaseUrl: TEST_DATABASE_URL, schema })];
  });
  afterEach(async () => {
    for (const s of stores) await s.close();
    await dropSchema(schema);
    dir.remove();
  });

  const emptySqlDir = () => {
    const d = join(dir.path, 'sql');
    mkdirSync(d, { recursive: true });
    return d;
  };

  /** Two workers run a one-step pipeline at once; returns each step's [start, end] in ms. */
  async function twoWorkers(exclusive: boolean): Promise<Array<[number, number]>> {
    const spans: Array<[number, number]> = [];
    const step: TsStepDef = {
      name: 'extract_like', kind: 'ts', produces: ['extracted'], reads: [], exclusive,
      async run() {
        const start = Date.now();
        await new Promise((r) => setTimeout(r, 400));
        spans.push([start, Date.now()]);
        return { rowsOut: 0 };
      },
    };
    const config = loadConfig({ env: {}, cwd: dir.path });
    const log = createLogger({ level: 'silent' });
    const summaries = await Promise.all(stores.map(async (store, i) => {
      const warehouse = await openDuckDb({ path: join(dir.path, `wh-${exclusive}-${i}.duckdb`) });
      try {
        return await runPipeline({ config, pipeline: definePipeline({ sqlDir: emptySqlDir(), tsSteps: [step] }), warehouse, store, log, slice: { from: '2026-01-01', to: '2026-01-02' }, lookback: false });
      } finally {
        await warehouse.close();
      }
    }));
    expect(summaries.map((s) => s.status)).toEqual(['succeeded', 'succeeded']);
    return spans.sort((a, b) => a[0] - b[0]);
  }

  it('runs the two exclusive steps one after the other, and releases the lease', async () => {
    const [first, second] = await twoWorkers(true);
    expect(second![0]).toBeGreaterThanOrEqual(first![1]);
    expect(await stores[0]!.getLease('step:extract_like')).toBeUndefined();
  });

  it('(control) runs two plain steps at the same time', async () => {
    const [first, second] = await twoWorkers(false);
    expect(second![0]).toBeLessThan(first![1]);
  });

  it('waits for a holder that never releases until the wait runs out, naming the holder (retryable)', async () => {
    await stores[0]!.acquireLease('step:x', 'stuck-worker/run-1', 60_000);
    const err = await withLease(stores[1]!, 'step:x', { holder: 'w2/run-2', waitMs: 300, pollMs: 50 }, async () => 'ran').catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/'step:x' is still held by stuck-worker\/run-1 after waiting 0 s/);
    expect((err as { retryable?: boolean }).retryable).toBe(true);
  });

  it('takes over a dead holder\'s lease once it expires, and renews its own while the step runs', async () => {
    await stores[0]!.acquireLease('step:y', 'dead-worker/run-1', 200);
    const result = await withLease(stores[1]!, 'step:y', { holder: 'w2/run-2', ttlMs: 300, pollMs: 50 }, async () => {
      const held = await stores[1]!.getLease('step:y');
      await new Promise((r) => setTimeout(r, 700)); // beyond the ttl: only renewals keep it
      const still = await stores[1]!.getLease('step:y');
      return { held: held?.holder, still: still?.holder, renewed: still!.expiresAt > held!.expiresAt };
    });
    expect(result).toEqual({ held: 'w2/run-2', still: 'w2/run-2', renewed: true });
    expect(await stores[1]!.getLease('step:y')).toBeUndefined();
  });

  it('takes over at once a lease whose holder was a process of this machine that is gone, and waits for a live one', async () => {
    // a process that has exited: its pid is free (not reused within this test)
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    await stores[0]!.acquireLease('step:z', `in-process/run-1@${hostname()}:${dead}`, 600_000);
    const started = Date.now();
    expect(await withLease(stores[1]!, 'step:z', { holder: leaseHolder('w2/run-2'), waitMs: 5_000, pollMs: 50 }, async () => (await stores[1]!.getLease('step:z'))?.holder)).toBe(leaseHolder('w2/run-2'));
    expect(Date.now() - started).toBeLessThan(2_000); // not the 10-minute ttl
    // a live holder on this machine (this very process, as another run) is waited for, not taken over
    await stores[0]!.acquireLease('step:z', leaseHolder('in-process/run-3'), 600_000);
    const err = await withLease(stores[1]!, 'step:z', { holder: leaseHolder('w2/run-4'), waitMs: 200, pollMs: 50 }, async () => 'ran').catch((e: Error) => e);
    expect((err as Error).message).toMatch(/still held by in-process\/run-3@/);
  });
});
