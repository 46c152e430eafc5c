import { section } from './check';

/** xAPI-Communication 2.5 (1.0.3) / 4.1.6.4 (2.0.0): the Activities resource. */
export const ACTIVITIES_CHECKS = section('activities', [
  {
    id: 'activity-object',
    description: 'GET activities?activityId= answers an Activity object with that id',
    async run(x) {
      const id = x.data.activity('known');
      await x.store(x.statement({ object: { objectType: 'Activity', id } }));
      const res = await x.get('activities', { activityId: id });
      x.status(res, 200);
      x.equal(res.body?.id, id, 'id');
      x.expect(
        res.body?.objectType === undefined || res.body.objectType === 'Activity',
        'objectType Activity',
        res.body,
      );
    },
  },
  {
    id: 'definition',
    description: 'The Activity object carries the definition the LRS received in statements',
    async run(x) {
      const id = x.data.activity('defined');
      const name = { 'en-US': `Defined ${x.data.token}` };
      await x.store(
        x.statement({
          object: {
            objectType: 'Activity',
            id,
            definition: { name, type: x.data.activityType('course') },
          },
        }),
      );
      const res = await x.get('activities', { activityId: id });
      x.status(res, 200);
      x.equal(res.body?.definition?.name, name, 'definition.name');
    },
  },
  {
    id: 'definition-merged',
    description:
      'Definitions from several statements of one activity are merged (new languages added)',
    async run(x) {
      const id = x.data.activity('merged');
      await x.store(x.statement({ object: { id, definition: { name: { 'en-US': 'Merged' } } } }));
      await x.store(x.statement({ object: { id, definition: { name: { 'fr-FR': 'Fusionné' } } } }));
      const res = await x.get('activities', { activityId: id });
      x.status(res, 200);
      x.equal(
        Object.keys(res.body?.definition?.name ?? {}).sort(),
        ['en-US', 'fr-FR'],
        'definition.name languages',
      );
    },
  },
  {
    id: 'missing-id-400',
    description: 'GET activities without activityId is a 400',
    async run(x) {
      x.status(await x.get('activities'), 400);
    },
  },
  {
    id: 'json',
    description: 'The Activities resource answers application/json',
    async run(x) {
      const res = await x.get('activities', { activityId: x.data.activity('json') });
      x.status(res, 200);
      x.contentType(res, 'application/json');
    },
  },
]);
