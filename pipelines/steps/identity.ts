/**
 * The identity step: stitches anonymous ids and user ids into persons, and lists the persons whose
 * journeys this run must rebuild. Written as a TypeScript step because it iterates (label
 * propagation until stable) and because it compares the new map with the previous one; every
 * statement is portable SQL built with the dialect's helpers. Scratch work is in TEMP tables and
 * every permanent table is written (DELETE + INSERT) in one transaction, so a crash leaves the
 * previous map, excess, dirty list and state in place.
 *
 * Produces:
 * - `identity_map`: one row per id (id_type × id) seen on any event → person_id.
 * - `identity_excess`: the ids whose links were dropped by the giant-component guard, with why.
 * - `dirty_persons`: person ids whose sessions, touchpoints and conversions are rebuilt this run,
 *   with the run id as `batch` (sql/identity/dirty_persons_done.sql records finished batches).
 * - Its own state, so that a run reads the events of its slice (and of dates it must catch up on) only: `identity_nodes` (the ids seen per
 *   local date), `identity_edges` (the stitchable id pairs per local date), `identity_components`
 *   (each linked id's raw component, before the guard), `identity_dates` (per local date, the write of
 *   `events` the state holds, from the engine's log `_slice_writes`) and `identity_state` (the version
 *   and settings the state was built with).
 *
 * Rules (docs/journeys.md): an edge is an event carrying both ids that may be stitched (not a bot;
 * with analytics consent when `consent.require_analytics_for_journeys`). Components are the
 * connected components of those edges. Guard: in a component with more than
 * `identity.max_ids_per_person` ids, every anonymous id linked to two or more user ids is a shared
 * device and loses its links; a component still over the cap after that loses all its links. The
 * person id is the md5 of the component's smallest member, user ids ranking before anonymous ids,
 * so a logged-in person keeps their id when new devices join.
 *
 * Incremental (docs/journeys.md, "identity, incrementally"): a run reads the dates it must — the
 * slice's, plus every date whose `events` rows were rewritten since the state last read it (its
 * write in `_slice_writes` differs from the one `identity_dates` recorded: a run whose events step
 * succeeded and whose identity step then failed for good is healed by the next run, whatever its
 * slice). Those dates of `identity_nodes` and `identity_edges` are replaced from their events. The
 * components an edge of those dates touched — before or after the replacement — are recomputed whole
 * (both passes and the guard) from the persisted edges; every other component, and so every other
 * map and excess row, cannot have changed and is left alone. Ids that appear for the first time
 * without a link are singletons, ids no longer seen on any date leave the map. The result is the map
 * a full computation gives. A first build, a full refresh, missing state, state built by another
 * version or other settings, or `events` replaced whole since the state last read it rebuild the
 * state from all events instead (the map is then compared whole with the previous one).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TransformError } from '../../lib/errors.ts';
import { ensureSliceWrites, SLICE_WRITES } from '../../transforms/materialize.ts';
import { createTableSql, type SqlDialect, type TableLayout } from '../../warehouse/dialect.ts';
import type { WarehouseSession } from '../../warehouse/types.ts';
import { datesIn } from '../dates.ts';
import type { StepContext, StepResult, TsStepDef } from '../definition.ts';

/**
 * Bump when the rules change. The ledger records it; the step also keeps it in `identity_state`,
 * and state built by another version is rebuilt from all events on the next run (no full refresh
 * needed). 2: incremental over the persisted nodes and edges. 3: `identity_dates` — a run also
 * re-reads the dates whose events were rewritten since the state read them.
 */
export const IDENTITY_VERSION = 3;
const CHECKSUM = createHash('sha256').update(readFileSync(fileURLToPath(import.meta.url))).digest('hex');
/** Label propagation with pointer jumping converges in O(log diameter) rounds; this bounds a runaway. */
const MAX_ROUNDS = 200;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export const identityStep: TsStepDef = {
  name: 'identity',
  kind: 'ts',
  produces: ['identity_map', 'identity_excess', 'dirty_persons', 'identity_nodes', 'identity_edges', 'identity_components', 'identity_dates', 'identity_state', 'identity_reads'],
  reads: ['events', 'fx_rates'],
  run: buildIdentity,
};

