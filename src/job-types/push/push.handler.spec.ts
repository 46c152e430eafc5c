import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { JOB_TYPE_KEY, JobTypeOptions } from '../../jobs/job-type';
import { PullParams } from '../pull/pull.dto';
import { PullHandler } from '../pull/pull.handler';
import { PushParams } from './push.dto';
import { PushHandler } from './push.handler';

async function errorsOf(cls: new () => object, plain: Record<string, unknown>): Promise<string[]> {
  const errors = await validate(plainToInstance(cls, plain), { whitelist: true });
  return errors.map((e) => e.property).sort();
}

/** Params and declarations; the runs are covered by test/pull-push*.e2e-spec.ts. */
describe('push and pull params', () => {
  const base = { service: 'statements', until: 'now', connection: 3 };

  it('accept the documented params', async () => {
    expect(
      await errorsOf(PushParams, {
        ...base,
        raw: true,
        sync_updates: false,
        pseudonymize_statements: true,
      }),
    ).toEqual([]);
    expect(
      await errorsOf(PullParams, {
        ...base,
        validate_statements: false,
        check_conflicts: true,
        authority_name: 'old-lrs',
        authority_homepage: 'https://lrs.example.org',
      }),
    ).toEqual([]);
  });

  it('name every bad field', async () => {
    expect(
      await errorsOf(PushParams, {
        service: 'files',
        until: '2_days',
        connection: 'x',
        raw: 'yes',
      }),
    ).toEqual(['connection', 'raw', 'service', 'until']);
    expect(
      await errorsOf(PullParams, {
        ...base,
        until: 'date',
        validate_statements: 1,
        authority_homepage: 'not a url',
      }),
    ).toEqual(['authority_homepage', 'until_date', 'validate_statements']);
    expect(await errorsOf(PullParams, {})).toEqual(['connection', 'service', 'until']);
  });

  it('declare a required store and the connection param (for the 409 on connection delete)', () => {
    for (const [handler, name] of [
      [PushHandler, 'push'],
      [PullHandler, 'pull'],
    ] as const) {
      const options: JobTypeOptions = Reflect.getMetadata(JOB_TYPE_KEY, handler);
      expect(options).toMatchObject({ name, store: 'required', connectionParams: ['connection'] });
    }
  });
});
