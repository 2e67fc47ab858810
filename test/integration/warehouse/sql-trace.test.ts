/**
 * BEAMLINE_SQL_TRACE: a debugging aid that prints each DuckDB statement's time to stderr. It is read
 * once when the module loads, so each case runs in its own process.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SCRIPT = `
import { openDuckDb } from './warehouse/duckdb/index.ts';
import { traceStep } from './warehouse/index.ts';
const w = await openDuckDb({ path: ':memory:' });
traceStep('answer');
await w.query("SELECT sha256('s3cr''et;' || 'user-1') AS h, 42 AS answer");
await w.close();
`;

function stderrOf(env: Record<string, string>): string {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCRIPT], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
  expect(r.status).toBe(0);
  return r.stderr;
}

describe('BEAMLINE_SQL_TRACE', () => {
  it('prints each statement with its time, and masks the id salt inlined in the SQL', () => {
    const err = stderrOf({ BEAMLINE_SQL_TRACE: 'full', BEAMLINE_ID_SALT: "s3cr'et;" });
    expect(err).toMatch(/\[sql \d+ ms\] SELECT sha256\('\*\*\*' \|\| 'user-1'\) AS h, 42 AS answer/);
    expect(err).not.toContain('s3cr');
  });

  it('marks where a step begins (the runner calls traceStep), so the statements after it are its own', () => {
    expect(stderrOf({ BEAMLINE_SQL_TRACE: '1' })).toMatch(/^\[step answer\]\n\[sql \d+ ms\] SELECT sha256/m);
  });

  it('is silent unless asked', () => {
    const err = stderrOf({ BEAMLINE_SQL_TRACE: '' });
    expect(err).not.toContain('[sql');
    expect(err).not.toContain('[step');
  });
});
