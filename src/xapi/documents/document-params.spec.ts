import { BadRequestException } from '@nestjs/common';
import {
  agentParam,
  agentProblem,
  onlyParams,
  registrationParam,
  sinceParam,
  stringParam,
} from './document-params';

describe('document params', () => {
  it('accepts agents with exactly one well-formed identifier', () => {
    for (const agent of [
      { mbox: 'mailto:a@example.com' },
      { objectType: 'Agent', mbox_sha1sum: 'a'.repeat(40) },
      { openid: 'http://openid.example.com/a' },
      { name: 'A', account: { homePage: 'https://lms.example.com', name: 'a' } },
    ]) {
      expect(agentProblem(agent)).toBeNull();
    }
  });

  it('names what is wrong with an agent', () => {
    expect(agentProblem(null)).toMatch(/JSON object/);
    expect(agentProblem([])).toMatch(/JSON object/);
    expect(agentProblem({ objectType: 'Activity', id: 'http://a' })).toMatch(/objectType/);
    expect(agentProblem({ name: 'x' })).toMatch(/exactly one/);
    expect(agentProblem({ mbox: 'mailto:a@b.c', openid: 'http://a/b' })).toMatch(/exactly one/);
    expect(agentProblem({ mbox: 'a@example.com' })).toMatch(/mailto/);
    expect(agentProblem({ mbox_sha1sum: 'xyz' })).toMatch(/40 hexadecimal/);
    expect(agentProblem({ account: { homePage: 'lms', name: 'a' } })).toMatch(/homePage/);
    expect(agentProblem({ account: { homePage: 'https://lms', name: '' } })).toMatch(/name/);
    expect(agentProblem({ mbox: 'mailto:a@b.c', name: 5 })).toMatch(/name/);
  });

  it('parses the agent param into the agent and its key', () => {
    expect(agentParam({ agent: '{"mbox":"mailto:a@example.com"}' })).toEqual({
      agent: { mbox: 'mailto:a@example.com' },
      vid: 'mbox::mailto:a@example.com',
    });
    expect(() => agentParam({})).toThrow(BadRequestException);
    expect(() => agentParam({ agent: '{"mbox":' })).toThrow(/JSON-encoded/);
    expect(() => agentParam({ agent: 'true' })).toThrow(/not a valid Agent/);
  });

  it('checks registration, since and repeated params', () => {
    expect(registrationParam({})).toBeNull();
    expect(registrationParam({ registration: 'EC531277-B57B-4C15-8D91-D292C5B2B8F7' })).toBe(
      'ec531277-b57b-4c15-8d91-d292c5b2b8f7',
    );
    expect(() => registrationParam({ registration: 'ec531277' })).toThrow(/UUID/);
    expect(sinceParam({ since: '2024-05-01T10:00:00.123+02:00' })?.toISOString()).toBe(
      '2024-05-01T08:00:00.123Z',
    );
    expect(() => sinceParam({ since: '2024-05-01' })).toThrow(/time zone/);
    expect(() => sinceParam({ since: 'yesterday' })).toThrow(BadRequestException);
    expect(() => stringParam({ stateId: ['a', 'b'] }, 'stateId')).toThrow(/once/);
  });

  it('refuses parameters a resource does not know, case included', () => {
    expect(() => onlyParams({ agent: 'x' }, ['agent', 'profileId'])).not.toThrow();
    expect(() => onlyParams({ Agent: 'x' }, ['agent'])).toThrow(/"Agent"/);
    expect(() => onlyParams({ agent: 'x', foo: '1', bar: '2' }, ['agent'])).toThrow(
      /parameters "foo", "bar"/,
    );
  });
});