/** Builds the identity map, its excess report and the dirty-person list in one transaction. */
export async function buildIdentity(ctx: StepContext): Promise<StepResult> {
  const { from, to } = ctx.slice;
  if (!DATE.test(from) || !DATE.test(to)) throw new TransformError(`identity: slice ${from}..${to} is not a pair of YYYY-MM-DD dates`);
  const w = ctx.warehouse;
  try {
    const incremental = !ctx.fullRefresh && (await w.tableExists('identity_map'));
    let stateExisted = incremental;
    for (const s of STATE) stateExisted &&= await w.tableExists(s.table);
    // DDL on the permanent tables happens outside the transaction (BigQuery runs none inside one):
    // they are created empty on a first build or a full refresh. An empty previous map only makes
    // every person dirty, and an empty identity_state makes the next run rebuild the state from all
    // events, so a crash right after this point is repaired by the next run.
    const verb = ctx.fullRefresh ? 'CREATE OR REPLACE TABLE' : 'CREATE TABLE IF NOT EXISTS';
    for (const out of OUTPUTS) {
      await w.exec(`${verb} ${w.dialect.quoteIdent(out.table)} AS SELECT ${out.empty(w.dialect)} FROM (SELECT 1 AS one) AS z WHERE FALSE`);
    }
    for (const s of STATE) await w.exec(createTableSql(w.dialect, s.table, s.columns, { verb, layout: s.layout }));
    // The engine's log of the writes of `events` (made by its step; created here too so this step never depends on its having run).
    await ensureSliceWrites(w);
    await w.exec(createTableSql(w.dialect, READS_TABLE, READS_COLUMNS));
    const result = await w.transaction(async (tx) => {
      const sync = syncStatements(tx, ctx);
      // Rebuild the state from all events unless it exists, was built by this version with these
      // settings, and events has not been replaced whole since the state last read it.
      const [state] = await tx.query<{ stale: number; events_whole: string | null; read_whole: string | null }>(sync.stale);
      // (A first build or a full refresh rebuilds anyway and lists every person: no need to ask.)
      const eventsReplaced = incremental && (state?.events_whole ?? '') !== (state?.read_whole ?? '');
      const rebuild = !stateExisted || Number(state?.stale ?? 0) !== 0 || eventsReplaced;
      // The dates to read besides the slice's: those whose events were rewritten since the state read
      // them (every date when events was replaced whole: only the dirty list's reads need it then).
      const reread: readonly string[] | 'all' = eventsReplaced ? 'all' : await changedDates(tx, sync.changedDates, ctx.slice);
      const sql = statements(tx, ctx, reread);
      const s = rebuild ? sql.full : sql.slice;
      await tx.exec(sql.dayIds(rebuild));
      await tx.exec(sql.dayNodes);
      await tx.exec(sql.dayEdges);
      await tx.exec(sql.seen);
      if (!rebuild) {
        // What the replacement below can change, read before it: the components of every edge of
        // the dates read (old and new), and the ids seen on those dates before and not after.
        await tx.exec(sql.touched);
        await tx.exec(sql.scope);
        await tx.exec(sql.goneCandidates);
        const [c] = await tx.query<{ n: number }>(`SELECT count(*) AS n FROM ${q(tx, '_identity_gone0')}`);
        // Whether they are seen on another date is one scan of identity_nodes: skipped when there is no candidate.
        await tx.exec(sql.gone(c !== undefined && Number(c.n) === 0));
      }
      for (const stmt of sql.replaceState(rebuild)) await tx.exec(stmt);
      await tx.exec(s.edges);
      const pass1 = await components(tx, '_identity_edges0', '_identity_labels1');
      await tx.exec(sql.shared);
      await tx.exec(sql.edgesWithoutShared);
      const pass2 = await components(tx, '_identity_edges1', '_identity_labels2');
      await tx.exec(sql.overCap);
      await tx.exec(s.oldMap);
      await tx.exec(s.nodes);
      await tx.exec(sql.newMap);
      await tx.exec(incremental ? await sql.dirtyIncremental() : sql.dirtyAll);
      await tx.exec(sql.newExcess);
      const [scope] = await tx.query<{ n: number }>(`SELECT count(*) AS n FROM ${q(tx, '_identity_nodes')}`);
      for (const out of OUTPUTS) {
        const cols = out.columns.map((c) => q(tx, c)).join(', ');
        await tx.exec(`DELETE FROM ${q(tx, out.table)} WHERE ${out.table === 'dirty_persons' ? 'TRUE' : s.changedRows}`);
        await tx.exec(`INSERT INTO ${q(tx, out.table)} (${cols}) SELECT ${cols} FROM ${q(tx, out.scratch)}`);
      }
      await tx.exec(`DELETE FROM ${q(tx, 'identity_components')} WHERE ${s.changedComponents}`);
      await tx.exec(`INSERT INTO ${q(tx, 'identity_components')} (node, component) SELECT node, label FROM ${q(tx, '_identity_labels1')}`);
      for (const stmt of sql.writeDates(rebuild)) await tx.exec(stmt);
      // What the journeys may have to rebuild from (journey_starts): the earliest date read, or every date.
      const whole = rebuild || reread === 'all' || !incremental;
      const earliest = whole ? null : [ctx.slice.from, ...reread].sort()[0]!;
      await tx.exec(`DELETE FROM ${q(tx, READS_TABLE)} WHERE TRUE`);
      await tx.exec(`INSERT INTO ${q(tx, READS_TABLE)} (batch, from_date, whole) SELECT ${tx.dialect.quoteString(ctx.runId)} AS batch, ${earliest === null ? 'CAST(NULL AS DATE)' : `DATE '${earliest}'`} AS from_date, ${whole ? 'TRUE' : 'FALSE'} AS whole`);
      await tx.exec(`DELETE FROM ${q(tx, 'identity_state')} WHERE TRUE`);
      await tx.exec(sql.writeState);
      const [counts] = await tx.query<{ ids: number; persons: number; excess: number; dirty: number }>(
        `SELECT (SELECT count(*) FROM ${q(tx, 'identity_map')}) AS ids, (SELECT count(DISTINCT person_id) FROM ${q(tx, 'identity_map')}) AS persons,
                (SELECT count(*) FROM ${q(tx, 'identity_excess')}) AS excess, (SELECT count(*) FROM ${q(tx, 'dirty_persons')}) AS dirty`,
      );
      return { counts, rounds: pass1 + pass2, rebuild, recomputed: Number(scope?.n ?? 0), reread, eventsReplaced };
    });
    for (const t of SCRATCH) await w.exec(`DROP TABLE IF EXISTS ${w.dialect.quoteIdent(t)}`);
    const n = (v: unknown) => Number(v ?? 0);
    return {
      rowsOut: n(result.counts?.ids),
      details: {
        persons: n(result.counts?.persons), excessIds: n(result.counts?.excess), dirtyPersons: n(result.counts?.dirty), rounds: result.rounds, incremental,
        stateRebuilt: result.rebuild, idsRecomputed: result.recomputed,
        // Dates outside the slice read because their events were rewritten since the state read them (a failed run's, healed).
        datesReread: result.reread === 'all' ? null : result.reread.length, eventsReplaced: result.eventsReplaced,
      },
      // Recorded as 'table': a version change needs no full refresh, the step rebuilds its own state (identity_state).
      transform: { name: 'identity', version: IDENTITY_VERSION, checksum: CHECKSUM, materialization: 'table' },
    };
  } catch (err) {
    if (err instanceof TransformError) throw err;
    const retryable = (err as { retryable?: boolean }).retryable ?? false;
    throw new TransformError(`step 'identity' (pipelines/steps/identity.ts) failed: ${(err as Error).message}`, { cause: err, retryable });
  }
}

