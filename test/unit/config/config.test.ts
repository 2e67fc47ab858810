import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../config/index.ts';
import { ConfigError } from '../../../lib/errors.ts';
import { tempDir } from '../../helpers/tmp.ts';

function withFile(yaml: string, run: (file: string, dir: string) => void): void {
  const dir = tempDir();
  try {
    run(dir.write('beamline.yml', yaml), dir.path);
  } finally {
    dir.remove();
  }
}

describe('config', () => {
  it('an empty file is a valid config with documented defaults, resolved against the file folder, and frozen', () => {
    withFile('', (file, dir) => {
      const c = loadConfig({ file, env: {} });
      expect(c.account).toEqual({ timeZone: 'UTC', currency: 'USD' });
      expect(c.sessions.timeoutMinutes).toBe(30);
      expect(c.dedupe.crossTrackerToleranceSeconds).toBe(2);
      expect(c.lookback.attributionDays).toBe(30);
      expect(c.warehouse).toMatchObject({ type: 'duckdb', path: `${dir}/.beamline/warehouse.duckdb` });
      expect((c.warehouse as { memoryLimit?: string }).memoryLimit).toBe('900MB'); // a fixed cap: every step spills or batches beyond it
      expect(c.sources.events[0]).toBe(`${dir}/data/events/*.ndjson`);
      expect(Object.isFrozen(c) && Object.isFrozen(c.sessions)).toBe(true);
      expect(() => {
        (c.sessions as { timeoutMinutes: number }).timeoutMinutes = 5;
      }).toThrow(TypeError);
    });
  });

  it('names the key and the problem for a bad value, and every bad key at once', () => {
    withFile('account:\n  time_zone: Mars/Olympus\nsessions:\n  timeout_minutes: -3\n', (file) => {
      const err = (() => {
        try {
          loadConfig({ file, env: {} });
        } catch (e) {
          return e as Error;
        }
      })();
      expect(err).toBeInstanceOf(ConfigError);
      expect(err!.message).toContain('account.time_zone: not an IANA time zone');
      expect(err!.message).toMatch(/sessions\.timeout_minutes: .*>=1/);
    });
  });

  it('checks the DuckDB memory limit is a size', () => {
    withFile('warehouse:\n  type: duckdb\n  memory_limit: lots\n', (file) => {
      expect(() => loadConfig({ file, env: {} })).toThrow(/warehouse\.memory_limit: expected a size such as '1GB'/);
    });
    withFile('warehouse:\n  type: duckdb\n  memory_limit: 4GiB\n', (file) => {
      expect(loadConfig({ file, env: {} }).warehouse).toMatchObject({ memoryLimit: '4GiB' });
    });
  });

  it('rejects unknown keys (typos) by name', () => {
    withFile('sesions:\n  timeout_minutes: 10\n', (file) => {
      expect(() => loadConfig({ file, env: {} })).toThrow(/sesions: unknown key/);
    });
  });

  it('reports invalid YAML and a missing file with the path', () => {
    withFile('account: [unclosed\n', (file) => {
      expect(() => loadConfig({ file, env: {} })).toThrow(/is not valid YAML/);
    });
    expect(() => loadConfig({ file: '/nonexistent/beamline.yml', env: {} })).toThrow(/\/nonexistent\/beamline\.yml does not exist/);
  });

  it('takes paths and secrets from the environment over the file', () => {
    withFile('warehouse:\n  type: duckdb\n  path: a.duckdb\n', (file) => {
      const c = loadConfig({ file, env: { BEAMLINE_WAREHOUSE_PATH: '/data/wh.duckdb', DATABASE_URL: 'postgres://u:secret@db/beamline', REDIS_URL: 'redis://r:6380' } });
      expect(c.warehouse).toMatchObject({ path: '/data/wh.duckdb' });
      expect(c.runStore.databaseUrl).toBe('postgres://u:secret@db/beamline');
      expect(c.redisUrl).toBe('redis://r:6380');
    });
  });

  it('demands the salt from the environment when ids are hashed, and keeps it out of the config hash', () => {
    withFile('identity:\n  hash_ids: true\n', (file) => {
      expect(() => loadConfig({ file, env: {} })).toThrow(/BEAMLINE_ID_SALT is not set/);
      const a = loadConfig({ file, env: { BEAMLINE_ID_SALT: 's1' } });
      const b = loadConfig({ file, env: { BEAMLINE_ID_SALT: 's2' } });
      expect(a.identity.salt).toBe('s1');
      expect(a.hash).toBe(b.hash);
    });
  });

  it('changes the config hash when a setting that changes results changes', () => {
    withFile('', (file) => {
      const a = loadConfig({ file, env: {} });
      const b = loadConfig({ file, env: {}, overrides: { sessions: { timeout_minutes: 45 } } });
      expect(a.hash).not.toBe(b.hash);
    });
  });
});
