/**
 * Every statement the pipeline would send to BigQuery, checked by BigQuery's SQL front end (ZetaSQL)
 * without BigQuery: the whole DAG as it is at test time (new SQL files are covered by themselves),
 * each step in the three ways it runs (first build, incremental slice, full refresh), against a
 * catalog grown from the raw tables through every CREATE TABLE in order. Unknown columns, unknown
 * functions (DuckDB's regexp_matches, strftime, list_…), DuckDB-only types (VARCHAR, DOUBLE) and
 * type errors fail, naming the transform, its file and the analyzer's message with a caret.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPipeline } from '../../../pipelines/index.ts';
import { extractStep } from '../../../pipelines/steps/extract.ts';
import { zetaSqlPerFile, type ZetaSqlServer } from '../../helpers/zetasql.ts';
import { tempDir } from '../../helpers/tmp.ts';
import { analyzeDag, PHASES, stepStatements, type StepVerdict } from './dag-statements.ts';

const server = zetaSqlPerFile();

function failure(v: StepVerdict): string {
  return `${v.kind === 'sql' ? 'transform' : 'step'} '${v.name}' (${v.where}) does not pass BigQuery analysis:\n${v.error}`;
}

describe('the whole DAG, rendered for BigQuery', () => {
  const pipeline = createPipeline();
  const checked = pipeline.steps.filter((s) => s.kind !== 'extract').map((s) => s.name);
  let verdicts: Map<string, StepVerdict>;
  let analyzer: ReturnType<ZetaSqlServer['analyzer']>;
  beforeAll(async () => {
    analyzer = server().analyzer();
    verdicts = new Map((await analyzeDag(pipeline, analyzer)).map((v) => [v.name, v]));
  }, 120_000);

  it('covers every SQL transform of the graph', () => {
    expect(checked).toEqual(expect.arrayContaining([...pipeline.graph.transforms.keys()]));
    expect(pipeline.graph.transforms.size).toBeGreaterThan(0);
  });

  it.each(checked)('%s resolves', (name) => {
    const v = verdicts.get(name)!;
    if (v.error !== null) expect.fail(failure(v));
    expect(v.statements).toBeGreaterThan(0);
  });

  // journey_starts reads sessions and session_events as the last run left them: in the DAG's order
  // they are not in the catalog yet, so its bounded branch is analyzed here, against the whole catalog.
  it('journey_starts with a rebuild horizon resolves, and the person-keyed steps render their starts', async () => {
    const horizon = PHASES.find((p) => p.horizon)!;
    const step = (name: string) => pipeline.steps.find((s) => s.name === name)!;
    const starts = await stepStatements(step('journey_starts'), horizon, (t) => analyzer.hasTable(t));
    expect(starts.some((s) => /FROM `?sessions`?/.test(s.sql) && /session_start </.test(s.sql))).toBe(true);
    for (const { sql } of starts) {
      const r = await analyzer.analyze(sql);
      if (!r.ok) expect.fail(`journey_starts: ${r.message}`);
    }
    const se = (await stepStatements(step('session_events'), horizon, (t) => analyzer.hasTable(t))).map((s) => s.sql).join('\n');
    expect(se).toMatch(/NOT EXISTS \(SELECT 1 FROM `?dirty_starts`? AS ds_/);
    expect(se).toContain('dirty_click_landings');
    expect(se).toMatch(/local_date >= DATE '2026-01-30'/);
  });
});

describe('a broken transform', () => {
  const dir = tempDir('beamline-zeta-');
  const write = (name: string, body: string) => dir.write(`t/${name}.sql`, `-- purpose: test\n${body}\n`);
  write('daily', "-- materialized: incremental\n-- slice_column: local_date\n-- cluster_by: source, event_name\nSELECT {{ local_date('event_ts') }} AS local_date, source, event_name, count(*) AS n FROM {{ ref('raw_events') }} GROUP BY 1, 2, 3");
  write('bad_column', "SELECT event_idd FROM {{ ref('raw_events') }}");
  write('bad_function', "SELECT regexp_matches(page_url, 'x') AS m FROM {{ ref('raw_events') }}");
  write('bad_type', "SELECT event_ts + 1 AS t FROM {{ ref('raw_events') }}");
  write('bad_cast', "SELECT CAST(line AS VARCHAR) AS l FROM {{ ref('raw_events') }}");
  write('downstream', "SELECT * FROM {{ ref('bad_column') }}");
  const pipeline = createPipeline({ sqlDir: dir.path, tsSteps: [extractStep] });
  let verdicts: Map<string, StepVerdict>;
  beforeAll(async () => {
    verdicts = new Map((await analyzeDag(pipeline, server().analyzer())).map((v) => [v.name, v]));
  });
  afterAll(() => dir.remove());

  it('passes when it is right, partition and clustering included', () => {
    expect(verdicts.get('daily')?.error).toBeNull();
  });

  it.each([
    ['bad_column', /Unrecognized name: event_idd/],
    ['bad_function', /Function not found: regexp_matches/],
    ['bad_type', /No matching signature for operator \+/],
    ['bad_cast', /Type not found: VARCHAR/],
  ])('%s fails with the analyzer\'s message, naming the transform and its file', (name, message) => {
    const v = verdicts.get(name)!;
    expect(v.error).toMatch(message);
    expect(failure(v)).toContain(`transform '${name}' (${dir.path}/t/${name}.sql)`);
    // the caret points into the statement
    expect(v.error).toMatch(/\[at \d+:\d+\]\n.*\n\s*\^/);
  });

  it('reports a transform downstream of a failure as not analyzed, naming the upstream', () => {
    expect(verdicts.get('downstream')?.error).toBe("not analyzed: 'bad_column' failed analysis");
  });
});