/** The step's tables: their columns, an empty typed row for creating them, and the scratch table that fills them. */
const OUTPUTS: ReadonlyArray<{ table: string; scratch: string; columns: readonly string[]; empty: (d: SqlDialect) => string }> = [
  {
    table: 'identity_map', scratch: '_identity_map_new', columns: ['id_type', 'id', 'person_id', 'person_ids', 'is_capped'],
    empty: (d) => `${d.castText('NULL')} AS id_type, ${d.castText('NULL')} AS id, ${d.castText('NULL')} AS person_id, CAST(NULL AS BIGINT) AS person_ids, FALSE AS is_capped`,
  },
  {
    table: 'identity_excess', scratch: '_identity_excess_new', columns: ['id_type', 'id', 'reason', 'linked_ids', 'component_ids', 'person_id'],
    empty: (d) => `${d.castText('NULL')} AS id_type, ${d.castText('NULL')} AS id, ${d.castText('NULL')} AS reason, CAST(NULL AS BIGINT) AS linked_ids, CAST(NULL AS BIGINT) AS component_ids, ${d.castText('NULL')} AS person_id`,
  },
  {
    table: 'dirty_persons', scratch: '_identity_dirty', columns: ['person_id', 'batch'],
    empty: (d) => `${d.castText('NULL')} AS person_id, ${d.castText('NULL')} AS batch`,
  },
];

/**
 * The step's state (docs/journeys.md): what it needs to recompute only the components a slice
 * touches. Ids are nodes: '0:<user_id>' and '1:<anonymous_id>'. Per-date tables are partitioned by
 * the date (a slice deletes and reads its own partitions) and clustered by the node columns the
 * other reads look up (BigQuery; DuckDB ignores layout).
 */
const STATE: ReadonlyArray<{ table: string; columns: Readonly<Record<string, string>>; layout?: TableLayout }> = [
  { table: 'identity_nodes', columns: { local_date: 'DATE', node: 'VARCHAR' }, layout: { partitionBy: 'local_date', clusterBy: ['node'] } },
  { table: 'identity_edges', columns: { local_date: 'DATE', a: 'VARCHAR', u: 'VARCHAR' }, layout: { partitionBy: 'local_date', clusterBy: ['a', 'u'] } },
  { table: 'identity_components', columns: { node: 'VARCHAR', component: 'VARCHAR' }, layout: { clusterBy: ['component', 'node'] } },
  // One row per local date of events the state holds (NULL: events' whole-table write), copied from _slice_writes. Small: not partitioned.
  { table: 'identity_dates', columns: { local_date: 'DATE', events_write: 'VARCHAR' }, layout: { clusterBy: ['local_date'] } },
  { table: 'identity_state', columns: { version: 'BIGINT', settings: 'VARCHAR' } },
];

