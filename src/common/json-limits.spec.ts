import {
  checkJsonBody,
  jsonNestsDeeperThan,
  MAX_JSON_DEPTH,
  parseBoundedJson,
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
  });
});
