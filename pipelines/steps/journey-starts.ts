/**
 * The journey-starts step: where each dirty person's journeys are rebuilt from, when
 * `sessions.rebuild_horizon_days` bounds the rebuild (docs/journeys.md, "the rebuild horizon").
 * Runs after `identity` (which lists the dirty persons) and before `session_events`.
 *
 * Produces `dirty_starts`: one row per dirty person — `from_ts` (their rows at or after it are
 * replaced, the ones before kept; NULL: their whole history), `from_date` (its local date),
 * `session_base` (their sessions before `from_ts`: the rebuilt ones are numbered after them),
 * `reason` (whole | session | horizon | moved | unfinished, below) and the run's `batch` — and `dirty_click_landings` (per person and click id, the sessions before
 * `from_ts` that landed on it: a click id that lands again gets the next `:n` suffix).
 *
 * With a horizon H = the first date this run's identity step read (the slice's, or an earlier date it
 * caught up on after a failed run: `identity_reads`) − N days, and F = H − 1 day:
 * - a person whose events kept their owner starts at their last session start before H (found among
 *   their sessions since F; reason 'session'), or at H when they have none there ('horizon'). Every event the run changed lies at
 *   or after H, and a session split from a session start on depends only on the events from there,
 *   so the rebuild equals a whole-history one. A session open for more than a day across H is cut.
 * - a person some of whose events since F changed owner (identity merged or split them; old and
 *   new owner both) starts at F ('moved'). One start for all of them keeps every event: the rows a merged-away
 *   person loses from F on are rebuilt under the person their events now belong to. Their rows
 *   before F stay under the old person until a full refresh.
 * - a person listed again because an earlier run did not finish their journeys keeps the earlier of
 *   the two starts ('unfinished' when that is the earlier one; 'whole' when that run rebuilt them whole) (that run may have rebuilt `session_events` from its start and not the rest).
 *
 * Without a horizon, on a full refresh, before the journeys exist, or when identity recomputed every
 * id (its state rebuilt: any event may have changed owner), every dirty person's
 * `from_ts` is NULL: the journeys steps rebuild their whole history, as before the horizon existed.
 * The counters come from `sessions` (its narrow columns, all history); the starts from its
 * partitions since F and `session_events`' since F.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TransformError } from '../../lib/errors.ts';
import { localMidnightUtc } from '../../transforms/render.ts';
import { createTableSql } from '../../warehouse/dialect.ts';
import { READS_TABLE } from './identity.ts';
import { addDays } from '../dates.ts';
import type { StepContext, StepResult, TsStepDef } from '../definition.ts';

export const STARTS_VERSION = 1;
const CHECKSUM = createHash('sha256').update(readFileSync(fileURLToPath(import.meta.url))).digest('hex');

export const STARTS_TABLE = 'dirty_starts';
export const CLICK_LANDINGS_TABLE = 'dirty_click_landings';

const STARTS_COLUMNS = { person_id: 'VARCHAR', from_ts: 'TIMESTAMPTZ', from_date: 'DATE', session_base: 'BIGINT', reason: 'VARCHAR', batch: 'VARCHAR' } as const;
const LANDINGS_COLUMNS = { person_id: 'VARCHAR', click_id_param: 'VARCHAR', click_id: 'VARCHAR', landings: 'BIGINT' } as const;
const SCRATCH = ['_starts_prev', '_starts_last', '_starts_moved', '_starts_new', '_starts_before'];

export const journeyStartsStep: TsStepDef = {
  name: 'journey_starts',
  kind: 'ts',
  produces: [STARTS_TABLE, CLICK_LANDINGS_TABLE],
  // `sessions` and `session_events` are read as the previous run left them (this step runs before
  // they are rebuilt), so they are not inputs in the graph's sense.
  reads: ['dirty_persons', 'identity_map', READS_TABLE],
  run: buildStarts,
};

/** The horizon H (`first` − `days`) and the day before it, F: the earliest start a run can give (both 'YYYY-MM-DD'). */
export function horizonDates(first: string, days: number): { horizon: string; floor: string } {
  const horizon = addDays(first, -days);
  return { horizon, floor: addDays(horizon, -1) };
}