/**
 * `identity_reads`: one row, the last run's (`batch` = its run id): the earliest local date whose
 * events that run read (`from_date`: the slice's first, or an earlier date it caught up on), or
 * `whole` when it recomputed every id (a rebuild of its state, or events replaced whole). The
 * journey_starts step bounds the journeys' rebuild no later than that date.
 */
export const READS_TABLE = 'identity_reads';
const READS_COLUMNS = { batch: 'VARCHAR', from_date: 'DATE', whole: 'BOOLEAN' } as const;

const SCRATCH = [
  '_identity_day_ids', '_identity_day_nodes', '_identity_day_edges', '_identity_seen', '_identity_touched', '_identity_scope', '_identity_gone0', '_identity_gone',
  '_identity_nodes', '_identity_edges0', '_identity_edges1', '_identity_adj', '_identity_lp', '_identity_lp_next', '_identity_labels1', '_identity_labels2',
  '_identity_shared', '_identity_overcap', '_identity_map_old', '_identity_map_new', '_identity_excess_new', '_identity_dirty',
];

function q(tx: WarehouseSession, name: string): string {
  return tx.dialect.quoteIdent(name);
}

/**
 * Connected components of an edge table (a, u) by min-label propagation with pointer jumping:
 * each round a node takes the smallest label among itself and its neighbours, then its label's
 * label. Stops when no label changes; returns the number of rounds. Writes (node, label): the label
 * is the component's smallest node.
 */
async function components(tx: WarehouseSession, edges: string, out: string): Promise<number> {
  const [e, adj, lp, next] = [q(tx, edges), q(tx, '_identity_adj'), q(tx, '_identity_lp'), q(tx, '_identity_lp_next')];
  await tx.exec(`CREATE OR REPLACE TEMP TABLE ${adj} AS
    SELECT a AS src, u AS dst FROM ${e} UNION DISTINCT SELECT u AS src, a AS dst FROM ${e}
    UNION DISTINCT SELECT a AS src, a AS dst FROM ${e} UNION DISTINCT SELECT u AS src, u AS dst FROM ${e}`);
  await tx.exec(`CREATE OR REPLACE TEMP TABLE ${lp} AS SELECT src AS node, min(dst) AS label FROM ${adj} GROUP BY src`);
  for (let round = 1; round <= MAX_ROUNDS; round++) {
    await tx.exec(`CREATE OR REPLACE TEMP TABLE ${next} AS
      WITH hop AS (SELECT a.src AS node, min(l.label) AS label FROM ${adj} AS a JOIN ${lp} AS l ON l.node = a.dst GROUP BY a.src)
      SELECT h.node, CASE WHEN j.label IS NOT NULL AND j.label < h.label THEN j.label ELSE h.label END AS label
      FROM hop AS h LEFT JOIN ${lp} AS j ON j.node = h.label`);
    const [r] = await tx.query<{ n: number }>(`SELECT count(*) AS n FROM ${next} AS x JOIN ${lp} AS l ON l.node = x.node WHERE x.label <> l.label`);
    await tx.exec(`CREATE OR REPLACE TEMP TABLE ${lp} AS SELECT node, label FROM ${next}`);
    if (Number(r?.n ?? 0) === 0) {
      await tx.exec(`CREATE OR REPLACE TEMP TABLE ${q(tx, out)} AS SELECT node, label FROM ${lp}`);
      return round;
    }
  }
  throw new TransformError(`identity: label propagation did not settle in ${MAX_ROUNDS} rounds (edges in ${edges}); this should not happen — please report it`);
}

/** Everything the state depends on besides the events (state built otherwise is rebuilt), as a SQL string. */
function settingsOf(tx: WarehouseSession, ctx: StepContext): string {
  const cap = ctx.config.identity.maxIdsPerPerson;
  if (!Number.isInteger(cap) || cap < 2) throw new TransformError(`identity: identity.max_ids_per_person must be a whole number >= 2, got ${cap}`);
  return tx.dialect.quoteString(JSON.stringify({ max_ids_per_person: cap, require_analytics_for_journeys: ctx.config.consent.requireAnalyticsForJourneys }));
}

/** The rows of `_slice_writes` for `events` (the engine's log, transforms/materialize.ts). */
const eventsWrites = (tx: WarehouseSession) => `SELECT local_date, write_id FROM ${q(tx, SLICE_WRITES)} WHERE table_name = 'events'`;

