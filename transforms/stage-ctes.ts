/**
 * Staged CTEs (`-- stage_ctes: a, b, …` in a transform's header). On a warehouse that stages them
 * (DuckDB; see `stagesCtes` in warehouse/types.ts) the named CTEs of the query's top-level WITH are
 * computed first, in order, each into a temporary table, and the query reads each from its table:
 *
 *   WITH a AS (…), b AS (… a …) SELECT … b …
 *   →  CREATE OR REPLACE TEMP TABLE _stage_t_a AS SELECT * FROM (…) AS _stage
 *      CREATE OR REPLACE TEMP TABLE _stage_t_b AS WITH a AS NOT MATERIALIZED (SELECT * FROM _stage_t_a) SELECT * FROM (… a …) AS _stage
 *      WITH a AS NOT MATERIALIZED (SELECT * FROM _stage_t_a), b AS NOT MATERIALIZED (SELECT * FROM _stage_t_b) SELECT … b …
 *
 * Why: DuckDB's planner estimates a CTE's size, and an estimate off by a factor of a thousand puts the
 * million-row side of a hash join on its build side; a temporary table has exact statistics. A staged
 * CTE is also computed once however many times it is referenced. The rows are the same either way: the
 * query text is unchanged but for the staged CTEs' bodies, and elsewhere (BigQuery, whose planner does
 * not need it, and where a transform is one statement) the query runs as written.
 *
 * The caller runs the stages, then the query's write in one transaction (the stages before it: DuckDB
 * has no statistics of a table created inside the transaction reading it), with nothing else run on the
 * connection in between, and drops the tables after (warehouse/types.ts, transactionAfterStages).
 */
import { TransformError } from '../lib/errors.ts';
import type { SqlDialect } from '../warehouse/dialect.ts';

/** One CTE of a top-level WITH: its name and body (the text inside its parentheses), with offsets into the query. */
export interface Cte {
  readonly name: string;
  readonly body: string;
  /** Offset of the CTE's name. */
  readonly start: number;
  /** Offset just past its closing parenthesis. */
  readonly end: number;
}

/** A query's top-level WITH clause split into its CTEs, and the statement that follows them. */
export interface WithClause {
  readonly ctes: readonly Cte[];
  /** Offset of the statement after the last CTE (its SELECT). */
  readonly mainStart: number;
}

/** A staged query: the statements that fill the temporary tables, the query reading them, and their drops. */
export interface StagedQuery {
  readonly stages: readonly string[];
  readonly query: string;
  readonly drops: readonly string[];
}

/**
 * Splits the top-level WITH of `sql` (leading comments and whitespace allowed) into its CTEs; null when
 * the query does not start with WITH. Quoted strings, quoted identifiers and comments are skipped, so a
 * parenthesis inside them does not count. Throws on a WITH it cannot read (naming `where`).
 */
export function parseWith(sql: string, where: string): WithClause | null {
  let i = skipSpace(sql, 0);
  if (!/^with\b/i.test(sql.slice(i, i + 5))) return null;
  i = skipSpace(sql, i + 4);
  if (/^recursive\b/i.test(sql.slice(i, i + 10))) throw new TransformError(`${where}: stage_ctes cannot stage a WITH RECURSIVE query`);
  const ctes: Cte[] = [];
  for (;;) {
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i))?.[0];
    if (name === undefined) throw new TransformError(`${where}: cannot read the name of CTE ${ctes.length + 1} of the top-level WITH`);
    const start = i;
    i = skipSpace(sql, i + name.length);
    const as = /^as\s+(?:not\s+)?(?:materialized\s+)?\(/i.exec(sql.slice(i));
    if (!as) throw new TransformError(`${where}: CTE '${name}' is not written '${name} AS (…)'`);
    const open = i + as[0].length - 1;
    const close = matchingParen(sql, open, `${where}: CTE '${name}'`);
    ctes.push({ name, body: sql.slice(open + 1, close), start, end: close + 1 });
    i = skipSpace(sql, close + 1);
    if (sql[i] !== ',') return { ctes, mainStart: i };
    i = skipSpace(sql, i + 1);
  }
}

