import { createVerify, X509Certificate } from 'crypto';
import { sameStatement } from './statement-comparison';
import { normalizeStatement } from './statement-normalize';

export const SIGNATURE_USAGE_TYPE = 'http://adlnet.gov/expapi/attachments/signature';
const ALGORITHMS: Record<string, string> = {
  RS256: 'RSA-SHA256',
  RS384: 'RSA-SHA384',
  RS512: 'RSA-SHA512',
};
const BASE64URL = /^[A-Za-z0-9_-]*$/;

export interface SignatureProblem {
  /** Path in the statement, e.g. `attachments[0].sha2`. */
  path: string;
  message: string;
}

function isObject(v: unknown): v is Record<string, any> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function decodeJson(segment: string): unknown {
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/** The problem with one compact JWS signing `statement`, or null when it is right. */
function checkJws(jws: string, statement: Record<string, any>): string | null {
  const segments = jws.trim().split('.');
  if (segments.length !== 3 || !segments.every((x) => BASE64URL.test(x))) {
    return 'The signature is not a JWS in compact serialization.';
  }
  const [h, p, sig] = segments;
  const header = decodeJson(h);
  if (!isObject(header)) return 'The JWS header is not a JSON object.';
  const alg = ALGORITHMS[String(header.alg)];
  if (!alg) return 'The JWS algorithm must be RS256, RS384 or RS512.';
  const payload = decodeJson(p);
  if (!isObject(payload)) return 'The JWS payload is not a JSON serialization of a statement.';
  // The statement before the signature was added: the signature attachment is not part of it.
  const before: Record<string, any> = { ...statement };
  const others = (Array.isArray(before.attachments) ? before.attachments : []).filter(
    (a: any) => !(isObject(a) && a.usageType === SIGNATURE_USAGE_TYPE),
  );
  if (others.length) before.attachments = others;
  else delete before.attachments;
  if (!sameStatement(normalizeStatement(payload), normalizeStatement(before))) {
    return 'The JWS payload differs from the statement.';
  }
  if (Array.isArray(header.x5c) && typeof header.x5c[0] === 'string') {
    let ok = false;
    try {
      const cert = new X509Certificate(Buffer.from(header.x5c[0], 'base64'));
      ok = createVerify(alg)
        .update(`${h}.${p}`)
        .verify(cert.publicKey, Buffer.from(sig, 'base64url'));
    } catch {
      ok = false;
    }
    if (!ok) return 'The JWS signature does not verify with its x5c certificate.';
  }
  return null;
}

/**
 * Signed statements (xAPI-Data 2.6): every attachment with the signature usageType
 * must be an application/octet-stream JWS (RS256/RS384/RS512) whose payload is the
 * statement as it was before the signature was added. `content` gives the raw
 * attachment parts by (lower-case) sha2.
 */
export function signatureProblems(
  statement: Record<string, any>,
  content: (sha2: string) => Buffer | undefined,
): SignatureProblem[] {
  const out: SignatureProblem[] = [];
  const list = Array.isArray(statement.attachments) ? statement.attachments : [];
  list.forEach((a: unknown, j: number) => {
    if (!isObject(a) || a.usageType !== SIGNATURE_USAGE_TYPE) return;
    const at = `attachments[${j}]`;
    const type = String(a.contentType ?? '')
      .split(';')[0]
      .trim()
      .toLowerCase();
    if (type !== 'application/octet-stream') {
      out.push({
        path: `${at}.contentType`,
        message: 'A signature attachment must have the content type application/octet-stream.',
      });
      return;
    }
    const raw = typeof a.sha2 === 'string' ? content(a.sha2.toLowerCase()) : undefined;
    if (!raw) {
      // Without fileUrl the missing part is reported by the attachments check.
      if (a.fileUrl)
        out.push({ path: `${at}.sha2`, message: 'The signature must come as an attachment part.' });
      return;
    }
    const problem = checkJws(raw.toString('utf8'), statement);
    if (problem) out.push({ path: at, message: problem });
  });
  return out;
}
