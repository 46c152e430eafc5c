import { createHash } from 'crypto';
import { section } from './check';
import { XapiProbe } from './xapi-probe';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const BOUNDARY = 'testsuite-boundary-7f3a9c';

interface Part {
  headers: Record<string, string>;
  body: Buffer | string;
}

/** A multipart/mixed body, CRLF line ends (RFC 2046), built here independently of the LRS. */
function multipart(parts: Part[]): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const head = Object.entries(p.headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('');
    chunks.push(
      Buffer.from(`--${BOUNDARY}\r\n${head}\r\n`),
      Buffer.from(p.body),
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(chunks);
}

function attachmentOf(content: Buffer, extra: Record<string, unknown> = {}) {
  return {
    usageType: 'http://adlnet.gov/expapi/attachments/supporting_media',
    display: { 'en-US': 'notes' },
    contentType: 'text/plain',
    length: content.length,
    sha2: sha256(content),
    ...extra,
  };
}

/** POSTs a statement with its attachment parts. */
function postMultipart(
  x: XapiProbe,
  statement: unknown,
  parts: Part[],
  firstType = 'application/json',
) {
  return x.request('POST', 'statements', {
    headers: { 'Content-Type': `multipart/mixed; boundary=${BOUNDARY}` },
    body: multipart([
      { headers: { 'Content-Type': firstType }, body: JSON.stringify(statement) },
      ...parts,
    ]),
  });
}

const part = (content: Buffer, hash = sha256(content)): Part => ({
  headers: {
    'Content-Type': 'text/plain',
    'Content-Transfer-Encoding': 'binary',
    'X-Experience-API-Hash': hash,
  },
  body: content,
});

/** A statement with one raw attachment, stored. */
async function storedWithAttachment(x: XapiProbe) {
  const content = Buffer.from(`attachment of run ${x.data.token}: ${'x'.repeat(64)}`);
  const s = x.statement({ attachments: [attachmentOf(content)] });
  const res = await postMultipart(x, s, [part(content)]);
  x.status(res, 200);
  return { s, content };
}

/** Data 2.4.11 / xAPI-Communication 1.5.2 (1.0.3), 4.2.2.6 (2.0.0): attachments. */
export const STATEMENTS_ATTACHMENTS_CHECKS = section('statements-attachments', [
  {
    id: 'multipart-accepted',
    description: 'A statement with a raw attachment in multipart/mixed is accepted (200)',
    async run(x) {
      await storedWithAttachment(x);
    },
  },
  {
    id: 'file-url-json',
    description:
      'A statement whose attachment has a fileUrl (no raw part) is accepted as application/json',
    async run(x) {
      const s = x.statement({
        attachments: [
          attachmentOf(Buffer.from('remote'), { fileUrl: x.data.iriBase + 'files/remote.txt' }),
        ],
      });
      x.status(await x.postStatements(s), 200);
    },
  },
  {
    id: 'attachments-true-multipart',
    description: 'GET with attachments=true answers multipart/mixed holding the attachment content',
    async run(x) {
      const { s, content } = await storedWithAttachment(x);
      const res = await x.get('statements', { statementId: s.id, attachments: 'true' });
      x.status(res, 200);
      x.contentType(res, 'multipart/mixed');
      x.expect(res.bytes.includes(content), 'the attachment bytes in the body', res.text);
      x.expect(
        res.text.toLowerCase().includes(sha256(content)),
        'an X-Experience-API-Hash of the part',
        res.text,
      );
    },
  },
  {
    id: 'attachments-false-json',
    description: 'GET without attachments=true answers application/json, without the content',
    async run(x) {
      const { s } = await storedWithAttachment(x);
      const res = await x.get('statements', { statementId: s.id });
      x.status(res, 200);
      x.contentType(res, 'application/json');
      x.equal(res.body?.attachments?.[0]?.sha2, s.attachments[0].sha2, 'attachments[0].sha2');
    },
  },
  {
    id: 'missing-part-400',
    description: 'A statement declaring a raw attachment sent without its part is rejected (400)',
    async run(x) {
      const content = Buffer.from('never sent');
      x.status(await x.postStatements(x.statement({ attachments: [attachmentOf(content)] })), 400);
    },
  },
  {
    id: 'hash-mismatch-400',
    description:
      'An attachment part whose X-Experience-API-Hash matches no declared sha2 is rejected (400)',
    async run(x) {
      const content = Buffer.from('hash mismatch');
      const s = x.statement({ attachments: [attachmentOf(content)] });
      x.status(await postMultipart(x, s, [part(content, 'f'.repeat(64))]), 400);
    },
  },
  {
    id: 'first-part-json',
    description: 'A multipart body whose first part is not application/json is rejected (400)',
    async run(x) {
      const content = Buffer.from('first part');
      const s = x.statement({ attachments: [attachmentOf(content)] });
      x.status(await postMultipart(x, s, [part(content)], 'text/plain'), 400);
    },
  },
  {
    id: 'length-integer',
    description: 'An attachment whose length is not an integer is rejected (400)',
    async run(x) {
      const s = x.statement({
        attachments: [
          attachmentOf(Buffer.from('x'), { length: 'one', fileUrl: x.data.iriBase + 'f' }),
        ],
      });
      x.status(await x.postStatements(s), 400);
    },
  },
  {
    id: 'display-language-map',
    description: 'An attachment display that is not a language map is rejected (400)',
    async run(x) {
      const s = x.statement({
        attachments: [
          attachmentOf(Buffer.from('x'), { display: 'notes', fileUrl: x.data.iriBase + 'f' }),
        ],
      });
      x.status(await x.postStatements(s), 400);
    },
  },
  {
    id: 'content-type-required',
    description: 'An attachment without contentType is rejected (400)',
    async run(x) {
      const a: Record<string, unknown> = attachmentOf(Buffer.from('x'), {
        fileUrl: x.data.iriBase + 'f',
      });
      delete a.contentType;
      x.status(await x.postStatements(x.statement({ attachments: [a] })), 400);
    },
  },
]);
