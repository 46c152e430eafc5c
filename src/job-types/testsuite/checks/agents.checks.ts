import { section } from './check';

/** xAPI-Communication 2.4 (1.0.3) / 4.1.6.3 (2.0.0): the Agents resource (Person object). */
export const AGENTS_CHECKS = section('agents', [
  {
    id: 'person',
    description: 'GET agents?agent= answers a Person object (objectType "Person")',
    async run(x) {
      const res = await x.get('agents', { agent: JSON.stringify(x.data.agent('person')) });
      x.status(res, 200);
      x.equal(res.body?.objectType, 'Person', 'objectType');
    },
  },
  {
    id: 'person-arrays',
    description: 'The Person lists the agent identifier in an array property (mbox: [...])',
    async run(x) {
      const agent = x.data.agent('person-mbox');
      const res = await x.get('agents', { agent: JSON.stringify(agent) });
      x.status(res, 200);
      x.expect(
        Array.isArray(res.body?.mbox) && res.body.mbox.includes(agent.mbox),
        `mbox: [..."${agent.mbox}"...]`,
        res.body,
      );
    },
  },
  {
    id: 'person-account',
    description: 'The Person lists an account identifier as an array of accounts',
    async run(x) {
      const agent = x.data.agent('person-account', 'account');
      const res = await x.get('agents', { agent: JSON.stringify(agent) });
      x.status(res, 200);
      x.expect(
        Array.isArray(res.body?.account) &&
          res.body.account.some((a: any) => a.name === agent.account.name),
        'account: [{homePage, name}]',
        res.body,
      );
    },
  },
  {
    id: 'person-name',
    description: 'The Person lists the names of a known agent in an array',
    async run(x) {
      const agent = x.data.agent('person-named');
      await x.store(x.statement({ actor: agent }));
      const res = await x.get('agents', { agent: JSON.stringify({ mbox: agent.mbox }) });
      x.status(res, 200);
      x.expect(
        Array.isArray(res.body?.name) && res.body.name.includes(agent.name),
        `name: [..."${agent.name}"...]`,
        res.body,
      );
    },
  },
  {
    id: 'missing-400',
    description: 'GET agents without the agent parameter is a 400',
    async run(x) {
      x.status(await x.get('agents'), 400);
    },
  },
  {
    id: 'invalid-400',
    description: 'GET agents with an agent that is not JSON is a 400',
    async run(x) {
      x.status(await x.get('agents', { agent: 'mailto:someone@example.com' }), 400);
    },
  },
  {
    id: 'two-ifis-400',
    description: 'GET agents with an agent of two identifiers is a 400',
    async run(x) {
      const agent = { ...x.data.agent('ifis'), openid: x.data.iriBase + 'openid/ifis' };
      x.status(await x.get('agents', { agent: JSON.stringify(agent) }), 400);
    },
  },
]);
