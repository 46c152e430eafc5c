import {
  checkJsonBody,
  hasLoneSurrogate,
  LONE_SURROGATE_MESSAGE,
  jsonNestsDeeperThan,
  MAX_JSON_DEPTH,
  parseBoundedJson,
  parseCheckedJson,
} from './json-limits';

describe('json limits', () => {
  const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

  it('counts nesting of objects and arrays, not brackets inside strings', () => {
    expect(jsonNestsDeeperThan(nested(MAX_JSON_DEPTH))).toBe(false);
    expect(jsonNestsDeeperThan(nested(MAX_JSON_DEPTH + 1))).toBe(true);
    expect(jsonNestsDeeperThan(`{"a":"${'['.repeat(500)}\\"${'{'.repeat(500)}"}`)).toBe(false);
    expect(jsonNestsDeeperThan('{"a":{"b":[1,{"c":2}]}}', 3)).toBe(true);
    expect(jsonNestsDeeperThan('{"a":{"b":[1,{"c":2}]}}', 4)).toBe(false);
    // Escaped quotes stay inside the string; an escaped backslash does not escape the quote.
    expect(jsonNestsDeeperThan('{"a":"\\"[[[[[[", "b":1}', 3)).toBe(false);
    expect(jsonNestsDeeperThan('{"a":"x\\\\","b":[[[1]]]}', 3)).toBe(true);
    expect(jsonNestsDeeperThan('{"a":"x\\\\\\"[[[[","b":1}', 3)).toBe(false);
    expect(jsonNestsDeeperThan('["unterminated', 3)).toBe(false);
  });

  it('refuses invalid UTF-8 and deep bodies with a 400 error', () => {
    const bad = Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d]);
    expect(() => checkJsonBody(bad)).toThrow(expect.objectContaining({ status: 400 }));
    expect(() => checkJsonBody(Buffer.from(nested(100)))).toThrow(/31 levels/);
    expect(() => checkJsonBody(Buffer.from('{"é":"ü"}'))).not.toThrow();
    expect(() => parseBoundedJson(nested(100))).toThrow(/31 levels/);
    expect(parseBoundedJson('{"__proto__":1}')).toEqual(JSON.parse('{"__proto__":1}'));
    // Bytes from a multipart part or a form: the same checks, as a BadRequestException.
    expect(() => parseBoundedJson(bad)).toThrow(
      expect.objectContaining({
        name: 'BadRequestException',
        message: 'The JSON content is not valid UTF-8.',
      }),
    );
    expect(() => parseBoundedJson(Buffer.from(nested(100)))).toThrow(
      expect.objectContaining({
        name: 'BadRequestException',
        message: expect.stringMatching(/31 levels/),
      }),
    );
    expect(parseBoundedJson(Buffer.from('[{"é":1},2]'))).toEqual([{ é: 1 }, 2]);
  });

  it('refuses a lone UTF-16 surrogate escape, in a value or a key, as malformed JSON', () => {
    const parse = (text: string) => {
      const buf = Buffer.from(text);
      const cuts: number[] = [];
      checkJsonBody(buf, cuts);
      return parseCheckedJson(buf, cuts);
    };
    for (const text of [
      '{"a":"\\ud800"}',
      '{"a":"x\\udc00y"}',
      '{"\\uDBFF":1}',
      '[{"a":1},{"b":["\\ud83d"]}]',
      '"\\ude00\\ud83d"',
    ]) {
      expect(() => parse(text)).toThrow(new SyntaxError(LONE_SURROGATE_MESSAGE));
      expect(() => parseBoundedJson(text)).toThrow(
        expect.objectContaining({ name: 'BadRequestException', message: LONE_SURROGATE_MESSAGE }),
      );
      expect(() => parseBoundedJson(Buffer.from(text))).toThrow(
        expect.objectContaining({ name: 'BadRequestException', message: LONE_SURROGATE_MESSAGE }),
      );
    }
    // A pair is one character; an escaped backslash before "ud800" is plain text.
    expect(parse('{"a":"\\ud83d\\ude00"}')).toEqual({ a: '\u{1F600}' });
    expect(parse('["\\\\ud800"]')).toEqual(['\\ud800']);
    expect(hasLoneSurrogate({ a: ['ok', { b: '\ud800' }] })).toBe(true);
    expect(hasLoneSurrogate({ a: ['ok', { b: '\u{1F600}' }] })).toBe(false);
  });

  /** parseCheckedJson's outcome: the value, or the error JSON.parse would throw. */
  const outcome = (bytes: Buffer) => {
    const cuts: number[] = [];
    checkJsonBody(bytes, cuts);
    try {
      return { value: parseCheckedJson(bytes, cuts) };
    } catch (e) {
      return { error: `${(e as Error).name}: ${(e as Error).message}` };
    }
  };
  const expected = (text: string) => {
    try {
      return { value: JSON.parse(text) };
    } catch (e) {
      return { error: `${(e as Error).name}: ${(e as Error).message}` };
    }
  };

  it('parses an array element by element exactly as JSON.parse parses the whole text', () => {
    const texts = [
      '[]',
      ' [ \t\n] ',
      '[1]',
      ' \r\n[1, "a,b", {"c":[1,2],"d":"]}"}, "\\"]", null, -0.5e3]\n',
      '[[1,2],[3,[4,{}]]]',
      '["é", {"ü":"学习 🎓"}, "\\u00e9"]',
      '[{"__proto__":{"x":1}},{"a":1,"a":2}]',
      '{"a":[1,2],"b":3}',
      '"text"',
      '42',
      // Malformed: each must fail with JSON.parse's own error.
      '[1,]',
      '[,1]',
      '[,]',
      '[1 2]',
      '[1][2]',
      '[1],[2]',
      '[1] 2 [3]',
      '[1]"x"[3]',
      '[{"a":1]}',
      '[{"a":1}}',
      '[1,{"a":"]"}',
      '[1,2]x',
      '\u00a0[1]',
      '[1,"x',
      '[1,"x]',
      '["\u0001"]',
      '[01]',
      '',
      ' ',
    ];
    for (const text of texts) {
      expect([text, outcome(Buffer.from(text, 'utf8'))]).toEqual([text, expected(text)]);
    }
  });

  it('parses arrays past the element-by-element bound whole, with the same result', () => {
    // 10,000 elements: by element; 10,001 and a million tiny ones: whole (scanJson's bound).
    for (const n of [10_000, 10_001, 1_000_000]) {
      const text = `[${Array.from({ length: n }, (_, i) => (i % 2 ? `{"a":[${i}]}` : i)).join(',')}]`;
      expect(outcome(Buffer.from(text))).toEqual({ value: JSON.parse(text) });
      const broken = text.slice(0, -1) + ',]';
      expect(outcome(Buffer.from(broken))).toEqual(expected(broken));
    }
  });

  it('matches JSON.parse on thousands of damaged arrays (fuzz, fixed seed)', () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const base = JSON.stringify([
      { id: 'a,b', v: [1, 2, { x: '[{"]}' }], n: 'Zoë' },
      ['q\\', '\"', 3.5],
      '学',
      null,
    ]);
    const pieces = ['[', ']', '{', '}', ',', '"', '\\', ' ', '1', ':', 'é', '\n'];
    let parsed = 0;
    for (let round = 0; round < 3000; round++) {
      let text = base;
      for (let edits = 1 + random(3); edits > 0; edits--) {
        const at = random(text.length + 1);
        text =
          random(2) === 0
            ? text.slice(0, at) + pieces[random(pieces.length)] + text.slice(at)
            : text.slice(0, at) + text.slice(at + 1);
      }
      const want = expected(text);
      if ('value' in want) parsed++;
      expect([text, outcome(Buffer.from(text, 'utf8'))]).toEqual([text, want]);
    }
    // The damage leaves some arrays valid: both branches were compared.
    expect(parsed).toBeGreaterThan(100);
  });
});
