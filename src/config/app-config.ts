import { randomBytes } from 'crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'fs';
import { dirname, join, resolve } from 'path';
import { usernameFault } from '../access/username';

export type DatabaseConfig =
  | { type: 'sqlite'; path: string }
  | { type: 'mysql'; url: string; database: string; flavor?: 'mysql' | 'mariadb' };

export interface PipelineDefaults {
  validate_statements: boolean;
  check_conflicts: boolean;
  void_statements: boolean;
  update_activities: boolean;
  update_agents: boolean;
  update_vocab: boolean;
  update_activity_ids: boolean;
  update_agent_ids: boolean;
}

/** The one typed configuration object, read from the environment (service.md). */
export class AppConfig {
  port!: number;
  db!: DatabaseConfig;
  dbMigrate!: boolean;
  jobsApi!: boolean;
  jobsTimezone!: string;
  adminUsername!: string;
  adminPassword?: string;
  appKey!: string;
  pseudoHashKey!: string;
  pseudoHomepage!: string;
  filesPath!: string;
  seedingPath!: string;
  testsuitePath?: string;
  /** The origin clients see (PUBLIC_URL, e.g. https://lrs.example.org), without a trailing slash. */
  publicUrl?: string;
  pipelineDefaults!: PipelineDefaults;
  /** Length of a scheduler "minute" in ms; only tests shorten it. */
  schedulerMinuteMs!: number;
  /** How long a run's lease lasts without a heartbeat; at most a minute (jobs.md promises a dead run is retried within one). */
  jobLeaseMs!: number;
  /** How often the scheduler polls the database for due runs. */
  schedulerPollMs!: number;
  /** How long shutdown waits for running jobs before marking them interrupted. */
  shutdownGraceMs!: number;
  /**
   * How long this instance trusts a client and store it read (AUTH_CACHE_TTL_MS): a
   * password, permission or store changed on another instance takes effect here within it.
   */
  authCacheTtlMs!: number;
  /** How long the recorder trusts the agents, activities and vocabulary it knows (XAPI_CACHE_TTL_MS). */
  xapiCacheTtlMs!: number;
  /** Entries of each recorder cache (known agents, activities, vocabulary) on this instance. */
  xapiCacheEntries!: number;
  /** Express `trust proxy`: false (default), a hop count, or addresses/subnets. */
  trustProxy!: boolean | number | string[];
  /** Failed logins per client and source address before 429 (AUTH_MAX_FAILURES). */
  authMaxFailures!: number;
  /** The window failed logins are counted in, and the lock-out after (AUTH_FAILURE_WINDOW_MS). */
  authFailureWindowMs!: number;
  /** Most statements one request may POST or PUT (STATEMENTS_MAX_PER_REQUEST). */
  maxStatementsPerRequest!: number;
}

/** TRUST_PROXY: unset or false: nobody; a number: that many hops; else addresses/subnets. */
export function parseTrustProxy(raw: string | undefined): boolean | number | string[] {
  const v = (raw ?? '').trim();
  if (!v || v === 'false') return false;
  if (/^\d+$/.test(v)) return Number(v);
  const list = v
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  const bad = list.find(
    (x) => !/^(loopback|linklocal|uniquelocal|[0-9a-fA-F.:]+(\/\d{1,3})?)$/.test(x),
  );
  if (bad !== undefined) {
    throw new ConfigError(
      `TRUST_PROXY must be a hop count or a comma-separated list of addresses/subnets, got "${bad}"`,
    );
  }
  return list;
}

/** PUBLIC_URL: an http(s) origin without credentials, path, query or fragment. */
export function parsePublicUrl(raw: string | undefined): string | undefined {
  const v = (raw ?? '').trim();
  if (!v) return undefined;
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw new ConfigError(
      `PUBLIC_URL must be an absolute http(s) URL such as https://lrs.example.org, got "${v}"`,
    );
  }
  if (
    !/^https?:$/.test(url.protocol) ||
    url.username ||
    url.password ||
    url.search ||
    url.hash ||
    url.pathname !== '/'
  ) {
    throw new ConfigError(
      `PUBLIC_URL must be an http(s) origin without credentials, path or query, got "${v}"`,
    );
  }
  return url.origin;
}

export class ConfigError extends Error {}

/** The boolean xAPI pipeline options (xapi.md); each has a PIPELINE_DEFAULT_* variable. */
export const PIPELINE_KEYS: (keyof PipelineDefaults)[] = [
  'validate_statements',
  'check_conflicts',
  'void_statements',
  'update_activities',
  'update_agents',
  'update_vocab',
  'update_activity_ids',
  'update_agent_ids',
];

