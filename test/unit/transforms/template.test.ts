import { describe, expect, it } from 'vitest';
import { DefinitionError } from '../../../lib/errors.ts';
import { readTransform, renderTransform } from '../../../transforms/index.ts';
import { renderTemplate } from '../../../transforms/template.ts';
import { bigqueryDialect, duckdbDialect } from '../../../warehouse/dialect.ts';
import { tempDir } from '../../helpers/tmp.ts';

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
    const dir = tempDir();
    try {
      const def = readTransform(dir.write('x.sql', "SELECT {{ slice_ts_from() }} a, {{ slice_ts_to() }} b, {{ local_date('ts') }} d, {{ var('tz') }} v FROM {{ ref('t') }}"), 'x');
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
    } finally {
      dir.remove();
    }
  });

  it("renders the run's as-of instant as a timestamp per dialect (the epoch when there is none), and names a variable that is not an instant", () => {
    const dir = tempDir();
    try {
      const def = readTransform(dir.write('x.sql', "SELECT max(event_ts) FROM {{ ref('raw_events') }} WHERE event_ts >= {{ as_of_floor() }}"), 'x');
      const ctx = (as_of: string) => ({ slice: { from: '2026-03-08', to: '2026-03-09' }, timeZone: 'UTC', fullRefresh: false, vars: { as_of } });
      expect(renderTransform(def, { ...ctx('2026-03-08T17:05:00.123Z'), dialect: duckdbDialect })).toContain(">= TIMESTAMPTZ '2026-03-08T17:05:00.123Z'");
      expect(renderTransform(def, { ...ctx('2026-03-08T17:05:00.123Z'), dialect: bigqueryDialect })).toContain(">= TIMESTAMP '2026-03-08T17:05:00.123Z'");
      expect(renderTransform(def, { ...ctx(''), dialect: duckdbDialect })).toContain(">= TIMESTAMPTZ '1970-01-01T00:00:00.000Z'");
      expect(() => renderTransform(def, { ...ctx('yesterday'), dialect: duckdbDialect })).toThrow(/as_of_floor\(\): the variable as_of is not an instant: 'yesterday'/);
    } finally {
      dir.remove();
    }
  });
});
