/**
 * Renders a transform's template for one dialect and one run: ref() to table names, the slice
 * bounds, config variables and dialect macros. Code outside `warehouse/` gets dialect-specific SQL
 * only from here and from the dialect helpers.
 */
import { fromZonedTime } from 'date-fns-tz';
import type { SqlDialect } from '../warehouse/dialect.ts';
import type { TransformDef } from './definition.ts';
import { inlineDatesFilter } from './changed-dates.ts';
import { atOrAfterStart, type StartsContext } from './starts.ts';
import { stagingMacros } from './staging-macros.ts';
import { renderTemplate, type TemplateArg, type TemplateFn } from './template.ts';

/** The columns that identify a row of a raw table (raw_events, raw_orders, …): its load and its line in the file. */
const RAW_ROW_KEY = ['load_id', 'line'] as const;

/** A half-open range of local dates `[from, to)`, as 'YYYY-MM-DD'. */
export interface Slice {
  readonly from: string;
  readonly to: string;
}

export interface RenderContext {
  readonly dialect: SqlDialect;
  readonly slice: Slice;
  /** The account's IANA time zone: local dates and slice instants are computed in it. */
  readonly timeZone: string;
  /** True when the whole table is being rebuilt (keys_filter renders TRUE). */
  readonly fullRefresh: boolean;
  /** Values for {{ var('name') }}. */
  readonly vars: Readonly<Record<string, string | number | boolean>>;
  /** Per-key starts of an incremental_by_key transform with `starts_from` (transforms/starts.ts), when they apply to this run. */
  readonly starts?: StartsContext;
  /** The keys of a `keys_inline: dates` transform for this run, rendered by keys_filter() as constants (transforms/changed-dates.ts). */
  readonly inlineKeys?: readonly string[];
  /** Extra macros, e.g. channel_case() compiled from the channel rules. */
  readonly macros?: Readonly<Record<string, TemplateFn>>;
}

/** `[from, to)` cut into consecutive slices of at most `days` days. */
export function splitSlice(slice: Slice, days: number): Slice[] {
  const out: Slice[] = [];
  const next = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
  for (let from = slice.from; from < slice.to; ) {
    const end = next(from, days);
    const to = end < slice.to ? end : slice.to;
    out.push({ from, to });
    from = to;
  }
  return out;
}

/** The UTC instant of local midnight at the start of `date` in `timeZone` (DST-correct, date-fns-tz semantics). */
export function localMidnightUtc(date: string, timeZone: string): Date {
  return fromZonedTime(`${date}T00:00:00`, timeZone);
}

function str(a: TemplateArg | undefined, what: string): string {
  if (typeof a !== 'string') throw new Error(`${what} must be a quoted string or a name`);
  return a;
}

