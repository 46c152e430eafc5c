import { AppConfig } from '../config/app-config';
import { SystemLogService } from '../logging/system-log.service';
import { LoginThrottle } from './login-throttle.service';

describe('LoginThrottle', () => {
  const logged: string[] = [];
  const logs = { log: async (e: { message: string }) => logged.push(e.message) };
  const config = { authMaxFailures: 3, authFailureWindowMs: 60_000 } as AppConfig;
  const throttle = () => new LoginThrottle(config, logs as unknown as SystemLogService);

  beforeEach(() => (logged.length = 0));

  it('locks a client and source out for one window after the allowed failures', () => {
    const t = throttle();
    const now = 1_000_000;
    expect([1, 2, 3].map((i) => t.failed('lms', '10.0.0.1', null, now + i))).toEqual([
      true,
      true,
      true,
    ]);
    expect(() => t.check('lms', '10.0.0.1', now + 10)).toThrow(/Too many failed logins/);
    let refused: any;
    try {
      t.check('lms', '10.0.0.1', now + 30_003);
    } catch (e) {
      refused = e;
    }
    expect(refused?.getStatus()).toBe(429);
    expect(refused?.headers['Retry-After']).toBe('30');
    // Other sources and other clients are not affected; the window ends.
    expect(() => t.check('lms', '10.0.0.2', now + 10)).not.toThrow();
    expect(() => t.check('other', '10.0.0.1', now + 10)).not.toThrow();
    expect(() => t.check('lms', '10.0.0.1', now + 60_004)).not.toThrow();
    expect(logged.filter((m) => m.startsWith('Login throttled'))).toHaveLength(1);
  });

  it('forgets the failures of a pair on a successful login', () => {
    const t = throttle();
    t.failed('lms', 'ip', null, 1);
    t.failed('lms', 'ip', null, 2);
    t.succeeded('lms', 'ip');
    t.failed('lms', 'ip', null, 3);
    t.failed('lms', 'ip', null, 4);
    expect(() => t.check('lms', 'ip', 5)).not.toThrow();
  });

  it('logs a request without credentials once per pair and window', () => {
    const t = throttle();
    expect(t.missingCredentials('lms', 'ip', 1)).toBe(true);
    expect(t.missingCredentials('lms', 'ip', 2)).toBe(false);
    expect(t.missingCredentials('lms', 'ip2', 3)).toBe(true);
    expect(t.missingCredentials('lms', 'ip', 60_002)).toBe(true);
  });
});