/** What the state must catch up with, read first in the transaction (the same snapshot as the events it then reads). */
function syncStatements(tx: WarehouseSession, ctx: StepContext) {
  const t = (n: string) => q(tx, n);
  return {
    /**
     * Whether the state is stale (not one row of this version and these settings), and the whole-table
     * writes of events: the log's, and the one the state last read.
     */
    stale: `SELECT s.stale,
        (SELECT max(write_id) FROM (${eventsWrites(tx)}) AS w WHERE local_date IS NULL) AS events_whole,
        (SELECT max(events_write) FROM ${t('identity_dates')} WHERE local_date IS NULL) AS read_whole
      FROM (SELECT CASE WHEN count(*) = 1 AND count(CASE WHEN version = ${IDENTITY_VERSION} AND settings = ${settingsOf(tx, ctx)} THEN 1 END) = 1 THEN 0 ELSE 1 END AS stale
        FROM ${t('identity_state')}) AS s`,
    /** The dates whose events write is not the one the state read: rewritten since, never read, or no longer written (one row per date of two small tables). */
    changedDates: `SELECT ${tx.dialect.castText('coalesce(w.local_date, r.local_date)')} AS local_date
      FROM (${eventsWrites(tx)} AND local_date IS NOT NULL) AS w
      FULL OUTER JOIN (SELECT local_date, events_write FROM ${t('identity_dates')} WHERE local_date IS NOT NULL) AS r ON r.local_date = w.local_date
      WHERE w.write_id IS NULL OR r.events_write IS NULL OR w.write_id <> r.events_write`,
  };
}

/** The changed dates outside the slice, sorted (each checked to be a date: they are rendered into SQL). */
async function changedDates(tx: WarehouseSession, sql: string, slice: StepContext['slice']): Promise<string[]> {
  const rows = await tx.query<{ local_date: string }>(sql);
  const dates = rows.map((r) => String(r.local_date));
  const bad = dates.find((x) => !DATE.test(x));
  if (bad !== undefined) throw new TransformError(`identity: ${SLICE_WRITES} or identity_dates holds ${JSON.stringify(bad)}, not a YYYY-MM-DD date`);
  return [...new Set(dates)].filter((x) => x < slice.from || x >= slice.to).sort();
}

/**
 * The step's statements for this run, built with the dialect's helpers. `reread`: the dates read
 * besides the slice's ('all': every date, when events was replaced whole).
 */
