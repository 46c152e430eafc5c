import { section } from './check';
import { XapiProbe } from './xapi-probe';

export const VOIDED_VERB = 'http://adlnet.gov/expapi/verbs/voided';

/** Stores a statement and a statement voiding it; returns both. */
async function voided(x: XapiProbe) {
  const target = x.statement();
  await x.store(target);
  const voiding = x.statement({
    verb: { id: VOIDED_VERB, display: { 'en-US': 'voided' } },
    object: { objectType: 'StatementRef', id: target.id },
  });
  await x.store(voiding);
  return { target, voiding };
}

/** Data 2.3.2 (1.0.3) / 4.2.5 (2.0.0): voided statements. */
export const STATEMENTS_VOIDING_CHECKS = section('statements-voiding', [
  {
    id: 'accepted',
    description: 'A voiding statement (verb voided, StatementRef object) is accepted',
    async run(x) {
      await voided(x);
    },
  },
  {
    id: 'hidden-by-statement-id',
    description: 'A voided statement is not returned by statementId (404)',
    async run(x) {
      const { target } = await voided(x);
      x.status(await x.get('statements', { statementId: target.id }), 404);
    },
  },
  {
    id: 'by-voided-statement-id',
    description: 'A voided statement is returned by voidedStatementId',
    async run(x) {
      const { target } = await voided(x);
      const res = await x.get('statements', { voidedStatementId: target.id });
      x.status(res, 200);
      x.equal(res.body?.id, target.id, 'id');
    },
  },
  {
    id: 'voiding-visible',
    description: 'The voiding statement itself is returned by statementId',
    async run(x) {
      const { voiding } = await voided(x);
      x.equal((await x.fetchStatement(voiding.id)).id, voiding.id, 'id');
    },
  },
  {
    id: 'excluded-from-queries',
    description: 'Voided statements are left out of statement queries',
    async run(x) {
      const { target, voiding } = await voided(x);
      const list = await x.query();
      x.expect(
        !list.some((s) => s.id === target.id),
        'no voided statement in the result',
        list.map((s) => s.id),
      );
      x.expect(
        list.some((s) => s.id === voiding.id),
        'the voiding statement in the result',
        list.map((s) => s.id),
      );
    },
  },
  {
    id: 'not-voided-404',
    description: 'voidedStatementId of a statement that is not voided is a 404',
    async run(x) {
      const s = x.statement();
      await x.store(s);
      x.status(await x.get('statements', { voidedStatementId: s.id }), 404);
    },
  },
  {
    id: 'object-must-be-ref',
    description: 'A voiding statement whose object is not a StatementRef is rejected (400)',
    async run(x) {
      const s = x.statement({ verb: { id: VOIDED_VERB, display: { 'en-US': 'voided' } } });
      x.status(await x.postStatements(s), 400);
    },
  },
]);