export async function buildStarts(ctx: StepContext): Promise<StepResult> {
  const w = ctx.warehouse;
  const d = w.dialect;
  const t = (n: string) => d.quoteIdent(n);
  const days = ctx.config.sessions.rebuildHorizonDays;
  try {
    // DDL outside the transaction (BigQuery runs none on permanent tables inside one).
    // (a table from an earlier version of this step, without `reason`, is replaced: it holds one run's list)
    if ((await w.tableExists(STARTS_TABLE)) && !(await w.columns(STARTS_TABLE)).some((c) => c.name === 'reason')) await w.exec(`DROP TABLE ${t(STARTS_TABLE)}`);
    await w.exec(createTableSql(d, STARTS_TABLE, STARTS_COLUMNS));
    await w.exec(createTableSql(d, CLICK_LANDINGS_TABLE, LANDINGS_COLUMNS));
    const has = async (n: string) => w.tableExists(n);
    const journeysExist = (await has('sessions')) && (await has('session_events')) && (await has('identity_map'));
    // What this run's identity step read: an earlier date it caught up on moves the horizon back; a
    // recomputation of every id (its state rebuilt) leaves nothing to bound.
    const [reads] = (await has(READS_TABLE))
      ? await w.query<{ from_date: string | null; whole: boolean }>(`SELECT ${d.castText('from_date')} AS from_date, whole FROM ${t(READS_TABLE)} WHERE batch = ${d.quoteString(ctx.runId)}`)
      : [];
    const bounded = days !== undefined && !ctx.fullRefresh && journeysExist && reads?.whole !== true;
    const first = reads?.from_date && reads.from_date < ctx.slice.from ? reads.from_date : ctx.slice.from;
    const prevDone = (await has('dirty_persons_done')) ? ` AND batch NOT IN (SELECT batch FROM ${t('dirty_persons_done')})` : '';
    const batch = d.quoteString(ctx.runId);
    const ts = (iso: string) => `CAST(${d.quoteString(iso)} AS ${d.columnType('TIMESTAMPTZ')})`;
    const dirty = `SELECT DISTINCT person_id FROM ${t('dirty_persons')} WHERE person_id IS NOT NULL`;

    const result = await w.transaction(async (tx) => {
      // The unfinished earlier batch, read before it is replaced: its start, NULL (whole history) included.
      await tx.exec(`CREATE OR REPLACE TEMP TABLE ${t('_starts_prev')} AS
        SELECT person_id, min(from_ts) AS from_ts, count(*) - count(from_ts) AS whole FROM ${t(STARTS_TABLE)} WHERE TRUE${prevDone} GROUP BY person_id`);
      if (bounded) {
        const { horizon: h, floor: f } = horizonDates(first, days);
        const [hTs, fTs] = [localMidnightUtc(h, ctx.config.account.timeZone).toISOString(), localMidnightUtc(f, ctx.config.account.timeZone).toISOString()];
        await tx.exec(`CREATE OR REPLACE TEMP TABLE ${t('_starts_last')} AS
          SELECT person_id, max(session_start) AS last_start FROM ${t('sessions')}
          WHERE local_date >= DATE '${f}' AND session_start < ${ts(hTs)} AND person_id IN (${dirty})
          GROUP BY person_id`);
        // Events since F whose owner under today's map (the user id's person, else the anonymous id's)
        // is not the one their journey row has. The map is joined ONCE, on the events' ids as rows
        // (event, id type, id): one scan of the map's columns instead of two (on BigQuery ≈ 84 B × ids
        // each, if it bills each reference of a table; docs/production.md).
        await tx.exec(`CREATE OR REPLACE TEMP TABLE ${t('_starts_moved')} AS
          WITH journey AS (
            SELECT se.event_key, se.person_id, se.user_id, se.anonymous_id
            FROM ${t('session_events')} AS se
            WHERE se.local_date >= DATE '${f}' AND se.person_id IN (${dirty})
          ),
          event_ids AS (
            SELECT event_key, 'user_id' AS id_type, user_id AS id FROM journey WHERE user_id IS NOT NULL
            UNION ALL
            SELECT event_key, 'anonymous_id' AS id_type, anonymous_id AS id FROM journey WHERE anonymous_id IS NOT NULL
          ),
          mapped AS (
            SELECT i.event_key,
              max(CASE WHEN i.id_type = 'user_id' THEN m.person_id END) AS by_user,
              max(CASE WHEN i.id_type = 'anonymous_id' THEN m.person_id END) AS by_anonymous
            FROM event_ids AS i
            JOIN ${t('identity_map')} AS m ON m.id_type = i.id_type AND m.id = i.id
            GROUP BY i.event_key
          ),
          owners AS (
            SELECT j.person_id AS was, coalesce(p.by_user, p.by_anonymous) AS now
            FROM journey AS j
            LEFT JOIN mapped AS p ON p.event_key = j.event_key
          )
          SELECT was AS person_id FROM owners WHERE now IS NULL OR now <> was
          UNION DISTINCT
          SELECT now AS person_id FROM owners WHERE now <> was`);
        // Each person's own start and why, then the unfinished earlier run's start when it is earlier.
        await tx.exec(`CREATE OR REPLACE TEMP TABLE ${t('_starts_new')} AS
          SELECT o.person_id,
            CASE WHEN v.whole > 0 THEN NULL ELSE ${least('o.own_ts', 'v.from_ts')} END AS from_ts,
            CASE WHEN v.whole > 0 THEN 'whole' WHEN v.from_ts IS NOT NULL AND v.from_ts < o.own_ts THEN 'unfinished' ELSE o.reason END AS reason
          FROM (
            SELECT p.person_id,
              CASE WHEN m.person_id IS NOT NULL THEN ${ts(fTs)} WHEN l.last_start IS NOT NULL THEN l.last_start ELSE ${ts(hTs)} END AS own_ts,
              CASE WHEN m.person_id IS NOT NULL THEN 'moved' WHEN l.last_start IS NOT NULL THEN 'session' ELSE 'horizon' END AS reason
            FROM (${dirty}) AS p
            LEFT JOIN ${t('_starts_moved')} AS m ON m.person_id = p.person_id
            LEFT JOIN ${t('_starts_last')} AS l ON l.person_id = p.person_id
          ) AS o
          LEFT JOIN ${t('_starts_prev')} AS v ON v.person_id = o.person_id`);
      } else {
        await tx.exec(`CREATE OR REPLACE TEMP TABLE ${t('_starts_new')} AS SELECT person_id, CAST(NULL AS ${d.columnType('TIMESTAMPTZ')}) AS from_ts, 'whole' AS reason FROM (${dirty}) AS p`);
      }
      await tx.exec(`DELETE FROM ${t(STARTS_TABLE)} WHERE TRUE`);
      await tx.exec(`DELETE FROM ${t(CLICK_LANDINGS_TABLE)} WHERE TRUE`);
      if (!ctx.fullRefresh) {
        // The person's sessions before their start, per landing click id (NULL: none), in ONE scan of
        // `sessions`: their count is session_base, and those with a click id are the click landings.
        await tx.exec(`CREATE OR REPLACE TEMP TABLE ${t('_starts_before')} AS
          ${bounded ? `SELECT s.person_id, s.click_id_param, s.click_id, count(*) AS sessions
            FROM ${t('sessions')} AS s JOIN ${t('_starts_new')} AS k ON k.person_id = s.person_id AND s.session_start < k.from_ts
            GROUP BY s.person_id, s.click_id_param, s.click_id`
            : `SELECT ${d.castText('NULL')} AS person_id, ${d.castText('NULL')} AS click_id_param, ${d.castText('NULL')} AS click_id, 0 AS sessions FROM (SELECT 1 AS one) AS z WHERE FALSE`}`);
        await tx.exec(`INSERT INTO ${t(STARTS_TABLE)} (person_id, from_ts, from_date, session_base, reason, batch)
          SELECT n.person_id, n.from_ts, ${d.localDate('n.from_ts', ctx.config.account.timeZone)} AS from_date, coalesce(b.sessions, 0) AS session_base, n.reason, ${batch} AS batch
          FROM ${t('_starts_new')} AS n
          LEFT JOIN (SELECT person_id, sum(sessions) AS sessions FROM ${t('_starts_before')} GROUP BY person_id) AS b ON b.person_id = n.person_id`);
        await tx.exec(`INSERT INTO ${t(CLICK_LANDINGS_TABLE)} (person_id, click_id_param, click_id, landings)
          SELECT person_id, click_id_param, click_id, sessions AS landings FROM ${t('_starts_before')} WHERE click_id IS NOT NULL`);
      }
      const [c] = await tx.query<{ persons: number; bounded: number; floor: string | null }>(
        `SELECT count(*) AS persons, count(from_ts) AS bounded, ${d.castText('min(from_date)')} AS floor FROM ${t(STARTS_TABLE)}`,
      );
      return c;
    });
    for (const s of SCRATCH) await w.exec(`DROP TABLE IF EXISTS ${t(s)}`);
    return {
      rowsOut: Number(result?.persons ?? 0),
      details: { horizonDays: days ?? null, bounded, persons: Number(result?.persons ?? 0), personsFromStart: Number(result?.bounded ?? 0), floor: result?.floor ?? null },
      transform: { name: 'journey_starts', version: STARTS_VERSION, checksum: CHECKSUM, materialization: 'table' },
    };
  } catch (err) {
    if (err instanceof TransformError) throw err;
    const retryable = (err as { retryable?: boolean }).retryable ?? false;
    throw new TransformError(`step 'journey_starts' (pipelines/steps/journey-starts.ts) failed: ${(err as Error).message}`, { cause: err, retryable });
  }
}

/** The earlier of `a` and a possibly NULL `b` (NULL: `a`). */
function least(a: string, b: string): string {
  return `CASE WHEN ${b} IS NOT NULL AND ${b} < ${a} THEN ${b} ELSE ${a} END`;
}