function readBool(env: NodeJS.ProcessEnv, name: string, def: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const v = raw.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

function readInt(env: NodeJS.ProcessEnv, name: string, def: number, min: number, max: number) {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return n;
}

export function isIanaTimezone(tz: string): boolean {
  if (!tz) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export function parseDbUrl(raw: string): DatabaseConfig {
  if (raw.startsWith('sqlite:')) {
    const path = raw.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (!path)
      throw new ConfigError('DB_URL sqlite: needs a file path, e.g. sqlite:./data/lrs.sqlite');
    return { type: 'sqlite', path };
  }
  if (raw.startsWith('mysql://') || raw.startsWith('mariadb://')) {
    let url: URL;
    try {
      url = new URL(raw.replace(/^mariadb:/, 'mysql:'));
    } catch {
      throw new ConfigError(`DB_URL is not a valid URL: "${raw}"`);
    }
    const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
    if (!database)
      throw new ConfigError('DB_URL must name a database, e.g. mysql://root@127.0.0.1:3306/lrs');
    return { type: 'mysql', url: url.toString(), database };
  }
  throw new ConfigError(`DB_URL must start with sqlite: or mysql://, got "${raw}"`);
}

/** APP_KEY, or a key generated once into the data folder and reused after. */
function resolveAppKey(env: NodeJS.ProcessEnv, db: DatabaseConfig): string {
  if (env.APP_KEY) return env.APP_KEY;
  const folder =
    db.type === 'sqlite' && db.path !== ':memory:' ? dirname(resolve(db.path)) : resolve('data');
  const file = join(folder, 'app.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(folder, { recursive: true });
  const key = randomBytes(32).toString('base64');
  writeFileSync(file, key + '\n', { mode: 0o600 });
  return key;
}

/** ADMIN_USERNAME, by the rule the clients API applies to usernames. */
function readAdminUsername(env: NodeJS.ProcessEnv): string {
  const username = env.ADMIN_USERNAME || 'admin';
  const fault = usernameFault(username);
  if (fault) throw new ConfigError(`ADMIN_USERNAME ${fault}, got "${username}"`);
  return username;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const db = parseDbUrl(env.DB_URL || 'sqlite:./data/lrs.sqlite');
  const jobsTimezone = env.JOBS_TIMEZONE || 'UTC';
  if (!isIanaTimezone(jobsTimezone)) {
    throw new ConfigError(
      `JOBS_TIMEZONE must be an IANA time zone such as Europe/Paris, got "${jobsTimezone}"`,
    );
  }
  const homepage = env.XAPI_PSEUDO_HOMEPAGE || 'http://lrs.example.com/pseudo';
  try {
    new URL(homepage);
  } catch {
    throw new ConfigError(`XAPI_PSEUDO_HOMEPAGE must be an absolute URL, got "${homepage}"`);
  }
  const pipelineDefaults = {} as PipelineDefaults;
  for (const key of PIPELINE_KEYS) {
    pipelineDefaults[key] = readBool(env, `PIPELINE_DEFAULT_${key.toUpperCase()}`, true);
  }
  const config = new AppConfig();
  Object.assign(config, {
    port: readInt(env, 'PORT', 8080, 0, 65535),
    db,
    dbMigrate: readBool(env, 'DB_MIGRATE', true),
    jobsApi: readBool(env, 'JOBS_API', true),
    jobsTimezone,
    adminUsername: readAdminUsername(env),
    adminPassword: env.ADMIN_PASSWORD || undefined,
    appKey: resolveAppKey(env, db),
    pseudoHashKey: env.XAPI_PSEUDO_HASH_KEY || '',
    pseudoHomepage: homepage,
    filesPath: resolve(env.FILES_PATH || './data/files'),
    seedingPath: resolve(env.SEEDING_PATH || './seeding'),
    testsuitePath: env.TESTSUITE_PATH || undefined,
    publicUrl: parsePublicUrl(env.PUBLIC_URL),
    pipelineDefaults,
    schedulerMinuteMs: readInt(env, 'JOBS_MINUTE_MS', 60_000, 100, 3_600_000),
    jobLeaseMs: readInt(env, 'JOBS_LEASE_MS', 30_000, 200, 60_000),
    schedulerPollMs: readInt(env, 'JOBS_POLL_MS', 1_000, 20, 60_000),
    shutdownGraceMs: readInt(env, 'JOBS_SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    authMaxFailures: readInt(env, 'AUTH_MAX_FAILURES', 10, 1, 1_000_000),
    authFailureWindowMs: readInt(env, 'AUTH_FAILURE_WINDOW_MS', 60_000, 100, 86_400_000),
    maxStatementsPerRequest: readInt(env, 'STATEMENTS_MAX_PER_REQUEST', 1_000, 1, 1_000_000),
    authCacheTtlMs: readInt(env, 'AUTH_CACHE_TTL_MS', 5_000, 0, 600_000),
    xapiCacheTtlMs: readInt(env, 'XAPI_CACHE_TTL_MS', 3_600_000, 0, 86_400_000),
    xapiCacheEntries: readInt(env, 'XAPI_CACHE_ENTRIES', 50_000, 0, 10_000_000),
  });
  if (!config.pseudoHashKey) {
    // A stable key derived from APP_KEY keeps pseudonyms stable across restarts.
    config.pseudoHashKey = config.appKey;
  }
  return config;
}
