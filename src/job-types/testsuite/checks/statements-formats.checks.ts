import { section } from './check';
import { XapiProbe } from './xapi-probe';

/** A statement with names in two languages, stored, then fetched in `format`. */
async function storedInTwoLanguages(
  x: XapiProbe,
  format: string,
  headers: Record<string, string> = {},
) {
  const s = x.statement({
    verb: {
      id: x.data.verb('formatted').id,
      display: { 'en-US': 'formatted', 'fr-FR': 'formaté' },
    },
    object: {
      objectType: 'Activity',
      id: x.data.activity('formatted'),
      definition: {
        name: { 'en-US': 'Formats', 'fr-FR': 'Formats FR' },
        description: { 'en-US': 'd', 'fr-FR': 'd FR' },
      },
    },
  });
  await x.store(s);
  const res = await x.get('statements', { statementId: s.id, format }, { headers });
  x.status(res, 200);
  return { sent: s, got: res.body as Record<string, any> };
}

/** xAPI-Communication 2.1.3 (format parameter): ids, exact, canonical. */
export const STATEMENTS_FORMATS_CHECKS = section('statements-formats', [
  {
    id: 'exact-default',
    description: 'Without format, statements come back as stored (exact): language maps whole',
    async run(x) {
      const { got } = await storedInTwoLanguages(x, 'exact');
      x.equal(
        Object.keys(got.verb?.display ?? {}).sort(),
        ['en-US', 'fr-FR'],
        'verb.display languages',
      );
    },
  },
  {
    id: 'ids-agent',
    description: 'format=ids returns agents with their identifier only (no name)',
    async run(x) {
      const { got, sent } = await storedInTwoLanguages(x, 'ids');
      x.equal(got.actor, { objectType: 'Agent', mbox: sent.actor.mbox }, 'actor');
    },
  },
  {
    id: 'ids-activity',
    description: 'format=ids returns activities with their id only (no definition)',
    async run(x) {
      const { got } = await storedInTwoLanguages(x, 'ids');
      x.expect(got.object?.definition === undefined, 'no object.definition', got.object);
    },
  },
  {
    id: 'ids-verb',
    description: 'format=ids returns the verb with its id only (no display)',
    async run(x) {
      const { got } = await storedInTwoLanguages(x, 'ids');
      x.expect(
        got.verb?.display === undefined && typeof got.verb?.id === 'string',
        'verb with id only',
        got.verb,
      );
    },
  },
  {
    id: 'canonical-language',
    description:
      'format=canonical keeps one language of each language map, as Accept-Language asks',
    async run(x) {
      const { got } = await storedInTwoLanguages(x, 'canonical', { 'Accept-Language': 'fr-FR' });
      x.equal(got.verb?.display, { 'fr-FR': 'formaté' }, 'verb.display');
      x.equal(got.object?.definition?.name, { 'fr-FR': 'Formats FR' }, 'object.definition.name');
    },
  },
  {
    id: 'invalid-400',
    description: 'An unknown format value is a 400',
    async run(x) {
      x.status(
        await x.get('statements', { registration: x.data.registration, format: 'short' }),
        400,
      );
    },
  },
  {
    id: 'query-format',
    description: 'format applies to every statement of a query result',
    async run(x) {
      const r = x.data.newRegistration();
      await x.store(
        x.statement({ context: { registration: r } }),
        x.statement({ context: { registration: r } }),
      );
      const list = await x.query({ registration: r, format: 'ids' });
      x.expect(
        list.length === 2 && list.every((s) => s.actor && s.actor.name === undefined),
        'two statements, actors without name',
        list,
      );
    },
  },
]);
