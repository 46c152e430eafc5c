import { HttpException, HttpStatus, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { LogLevel } from '../logging/log-entry.entity';
import { SystemLogService } from '../logging/system-log.service';

interface FailureWindow {
  startedAt: number;
  failures: number;
  lockedUntil: number;
}

/** Entries kept at most; beyond, expired windows go first, then the oldest. */
const MAX_TRACKED = 50_000;
/** 401 log entries written at most per window across all clients and sources. */
const MAX_401_LOGS_PER_WINDOW = 100;

/**
 * Failed Basic logins counted per client endpoint and source address: after
 * `AUTH_MAX_FAILURES` in `AUTH_FAILURE_WINDOW_MS` that pair gets 429 with Retry-After
 * for one window (right credentials included, or guessing would go on). The failures
 * before it and the lock-out are logged, then nothing until the window ends.
 */
@Injectable()
export class LoginThrottle {
  private readonly windows = new Map<string, FailureWindow>();
  private readonly missingLogged = new Map<string, number>();
  private logWindowStart = 0;
  private logsInWindow = 0;

  constructor(
    private readonly config: AppConfig,
    private readonly logs: SystemLogService,
  ) {}

  /** Throws 429 while this client endpoint and source are locked out. */
  check(slug: string, ip: string, now = Date.now()): void {
    const w = this.windows.get(key(slug, ip));
    if (w && w.lockedUntil > now) throw tooManyFailures(w.lockedUntil - now);
  }

  /**
   * Counts a failed login. Returns whether this failure should be logged: those before
   * the lock-out (then its one entry, then nothing), within the global budget.
   */
  failed(slug: string, ip: string, store: number | null, now = Date.now()): boolean {
    const k = key(slug, ip);
    const windowMs = this.config.authFailureWindowMs;
    let w = this.windows.get(k);
    if (!w || (w.lockedUntil <= now && now - w.startedAt >= windowMs)) {
      w = { startedAt: now, failures: 0, lockedUntil: 0 };
      this.windows.delete(k);
      this.windows.set(k, w);
      this.prune(now);
    }
    w.failures += 1;
    if (w.failures === this.config.authMaxFailures) {
      w.lockedUntil = now + windowMs;
      void this.logs
        .log({
          level: LogLevel.Warning,
          type: 'auth',
          store,
          message:
            `Login throttled on client endpoint "${slug.slice(0, 100)}" from ${ip}: ` +
            `${w.failures} failed logins; refused with 429 for ${Math.ceil(windowMs / 1000)} s`,
          data: { client: slug.slice(0, 100), ip, failures: w.failures, window_ms: windowMs },
        })
        .catch(() => undefined);
    }
    return w.failures <= this.config.authMaxFailures && this.logBudget(now);
  }

  /** A successful login clears the pair's count. */
  succeeded(slug: string, ip: string): void {
    this.windows.delete(key(slug, ip));
  }

  /** Whether a 401 without credentials may be logged: once per pair and window. */
  missingCredentials(slug: string, ip: string, now = Date.now()): boolean {
    const k = `missing\0${key(slug, ip)}`;
    const last = this.missingLogged.get(k);
    if (last !== undefined && now - last < this.config.authFailureWindowMs) return false;
    this.missingLogged.delete(k);
    this.missingLogged.set(k, now);
    if (this.missingLogged.size > MAX_TRACKED) {
      this.missingLogged.delete(this.missingLogged.keys().next().value as string);
    }
    return this.logBudget(now);
  }

  /** The global budget of 401 log entries per window. */
  private logBudget(now = Date.now()): boolean {
    if (now - this.logWindowStart >= this.config.authFailureWindowMs) {
      this.logWindowStart = now;
      this.logsInWindow = 0;
    }
    this.logsInWindow += 1;
    return this.logsInWindow <= MAX_401_LOGS_PER_WINDOW;
  }

  private prune(now: number) {
    if (this.windows.size <= MAX_TRACKED) return;
    const windowMs = this.config.authFailureWindowMs;
    for (const [k, w] of this.windows) {
      if (w.lockedUntil <= now && now - w.startedAt >= windowMs) this.windows.delete(k);
    }
    for (const k of this.windows.keys()) {
      if (this.windows.size <= MAX_TRACKED) break;
      this.windows.delete(k);
    }
  }
}

function key(slug: string, ip: string) {
  return `${slug.slice(0, 100)}\0${ip}`;
}

function tooManyFailures(remainingMs: number): HttpException {
  const seconds = Math.max(1, Math.ceil(remainingMs / 1000));
  const e = new HttpException(
    { message: `Too many failed logins from this address: retry in ${seconds} s.` },
    HttpStatus.TOO_MANY_REQUESTS,
  );
  (e as any).headers = { 'Retry-After': String(seconds) };
  return e;
}
