// The run store conformance suite: every test runs against a real SQLite file and a real
// PostgreSQL (own schema per test). Both backends must behave identically.
import { createServer, type Server, type Socket } from 'node:net';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, InputError, StoreError } from '../../../lib/errors.ts';
import { openRunStore } from '../../../store/index.ts';
import type { NewRun, RunStore, StepKey } from '../../../store/types.ts';
import { postgresTestsEnabled, TEST_DATABASE_URL } from '../../helpers/postgres.ts';
import { BACKENDS, fakeHash, testDatabase, type TestDatabase } from './backends.ts';

const RUN: NewRun = { kind: 'run', sliceFrom: '2026-02-01', sliceTo: '2026-02-02', configHash: 'cfg1', trigger: 'cli' };

for (const backend of BACKENDS) {
  describe.skipIf(backend === 'postgres' && !postgresTestsEnabled)(`run store conformance: ${backend}`, () => {
    let db: TestDatabase;
    let store: RunStore;
    beforeEach(async () => {
      db = testDatabase(backend);
      store = await db.open();
    });
    afterEach(async () => db.cleanup());

    const status = async (id: string) => (await store.getRun(id))?.status;

    describe('runs', () => {
      it('createRun is idempotent for the same id: the first create wins', async () => {
        const first = await store.createRun({ ...RUN, id: 'run-2026-02-01' });
        const again = await store.createRun({ ...RUN, id: 'run-2026-02-01', trigger: 'schedule' });
        expect(again).toEqual(first);
        expect(again.trigger).toBe('cli');
        expect(await store.listRuns({ limit: 10 })).toHaveLength(1);
      });

      it('generates an id when none is given', async () => {
        const a = await store.createRun(RUN);
        const b = await store.createRun(RUN);
        expect(a.id).toMatch(/^[0-9a-f-]{36}$/);
        expect(b.id).not.toBe(a.id);
        expect(a).toMatchObject({ kind: 'run', sliceFrom: '2026-02-01', sliceTo: '2026-02-02', configHash: 'cfg1', finishedAt: null });
      });

      it('rejects a bad kind or slice with InputError naming the field', async () => {
        await expect(store.createRun({ ...RUN, sliceTo: '2026-02-01' })).rejects.toThrow(InputError);
        await expect(store.createRun({ ...RUN, sliceFrom: '2026-02-30' })).rejects.toThrow(/sliceFrom/);
        await expect(store.createRun({ ...RUN, kind: 'nightly' as never })).rejects.toThrow(/kind/);
      });

      it('listRuns returns newest first, honours limit and filters by derived status', async () => {
        const ids = [];
        for (let i = 0; i < 4; i++) ids.push((await store.createRun({ ...RUN, id: `r${i}` })).id);
        await store.startStep({ runId: 'r1', step: 'extract' });
        expect((await store.listRuns({ limit: 3 })).map((r) => r.id)).toEqual(['r3', 'r2', 'r1']);
        expect((await store.listRuns({ limit: 10, status: 'running' })).map((r) => r.id)).toEqual(['r1']);
        expect((await store.listRuns({ limit: 2, status: 'queued' })).map((r) => r.id)).toEqual(['r3', 'r2']);
        expect(await store.listRuns({ limit: 0 })).toEqual([]);
      });

      it('completeRun sets finished_at once; an unknown run is a StoreError', async () => {
        await store.createRun({ ...RUN, id: 'r' });
        await store.completeRun('r');
        const finished = (await store.getRun('r'))?.finishedAt;
        await store.completeRun('r');
        expect((await store.getRun('r'))?.finishedAt).toBe(finished);
        await expect(store.completeRun('nope')).rejects.toThrow(StoreError);
        expect(await store.getRun('nope')).toBeUndefined();
      });
    });

    describe('steps', () => {
      const key: StepKey = { runId: 'r', step: 'transform', slice: '2026-02-01' };
      beforeEach(async () => void (await store.createRun({ ...RUN, id: 'r' })));

      it('runs a step through start and finish with counters, duration and worker', async () => {
        const started = await store.startStep(key, { workerId: 'w1' });
        expect(started).toMatchObject({ status: 'running', attempt: 1, workerId: 'w1', finishedAt: null });
        const done = await store.finishStep(key, { rowsIn: 10, rowsOut: 7, bytes: 3_000_000_000 });
        expect(done).toMatchObject({ status: 'succeeded', attempt: 1, rowsIn: 10, rowsOut: 7, bytes: 3_000_000_000, durationMs: 1000, error: null });
        expect(Date.parse(done.finishedAt ?? '') - Date.parse(done.startedAt ?? '')).toBe(1000);
        expect(await store.listSteps('r')).toEqual([done]);
      });

      it('counts attempts: a failed step restarts with attempt 2 and a cleared error', async () => {
        await store.startStep(key);
        const failed = await store.failStep(key, new StoreError('lock timeout'), { rowsIn: 5 });
        expect(failed).toMatchObject({ status: 'failed', attempt: 1, error: 'StoreError: lock timeout', rowsIn: 5 });
        const retried = await store.startStep(key, { workerId: 'w2' });
        expect(retried).toMatchObject({ status: 'running', attempt: 2, error: null, rowsIn: null, workerId: 'w2' });
      });

      it('restarts a step found running (its worker is gone) by incrementing the attempt', async () => {
        await store.startStep(key, { workerId: 'crashed' });
        const restarted = await store.startStep(key, { workerId: 'w2' });
        expect(restarted).toMatchObject({ status: 'running', attempt: 2, workerId: 'w2' });
        expect(await store.listSteps('r')).toHaveLength(1);
      });

      it('keeps (run, step, slice) unique: slices are separate steps', async () => {
        await store.startStep({ ...key, slice: '2026-02-01' });
        await store.startStep({ ...key, slice: '2026-02-02' });
        await store.startStep({ runId: 'r', step: 'report' });
        const steps = await store.listSteps('r');
        expect(steps.map((s) => [s.step, s.slice, s.attempt])).toEqual([
          ['transform', '2026-02-01', 1], ['transform', '2026-02-02', 1], ['report', '', 1],
        ]);
      });

      it('refuses to finish or fail a step that never started, and a step of an unknown run', async () => {
        await expect(store.finishStep(key)).rejects.toThrow(/never started/);
        await store.planSteps('r', [{ step: 'transform', slice: '2026-02-01' }]);
        await expect(store.failStep(key, 'x')).rejects.toThrow(StoreError);
        await expect(store.startStep({ runId: 'nope', step: 'extract' })).rejects.toThrow(StoreError);
      });

      it('planSteps adds pending steps and leaves existing ones alone', async () => {
        await store.startStep(key);
        await store.planSteps('r', [{ step: 'transform', slice: '2026-02-01' }, { step: 'report' }]);
        const steps = await store.listSteps('r');
        expect(steps.map((s) => [s.step, s.status, s.attempt])).toEqual([['transform', 'running', 1], ['report', 'pending', 0]]);
      });
    });

    describe('derived run status', () => {
      const ex = (slice = ''): StepKey => ({ runId: 'r', step: 'extract', slice });
      const tr = (slice = ''): StepKey => ({ runId: 'r', step: 'transform', slice });
      beforeEach(async () => void (await store.createRun({ ...RUN, id: 'r' })));

      it('queued while no step has started', async () => {
        expect(await status('r')).toBe('queued');
        await store.planSteps('r', [{ step: 'extract' }, { step: 'transform' }]);
        expect(await status('r')).toBe('queued');
      });

      it('running while a step runs, and between steps until the run is complete', async () => {
        await store.planSteps('r', [{ step: 'extract' }, { step: 'transform' }]);
        await store.startStep(ex());
        expect(await status('r')).toBe('running');
        await store.finishStep(ex());
        expect(await status('r')).toBe('running');
        await store.startStep(tr());
        await store.finishStep(tr());
        expect(await status('r')).toBe('running');
      });

      it('succeeded when every step succeeded (or was skipped) and the run is complete', async () => {
        await store.startStep(ex());
        await store.finishStep(ex());
        await store.skipStep(tr(), 'no new data');
        await store.completeRun('r');
        expect(await status('r')).toBe('succeeded');
        expect((await store.listSteps('r'))[1]).toMatchObject({ status: 'skipped', error: 'no new data' });
      });

      it('failed when a step failed with no later success', async () => {
        await store.planSteps('r', [{ step: 'extract' }, { step: 'transform' }]);
        await store.startStep(ex());
        await store.finishStep(ex());
        await store.startStep(tr());
        await store.failStep(tr(), new Error('boom'));
        expect(await status('r')).toBe('failed');
        await store.completeRun('r');
        expect(await status('r')).toBe('failed');
        expect((await store.listRuns({ limit: 5, status: 'failed' })).map((r) => r.id)).toEqual(['r']);
      });

      it('partial when one slice of a backfill failed and another slice is done', async () => {
        for (const day of ['2026-02-01', '2026-02-02']) {
          await store.startStep(ex(day));
          await store.finishStep(ex(day));
        }
        await store.startStep(tr('2026-02-01'));
        await store.finishStep(tr('2026-02-01'));
        await store.startStep(tr('2026-02-02'));
        await store.failStep(tr('2026-02-02'), 'warehouse error');
        await store.completeRun('r');
        expect(await status('r')).toBe('partial');
        expect((await store.listRuns({ limit: 5, status: 'partial' })).map((r) => r.id)).toEqual(['r']);
      });

      it('partial when the run was marked complete with steps that never ran', async () => {
        await store.planSteps('r', [{ step: 'extract' }, { step: 'transform' }]);
        await store.startStep(ex());
        await store.finishStep(ex());
        await store.completeRun('r');
        expect(await status('r')).toBe('partial');
      });

      it('failed, then retried and succeeded: running during the retry, succeeded at the end', async () => {
        await store.startStep(ex());
        await store.failStep(ex(), 'network');
        expect(await status('r')).toBe('failed');
        await store.startStep(ex());
        expect(await status('r')).toBe('running');
        const step = await store.finishStep(ex());
        expect(step).toMatchObject({ attempt: 2, status: 'succeeded', error: null });
        await store.completeRun('r');
        expect(await status('r')).toBe('succeeded');
      });
    });

    describe('load ledger', () => {
      const load = { kind: 'events' as const, contentHash: fakeHash(1), path: 'in/a.ndjson', rowsLoaded: 10, rowsRejected: 1, loadId: 'L1' };

      it('records a load once: the same hash twice keeps the first record', async () => {
        expect(await store.findLoad('events', fakeHash(1))).toBeUndefined();
        const first = await store.recordLoad(load);
        expect(first.created).toBe(true);
        expect(first.load).toMatchObject({ ...load, runId: null });
        const second = await store.recordLoad({ ...load, loadId: 'L2', path: 'in/copy.ndjson' });
        expect(second).toEqual({ load: first.load, created: false });
        expect(await store.findLoad('events', fakeHash(1))).toEqual(first.load);
        expect(await store.findLoad('spend', fakeHash(1))).toBeUndefined();
      });

      it('concurrent recordLoad from two connections: one row per hash, no error', async () => {
        const other = await db.open();
        const hashes = Array.from({ length: 20 }, (_, i) => fakeHash(100 + i));
        const results = await Promise.all(hashes.flatMap((h) => [
          store.recordLoad({ ...load, contentHash: h, loadId: `a-${h}` }),
          other.recordLoad({ ...load, contentHash: h, loadId: `b-${h}` }),
        ]));
        for (let i = 0; i < hashes.length; i++) {
          const [a, b] = [results[2 * i], results[2 * i + 1]];
          expect([a?.created, b?.created].filter(Boolean)).toHaveLength(1);
          expect(a?.load).toEqual(b?.load);
        }
      });

      it('rejects a hash that is not sha256 hex', async () => {
        await expect(store.recordLoad({ ...load, contentHash: 'abc' })).rejects.toThrow(InputError);
      });
    });

    describe('leases', () => {
      it('has one holder: the holder renews it, others are refused, release frees it', async () => {
        const a = await store.acquireLease('step:extract', 'w1/run-a', 60_000);
        expect(a).toMatchObject({ name: 'step:extract', holder: 'w1/run-a' });
        expect(await store.acquireLease('step:extract', 'w2/run-b', 60_000)).toBeUndefined();
        const renewed = await store.acquireLease('step:extract', 'w1/run-a', 60_000);
        expect(renewed?.acquiredAt).toEqual(a?.acquiredAt);
        expect(renewed!.expiresAt.getTime()).toBeGreaterThan(a!.expiresAt.getTime());
        expect(await store.acquireLease('step:other', 'w2/run-b', 60_000)).toMatchObject({ holder: 'w2/run-b' }); // names are independent
        expect((await store.listLeases()).map((l) => [l.name, l.holder])).toEqual([['step:extract', 'w1/run-a'], ['step:other', 'w2/run-b']]);
        expect(await store.releaseLease('step:extract', 'w2/run-b')).toBe(false); // not its lease
        expect(await store.releaseLease('step:extract', 'w1/run-a')).toBe(true);
        expect(await store.getLease('step:extract')).toBeUndefined();
        expect(await store.acquireLease('step:extract', 'w2/run-b', 60_000)).toMatchObject({ holder: 'w2/run-b' });
      });

      it('an expired lease is taken over, and its old holder can no longer renew it', async () => {
        // (the test clock advances 1 s per reading: a 1 ms lease has expired at the next call)
        await store.acquireLease('step:extract', 'dead-worker/run-a', 1);
        expect(await store.acquireLease('step:extract', 'w2/run-b', 60_000)).toMatchObject({ holder: 'w2/run-b' });
        expect(await store.acquireLease('step:extract', 'dead-worker/run-a', 60_000)).toBeUndefined();
        expect((await store.getLease('step:extract'))?.holder).toBe('w2/run-b');
      });

      it('concurrent acquirers on two connections: exactly one holder per lease', async () => {
        const other = await db.open();
        const names = Array.from({ length: 20 }, (_, i) => `lease-${i}`);
        const results = await Promise.all(names.flatMap((n) => [store.acquireLease(n, 'a', 60_000), other.acquireLease(n, 'b', 60_000)]));
        for (let i = 0; i < names.length; i++) {
          const winners = [results[2 * i], results[2 * i + 1]].filter(Boolean);
          expect(winners).toHaveLength(1);
          expect((await store.getLease(names[i]!))?.holder).toBe(winners[0]!.holder);
        }
      });

      it('rejects an empty name or holder and a ttl that is not a whole number of ms', async () => {
        await expect(store.acquireLease('', 'a', 1000)).rejects.toThrow(/lease name/);
        await expect(store.acquireLease('x', '', 1000)).rejects.toThrow(/lease holder/);
        await expect(store.acquireLease('x', 'a', 0.5)).rejects.toThrow(/ttlMs/);
      });
    });

    describe('transform ledger', () => {
      const entry = { runId: 'r1', name: 'stg_events', step: 'transform', version: '1', checksum: 'c'.repeat(64), materialization: 'incremental', sliceFrom: '2026-02-01', sliceTo: '2026-02-02', rows: 42 };

      it('records transforms per run, replaces a re-recorded slice, and knows the last version', async () => {
        await store.createRun({ ...RUN, id: 'r1' });
        await store.createRun({ ...RUN, id: 'r2' });
        expect(await store.lastTransformVersion('stg_events')).toBeUndefined();
        await store.recordTransform(entry);
        await store.recordTransform({ ...entry, rows: 43 });
        await store.recordTransform({ ...entry, name: 'sessions', sliceFrom: null, sliceTo: null, materialization: 'table' });
        const listed = await store.listTransforms('r1');
        expect(listed.map((t) => [t.name, t.rows, t.sliceFrom])).toEqual([['stg_events', 43, '2026-02-01'], ['sessions', 42, null]]);
        await store.recordTransform({ ...entry, runId: 'r2', version: '2' });
        expect(await store.lastTransformVersion('stg_events')).toBe('2');
        expect(await store.lastTransformVersion('sessions')).toBe('1');
      });
    });

    describe('watermarks and data tests', () => {
      it('sets and reads watermarks', async () => {
        expect(await store.getWatermark('events.loaded_until')).toBeUndefined();
        const a = await store.setWatermark('events.loaded_until', '2026-02-01T00:00:00Z');
        const b = await store.setWatermark('events.loaded_until', '2026-02-02T00:00:00Z');
        expect(b.updatedAt > a.updatedAt).toBe(true);
        expect(await store.getWatermark('events.loaded_until')).toEqual(b);
      });

      it('records data tests per run; a re-run replaces the result', async () => {
        await store.createRun({ ...RUN, id: 'r' });
        await store.recordDataTest({ runId: 'r', step: 'attribute', name: 'credits_sum_to_one', status: 'fail', failingRows: 3, details: '[{"conversion_id":"c1"}]' });
        await store.recordDataTest({ runId: 'r', step: 'attribute', name: 'credits_sum_to_one', status: 'pass', failingRows: 0 });
        await store.recordDataTest({ runId: 'r', step: 'attribute', name: 'a_unique_keys', status: 'pass', failingRows: 0 });
        const tests = await store.listDataTests('r');
        expect(tests.map((t) => [t.name, t.status, t.failingRows, t.details])).toEqual([
          ['a_unique_keys', 'pass', 0, null], ['credits_sum_to_one', 'pass', 0, null],
        ]);
      });
    });

    describe('persistence and migrations', () => {
      it('a second open of the same store sees the data', async () => {
        await store.createRun({ ...RUN, id: 'r' });
        await store.startStep({ runId: 'r', step: 'extract' });
        await store.setWatermark('w', 'v');
        await store.close();
        const reopened = await db.open();
        expect((await reopened.getRun('r'))?.steps).toHaveLength(1);
        expect((await reopened.getWatermark('w'))?.value).toBe('v');
      });

      it('migrating twice is a no-op', async () => {
        expect(await store.migrate()).toEqual({ applied: [] });
        await store.createRun({ ...RUN, id: 'r' });
        expect(await store.migrate()).toEqual({ applied: [] });
        expect(await store.getRun('r')).toBeDefined();
      });

      it('migrates a fresh database once, also when two stores open at the same time', async () => {
        await db.cleanup();
        db = testDatabase(backend);
        const fresh = await db.openUnmigrated();
        expect(await fresh.migrate()).toEqual({ applied: ['0001_initial', '0002_leases'] });
        expect(await fresh.migrate()).toEqual({ applied: [] });
        await db.cleanup();
        db = testDatabase(backend);
        const [a, b] = await Promise.all([db.open(), db.open()]);
        await a.createRun({ ...RUN, id: 'r' });
        expect(await b.getRun('r')).toBeDefined();
      });
    });
  });
}

