/**
 * The attribute step's SQL files (`./sql/*.sql`), rendered with the transform engine's template
 * language and the warehouse's dialect helpers: `{{ table('x') }}`, `{{ param(n) }}`,
 * `{{ epoch_ms('expr') }}`, `{{ cast_text('expr') }}` and `{{ scope('person column', 'conversion time column') }}`
 * (TRUE, or the conversions of the queued persons at or after each one's start — all of them when the
 * start is NULL; see attribute.ts). Values are always bound parameters.
 */
import { readFileSync } from 'node:fs';
import { atOrAfterStart } from '../../transforms/starts.ts';
import { renderTemplate } from '../../transforms/template.ts';
import type { SqlDialect } from '../../warehouse/dialect.ts';

const cache = new Map<string, string>();

function sqlFile(name: string): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(new URL(`./sql/${name}`, import.meta.url), 'utf8');
    cache.set(name, text);
  }
  return text;
}

/** Which conversions a statement covers: all of them, or those of the persons listed in `keysFrom`. */
export type Scope = { readonly kind: 'all' } | { readonly kind: 'persons'; readonly keysFrom: string };

/**
 * The conversions (or credits) in `scope`, by their `person` and conversion time `ts` columns: all of
 * them, or those of the queued persons at or after each one's start (all of theirs when it is NULL).
 */
export function scopeFilter(dialect: SqlDialect, scope: Scope, person: string, ts: string): string {
  if (scope.kind === 'all') return 'TRUE';
  return `${person} IN (SELECT person_id FROM ${dialect.quoteIdent(scope.keysFrom)}) AND ${atOrAfterStart(dialect, scope.keysFrom, 'person_id', person, ts)}`;
}

/** Renders `sql/<name>` for `dialect` and `scope`. */
export function renderAttributionSql(name: string, dialect: SqlDialect, scope: Scope): string {
  const arg = (a: string | number | undefined, what: string): string => {
    if (typeof a !== 'string') throw new TypeError(`${what} takes a quoted argument`);
    return a;
  };
  return renderTemplate(sqlFile(name), `pipelines/attribution/sql/${name}`, {
    table: (t) => dialect.quoteIdent(arg(t, 'table()')),
    param: (i) => dialect.param(Number(i)),
    epoch_ms: (e) => dialect.epochMillis(arg(e, 'epoch_ms()')),
    cast_text: (e) => dialect.castText(arg(e, 'cast_text()')),
    scope: (column, ts) => scopeFilter(dialect, scope, arg(column, 'scope()'), arg(ts, 'scope() time column')),
  });
}
