import { randomUUID } from 'crypto';
import { Client, Permission, PipelineOptions } from '../../src/access/client.entity';
import { hashSecret } from '../../src/access/passwords';
import { Store } from '../../src/access/store.entity';
import { basic, TestApp } from './test-app';

/** A client (of the default store unless `storeId`), created in the database; returns its base and auth header. */
export async function createClient(
  t: TestApp,
  slug: string,
  permissions: Permission[],
  pipeline: PipelineOptions = {},
  storeId?: number,
): Promise<{ base: string; auth: string; id: number }> {
  const repo = t.dataSource.getRepository(Client);
  const admin = storeId === undefined ? await repo.findOneByOrFail({ slug: 'admin' }) : null;
  const now = new Date();
  const saved = await repo.save(
    repo.create({
      slug,
      name: `Client ${slug}`,
      username: `${slug}-user`,
      passwordHash: await hashSecret(`${slug}-secret`),
      storeId: storeId ?? admin!.storeId,
      permissions,
      pipeline,
      expiresAt: null,
      createdAt: now,
      updatedAt: now,
    }),
  );
  return { base: `/api/${slug}`, auth: basic(`${slug}-user`, `${slug}-secret`), id: saved.id };
}

/** A store of its own, created in the database. */
export async function createStore(t: Pick<TestApp, 'dataSource'>, slug: string): Promise<Store> {
  const now = new Date();
  return t.dataSource
    .getRepository(Store)
    .save({ slug, name: slug, createdAt: now, updatedAt: now });
}

/** A new store with a client of its own: the store, the client's base endpoint and auth header. */
export async function createStoreWithClient(
  t: TestApp,
  slug: string,
  permissions: Permission[] = ['xapi/all'],
): Promise<{ store: Store; base: string; auth: string; id: number }> {
  const store = await createStore(t, slug);
  return { store, ...(await createClient(t, `${slug}-client`, permissions, {}, store.id)) };
}

let n = 0;

/** A realistic valid statement. */
export function makeStatement(overrides: Record<string, unknown> = {}): Record<string, any> {
  n += 1;
  return {
    id: randomUUID(),
    actor: {
      objectType: 'Agent',
      name: `Learner ${n % 50}`,
      mbox: `mailto:learner${n % 50}@example.com`,
    },
    verb: { id: 'http://adlnet.gov/expapi/verbs/completed', display: { 'en-US': 'completed' } },
    object: {
      objectType: 'Activity',
      id: `http://example.com/activities/course-${n % 20}`,
      definition: {
        name: { 'en-US': `Course ${n % 20}` },
        type: 'http://adlnet.gov/expapi/activities/course',
      },
    },
    result: { completion: true, success: true, score: { scaled: 0.8 }, duration: 'PT10M' },
    context: {
      registration: randomUUID(),
      contextActivities: { parent: [{ id: 'http://example.com/activities/program' }] },
    },
    timestamp: new Date().toISOString(),
    ...overrides,
  };
}
