import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadConfig } from '../../../config/index.ts';
import { openRunStore } from '../../../store/index.ts';
import { tempDir, type TempDir } from '../../helpers/tmp.ts';

const BIN = fileURLToPath(new URL('../../../bin/beamline.js', import.meta.url));
let dir: TempDir;

/** Runs the real `beamline` command in a child process, as a user would. */
function beamline(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir.path, encoding: 'utf8', env: { ...process.env, DATABASE_URL: '', BEAMLINE_LOG_LEVEL: 'error', ...env }, timeout: 240_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  dir = tempDir('beamline-cli-');
});
afterAll(() => dir.remove());

describe('the beamline command', () => {
  it('prints help listing the commands', () => {
    const r = beamline(['--help']);
    expect(r.code).toBe(0);
    for (const cmd of ['run', 'status', 'demo', 'worker', 'schedule', 'backfill']) expect(r.stdout).toMatch(new RegExp(`^  ${cmd} `, 'm'));
  });

  it('runs the demo end to end on DuckDB, then run over a slice re-uses the loads, and status shows both runs', async () => {
    const demo = beamline(['demo', '--visitors', '400', '--days', '4', '--dir', 'demo', '--no-samples']);
    expect(demo.stderr).toBe('');
    expect(demo.code).toBe(0);
    expect(demo.stdout).toMatch(/SUCCEEDED/);
    expect(demo.stdout).toMatch(/loaded [\d,]+ rows from \d+ new files \(0 already loaded\), rejected \d+ rows/);
    const run = beamline(['run', '--from', '2026-03-02', '--to', '2026-03-04', '--config', 'demo/beamline.yml']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/loaded 0 rows from 0 new files \((\d+) already loaded\)/);
    // The slice is widened back by the late-data lookback (3 days).
    expect(run.stdout).toContain('slice [2026-02-27, 2026-03-04)');
    const status = beamline(['status', '--json', '--config', 'demo/beamline.yml']);
    expect(status.code).toBe(0);
    const parsed = JSON.parse(status.stdout) as { runs: Array<{ kind: string; status: string; steps: Array<{ step: string; status: string }> }> };
    expect(parsed.runs.map((r) => [r.kind, r.status])).toEqual([['run', 'succeeded'], ['demo', 'succeeded']]);
    expect((parsed as unknown as { leases: unknown[] }).leases).toEqual([]); // the runs released the extract lease
    expect(parsed.runs[0]!.steps.every((s) => s.status === 'succeeded')).toBe(true);
    // a lease another worker holds (an extract in progress elsewhere) is shown with its holder
    const config = loadConfig({ file: join(dir.path, 'demo/beamline.yml'), cwd: dir.path, env: {} });
    const store = await openRunStore({ databaseUrl: '', sqlitePath: config.runStore.sqlitePath });
    await store.acquireLease('step:extract', 'worker-7/run-x', 600_000);
    await store.close();
    const text = beamline(['status', '--config', 'demo/beamline.yml']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^lease step:extract held by worker-7\/run-x since \S+, until \S+ unless renewed$/m);
  });

  it('fails with exit 2 and names the key for a bad config, before touching anything', () => {
    dir.write('bad.yml', 'account:\n  currency: dollars\n');
    const r = beamline(['run', '--from', '2026-01-01', '--to', '2026-01-02', '--config', 'bad.yml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/account\.currency: expected an ISO 4217 code/);
  });

  it('rejects an impossible date and an empty slice with exit 2', () => {
    expect(beamline(['run', '--from', '2026-02-30', '--to', '2026-03-01']).stderr).toMatch(/--from: expected a date YYYY-MM-DD, got "2026-02-30"/);
    const empty = beamline(['run', '--from', '2026-03-01', '--to', '2026-03-01', '--no-lookback']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/empty slice/);
  });
});
