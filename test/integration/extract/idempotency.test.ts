import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { extractFiles } from '../../../pipelines/extract/index.ts';
import type { FileReadingWarehouse, WarehouseSession } from '../../../warehouse/types.ts';
import { count, event, ndjson, OPTS, testBed, type TestBed } from './helpers.ts';

const ROWS = [event({ event_id: 'a' }), event({ event_id: 'b' }), '{broken', event({ event_id: 'c', value: 5 })];

/** The same warehouse, except that inside a transaction the `failAt`-th exec call throws (a crash mid-load). */
function failingAt(inner: FileReadingWarehouse, failAt: number): FileReadingWarehouse & { calls: number } {
  const wrapper: FileReadingWarehouse & { calls: number } = {
    calls: 0,
    dialect: inner.dialect,
    query: (sql, params) => inner.query(sql, params),
    exec: (sql, params) => inner.exec(sql, params),
    tableExists: (t) => inner.tableExists(t),
    columns: (t) => inner.columns(t),
    appendRows: (t, cols, rows) => inner.appendRows(t, cols, rows),
    fileScan: (path, format) => inner.fileScan(path, format),
    filesScan: (paths, format) => inner.filesScan(paths, format),
    close: () => inner.close(),
    transaction: (fn) =>
      inner.transaction((tx) => {
        const session: WarehouseSession = {
          ...tx,
          exec: async (sql, params) => {
            if (++wrapper.calls === failAt) throw new Error(`injected failure at exec #${failAt}`);
            return tx.exec(sql, params);
          },
        };
        return fn(session);
      }),
  };
  return wrapper;
}

describe('extract: idempotent and atomic', () => {
  let bed: TestBed;
  beforeEach(async () => {
    bed = await testBed();
  });
  afterEach(async () => {
    await bed.close();
  });

  it('loads a file once: again, or renamed, adds nothing; a different file loads', async () => {
    const a = bed.file('day1.ndjson', ndjson(ROWS));
    const first = await extractFiles(bed.w, 'events', [a], OPTS);
    expect(first.files[0]).toMatchObject({ skipped: false, rowsLoaded: 3, rowsRejected: 1, loadId: `events-${first.files[0]!.contentHash.slice(0, 16)}` });

    const again = await extractFiles(bed.w, 'events', [a], { ...OPTS, runId: 'rerun' });
    expect(again.files[0]).toMatchObject({ skipped: true, rowsLoaded: 0, rowsRejected: 0, loadId: first.files[0]!.loadId });

    const renamed = join(bed.dir, 'copy-of-day1.ndjson');
    copyFileSync(a, renamed);
    const copy = await extractFiles(bed.w, 'events', [renamed], OPTS);
    expect(copy.files[0]!.skipped).toBe(true);
    expect([await count(bed.w, 'raw_events'), await count(bed.w, 'raw_rejected'), await count(bed.w, '_beamline_loads')]).toEqual([3, 1, 1]);

    const b = bed.file('day2.ndjson', ndjson([event({ event_id: 'd' })]));
    const second = await extractFiles(bed.w, 'events', [a, b], OPTS);
    expect(second.files.map((f) => f.skipped)).toEqual([true, false]);
    expect([await count(bed.w, 'raw_events'), await count(bed.w, '_beamline_loads')]).toEqual([4, 2]);
    const [ledger] = await bed.w.query(`SELECT kind, file, CAST(rows_loaded AS INTEGER) AS rows_loaded, CAST(rows_rejected AS INTEGER) AS rows_rejected, run_id FROM _beamline_loads WHERE file = $1`, [a]);
    expect(ledger).toEqual({ kind: 'events', file: a, rows_loaded: 3, rows_rejected: 1, run_id: 'test-run' });
  });

  it('the same bytes are loaded once per kind, not once per name', async () => {
    const a = bed.file('x/events.ndjson', ndjson(ROWS));
    const b = bed.file('y/events.ndjson', ndjson(ROWS));
    const s = await extractFiles(bed.w, 'events', [a, b], OPTS);
    expect(s.files.map((f) => f.skipped)).toEqual([false, true]);
    expect(s.filesSkipped).toBe(1);
    expect(await count(bed.w, 'raw_events')).toBe(3);
  });

  it('a failure at any statement of a load leaves nothing of the file; the retry loads it once', async () => {
    const path = bed.file('events.ndjson', ndjson(ROWS));
    // Count the exec calls of one clean load in a throwaway warehouse, then fail at each of them.
    const probe = await testBed();
    const counting = failingAt(probe.w, Number.POSITIVE_INFINITY);
    await extractFiles(counting, 'events', [probe.file('events.ndjson', ndjson(ROWS))], OPTS);
    await probe.close();
    expect(counting.calls).toBeGreaterThanOrEqual(5);

    for (let n = 1; n <= counting.calls; n++) {
      await expect(extractFiles(failingAt(bed.w, n), 'events', [path], OPTS)).rejects.toThrow(`injected failure at exec #${n}`);
      const left = [await count(bed.w, 'raw_events'), await count(bed.w, 'raw_rejected'), await count(bed.w, '_beamline_loads')];
      expect(left, `after a failure at exec #${n}`).toEqual([0, 0, 0]);
    }
    const retry = await extractFiles(bed.w, 'events', [path], OPTS);
    expect(retry.files[0]).toMatchObject({ skipped: false, rowsLoaded: 3, rowsRejected: 1 });
    expect([await count(bed.w, 'raw_events'), await count(bed.w, 'raw_rejected'), await count(bed.w, '_beamline_loads')]).toEqual([3, 1, 1]);
  });
});
