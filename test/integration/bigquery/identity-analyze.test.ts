/**
 * The identity step's statements on a night it catches up — dates outside its slice whose `events`
 * were rewritten since it read them (docs/journeys.md, "identity, incrementally") — checked by
 * ZetaSQL, BigQuery's SQL front end. The whole-DAG analysis (analyze.test.ts) cannot reach them: its
 * recording warehouse answers every query with no rows, so the step never learns of such a date.
 * Here a recording warehouse answers the step's two questions (is the state stale, which dates
 * changed), so the step renders its dates as a list of constants — the form BigQuery prunes
 * partitions by — and every statement is analyzed against a catalog of what the step reads.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../config/index.ts';
import { createLogger } from '../../../lib/log.ts';
import type { StepContext } from '../../../pipelines/definition.ts';
import { buildIdentity } from '../../../pipelines/steps/identity.ts';
import type { Warehouse } from '../../../warehouse/types.ts';
import { columnsFromDuckTypes, zetaSqlPerFile, type BigQueryAnalyzer } from '../../helpers/zetasql.ts';
import { RecordingWarehouse as Recorder } from './dag-statements.ts';

const server = zetaSqlPerFile();

const SLICE = { from: '2026-03-01', to: '2026-03-05' };
const ctx = (warehouse: Warehouse): StepContext => ({
  config: loadConfig({ env: {} }), warehouse, runId: 'analyze', slice: SLICE, fullRefresh: false, log: createLogger({ level: 'silent' }), now: new Date('2026-03-05T00:00:00Z'),
});

/** The columns identity reads of the tables other steps make (their real shapes are checked by analyze.test.ts). */
function catalog(analyzer: BigQueryAnalyzer): BigQueryAnalyzer {
  const tables: Record<string, Record<string, string>> = {
    events: { local_date: 'DATE', anonymous_id: 'VARCHAR', user_id: 'VARCHAR', is_bot: 'BOOLEAN', has_analytics_consent: 'BOOLEAN' },
    fx_rates: { rate_date: 'DATE', currency: 'VARCHAR', rate: 'DOUBLE' },
    session_events: { person_id: 'VARCHAR', local_date: 'DATE' },
    conversions: { person_id: 'VARCHAR', local_date: 'DATE', currency: 'VARCHAR', fx_missing: 'BOOLEAN', fx_rate: 'DOUBLE' },
    dirty_persons_done: { batch: 'VARCHAR' },
  };
  for (const [name, cols] of Object.entries(tables)) analyzer.addTable(name, columnsFromDuckTypes(cols));
  return analyzer;
}

/** Analyzes every statement in order (the catalog grows with each CREATE); returns the first failure, or null. */
async function analyzeAll(analyzer: BigQueryAnalyzer, statements: Recorder['statements']): Promise<string | null> {
  for (const [i, { sql, inTransaction }] of statements.entries()) {
    if (inTransaction && /^\s*(CREATE\s+(OR\s+REPLACE\s+)?TABLE|DROP\s+TABLE)\b/i.test(sql)) return `statement ${i + 1}: DDL on a permanent table inside the transaction\n${sql}`;
    const r = await analyzer.analyze(sql);
    if (!r.ok) return `statement ${i + 1}: ${r.message}\n${sql}`;
  }
  return null;
}

describe('identity on BigQuery, catching up on dates outside its slice', () => {
  it('renders every date it reads as a constant, and every statement resolves', async () => {
    const analyzer = catalog(server().analyzer());
    // A first build creates the step's tables (and the engine's log) in the catalog.
    const first = new Recorder(() => false);
    await buildIdentity(ctx(first));
    expect(await analyzeAll(analyzer, first.statements)).toBeNull();

    // Then a night whose state is current but whose events were rewritten on 2026-02-20 and 2026-02-27 (and on 03-02, in the slice).
    const night = new Recorder((t) => analyzer.hasTable(t), (sql) => {
      if (/AS events_whole/.test(sql)) return [{ stale: 0, events_whole: 'w1', read_whole: 'w1' }];
      if (/FULL OUTER JOIN/.test(sql)) return [{ local_date: '2026-02-27' }, { local_date: '2026-03-02' }, { local_date: '2026-02-20' }];
      return [];
    });
    const result = await buildIdentity(ctx(night));
    expect(result.details).toMatchObject({ stateRebuilt: false, datesReread: 2, eventsReplaced: false });
    expect(await analyzeAll(analyzer, night.statements)).toBeNull();

    const list = "DATE '2026-02-20', DATE '2026-02-27', DATE '2026-03-01', DATE '2026-03-02', DATE '2026-03-03', DATE '2026-03-04'";
    const sqls = night.statements.map((s) => s.sql.replace(/\s+/g, ' '));
    const reading = (pattern: RegExp) => sqls.filter((s) => pattern.test(s));
    // the read of events, the state's dates replaced and read, the dirty list's reads: all by the same list of constants
    for (const pattern of [/FROM `events` WHERE/, /DELETE FROM `identity_nodes`/, /DELETE FROM `identity_edges`/, /FROM `identity_edges` WHERE local_date/, /FROM `identity_nodes` WHERE local_date IN/, /DELETE FROM `identity_dates`/, /INSERT INTO `identity_dates`/, /FROM `session_events` WHERE/]) {
      const found = reading(pattern);
      expect(found.length, String(pattern)).toBeGreaterThan(0);
      for (const s of found) expect(s, String(pattern)).toContain(`local_date IN (${list})`);
    }
    expect(reading(/NOT IN \(DATE/).join('\n')).toContain(`local_date NOT IN (${list})`);
    // no range of the slice is left anywhere
    expect(sqls.filter((s) => s.includes(`>= DATE '${SLICE.from}'`))).toEqual([]);
  });

  it('rebuilds from all events when events was replaced whole since the state read it, and those statements resolve too', async () => {
    const analyzer = catalog(server().analyzer());
    const first = new Recorder(() => false);
    await buildIdentity(ctx(first));
    expect(await analyzeAll(analyzer, first.statements)).toBeNull();
    const night = new Recorder((t) => analyzer.hasTable(t), (sql) => (/AS events_whole/.test(sql) ? [{ stale: 0, events_whole: 'w2', read_whole: 'w1' }] : []));
    const result = await buildIdentity(ctx(night));
    expect(result.details).toMatchObject({ stateRebuilt: true, datesReread: null, eventsReplaced: true });
    expect(await analyzeAll(analyzer, night.statements)).toBeNull();
    // the dirty list reads every date; the changed dates are not asked for
    expect(night.statements.some((s) => /FULL OUTER JOIN/.test(s.sql))).toBe(false);
    expect(night.statements.map((s) => s.sql.replace(/\s+/g, ' ')).filter((s) => /FROM `session_events` WHERE/.test(s))).toEqual([expect.stringContaining('FROM `session_events` WHERE TRUE')]);
  });
});
