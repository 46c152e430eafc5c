import { comparableDuration, sameStatement } from './statement-comparison';

const base = {
  id: '1f2b9b6e-0b7c-4e43-9d4e-3a1c1d2e3f40',
  actor: { mbox: 'mailto:a@example.com' },
  verb: { id: 'http://example.com/v', display: { 'en-US': 'did' } },
  object: { id: 'http://example.com/a', definition: { name: { 'en-US': 'A' } } },
};

describe('sameStatement', () => {
  it('ignores authority, stored, timestamp, version and attachments', () => {
    expect(
      sameStatement(base, {
        ...base,
        authority: { mbox: 'mailto:x@y.z' },
        stored: '2020-01-01T00:00:00Z',
        timestamp: '2021-01-01T00:00:00Z',
        version: '1.0.0',
        attachments: [],
      }),
    ).toBe(true);
  });

  it('ignores key order and the case of language tags and UUIDs', () => {
    const other = {
      object: { definition: { name: { 'EN-us': 'A' } }, id: 'http://example.com/a' },
      verb: { display: { 'en-us': 'did' }, id: 'http://example.com/v' },
      actor: { mbox: 'mailto:a@example.com' },
      id: base.id.toUpperCase(),
    };
    expect(sameStatement(base, other)).toBe(true);
  });

  it('sees any other difference', () => {
    expect(sameStatement(base, { ...base, result: { success: true } })).toBe(false);
    expect(sameStatement(base, { ...base, actor: { mbox: 'mailto:b@example.com' } })).toBe(false);
    expect(
      sameStatement(base, { ...base, verb: { id: 'http://example.com/v', display: { en: 'x' } } }),
    ).toBe(false);
    // The case of an agent name is not a language tag.
    expect(sameStatement(base, { ...base, actor: { ...base.actor, name: 'A' } })).toBe(false);
  });

  it('compares durations to the hundredth of a second', () => {
    const withDuration = (duration: string) => ({ ...base, result: { duration } });
    expect(sameStatement(withDuration('PT0.1237S'), withDuration('PT0.12S'))).toBe(true);
    expect(sameStatement(withDuration('P1DT12H36M0.1S'), withDuration('P1DT12H36M0.109S'))).toBe(
      true,
    );
    expect(sameStatement(withDuration('PT1.0S'), withDuration('PT1S'))).toBe(true);
    expect(sameStatement(withDuration('PT0.13S'), withDuration('PT0.12S'))).toBe(false);
    expect(comparableDuration('PT5M')).toBe('PT5M');
  });
});
