/**
 * The adapter against the real BigQuery. Runs only when BEAMLINE_BQ_PROJECT is set and credentials
 * are available (GOOGLE_APPLICATION_CREDENTIALS, or BEAMLINE_BQ_ADC=1 for application default
 * credentials); the dataset is BEAMLINE_BQ_DATASET (default beamline_test) and must exist. Each
 * run uses its own tables and drops them. Costs a few cents at most (the cap is 1 GiB).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { extractFiles } from '../../../pipelines/extract/index.ts';
import { openBigQuery, type BigQueryWarehouse } from '../../../warehouse/bigquery/index.ts';
import { tempDir } from '../../helpers/tmp.ts';
import { event, ndjson } from '../extract/helpers.ts';

const project = process.env.BEAMLINE_BQ_PROJECT;
const credentials = process.env.GOOGLE_APPLICATION_CREDENTIALS ?? (process.env.BEAMLINE_BQ_ADC === '1' ? 'adc' : undefined);
const skip = !project ? 'BEAMLINE_BQ_PROJECT is not set' : !credentials ? 'no credentials: set GOOGLE_APPLICATION_CREDENTIALS (or BEAMLINE_BQ_ADC=1)' : null;
const dataset = process.env.BEAMLINE_BQ_DATASET ?? 'beamline_test';

describe.skipIf(skip !== null)(`BigQuery, live${skip ? ` — skipped: ${skip}` : ''}`, () => {
  const table = `live_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  let w: BigQueryWarehouse;
  beforeAll(async () => {
    w = (await openBigQuery({ project: project!, dataset, location: process.env.BEAMLINE_BQ_LOCATION ?? 'US', maximumBytesBilled: 2 ** 30 }))
      .withJobContext({ runId: `live-${table}`, step: 'live_test' });
  }, 60_000);
  afterAll(async () => {
    await w?.exec(`DROP TABLE IF EXISTS \`${table}\``).catch(() => undefined);
  }, 60_000);

  it('creates a partitioned, clustered table, loads rows with a load job, replaces a slice in a transaction, reads it back', async () => {
    await w.exec(w.dialect.replaceTableAs(table, `SELECT DATE '2026-03-01' AS local_date, 'p1' AS person_id, 1.5 AS v`, { partitionBy: 'local_date', clusterBy: ['person_id'] }));
    await w.appendRows(table, [{ name: 'local_date', type: 'date' }, { name: 'person_id', type: 'varchar' }, { name: 'v', type: 'double' }], [['2026-03-02', 'p2', 2]]);
    const replaced = await w.transaction(async (tx) => {
      await tx.exec(`DELETE FROM \`${table}\` WHERE person_id = @p1`, ['p2']);
      return tx.exec(`INSERT INTO \`${table}\` SELECT DATE '2026-03-02', 'p3', 3.0`);
    });
    expect(replaced).toBe(1);
    expect(await w.query(`SELECT local_date, person_id, v FROM \`${table}\` ORDER BY local_date`)).toEqual([
      { local_date: '2026-03-01', person_id: 'p1', v: 1.5 }, { local_date: '2026-03-02', person_id: 'p3', v: 3 },
    ]);
    expect((await w.dryRun(`SELECT * FROM \`${table}\``)).bytesProcessed).toBeGreaterThan(0);
    expect(await w.columns(table)).toEqual([{ name: 'local_date', type: 'DATE' }, { name: 'person_id', type: 'STRING' }, { name: 'v', type: 'FLOAT64' }]);
  }, 300_000);

  it('extracts an events file: valid rows to raw_events, each bad row to raw_rejected with line, field and reason; a second extract adds nothing', async () => {
    // A unique id makes the content (and so the load id) new on every run; the rows are deleted afterwards.
    const dir = tempDir('beamline-live-extract-');
    const path = join(dir.path, 'events.ndjson');
    writeFileSync(path, ndjson([event({ event_id: `live-${table}` }), '{broken', '', event({ event_id: 'has space' }), event({ event_id: `live2-${table}`, timestamp: '2024-02-30T10:00:00Z' })]));
    const opts = { runId: `live-${table}`, accountCurrency: 'USD', now: new Date() };
    const first = await extractFiles(w, 'events', [path], opts);
    const loadId = first.files[0]!.loadId;
    try {
      expect(first.files[0]).toMatchObject({ skipped: false, rowsLoaded: 1, rowsRejected: 3, blankLines: 1 });
      expect(await w.query('SELECT line, field, reason FROM raw_rejected WHERE load_id = @p1 ORDER BY line', [loadId])).toEqual([
        { line: 2, field: '(line)', reason: 'invalid JSON' },
        { line: 4, field: 'event_id', reason: 'must not contain whitespace, quotes, semicolons or control characters: "has space"' },
        { line: 5, field: 'timestamp', reason: 'not a valid date and time: "2024-02-30T10:00:00Z"' },
      ]);
      expect(await w.query('SELECT line, event_id, source FROM raw_events WHERE load_id = @p1', [loadId])).toEqual([{ line: 1, event_id: `live-${table}`, source: 'client' }]);
      const again = await extractFiles(w, 'events', [path], opts);
      expect(again.files[0]).toMatchObject({ skipped: true });
      expect(await w.query('SELECT COUNT(*) AS n FROM _beamline_loads WHERE load_id = @p1', [loadId])).toEqual([{ n: 1 }]);
    } finally {
      for (const t of ['raw_events', 'raw_rejected', '_beamline_loads']) await w.exec(`DELETE FROM \`${t}\` WHERE load_id = @p1`, [loadId]).catch(() => undefined);
      dir.remove();
    }
  }, 600_000);
});

