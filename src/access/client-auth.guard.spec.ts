import { UnauthorizedException } from '@nestjs/common';
import { Request } from 'express';
import { ClientAuthGuard } from './client-auth.guard';
import { Client } from './client.entity';
import * as passwords from './passwords';
import { Store } from './store.entity';

/** A request to `/api/c/...` with these Basic credentials. */
function requestWith(username: string, password: string): Request {
  const authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  return { headers: { authorization }, ip: '127.0.0.1', method: 'GET', path: '/api/c/x' } as any;
}

describe('ClientAuthGuard', () => {
  let client: Client;
  let guard: ClientAuthGuard;
  let verify: jest.SpyInstance;

  beforeAll(async () => {
    client = {
      id: 1,
      slug: 'c',
      storeId: 1,
      username: 'user',
      passwordHash: await passwords.hashSecret('right'),
      permissions: ['all'],
      expiresAt: null,
    } as unknown as Client;
  });

  beforeEach(() => {
    const access = {
      clientBySlug: async () => client,
      storeById: async () => ({ id: 1, deletingAt: null }) as unknown as Store,
    };
    const throttle = {
      check: () => undefined,
      succeeded: () => undefined,
      failed: () => false,
      missingCredentials: () => false,
    };
    guard = new ClientAuthGuard(
      {} as any,
      access as any,
      { all: () => [] } as any,
      {} as any,
      throttle as any,
    );
    verify = jest.spyOn(passwords, 'verifySecret');
  });

  afterEach(() => verify.mockRestore());

  it('checks the password of concurrent requests with one scrypt, then remembers it', async () => {
    const principals = await Promise.all(
      Array.from({ length: 8 }, () => guard.authenticateRequest(requestWith('user', 'right'), 'c')),
    );
    expect(principals.map((p) => p.client.id)).toEqual(Array(8).fill(1));
    expect(verify).toHaveBeenCalledTimes(1);
    await guard.authenticateRequest(requestWith('user', 'right'), 'c');
    expect(verify).toHaveBeenCalledTimes(1);
  });

  it('refuses every concurrent request with a wrong password, and checks the next one again', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 3 }, () => guard.authenticateRequest(requestWith('user', 'wrong'), 'c')),
    );
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(UnauthorizedException);
    }
    expect(verify).toHaveBeenCalledTimes(1);
    await expect(
      guard.authenticateRequest(requestWith('user', 'wrong'), 'c'),
    ).rejects.toBeInstanceOf(UnauthorizedException);
    expect(verify).toHaveBeenCalledTimes(2);
    // A right password after the wrong ones is not refused by them.
    await expect(
      guard.authenticateRequest(requestWith('user', 'right'), 'c'),
    ).resolves.toMatchObject({ client: { id: 1 } });
  });
});