function statements(tx: WarehouseSession, ctx: StepContext, reread: readonly string[] | 'all') {
  const d = tx.dialect;
  const t = (n: string) => q(tx, n);
  const consent = ctx.config.consent.requireAnalyticsForJourneys;
  const eligible = consent ? 'NOT is_bot AND has_analytics_consent' : 'NOT is_bot';
  const settings = settingsOf(tx, ctx);
  const cap = ctx.config.identity.maxIdsPerPerson;
  // The dates this run reads: the slice's, as a range, or — with dates to re-read — every one of
  // them as a list of constants (BigQuery prunes partitions by constant filters only).
  const readList = reread === 'all' || reread.length === 0 ? undefined : [...new Set([...datesIn(ctx.slice.from, ctx.slice.to), ...reread])].sort().map((x) => `DATE '${x}'`).join(', ');
  const inRead = (col: string) => (reread === 'all' ? 'TRUE' : readList === undefined ? `${col} >= DATE '${ctx.slice.from}' AND ${col} < DATE '${ctx.slice.to}'` : `${col} IN (${readList})`);
  const outsideRead = (col: string) => (reread === 'all' ? 'FALSE' : readList === undefined ? `(${col} < DATE '${ctx.slice.from}' OR ${col} >= DATE '${ctx.slice.to}')` : `${col} NOT IN (${readList})`);
  const account = d.quoteString(ctx.config.account.currency);
  // Which run listed a person: dirty_persons_done records the batches whose journeys were all rebuilt.
  const batch = d.quoteString(ctx.runId);
  // Nodes are '0:<user_id>' and '1:<anonymous_id>', so the smallest member of a component is a user id when it has one.
  const nodeOf = (idType: string, id: string) => `(CASE WHEN ${idType} = 'user_id' THEN '0:' ELSE '1:' END || ${id})`;
  const idTypeOf = (node: string) => `CASE WHEN substr(${node}, 1, 1) = '0' THEN 'user_id' ELSE 'anonymous_id' END`;
  const idOf = (node: string) => `substr(${node}, 3)`;
  // The (node, id_type, id) rows of a query returning `node`.
  const withIds = (select: string) => `SELECT node, ${idTypeOf('node')} AS id_type, ${idOf('node')} AS id FROM (${select}) AS k`;
  // The map rows this run rewrites: those of the recomputed ids (_identity_nodes) and of the ids gone.
  const changed = `SELECT node FROM ${t('_identity_nodes')} UNION ALL SELECT node FROM ${t('_identity_gone')}`;
  return {
    writeState: `INSERT INTO ${t('identity_state')} (version, settings) SELECT ${IDENTITY_VERSION} AS version, ${settings} AS settings`,
    /** The only read of `events`: its distinct ids per local date, for the dates read or (a rebuild) every date. */
    dayIds: (all: boolean) => `CREATE OR REPLACE TEMP TABLE ${t('_identity_day_ids')} AS
      SELECT DISTINCT local_date, anonymous_id, user_id, CASE WHEN ${eligible} THEN TRUE ELSE FALSE END AS stitchable
      FROM ${t('events')} WHERE (anonymous_id IS NOT NULL OR user_id IS NOT NULL)${all ? '' : ` AND ${inRead('local_date')}`}`,
    /** The ids seen per local date. */
    dayNodes: `CREATE OR REPLACE TEMP TABLE ${t('_identity_day_nodes')} AS
      SELECT DISTINCT local_date, node FROM (
        SELECT local_date, '1:' || anonymous_id AS node FROM ${t('_identity_day_ids')} WHERE anonymous_id IS NOT NULL
        UNION ALL
        SELECT local_date, '0:' || user_id AS node FROM ${t('_identity_day_ids')} WHERE user_id IS NOT NULL
      ) AS n`,
    /** The stitchable pairs per local date. */
    dayEdges: `CREATE OR REPLACE TEMP TABLE ${t('_identity_day_edges')} AS
      SELECT DISTINCT local_date, '1:' || anonymous_id AS a, '0:' || user_id AS u
      FROM ${t('_identity_day_ids')} WHERE anonymous_id IS NOT NULL AND user_id IS NOT NULL AND stitchable`,
    /** The ids on the events of the dates read (dirty part (a)). */
    seen: `CREATE OR REPLACE TEMP TABLE ${t('_identity_seen')} AS
      ${withIds(`SELECT DISTINCT node FROM ${t('_identity_day_nodes')} WHERE ${inRead('local_date')}`)}`,
    /** Both ends of every edge of the dates read, before (identity_edges, not yet replaced) and after. */
    touched: `CREATE OR REPLACE TEMP TABLE ${t('_identity_touched')} AS
      SELECT a AS node FROM ${t('identity_edges')} WHERE ${inRead('local_date')}
      UNION DISTINCT SELECT u AS node FROM ${t('identity_edges')} WHERE ${inRead('local_date')}
      UNION DISTINCT SELECT a AS node FROM ${t('_identity_day_edges')}
      UNION DISTINCT SELECT u AS node FROM ${t('_identity_day_edges')}`,
    /**
     * The ids to recompute: the touched ids and every member of their previous raw components. Closed
     * under the edges after the replacement: an edge of another date joins two ids of one previous
     * component, and a new edge joins two touched ids. One read of identity_components: a component
     * is in scope when any of its members is touched (a window over the component).
     */
    scope: `CREATE OR REPLACE TEMP TABLE ${t('_identity_scope')} AS
      SELECT node FROM ${t('_identity_touched')}
      UNION DISTINCT
      SELECT node FROM (
        SELECT c.node, max(CASE WHEN k.node IS NULL THEN 0 ELSE 1 END) OVER (PARTITION BY c.component) AS touched
        FROM ${t('identity_components')} AS c LEFT JOIN ${t('_identity_touched')} AS k ON k.node = c.node
      ) AS m WHERE m.touched = 1`,
    /** Ids seen on the dates read before this run and not now. */
    goneCandidates: `CREATE OR REPLACE TEMP TABLE ${t('_identity_gone0')} AS
      SELECT DISTINCT node FROM ${t('identity_nodes')}
      WHERE ${inRead('local_date')} AND node NOT IN (SELECT node FROM ${t('_identity_day_nodes')})`,
    /** …and on no other date either: they leave the map. */
    gone: (none: boolean) => `CREATE OR REPLACE TEMP TABLE ${t('_identity_gone')} AS
      SELECT node FROM ${t('_identity_gone0')}${none ? '' : ` WHERE node NOT IN (SELECT node FROM ${t('identity_nodes')} WHERE ${outsideRead('local_date')})`}`,
    /** The dates read (or every date) of identity_nodes and identity_edges, replaced. */
    replaceState: (all: boolean) => [
      `DELETE FROM ${t('identity_nodes')} WHERE ${all ? 'TRUE' : inRead('local_date')}`,
      `INSERT INTO ${t('identity_nodes')} (local_date, node) SELECT local_date, node FROM ${t('_identity_day_nodes')}`,
      `DELETE FROM ${t('identity_edges')} WHERE ${all ? 'TRUE' : inRead('local_date')}`,
      `INSERT INTO ${t('identity_edges')} (local_date, a, u) SELECT local_date, a, u FROM ${t('_identity_day_edges')}`,
    ],
    /** The events writes the state now holds: the log's rows of the dates read (every row on a rebuild, the whole-table one included). */
    writeDates: (all: boolean) => [
      `DELETE FROM ${t('identity_dates')} WHERE ${all ? 'TRUE' : inRead('local_date')}`,
      `INSERT INTO ${t('identity_dates')} (local_date, events_write) SELECT local_date, write_id FROM (${eventsWrites(tx)}) AS w${all ? '' : ` WHERE ${inRead('local_date')}`}`,
    ],
    /** A slice: only the ids in scope are recomputed. */
    slice: {
      edges: `CREATE OR REPLACE TEMP TABLE ${t('_identity_edges0')} AS
        SELECT DISTINCT a, u FROM ${t('identity_edges')} WHERE a IN (SELECT node FROM ${t('_identity_scope')})`,
      // The previous rows of every id this run may rewrite or reads the person of.
      oldMap: `CREATE OR REPLACE TEMP TABLE ${t('_identity_map_old')} AS
        SELECT node, id_type, id, person_id FROM (SELECT ${nodeOf('id_type', 'id')} AS node, id_type, id, person_id FROM ${t('identity_map')}) AS m
        WHERE node IN (SELECT node FROM ${t('_identity_scope')} UNION ALL SELECT node FROM ${t('_identity_gone')} UNION ALL SELECT node FROM ${t('_identity_seen')})`,
      // The ids in scope that are still seen, and the ids seen for the first time (singletons unless in scope).
      nodes: `CREATE OR REPLACE TEMP TABLE ${t('_identity_nodes')} AS
        ${withIds(`SELECT node FROM ${t('_identity_scope')} WHERE node NOT IN (SELECT node FROM ${t('_identity_gone')})
          UNION DISTINCT SELECT node FROM ${t('_identity_seen')} WHERE node NOT IN (SELECT node FROM ${t('_identity_map_old')})`)}`,
      changedRows: `${nodeOf('id_type', 'id')} IN (${changed})`,
      changedComponents: `node IN (SELECT node FROM ${t('_identity_scope')})`,
    },
    /** A rebuild: every id. */
    full: {
      edges: `CREATE OR REPLACE TEMP TABLE ${t('_identity_edges0')} AS SELECT DISTINCT a, u FROM ${t('identity_edges')}`,
      oldMap: `CREATE OR REPLACE TEMP TABLE ${t('_identity_map_old')} AS SELECT ${nodeOf('id_type', 'id')} AS node, id_type, id, person_id FROM ${t('identity_map')}`,
      nodes: `CREATE OR REPLACE TEMP TABLE ${t('_identity_nodes')} AS ${withIds(`SELECT DISTINCT node FROM ${t('identity_nodes')}`)}`,
      changedRows: 'TRUE',
      changedComponents: 'TRUE',
    },
    // Over the cap: anonymous ids linked to 2+ user ids are shared devices; their links are dropped.
    shared: `CREATE OR REPLACE TEMP TABLE ${t('_identity_shared')} AS
      WITH size AS (SELECT label, count(*) AS ids FROM ${t('_identity_labels1')} GROUP BY label),
      degree AS (SELECT a, count(*) AS users FROM ${t('_identity_edges0')} GROUP BY a)
      SELECT g.a AS node, g.users AS linked_ids, s.ids AS component_ids, 'shared_device' AS reason
      FROM degree AS g JOIN ${t('_identity_labels1')} AS l ON l.node = g.a JOIN size AS s ON s.label = l.label
      WHERE s.ids > ${cap} AND g.users >= 2`,
    edgesWithoutShared: `CREATE OR REPLACE TEMP TABLE ${t('_identity_edges1')} AS
      SELECT a, u FROM ${t('_identity_edges0')} WHERE a NOT IN (SELECT node FROM ${t('_identity_shared')})`,
    // Still over the cap: every member of the component loses its links (each id is its own person).
    overCap: `CREATE OR REPLACE TEMP TABLE ${t('_identity_overcap')} AS
      WITH size AS (SELECT label, count(*) AS ids FROM ${t('_identity_labels2')} GROUP BY label),
      degree AS (
        SELECT node, count(*) AS linked FROM (SELECT a AS node FROM ${t('_identity_edges1')} UNION ALL SELECT u AS node FROM ${t('_identity_edges1')}) AS x GROUP BY node
      )
      SELECT l.node, g.linked AS linked_ids, s.ids AS component_ids, 'component_over_cap' AS reason
      FROM ${t('_identity_labels2')} AS l JOIN size AS s ON s.label = l.label JOIN degree AS g ON g.node = l.node
      WHERE s.ids > ${cap}`,
    // The rows of the recomputed ids. A component lies wholly inside _identity_nodes, so its size is counted here.
    newMap: `CREATE OR REPLACE TEMP TABLE ${t('_identity_map_new')} AS
      WITH labelled AS (
        SELECT n.node, n.id_type, n.id, coalesce(l.label, n.node) AS label
        FROM ${t('_identity_nodes')} AS n
        LEFT JOIN (SELECT node, label FROM ${t('_identity_labels2')} WHERE node NOT IN (SELECT node FROM ${t('_identity_overcap')})) AS l ON l.node = n.node
      ),
      size AS (SELECT label, count(*) AS ids FROM labelled GROUP BY label),
      cut AS (SELECT node FROM ${t('_identity_shared')} UNION ALL SELECT node FROM ${t('_identity_overcap')})
      SELECT b.id_type, b.id, ${d.md5Hex('b.label')} AS person_id, s.ids AS person_ids,
             CASE WHEN b.node IN (SELECT node FROM cut) THEN TRUE ELSE FALSE END AS is_capped
      FROM labelled AS b JOIN size AS s ON s.label = b.label`,
    newExcess: `CREATE OR REPLACE TEMP TABLE ${t('_identity_excess_new')} AS
      SELECT n.id_type, n.id, x.reason, x.linked_ids, x.component_ids, m.person_id
      FROM (SELECT * FROM ${t('_identity_shared')} UNION ALL SELECT * FROM ${t('_identity_overcap')}) AS x
      JOIN ${t('_identity_nodes')} AS n ON n.node = x.node
      JOIN ${t('_identity_map_new')} AS m ON m.id_type = n.id_type AND m.id = n.id`,
    dirtyAll: `CREATE OR REPLACE TEMP TABLE ${t('_identity_dirty')} AS SELECT DISTINCT person_id, ${batch} AS batch FROM ${t('_identity_map_new')}`,
    /**
     * Persons touched by this run: see docs/journeys.md, "Incremental strategy". The map rows outside
     * _identity_map_new are the previous ones, so (b) compares the rewritten rows. _identity_map_old
     * also holds the rows of ids on the events of the dates read that were not rewritten: they count as changed
     * in (b), which lists their unchanged person — already listed by (a).
     */
    async dirtyIncremental(): Promise<string> {
      const parts = [
        // (a) persons of the ids on the events of the dates read, under the new map
        `SELECT coalesce(n.person_id, o.person_id) AS person_id FROM ${t('_identity_seen')} AS s
          LEFT JOIN ${t('_identity_map_new')} AS n ON n.id_type = s.id_type AND n.id = s.id
          LEFT JOIN ${t('_identity_map_old')} AS o ON o.node = s.node`,
        // (b) ids whose person changed, and ids that came or went: old and new person both
        `SELECT o.person_id FROM ${t('_identity_map_old')} AS o LEFT JOIN ${t('_identity_map_new')} AS n ON n.id_type = o.id_type AND n.id = o.id
          WHERE n.person_id IS NULL OR n.person_id <> o.person_id`,
        `SELECT n.person_id FROM ${t('_identity_map_new')} AS n LEFT JOIN ${t('_identity_map_old')} AS o ON o.id_type = n.id_type AND o.id = n.id WHERE o.person_id IS NULL OR o.person_id <> n.person_id`,
      ];
      // (c) the previous owners of the events of the dates read (an event re-merged there may have left its old person)
      if (await tx.tableExists('session_events')) parts.push(`SELECT person_id FROM ${t('session_events')} WHERE ${inRead('local_date')}`);
      // (d) conversions whose fx rate appeared or changed since they were built
      if (await tx.tableExists('conversions')) {
        parts.push(`SELECT c.person_id FROM ${t('conversions')} AS c LEFT JOIN ${t('fx_rates')} AS r ON r.rate_date = c.local_date AND r.currency = c.currency
          WHERE c.currency <> ${account} AND ((r.rate IS NULL) <> c.fx_missing OR r.rate <> c.fx_rate)`);
      }
      // (e) the previous list when its journeys were not all rebuilt (that run failed after this step)
      if (await tx.tableExists('dirty_persons')) {
        const done = (await tx.tableExists('dirty_persons_done')) ? ` WHERE batch NOT IN (SELECT batch FROM ${t('dirty_persons_done')})` : '';
        parts.push(`SELECT person_id FROM ${t('dirty_persons')}${done}`);
      }
      return `CREATE OR REPLACE TEMP TABLE ${t('_identity_dirty')} AS
        SELECT DISTINCT person_id, ${batch} AS batch FROM (${parts.join('\nUNION ALL\n')}) AS d WHERE person_id IS NOT NULL`;
    },
  };
}
