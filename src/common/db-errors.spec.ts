import { QueryFailedError } from 'typeorm';
import {
  isDatabaseUnavailable,
  isPacketTooLarge,
  isRetryableConflict,
  isUniqueViolation,
} from './db-errors';

describe('database error classification', () => {
  const wrapped = (driverError: object) =>
    new QueryFailedError('INSERT ...', [], driverError as Error);

  it('reads the driver error of a QueryFailedError and a bare driver error alike', () => {
    expect(isUniqueViolation(wrapped({ code: 'ER_DUP_ENTRY', errno: 1062 }))).toBe(true);
    expect(isUniqueViolation(wrapped({ code: 'SQLITE_CONSTRAINT_UNIQUE' }))).toBe(true);
    expect(isUniqueViolation(wrapped({ code: 'SQLITE_CONSTRAINT_PRIMARYKEY' }))).toBe(true);
    expect(isUniqueViolation(Object.assign(new Error('dup'), { errno: 1062 }))).toBe(true);
    expect(isUniqueViolation(wrapped({ code: 'SQLITE_CONSTRAINT_NOTNULL' }))).toBe(false);
    expect(isUniqueViolation(new Error('Duplicate entry'))).toBe(false);
    expect(isUniqueViolation(null)).toBe(false);
  });

  it('retries deadlocks, lock-wait timeouts and a busy SQLite database, nothing else', () => {
    expect(isRetryableConflict(wrapped({ code: 'ER_LOCK_DEADLOCK', errno: 1213 }))).toBe(true);
    expect(isRetryableConflict(Object.assign(new Error('deadlock'), { errno: 1213 }))).toBe(true);
    expect(isRetryableConflict(Object.assign(new Error('wait'), { errno: 1205 }))).toBe(true);
    expect(isRetryableConflict(wrapped({ code: 'SQLITE_BUSY' }))).toBe(true);
    expect(isRetryableConflict(wrapped({ code: 'ER_DUP_ENTRY', errno: 1062 }))).toBe(false);
    expect(isRetryableConflict(new Error('boom'))).toBe(false);
  });

  it('tells a database that cannot be reached or dropped the connection', () => {
    expect(isDatabaseUnavailable(wrapped({ code: 'PROTOCOL_CONNECTION_LOST' }))).toBe(true);
    expect(
      isDatabaseUnavailable(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })),
    ).toBe(true);
    expect(isDatabaseUnavailable(wrapped({ code: 'ER_CON_COUNT_ERROR', errno: 1040 }))).toBe(true);
    expect(isDatabaseUnavailable(wrapped({ errno: 1927 }))).toBe(true);
    expect(
      isDatabaseUnavailable(
        wrapped(new Error("Can't add new command when connection is in closed state")),
      ),
    ).toBe(true);
    expect(isDatabaseUnavailable(wrapped({ code: 'ER_DUP_ENTRY', errno: 1062 }))).toBe(false);
    expect(isDatabaseUnavailable(wrapped({ code: 'ER_LOCK_DEADLOCK', errno: 1213 }))).toBe(false);
    expect(isDatabaseUnavailable(new Error('boom'))).toBe(false);
  });

  it('recognises a packet larger than max_allowed_packet', () => {
    expect(isPacketTooLarge(wrapped({ code: 'ER_NET_PACKET_TOO_LARGE', errno: 1153 }))).toBe(true);
    expect(isPacketTooLarge(wrapped({ code: 'ER_DUP_ENTRY' }))).toBe(false);
  });
});
