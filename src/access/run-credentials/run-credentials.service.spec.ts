import { DataSource } from 'typeorm';
import { createTestApp, TestApp, basic } from '../../../test/support/test-app';
import { Client } from '../client.entity';
import { RunCredential } from './run-credential.entity';
import { RunCredentialsService } from './run-credentials.service';

const V1 = { 'X-Experience-API-Version': '1.0.3' };

describe('RunCredentialsService (database, through the guard)', () => {
  let t: TestApp;
  let ds: DataSource;
  let service: RunCredentialsService;
  let admin: Client;

  beforeAll(async () => {
    t = await createTestApp();
    ds = t.dataSource;
    service = t.app.get(RunCredentialsService);
    admin = await ds.getRepository(Client).findOneByOrFail({ slug: 'admin' });
    await t
      .http()
      .post('/api/admin/clients')
      .set('Authorization', t.adminAuth)
      .send({
        slug: 'reader',
        name: 'Reader',
        username: 'reader',
        password: 'reader-secret-1',
        store: 'default',
        permissions: ['xapi/statements/read'],
      })
      .expect(201);
  });
  afterAll(async () => t.close());

  const statements = (client: string, auth: string) =>
    t.http().get(`/api/${client}/xapi/statements`).set(V1).set('Authorization', auth);

  it('acts as the client on its own endpoint until revoked; the secret is kept hashed', async () => {
    const cred = await service.mint(admin, 41, 60_000);
    await statements('admin', basic(cred.username, cred.password)).expect(200);
    await statements('admin', basic(cred.username, 'wrong')).expect(401);
    // Not on another client's endpoint.
    await statements('reader', basic(cred.username, cred.password)).expect(401);
    const row = await ds.getRepository(RunCredential).findOneByOrFail({ id: cred.id });
    expect(row).toMatchObject({ clientId: admin.id, storeId: admin.storeId, jobId: 41 });
    expect(row.secretHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(cred.password);

    expect(await service.revoke(cred.id)).toBe(true);
    await statements('admin', basic(cred.username, cred.password)).expect(401);
    expect(await service.revoke(cred.id)).toBe(false);
  });

  it("carries the client's own permissions, as they are now", async () => {
    const reader = await ds.getRepository(Client).findOneByOrFail({ slug: 'reader' });
    const cred = await service.mint(reader, null, 60_000);
    await statements('reader', basic(cred.username, cred.password)).expect(200);
    await t
      .http()
      .get('/api/reader/xapi/activities/state')
      .query({ activityId: 'http://example.com/a', agent: '{"mbox":"mailto:a@example.com"}' })
      .set(V1)
      .set('Authorization', basic(cred.username, cred.password))
      .expect(403);
    await service.revoke(cred.id);
  });

  it('expires on its own, and a new run of the same job revokes what a crashed one left', async () => {
    const short = await service.mint(admin, 42, 1);
    await new Promise((r) => setTimeout(r, 10));
    await statements('admin', basic(short.username, short.password)).expect(401);

    const first = await service.mint(admin, 43, 60_000);
    const retry = await service.mint(admin, 43, 60_000);
    await statements('admin', basic(first.username, first.password)).expect(401);
    await statements('admin', basic(retry.username, retry.password)).expect(200);
    // Minting swept the expired one.
    expect(await ds.getRepository(RunCredential).findOneBy({ id: short.id })).toBeNull();
    await service.revoke(retry.id);
    expect(await ds.getRepository(RunCredential).count()).toBe(0);
  });
});
