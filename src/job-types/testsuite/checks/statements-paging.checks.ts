import { section } from './check';
import { XapiProbe } from './xapi-probe';

/** Stores `n` statements under a registration of their own. */
async function stored(x: XapiProbe, n: number) {
  const registration = x.data.newRegistration();
  const list = Array.from({ length: n }, () => x.statement({ context: { registration } }));
  await x.store(...list);
  return { registration, ids: list.map((s) => s.id) };
}

/** Follows a more link (an IRL relative to the LRS origin, or absolute). */
async function follow(x: XapiProbe, more: string) {
  const url = new URL(more, x.endpoint);
  const res = await x.request('GET', url.toString());
  x.status(res, 200);
  return res.body as { statements: Record<string, any>[]; more?: string };
}

/** xAPI-Communication 2.1.3 / Data 2.5 (StatementResult more): paging. */
export const STATEMENTS_PAGING_CHECKS = section('statements-paging', [
  {
    id: 'more-when-limited',
    description: 'A result cut by limit carries a non-empty more link',
    async run(x) {
      const { registration } = await stored(x, 3);
      const res = await x.get('statements', { registration, limit: 2 });
      x.status(res, 200);
      x.expect(
        typeof res.body?.more === 'string' && res.body.more.length > 0,
        'a more link',
        res.text,
      );
    },
  },
  {
    id: 'more-empty-at-end',
    description: 'The last page has an empty (or no) more link',
    async run(x) {
      const { registration } = await stored(x, 2);
      const res = await x.get('statements', { registration, limit: 5 });
      x.status(res, 200);
      x.expect(!res.body?.more, 'more empty', res.text);
    },
  },
  {
    id: 'more-is-iri',
    description:
      'The more link is a URL (relative to the endpoint origin or absolute) that the client can GET',
    async run(x) {
      const { registration } = await stored(x, 2);
      const res = await x.get('statements', { registration, limit: 1 });
      x.status(res, 200);
      const more: string = res.body?.more ?? '';
      x.expect(
        more.startsWith('/') || /^https?:\/\//.test(more),
        'a path or an absolute URL',
        more,
      );
      await follow(x, more);
    },
  },
  {
    id: 'pages-complete',
    description: 'Following more pages returns every statement once: no repeat, no gap',
    async run(x) {
      const { registration, ids } = await stored(x, 5);
      const res = await x.get('statements', { registration, limit: 2 });
      x.status(res, 200);
      const seen: string[] = res.body.statements.map((s: any) => s.id);
      let more: string | undefined = res.body.more;
      for (let i = 0; more && i < 10; i++) {
        const page = await follow(x, more);
        seen.push(...page.statements.map((s) => s.id));
        more = page.more;
      }
      x.equal([...seen].sort(), [...ids].sort(), 'ids over all pages');
    },
  },
  {
    id: 'more-keeps-filters',
    description: 'A more page keeps the filters of the first request',
    async run(x) {
      const { registration, ids } = await stored(x, 3);
      await stored(x, 2);
      const res = await x.get('statements', { registration, limit: 1 });
      x.status(res, 200);
      const page = await follow(x, res.body.more);
      x.expect(
        page.statements.every((s) => ids.includes(s.id)),
        'only statements of the filtered registration',
        page.statements.map((s) => s.id),
      );
    },
  },
  {
    id: 'more-keeps-order',
    description: 'A more page keeps the order of the first request (ascending)',
    async run(x) {
      const registration = x.data.newRegistration();
      const list = [];
      for (let i = 0; i < 3; i++) {
        const s = x.statement({ context: { registration } });
        await x.store(s);
        list.push(s.id);
      }
      const res = await x.get('statements', { registration, limit: 2, ascending: 'true' });
      x.status(res, 200);
      const page = await follow(x, res.body.more);
      x.equal(
        [...res.body.statements.map((s: any) => s.id), ...page.statements.map((s) => s.id)],
        list,
        'ids in stored order',
      );
    },
  },
]);
