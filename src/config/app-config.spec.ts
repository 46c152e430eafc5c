import { existsSync, mkdtempSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { ConfigError, loadConfig } from './app-config';

/** loadConfig with APP_KEY given, so that no key file is written into the project. */
const load = (env: Record<string, string> = {}) => loadConfig({ APP_KEY: 'k', ...env });

function failure(env: Record<string, string>): ConfigError {
  try {
    load(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('uses the defaults of service.md', () => {
    const c = load();
    expect(c.port).toBe(8080);
    expect(c.db).toEqual({ type: 'sqlite', path: './data/lrs.sqlite' });
    expect(c.dbMigrate).toBe(true);
    expect(c.jobsApi).toBe(true);
    expect(c.jobsTimezone).toBe('UTC');
    expect(c.adminUsername).toBe('admin');
    expect(c.adminPassword).toBeUndefined();
    expect(c.filesPath).toBe(resolve('./data/files'));
    expect(c.seedingPath).toBe(resolve('./seeding'));
    expect(c.testsuitePath).toBeUndefined();
    expect(Object.values(c.pipelineDefaults)).toHaveLength(8);
    expect(Object.values(c.pipelineDefaults).every((v) => v === true)).toBe(true);
  });

  it('reads every variable it is given', () => {
    const c = load({
      PORT: '9090',
      DB_URL: 'mysql://u:p@db.example.com:3307/lrs',
      DB_MIGRATE: 'false',
      JOBS_API: '0',
      JOBS_TIMEZONE: 'Europe/Paris',
      ADMIN_USERNAME: 'root',
      ADMIN_PASSWORD: 'secret',
      FILES_PATH: '/srv/files',
      PIPELINE_DEFAULT_UPDATE_VOCAB: 'no',
      TESTSUITE_PATH: '/opt/lrs-conformance-test-suite',
    });
    expect(c).toMatchObject({
      port: 9090,
      db: { type: 'mysql', database: 'lrs' },
      dbMigrate: false,
      jobsApi: false,
      jobsTimezone: 'Europe/Paris',
      adminUsername: 'root',
      adminPassword: 'secret',
      filesPath: '/srv/files',
      testsuitePath: '/opt/lrs-conformance-test-suite',
    });
    expect(c.pipelineDefaults.update_vocab).toBe(false);
    expect(c.pipelineDefaults.check_conflicts).toBe(true);
    expect(load({ DB_URL: 'mariadb://root@127.0.0.1/x' }).db).toMatchObject({ type: 'mysql' });
  });

  it('reads PUBLIC_URL without its trailing slash and refuses one that is not an http(s) URL', () => {
    expect(load({}).publicUrl).toBeUndefined();
    expect(load({ PUBLIC_URL: 'https://lrs.example.org/' }).publicUrl).toBe(
      'https://lrs.example.org',
    );
    expect(() => load({ PUBLIC_URL: 'lrs.example.org' })).toThrow(ConfigError);
    expect(() => load({ PUBLIC_URL: 'ftp://lrs.example.org' })).toThrow(/PUBLIC_URL must be/);
  });

  it('refuses an ADMIN_USERNAME the clients API would refuse (no ":", at most 255 characters)', () => {
    expect(load({ ADMIN_USERNAME: 'root' }).adminUsername).toBe('root');
    expect(failure({ ADMIN_USERNAME: 'a:b' }).message).toBe(
      'ADMIN_USERNAME must not contain ":" (HTTP Basic), got "a:b"',
    );
    expect(failure({ ADMIN_USERNAME: 'x'.repeat(256) }).message).toMatch(
      /^ADMIN_USERNAME must be at most 255 characters/,
    );
  });

  it('refuses a job lease over a minute (a dead run must be retried within one)', () => {
    expect(load({ JOBS_LEASE_MS: '60000' }).jobLeaseMs).toBe(60_000);
    expect(failure({ JOBS_LEASE_MS: '60001' }).message).toContain('JOBS_LEASE_MS');
    expect(failure({ JOBS_LEASE_MS: '600000' }).message).toContain('60000');
  });

  it('generates APP_KEY once into the data folder and reuses it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lrs-config-'));
    const env = { DB_URL: `sqlite:${join(dir, 'lrs.sqlite')}` };
    const first = loadConfig(env).appKey;
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(existsSync(join(dir, 'app.key'))).toBe(true);
    expect(readFileSync(join(dir, 'app.key'), 'utf8').trim()).toBe(first);
    expect(loadConfig(env).appKey).toBe(first);
  });

  it.each([
    ['DB_URL', { DB_URL: 'postgres://localhost/lrs' }],
    ['DB_URL', { DB_URL: 'mysql://127.0.0.1:3306/' }],
    ['DB_URL', { DB_URL: 'sqlite:' }],
    ['JOBS_TIMEZONE', { JOBS_TIMEZONE: 'Mars/Olympus_Mons' }],
    ['JOBS_TIMEZONE', { JOBS_TIMEZONE: 'CEST+2' }],
    ['DB_MIGRATE', { DB_MIGRATE: 'maybe' }],
    ['JOBS_API', { JOBS_API: 'enabled' }],
    ['PIPELINE_DEFAULT_VALIDATE_STATEMENTS', { PIPELINE_DEFAULT_VALIDATE_STATEMENTS: '2' }],
    ['PORT', { PORT: 'eighty' }],
    ['PORT', { PORT: '70000' }],
    ['XAPI_PSEUDO_HOMEPAGE', { XAPI_PSEUDO_HOMEPAGE: 'not a url' }],
  ])('refuses a bad %s with a one-line message naming it', (name, env) => {
    const err = failure(env);
    expect(err.message).toContain(name);
    expect(err.message).not.toContain('\n');
  });
});