/** The temporary table a staged CTE is computed into. */
function stageTable(transform: string, cte: string): string {
  return `_stage_${transform}_${cte}`;
}

/**
 * `sql` with the CTEs `names` staged (see the module comment). Each statement carries only the CTEs it
 * reads (directly, or through an unstaged CTE it reads), and a stage's table is dropped right after the
 * last stage that reads it — or after the query. Throws a TransformError naming `where` when a name is
 * not a CTE of the top-level WITH.
 */
export function stageCtes(sql: string, names: readonly string[], transform: string, dialect: SqlDialect, where: string): StagedQuery {
  const clause = parseWith(sql, where);
  if (clause === null) throw new TransformError(`${where}: stage_ctes needs a query that starts with WITH`);
  const { ctes } = clause;
  const known = new Set(ctes.map((c) => c.name));
  const unknown = names.find((n) => !known.has(n));
  if (unknown !== undefined) throw new TransformError(`${where}: stage_ctes names '${unknown}', which is not a CTE of the top-level WITH (its CTEs: ${[...known].join(', ')})`);
  const staged = new Set(names);
  const tableOf = (name: string) => dialect.quoteIdent(stageTable(transform, name));
  // each CTE as the staged query writes it: a staged one reads its table, inlined wherever it is referenced
  // (NOT MATERIALIZED: DuckDB would otherwise copy a CTE referenced twice into a buffer first)
  const written = ctes.map((c) => (staged.has(c.name) ? `${c.name} AS NOT MATERIALIZED (SELECT * FROM ${tableOf(c.name)})` : sql.slice(c.start, c.end)));
  // the CTEs each CTE's body names; a staged CTE reads only its table
  const reads = ctes.map((c, i) => (staged.has(c.name) ? new Set<number>() : namesIn(c.body, ctes.slice(0, i))));
  /** The CTEs a statement with `text`, among the first `count`, needs: the ones it names, and theirs. */
  const needed = (text: string, count: number): number[] => {
    const out = new Set<number>();
    const visit = (i: number) => {
      if (out.has(i)) return;
      out.add(i);
      for (const j of reads[i]!) visit(j);
    };
    for (const i of namesIn(text, ctes.slice(0, count))) visit(i);
    return [...out].sort((a, b) => a - b);
  };
  const withClause = (cteIndexes: readonly number[]) => (cteIndexes.length ? `WITH ${cteIndexes.map((i) => written[i]).join(',\n')}\n` : '');
  const main = sql.slice(clause.mainStart);
  const statements = ctes.flatMap((c, i) => (staged.has(c.name) ? [{ stage: i, uses: needed(c.body, i) }] : []));
  const mainUses = needed(main, ctes.length);
  const stagedUses = (uses: readonly number[]) => uses.filter((i) => staged.has(ctes[i]!.name));
  const stages: string[] = [];
  const done = new Set<number>();
  statements.forEach(({ stage, uses }, k) => {
    const c = ctes[stage]!;
    stages.push(`CREATE OR REPLACE TEMP TABLE ${tableOf(c.name)} AS\n${withClause(uses)}SELECT * FROM (\n${c.body}\n) AS _stage`);
    // the stage tables no later statement reads
    const later = new Set([...statements.slice(k + 1).flatMap((x) => [x.stage, ...stagedUses(x.uses)]), ...stagedUses(mainUses)]);
    for (const { stage: t } of statements.slice(0, k + 1)) {
      if (!later.has(t) && !done.has(t)) {
        done.add(t);
        stages.push(dropSql(tableOf(ctes[t]!.name)));
      }
    }
  });
  const drops = statements.filter(({ stage }) => !done.has(stage)).map(({ stage }) => dropSql(tableOf(ctes[stage]!.name)));
  return { stages, query: `${withClause(mainUses)}${main}`, drops };
}

