import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomBytes } from 'crypto';
import { LessThan, Repository } from 'typeorm';
import { Client } from '../client.entity';
import { CredentialVerifiers } from '../credential-verifiers';
import { sameTokenHash, tokenHash } from '../passwords';
import { grants } from '../permissions';
import { RunCredential } from './run-credential.entity';

/** What a run gets back once: Basic credentials for the client's endpoint. */
export interface MintedCredential {
  id: number;
  username: string;
  password: string;
  expiresAt: Date;
}

/**
 * Credentials that live as long as a job run. The secret is 256 random bits, so a
 * fast hash is enough (no dictionary to fear); the guard checks them after the
 * client's own password, as the same client with its current permissions.
 */
@Injectable()
export class RunCredentialsService implements OnModuleInit {
  constructor(
    @InjectRepository(RunCredential) private readonly credentials: Repository<RunCredential>,
    private readonly verifiers: CredentialVerifiers,
  ) {}

  onModuleInit() {
    this.verifiers.register((client, username, password) =>
      this.verify(client, username, password),
    );
  }

  /**
   * A new credential for `client`, held by job `jobId`, valid for `ttlMs` at most.
   * Whatever an earlier attempt of the same job left (a crashed run) and every
   * expired credential are revoked first.
   */
  async mint(client: Client, jobId: number | null, ttlMs: number): Promise<MintedCredential> {
    await this.revokeExpired();
    if (jobId !== null) await this.credentials.delete({ jobId });
    const username = `run-${randomBytes(12).toString('hex')}`;
    const password = randomBytes(32).toString('base64url');
    const now = new Date();
    const expiresAt = new Date(now.getTime() + ttlMs);
    const row = await this.credentials.save(
      this.credentials.create({
        storeId: client.storeId,
        clientId: client.id,
        jobId,
        username,
        secretHash: tokenHash(password),
        expiresAt,
        createdAt: now,
      }),
    );
    return { id: row.id, username, password, expiresAt };
  }

  /** Revokes one credential; returns whether it still existed. */
  async revoke(id: number): Promise<boolean> {
    const res = await this.credentials.delete({ id });
    return (res.affected ?? 0) > 0;
  }

  async revokeExpired(now = new Date()): Promise<number> {
    const res = await this.credentials.delete({ expiresAt: LessThan(now) });
    return res.affected ?? 0;
  }

  /** CredentialVerifier: a live run credential of this client acts as the client. */
  private async verify(client: Client, username: string, password: string) {
    if (!username.startsWith('run-') || username.length > 64 || !password) return null;
    const row = await this.credentials.findOne({ where: { clientId: client.id, username } });
    if (!row || row.storeId !== client.storeId || row.expiresAt.getTime() <= Date.now()) {
      return null;
    }
    if (!sameTokenHash(tokenHash(password), row.secretHash)) return null;
    return { permissions: grants(client.permissions) };
  }
}