/** Renders `def` for `ctx.dialect`, using the dialect's override file when there is one. */
export function renderTransform(def: TransformDef, ctx: RenderContext): string {
  const d = ctx.dialect;
  const template = def.templates[d.name] ?? def.templates.duckdb;
  const tsLiteral = (date: Date) => (d.name === 'bigquery' ? `TIMESTAMP '${date.toISOString()}'` : `TIMESTAMPTZ '${date.toISOString()}'`);
  const widening = (hours: TemplateArg): number => {
    if (typeof hours === 'number') return hours;
    const v = ctx.vars[hours];
    if (typeof v !== 'number') throw new Error(`slice_ts_from()/slice_ts_to(): '${hours}' is not a number nor a numeric variable`);
    return v;
  };
  const fns: Record<string, TemplateFn> = {
    ref: (name) => d.quoteIdent(str(name, 'ref()')),
    this: () => d.quoteIdent(def.name),
    var: (name) => {
      const key = str(name, 'var()');
      const v = ctx.vars[key];
      if (v === undefined) throw new Error(`unknown variable '${key}' (known: ${Object.keys(ctx.vars).sort().join(', ')})`);
      return typeof v === 'string' ? d.quoteString(v) : typeof v === 'boolean' ? (v ? 'TRUE' : 'FALSE') : String(v);
    },
    slice_from: () => `DATE '${ctx.slice.from}'`,
    slice_to: () => `DATE '${ctx.slice.to}'`,
    /** The instant local `slice_from` begins, optionally widened by N hours — a number, or the name of a numeric var. */
    slice_ts_from: (hours = 0) => tsLiteral(new Date(localMidnightUtc(ctx.slice.from, ctx.timeZone).getTime() - widening(hours) * 3_600_000)),
    slice_ts_to: (hours = 0) => tsLiteral(new Date(localMidnightUtc(ctx.slice.to, ctx.timeZone).getTime() + widening(hours) * 3_600_000)),
    /**
     * The slice's local dates as a relation `(slice_date, from_ts, to_ts)`: each date with the instants its
     * day begins and ends, widened by N hours as slice_ts_from() / slice_ts_to() widen the slice's — for a
     * query that computes each day of a long slice on its own (a window around each day, not around the
     * whole slice), so that its rows never depend on how a range was cut into runs.
     */
    slice_days: (hours = 0) => {
      const days: string[] = [];
      for (const { from: day, to: next } of splitSlice(ctx.slice, 1)) {
        const from = new Date(localMidnightUtc(day, ctx.timeZone).getTime() - widening(hours) * 3_600_000);
        const to = new Date(localMidnightUtc(next, ctx.timeZone).getTime() + widening(hours) * 3_600_000);
        days.push(d.name === 'bigquery' ? `STRUCT(DATE '${day}' AS slice_date, ${tsLiteral(from)} AS from_ts, ${tsLiteral(to)} AS to_ts)` : `(DATE '${day}', ${tsLiteral(from)}, ${tsLiteral(to)})`);
      }
      if (days.length === 0) return `(SELECT CAST(NULL AS DATE) AS slice_date, ${tsLiteral(new Date(0))} AS from_ts, ${tsLiteral(new Date(0))} AS to_ts FROM (SELECT 1 AS x) AS none WHERE FALSE)`;
      return d.name === 'bigquery' ? `(SELECT * FROM UNNEST([${days.join(', ')}]))` : `(SELECT * FROM (VALUES ${days.join(', ')}) AS days (slice_date, from_ts, to_ts))`;
    },
    /**
     * The run's as-of instant (`var('as_of')`, fixed when the run's loads finished) as a timestamp,
     * the epoch when there is none. Raw events are only appended, so the latest event time at query
     * time is at or after it: `max(event_ts) … WHERE event_ts >= as_of_floor()` reads the partitions
     * from there on instead of every raw event's time, and gives the same instant.
     */
    as_of_floor: () => {
      const v = ctx.vars.as_of;
      const t = typeof v === 'string' && v !== '' ? new Date(v) : new Date(0);
      if (Number.isNaN(t.getTime())) throw new Error(`as_of_floor(): the variable as_of is not an instant: '${String(v)}'`);
      return tsLiteral(t);
    },
    local_date: (expr) => d.localDate(str(expr, 'local_date()'), ctx.timeZone),
    quarter_hour: (expr) => d.quarterHour(str(expr, 'quarter_hour()')),
    time_zone: () => d.quoteString(ctx.timeZone),
    url_param: (expr, name) => d.urlParam(str(expr, 'url_param()'), str(name, 'url_param() name')),
    url_host: (expr) => d.urlHost(str(expr, 'url_host()')),
    url_path: (expr) => d.urlPath(str(expr, 'url_path()')),
    regexp_contains: (expr, pattern) => d.regexpContains(str(expr, 'regexp_contains()'), str(pattern, 'regexp_contains() pattern')),
    md5_hex: (expr) => d.md5Hex(str(expr, 'md5_hex()')),
    sha256_hex: (expr) => d.sha256Hex(str(expr, 'sha256_hex()')),
    epoch_ms: (expr) => d.epochMillis(str(expr, 'epoch_ms()')),
    cast_text: (expr) => d.castText(str(expr, 'cast_text()')),
    // a raw table row's key within the write's transaction (its rows are identified by load_id and line)
    raw_row_key: (alias) => d.rowKey(str(alias, 'raw_row_key()'), RAW_ROW_KEY),
    // a raw event row's payload hash, from its columns (warehouse/dialect.ts PAYLOAD_FIELDS)
    payload_hash: (alias) => d.payloadHash(str(alias, 'payload_hash()')),
    keys_filter: (column) => {
      if (ctx.fullRefresh || !def.keysFrom) return 'TRUE';
      if (ctx.inlineKeys) return inlineDatesFilter(d.quoteIdent(str(column, 'keys_filter()')), ctx.inlineKeys);
      return `${d.quoteIdent(str(column, 'keys_filter()'))} IN (SELECT ${d.quoteIdent(def.key!)} FROM ${d.quoteIdent(def.keysFrom)})`;
    },
    is_full_refresh: () => (ctx.fullRefresh ? 'TRUE' : 'FALSE'),
    // transforms/starts.ts: a key's rows at or after its start, the partitions no start precedes, a count carried over the start
    starts_filter: (person, ts) => (ctx.starts ? atOrAfterStart(d, ctx.starts.table, ctx.starts.key, str(person, 'starts_filter()'), str(ts, 'starts_filter() column')) : 'TRUE'),
    starts_floor: (column) => (ctx.starts?.floor ? `${str(column, 'starts_floor()')} >= DATE '${ctx.starts.floor}'` : 'TRUE'),
    starts_count: (table, column, condition) => {
      if (!ctx.starts) return '0';
      return `coalesce((SELECT max(x.${d.quoteIdent(str(column, 'starts_count() column'))}) FROM ${d.quoteIdent(str(table, 'starts_count()'))} AS x WHERE ${str(condition, 'starts_count() condition')}), 0)`;
    },
    ...stagingMacros(d),
    ...ctx.macros,
  };
  return renderTemplate(template, def.file, fns);
}