const dropSql = (table: string) => `DROP TABLE IF EXISTS ${table}`;

/**
 * The indexes of `ctes` whose names `text` uses as a name: outside quoted strings and comments, and not
 * as the column of a qualified name (`x.name`). A column or alias spelt like a CTE counts too, which only
 * keeps a CTE a statement does not need.
 */
function namesIn(text: string, ctes: readonly Cte[]): Set<number> {
  const index = new Map(ctes.map((c, i) => [c.name.toLowerCase(), i]));
  const out = new Set<number>();
  for (const { word, qualified } of words(text)) {
    const i = index.get(word.toLowerCase());
    if (i !== undefined && !qualified) out.add(i);
  }
  return out;
}

/** The words of SQL text (identifiers, quoted or not, and keywords), each with whether a `.` comes just before it. */
function* words(sql: string): Generator<{ word: string; qualified: boolean }> {
  for (let i = 0; i < sql.length; ) {
    const ch = sql[i]!;
    if (ch === "'") {
      const escaped = /[eE]/.test(sql[i - 1] ?? '') && !/[A-Za-z0-9_]/.test(sql[i - 2] ?? '');
      i = closingQuote(sql, i, ch, escaped, 'a staged query') + 1;
    } else if (ch === '"') {
      const end = closingQuote(sql, i, ch, false, 'a staged query');
      yield { word: sql.slice(i + 1, end).replaceAll('""', '"'), qualified: sql[i - 1] === '.' };
      i = end + 1;
    } else if (sql.startsWith('--', i) || sql.startsWith('/*', i)) {
      i = skipSpace(sql, i);
    } else if (/[A-Za-z_]/.test(ch)) {
      const word = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(sql.slice(i, i + 200))![0];
      yield { word, qualified: sql[i - 1] === '.' };
      i += word.length;
    } else i++;
  }
}

/** The offset of the first character at or after `i` that is neither whitespace nor inside a comment. */
function skipSpace(sql: string, i: number): number {
  for (;;) {
    while (i < sql.length && /\s/.test(sql[i]!)) i++;
    if (sql.startsWith('--', i)) {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? sql.length : nl + 1;
    } else if (sql.startsWith('/*', i)) {
      const endC = sql.indexOf('*/', i + 2);
      i = endC < 0 ? sql.length : endC + 2;
    } else return i;
  }
}

/** The offset of the parenthesis closing the one at `open`, skipping strings, quoted identifiers and comments. */
function matchingParen(sql: string, open: number, what: string): number {
  let depth = 0;
  for (let i = open; i < sql.length; i++) {
    const ch = sql[i]!;
    if (ch === '(') depth++;
    else if (ch === ')') {
      depth--;
      if (depth === 0) return i;
    } else if (ch === "'" || ch === '"') {
      // (DuckDB SQL: only an E'…' string escapes with backslashes)
      const escaped = ch === "'" && /[eE]/.test(sql[i - 1] ?? '') && !/[A-Za-z0-9_]/.test(sql[i - 2] ?? '');
      i = closingQuote(sql, i, ch, escaped, what);
    } else if (sql.startsWith('--', i) || sql.startsWith('/*', i)) {
      i = skipSpace(sql, i) - 1;
    }
  }
  throw new TransformError(`${what}: its opening parenthesis is never closed`);
}

/** The offset of the quote closing the one at `start` (a doubled quote is one quote inside). */
function closingQuote(sql: string, start: number, quote: string, backslashes: boolean, what: string): number {
  for (let i = start + 1; i < sql.length; i++) {
    const ch = sql[i]!;
    if (backslashes && ch === '\\') {
      i++;
      continue;
    }
    if (ch === quote) {
      if (sql[i + 1] === quote) {
        i++;
        continue;
      }
      return i;
    }
  }
  throw new TransformError(`${what}: a quoted text is never closed`);
}
