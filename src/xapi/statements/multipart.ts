/** One part of a multipart body: lower-cased headers and the raw content. */
export interface MultipartPart {
  headers: Record<string, string>;
  body: Buffer;
}

/** The boundary parameter of a multipart content type, or null. */
export function multipartBoundary(contentType: string | undefined): string | null {
  if (!contentType || !/^multipart\/mixed\b/i.test(contentType)) return null;
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m ? (m[1] ?? m[2]) : null;
}

/**
 * Splits a multipart/mixed body (RFC 2046) into parts; throws on a malformed body.
 * The preamble and epilogue are ignored.
 */
export function parseMultipart(body: Buffer, boundary: string): MultipartPart[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: MultipartPart[] = [];
  let pos = body.indexOf(delimiter);
  if (pos < 0) throw new Error('multipart body without its boundary');
  for (;;) {
    pos += delimiter.length;
    if (body.subarray(pos, pos + 2).toString() === '--') return parts;
    // Skip transport padding and the CRLF after the delimiter.
    while (body[pos] === 0x20 || body[pos] === 0x09) pos++;
    if (body[pos] === 0x0d && body[pos + 1] === 0x0a) pos += 2;
    else if (body[pos] === 0x0a) pos += 1;
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), pos);
    const nextLf = next < 0 ? body.indexOf(Buffer.concat([Buffer.from('\n'), delimiter]), pos) : -1;
    const end = next >= 0 ? next : nextLf;
    if (end < 0) throw new Error('multipart body not closed by its boundary');
    parts.push(parsePart(body.subarray(pos, end)));
    pos = end + (next >= 0 ? 2 : 1);
  }
}

function parsePart(raw: Buffer): MultipartPart {
  let split = raw.indexOf('\r\n\r\n');
  let skip = 4;
  if (split < 0) {
    split = raw.indexOf('\n\n');
    skip = 2;
  }
  if (raw.indexOf('\r\n') === 0 || raw.indexOf('\n') === 0) {
    return { headers: {}, body: raw.subarray(raw[0] === 0x0d ? 2 : 1) };
  }
  if (split < 0) throw new Error('multipart part without a header block');
  const headers: Record<string, string> = {};
  for (const line of raw.subarray(0, split).toString('utf8').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return { headers, body: raw.subarray(split + skip) };
}

/** Builds a multipart/mixed body from parts. */
export function buildMultipart(
  boundary: string,
  parts: { headers: Record<string, string>; body: Buffer }[],
): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const head = Object.entries(p.headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('');
    chunks.push(Buffer.from(`--${boundary}\r\n${head}\r\n`), p.body, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}
