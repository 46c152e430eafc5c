import { section } from './check';

/** Data 2.3 (immutability) and xAPI-Communication 2.1.1/2.1.2: statements with an existing id. */
export const STATEMENTS_CONFLICTS_CHECKS = section('statements-conflicts', [
  {
    id: 'put-same-204',
    description: 'PUT of a statement identical to the stored one answers 204 (no conflict)',
    async run(x) {
      const s = x.statement();
      x.status(await x.putStatement(s), 204);
      x.status(await x.putStatement(s), 204);
    },
  },
  {
    id: 'post-same-200',
    description: 'POST of a statement identical to the stored one answers 200 (no conflict)',
    async run(x) {
      const s = x.statement();
      await x.store(s);
      x.status(await x.postStatements(s), 200);
    },
  },
  {
    id: 'put-different-409',
    description: 'PUT of a different statement under an existing id is a 409',
    async run(x) {
      const s = x.statement();
      await x.store(s);
      x.status(await x.putStatement({ ...s, verb: x.data.verb('changed') }), 409);
    },
  },
  {
    id: 'post-different-409',
    description: 'POST of a different statement under an existing id is a 409',
    async run(x) {
      const s = x.statement();
      await x.store(s);
      x.status(await x.postStatements({ ...s, object: { id: x.data.activity('changed') } }), 409);
    },
  },
  {
    id: 'immutable',
    description: 'A statement is never changed by a conflicting write',
    async run(x) {
      const s = x.statement();
      await x.store(s);
      await x.postStatements({ ...s, verb: x.data.verb('changed') });
      x.equal((await x.fetchStatement(s.id)).verb?.id, s.verb.id, 'verb.id');
    },
  },
  {
    id: 'property-order',
    description: 'The same statement with its properties in another order is no conflict',
    async run(x) {
      const s = x.statement();
      await x.store(s);
      const reordered = {
        object: s.object,
        context: s.context,
        verb: s.verb,
        actor: s.actor,
        id: s.id,
      };
      x.status(await x.postStatements(reordered), 200);
    },
  },
  {
    id: 'conflict-stores-none',
    description: 'A batch with one conflicting statement stores none of the batch',
    async run(x) {
      const s = x.statement();
      await x.store(s);
      const fresh = x.statement();
      x.status(await x.postStatements([fresh, { ...s, verb: x.data.verb('changed') }]), 409);
      x.status(await x.get('statements', { statementId: fresh.id }), 404);
    },
  },
]);