describe('opening a PostgreSQL run store that cannot be reached', () => {
  const PASSWORD = 's3cret/pw';
  const url = (port: number) => `postgres://beamline:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}/beamline`;

  async function openError(databaseUrl: string, connectTimeoutMs?: number): Promise<{ err: unknown; ms: number }> {
    const started = Date.now();
    try {
      const store = await openRunStore({ databaseUrl, connectTimeoutMs });
      await store.close();
    } catch (err) {
      return { err, ms: Date.now() - started };
    }
    throw new Error('expected openRunStore to fail');
  }

  function expectNoPassword(err: unknown): void {
    for (const secret of [PASSWORD, encodeURIComponent(PASSWORD), 's3cret']) {
      expect(String(err)).not.toContain(secret);
      expect(inspect(err, { depth: 10 })).not.toContain(secret);
    }
  }

  it('fails fast on a refused port with what to check, without the password', async () => {
    const { err, ms } = await openError(url(1));
    expect(err).toBeInstanceOf(StoreError);
    expect(ms).toBeLessThan(5000);
    const message = (err as Error).message;
    expect(message).toContain('127.0.0.1:1');
    expect(message).toMatch(/server is running/);
    expect(message).toMatch(/host and port/);
    expect(message).toContain('beamline:***@');
    expectNoPassword(err);
  });

  it('gives up after the connect timeout (default 5 s) on a server that never answers', async () => {
    const sockets: Socket[] = [];
    const server: Server = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    try {
      const { err, ms } = await openError(url(port));
      expect(err).toBeInstanceOf(StoreError);
      expect(ms).toBeGreaterThanOrEqual(4000);
      expect(ms).toBeLessThan(9000);
      expect((err as Error).message).toMatch(/timeout/i);
      expectNoPassword(err);
    } finally {
      sockets.forEach((s) => s.destroy());
      await new Promise((r) => server.close(r));
    }
  });

  it.skipIf(!postgresTestsEnabled)('names a missing database', async () => {
    const missing = new URL(TEST_DATABASE_URL);
    missing.pathname = '/beamline_no_such_db';
    const { err } = await openError(missing.toString());
    expect((err as Error).message).toMatch(/create database beamline_no_such_db/i);
  });

  it('refuses a URL of another database rather than falling back to SQLite', async () => {
    await expect(openRunStore({ databaseUrl: `mysql://u:${PASSWORD}@h/db` })).rejects.toThrow(ConfigError);
    await expect(openRunStore({ databaseUrl: `mysql://u:${PASSWORD}@h/db` })).rejects.not.toThrow(/s3cret/);
  });
});
