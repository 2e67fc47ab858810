import { describe, expect, it } from 'vitest';
import { DefinitionError } from '../../../lib/errors.ts';
import { readTransform, renderTransform } from '../../../transforms/index.ts';
import { renderTemplate } from '../../../transforms/template.ts';
import { bigqueryDialect, duckdbDialect } from '../../../warehouse/dialect.ts';
import { tempDir } from '../../helpers/tmp.ts';

/** The transform of the SQL text `sql`, read from a file as the engine reads it (the file is gone after). */
function transformOf(sql: string) {
  const dir = tempDir();
  try {
    return readTransform(dir.write('x.sql', sql), 'x');
  } finally {
    dir.remove();
  }
}

describe('templates', () => {
  it('renders calls with string, number and name arguments, including parentheses inside quotes', () => {
    const out = renderTemplate("a {{ f('x(1)', 2, y) }} b {{ g }}", 't.sql', { f: (...a) => JSON.stringify(a), g: () => 'G' });
    expect(out).toBe('a ["x(1)",2,"y"] b G');
  });

  it('names the file, line and known functions for an unknown function', () => {
    expect(() => renderTemplate('SELECT\n{{ nope() }}', 't.sql', { ref: () => '' })).toThrow(/t\.sql:2: unknown template function 'nope' \(known: ref\)/);
  });

  it('rejects a stray {{ that is not a call', () => {
    expect(() => renderTemplate('SELECT {{ 1 + 1 }}', 't.sql', {})).toThrow(DefinitionError);
  });

  it('renders slice instants at local midnight, DST-correct, per dialect', () => {
    const def = transformOf("SELECT {{ slice_ts_from() }} a, {{ slice_ts_to() }} b, {{ local_date('ts') }} d, {{ var('tz') }} v FROM {{ ref('t') }}");
    const ctx = { slice: { from: '2026-03-08', to: '2026-03-09' }, timeZone: 'America/New_York', fullRefresh: false, vars: { tz: "it's" } };
    const duck = renderTransform(def, { ...ctx, dialect: duckdbDialect });
    // 2026-03-08 00:00 in New York is still EST (-05:00); DST starts at 02:00, so the next midnight is EDT (-04:00).
    expect(duck).toContain("TIMESTAMPTZ '2026-03-08T05:00:00.000Z' a");
    expect(duck).toContain("TIMESTAMPTZ '2026-03-09T04:00:00.000Z' b");
    expect(duck).toContain(`CAST(timezone('America/New_York', ts) AS DATE) d`);
    expect(duck).toContain(`'it''s' v FROM "t"`);
    const bq = renderTransform(def, { ...ctx, dialect: bigqueryDialect });
    expect(bq).toContain("TIMESTAMP '2026-03-08T05:00:00.000Z' a");
    expect(bq).toContain("DATE(ts, 'America/New_York') d");
    expect(bq).toContain("'it\\'s' v FROM `t`");
  });

  it('renders the slice as one row per local date with its day bounds, widened by hours, DST-correct, per dialect', () => {
    const def = transformOf("SELECT * FROM {{ slice_days('w') }} AS d JOIN {{ slice_days() }} AS e USING (slice_date)");
    // 2026-11-01 in New York has 25 hours (EDT -04:00 until 02:00, then EST -05:00)
    const ctx = (from: string, to: string) => ({ slice: { from, to }, timeZone: 'America/New_York', fullRefresh: false, vars: { w: 2 } });
    const duck = renderTransform(def, { ...ctx('2026-10-31', '2026-11-02'), dialect: duckdbDialect });
    expect(duck).toContain(
      "(SELECT * FROM (VALUES (DATE '2026-10-31', TIMESTAMPTZ '2026-10-31T02:00:00.000Z', TIMESTAMPTZ '2026-11-01T06:00:00.000Z'), " +
        "(DATE '2026-11-01', TIMESTAMPTZ '2026-11-01T02:00:00.000Z', TIMESTAMPTZ '2026-11-02T07:00:00.000Z')) AS days (slice_date, from_ts, to_ts)) AS d",
    );
    expect(duck).toContain("(DATE '2026-11-01', TIMESTAMPTZ '2026-11-01T04:00:00.000Z', TIMESTAMPTZ '2026-11-02T05:00:00.000Z')) AS days (slice_date, from_ts, to_ts)) AS e");
    const bq = renderTransform(def, { ...ctx('2026-11-01', '2026-11-02'), dialect: bigqueryDialect });
    expect(bq).toContain("(SELECT * FROM UNNEST([STRUCT(DATE '2026-11-01' AS slice_date, TIMESTAMP '2026-11-01T02:00:00.000Z' AS from_ts, TIMESTAMP '2026-11-02T07:00:00.000Z' AS to_ts)])) AS d");
    // an empty slice is an empty relation of the same columns
    expect(renderTransform(def, { ...ctx('2026-11-01', '2026-11-01'), dialect: duckdbDialect })).toContain('AS slice_date, TIMESTAMPTZ \'1970-01-01T00:00:00.000Z\' AS from_ts, TIMESTAMPTZ \'1970-01-01T00:00:00.000Z\' AS to_ts FROM (SELECT 1 AS x) AS none WHERE FALSE)');
  });

  it("renders a raw row's key per dialect: DuckDB's rowid, BigQuery's load and line as one text", () => {
    const def = transformOf("SELECT {{ raw_row_key('r') }} AS k FROM {{ ref('raw_events') }} AS r");
    const ctx = { slice: { from: '2026-03-08', to: '2026-03-09' }, timeZone: 'UTC', fullRefresh: false, vars: {} };
    expect(renderTransform(def, { ...ctx, dialect: duckdbDialect })).toContain('SELECT "r".rowid AS k');
    expect(renderTransform(def, { ...ctx, dialect: bigqueryDialect })).toContain("SELECT CONCAT(CAST(`r`.`load_id` AS STRING), ':', CAST(`r`.`line` AS STRING)) AS k");
  });

  it("renders the run's as-of instant as a timestamp per dialect (the epoch when there is none), and names a variable that is not an instant", () => {
    const def = transformOf("SELECT max(event_ts) FROM {{ ref('raw_events') }} WHERE event_ts >= {{ as_of_floor() }}");
    const ctx = (as_of: string) => ({ slice: { from: '2026-03-08', to: '2026-03-09' }, timeZone: 'UTC', fullRefresh: false, vars: { as_of } });
    expect(renderTransform(def, { ...ctx('2026-03-08T17:05:00.123Z'), dialect: duckdbDialect })).toContain(">= TIMESTAMPTZ '2026-03-08T17:05:00.123Z'");
    expect(renderTransform(def, { ...ctx('2026-03-08T17:05:00.123Z'), dialect: bigqueryDialect })).toContain(">= TIMESTAMP '2026-03-08T17:05:00.123Z'");
    expect(renderTransform(def, { ...ctx(''), dialect: duckdbDialect })).toContain(">= TIMESTAMPTZ '1970-01-01T00:00:00.000Z'");
    expect(() => renderTransform(def, { ...ctx('yesterday'), dialect: duckdbDialect })).toThrow(/as_of_floor\(\): the variable as_of is not an instant: 'yesterday'/);
  });
});
