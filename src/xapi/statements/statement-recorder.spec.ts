import { ServiceUnavailableException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { LogLevel } from '../../logging/log-entry.entity';
import { SystemLogService } from '../../logging/system-log.service';
import { StatementValidator } from '../validation/statement-validator';
import { AttachmentWriter } from './attachment-writer';
import { RecordCache } from './record-cache';
import { RecorderTransactions } from './recorder-transactions';
import { StatementIndexWriter } from './statement-index-writer';
import { StatementPreparer } from './statement-preparer';
import {
  MAX_ATTEMPTS,
  retryDelayMs,
  StaleStoredStamp,
  StatementRecorder,
} from './statement-recorder.service';

describe('StatementRecorder lock conflicts', () => {
  const statement = {
    actor: { mbox: 'mailto:a@example.com' },
    verb: { id: 'http://example.com/v' },
    object: { id: 'http://example.com/a' },
  };
  const config = { pipelineDefaults: {} } as unknown as AppConfig;

  function recorder(errors: unknown[]) {
    let calls = 0;
    const dataSource = {
      transaction: jest.fn(async () => {
        const e = errors[Math.min(calls++, errors.length - 1)];
        if (e) throw e;
        return { ids: ['x'], recorded: 1 };
      }),
    } as unknown as DataSource;
    const logs = { log: jest.fn(async () => ({})) };
    const cache = new RecordCache(
      { xapiCacheEntries: 0, xapiCacheTtlMs: 0 } as AppConfig,
      dataSource,
    );
    const r = new StatementRecorder(
      dataSource,
      config,
      new StatementPreparer(new StatementValidator()),
      new StatementIndexWriter(cache),
      new AttachmentWriter(),
      logs as unknown as SystemLogService,
      cache,
      new RecorderTransactions(dataSource),
    );
    return { r, dataSource, logs };
  }

  const deadlock = Object.assign(new Error('Deadlock found'), { errno: 1213 });
  it.each([
    ['a deadlock and succeeds when a later attempt goes through', [deadlock, deadlock, null]],
    [
      'under a new stamp, an attempt whose inserts came too long after its stored stamp',
      [new StaleStoredStamp(50_000), null],
    ],
  ])('retries %s', async (_what, outcomes) => {
    const { r, dataSource, logs } = recorder(outcomes);
    await expect(
      r.record({ id: 1, recordsVersion: 0 }, null, [statement], { version: '1.0.3' }),
    ).resolves.toEqual({
      ids: ['x'],
      recorded: 1,
    });
    expect(dataSource.transaction).toHaveBeenCalledTimes(outcomes.length);
    expect(logs.log).not.toHaveBeenCalled();
  });

  it('answers 503 with Retry-After and logs a warning when every attempt deadlocks', async () => {
    const wait = Object.assign(new Error('Lock wait timeout exceeded'), { errno: 1205 });
    const { r, dataSource, logs } = recorder([wait]);
    const err = await r
      .record({ id: 7, recordsVersion: 0 }, null, [statement], { version: '1.0.3' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceUnavailableException);
    expect((err as any).headers).toEqual({ 'Retry-After': '2' });
    expect(dataSource.transaction).toHaveBeenCalledTimes(MAX_ATTEMPTS);
    expect(logs.log).toHaveBeenCalledWith(
      expect.objectContaining({ level: LogLevel.Warning, type: 'xapi', store: 7 }),
    );
  });

  it('waits a random 20-200 ms that grows with the attempt', () => {
    expect(retryDelayMs(1, () => 0)).toBe(20);
    expect(retryDelayMs(1, () => 1)).toBe(60);
    expect(retryDelayMs(5, () => 1)).toBe(200);
    expect(retryDelayMs(9, () => 1)).toBe(200);
  });
});
