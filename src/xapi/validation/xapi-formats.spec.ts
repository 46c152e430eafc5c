import {
  isDuration,
  isIri,
  isIrl,
  isLanguageTag,
  isMailto,
  isMediaType,
  isSha2Hex,
  isStatementVersion,
  isUri,
  isUuid,
  timestampProblem,
} from './xapi-formats';

describe('xAPI value formats', () => {
  it('IRI: absolute, with a scheme, unicode allowed, no whitespace', () => {
    for (const ok of [
      'http://example.com/verbs/answered',
      'https://exämple.com/aktivität/1',
      'urn:uuid:6690e6c9-3ef0-4ed3-8b37-7f3964730bee',
      'tag:example.com,2026:verbs/x',
    ]) {
      expect(isIri(ok)).toBe(true);
    }
    for (const bad of [
      'example.com/verbs/x',
      '/relative',
      'http://a b',
      '',
      'http://x/<y>',
      '1http://x',
    ]) {
      expect(isIri(bad)).toBe(false);
    }
  });

  it('IRL: an IRI with an authority part', () => {
    expect(isIrl('https://lms.example.com')).toBe(true);
    expect(isIrl('http://example.com/files/a.pdf?x=1')).toBe(true);
    expect(isIrl('urn:isbn:123')).toBe(false);
    expect(isIrl('lms.example.com')).toBe(false);
  });

  it('URI: ASCII only', () => {
    expect(isUri('https://openid.example.com/u/1')).toBe(true);
    expect(isUri('https://openid.exämple.com/u/1')).toBe(false);
  });

  it('mailto: one address', () => {
    expect(isMailto('mailto:ann.learner+x@example.co.uk')).toBe(true);
    for (const bad of [
      'mailto:ann',
      'ann@example.com',
      'mailto:a@b@c',
      'MAILTO:a@b.c',
      'mailto:a@b.c?subject=x',
    ]) {
      expect(isMailto(bad)).toBe(false);
    }
  });

  it('UUID: any RFC version 1 to 8, variant bits, any case', () => {
    expect(isUuid('6690e6c9-3ef0-4ed3-8b37-7f3964730bee')).toBe(true);
    expect(isUuid('6690E6C9-3EF0-4ED3-8B37-7F3964730BEE')).toBe(true);
    expect(isUuid('01890a5d-ac96-774b-bcce-b302099a8057')).toBe(true);
    expect(isUuid('6690e6c9-3ef0-0ed3-8b37-7f3964730bee')).toBe(false); // version 0
    expect(isUuid('6690e6c9-3ef0-4ed3-cb37-7f3964730bee')).toBe(false); // variant
    expect(isUuid('{6690e6c9-3ef0-4ed3-8b37-7f3964730bee}')).toBe(false);
  });

  it('RFC 5646 language tags, including grandfathered and private use', () => {
    for (const ok of [
      'en',
      'en-US',
      'zh-Hant-TW',
      'es-419',
      'de-CH-1996',
      'x-klingon',
      'en-GB-oed',
      'sgn-BE-FR',
      'EN-us',
      'en-a-bbb-x-a-ccc',
    ]) {
      expect(isLanguageTag(ok)).toBe(true);
    }
    for (const bad of ['', 'e', 'en_US', 'en-', 'toolongtag-US', 'en-US-', '12', 'en US']) {
      expect(isLanguageTag(bad)).toBe(false);
    }
  });

  it('durations of ISO 8601 section 4.4.3.2', () => {
    expect(isDuration('P1Y2M10DT2H30M')).toBe(true);
    expect(isDuration('PT36H')).toBe(true);
    expect(isDuration('P1DT')).toBe(false);
    expect(isDuration('P1WT1H')).toBe(false);
  });

  it('timestamps: ISO 8601 for 1.0.x, RFC 3339 for 2.0', () => {
    expect(timestampProblem('2026-11-28T10:15:30.123Z', false)).toBeNull();
    expect(timestampProblem('2026-11-28T10:15:30.123Z', true)).toBeNull();
    expect(timestampProblem('2026-11-28T10:15:60Z', true)).toBeNull(); // leap second
    expect(timestampProblem('2026-11-28T10:15:30', true)).toMatch(/RFC 3339/);
    expect(timestampProblem('2026-02-30T10:15:30Z', false)).toMatch(/calendar/);
    expect(timestampProblem('2026-11-28T10:15:30+24:00', false)).toMatch(/offset/);
    expect(timestampProblem('2026-11-28T10:15:30-00:00', true)).toMatch(/-00:00/);
  });

  it('versions, media types, SHA-2 digests', () => {
    expect(isStatementVersion('1.0.3', false)).toBe(true);
    expect(isStatementVersion('2.0.0', false)).toBe(false);
    expect(isStatementVersion('2.0.1', true)).toBe(true);
    expect(isStatementVersion('1.1.0', true)).toBe(false);
    expect(isMediaType('application/json; charset=utf-8')).toBe(true);
    expect(isMediaType('json')).toBe(false);
    expect(isSha2Hex('a'.repeat(64))).toBe(true);
    expect(isSha2Hex('a'.repeat(128))).toBe(true);
    expect(isSha2Hex('a'.repeat(40))).toBe(false);
  });
  it('IRI and language tag answers are remembered without changing them', () => {
    // Asked twice (the second answer from memory), more than the memory holds, and longer
    // than it keeps: every answer is the regular expression's.
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 10_050; i++) {
        expect(isIri(`http://example.com/a/${i}`)).toBe(true);
        expect(isIri(`http://example.com/a b/${i}`)).toBe(false);
      }
      expect(isIri(`http://example.com/${'x'.repeat(600)}`)).toBe(true);
      expect(isIri(`http://example.com/${'x'.repeat(600)} `)).toBe(false);
      expect(isLanguageTag('en-US')).toBe(true);
      expect(isLanguageTag('en_US')).toBe(false);
    }
  });
});
