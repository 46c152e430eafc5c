import { section } from './check';
import { XapiProbe } from './xapi-probe';

/** GET about without credentials, expecting 200. */
async function about(x: XapiProbe) {
  const res = await x.get('about', {}, { auth: 'none' });
  x.status(res, 200);
  return res;
}

/** xAPI-Communication 2.8 (1.0.3) / 4.1.6.7 (2.0.0): the About resource. */
export const ABOUT_CHECKS = section('about', [
  {
    id: 'no-auth',
    description: 'GET about answers 200 without credentials (the About resource is public)',
    async run(x) {
      x.status(await x.get('about', {}, { auth: 'none', version: null }), 200);
    },
  },
  {
    id: 'json',
    description: 'About answers a JSON object (Content-Type application/json)',
    async run(x) {
      const res = await about(x);
      x.contentType(res, 'application/json');
      x.expect(
        res.body && typeof res.body === 'object' && !Array.isArray(res.body),
        'a JSON object',
        res.text,
      );
    },
  },
  {
    id: 'version-array',
    description: 'About has a "version" property: an array of strings',
    async run(x) {
      const res = await about(x);
      const v = res.body?.version;
      x.expect(
        Array.isArray(v) && v.length > 0 && v.every((s: unknown) => typeof s === 'string'),
        'version: a non-empty array of strings',
        res.text,
      );
    },
  },
  {
    id: 'version-format',
    description: 'Every version About lists is a full semantic version (e.g. "1.0.3")',
    async run(x) {
      const res = await about(x);
      const v: unknown[] = res.body?.version ?? [];
      x.expect(
        v.every((s) => typeof s === 'string' && /^\d+\.\d+\.\d+$/.test(s)),
        'versions like "1.0.3"',
        res.text,
      );
    },
  },
  {
    id: 'lists-tested-version',
    description: 'About lists the xAPI version this run speaks',
    async run(x) {
      const res = await about(x);
      const major = x.version.slice(0, 3);
      x.expect(
        (res.body?.version ?? []).some((s: string) => s.startsWith(major)),
        `a ${major}.x version`,
        res.text,
      );
    },
  },
  {
    id: 'extensions-object',
    description: 'About "extensions", when present, is an object',
    async run(x) {
      const res = await about(x);
      const e = res.body?.extensions;
      x.expect(
        e === undefined || (e && typeof e === 'object' && !Array.isArray(e)),
        'extensions absent or an object',
        res.text,
      );
    },
  },
  {
    id: 'version-header',
    description: 'The About response carries an X-Experience-API-Version header',
    async run(x) {
      const res = await about(x);
      x.header(res, 'X-Experience-API-Version');
    },
  },
]);
