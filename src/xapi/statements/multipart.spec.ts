import { buildMultipart, multipartBoundary, parseMultipart } from './multipart';

describe('multipart/mixed', () => {
  it('reads the boundary, quoted or not', () => {
    expect(multipartBoundary('multipart/mixed; boundary=abc')).toBe('abc');
    expect(multipartBoundary('multipart/mixed; boundary="a b"; charset=x')).toBe('a b');
    expect(multipartBoundary('application/json')).toBeNull();
  });

  it('round-trips binary parts with their headers', () => {
    const binary = Buffer.from([0, 13, 10, 45, 45, 255, 13, 10]);
    const body = buildMultipart('xyz', [
      { headers: { 'Content-Type': 'application/json' }, body: Buffer.from('{"a":1}') },
      { headers: { 'X-Experience-API-Hash': 'abc' }, body: binary },
    ]);
    const parts = parseMultipart(body, 'xyz');
    expect(parts).toHaveLength(2);
    expect(parts[0].headers['content-type']).toBe('application/json');
    expect(parts[0].body.toString()).toBe('{"a":1}');
    expect(parts[1].headers['x-experience-api-hash']).toBe('abc');
    expect(Buffer.compare(parts[1].body, binary)).toBe(0);
  });

  it('ignores a preamble and accepts LF line ends', () => {
    const body = Buffer.from('preamble\n--b\nContent-Type: text/plain\n\nhello\n--b--\n');
    const parts = parseMultipart(body, 'b');
    expect(parts.map((p) => p.body.toString())).toEqual(['hello']);
  });

  it('throws on an unterminated body', () => {
    expect(() => parseMultipart(Buffer.from('--b\r\nA: 1\r\n\r\nno end'), 'b')).toThrow();
    expect(() => parseMultipart(Buffer.from('nothing'), 'b')).toThrow();
  });
});
