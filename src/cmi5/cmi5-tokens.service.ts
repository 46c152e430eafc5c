import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomBytes } from 'crypto';
import { IsNull, Repository } from 'typeorm';
import { Client, Permission } from '../access/client.entity';
import { CredentialVerifiers } from '../access/credential-verifiers';
import { sameTokenHash, tokenHash } from '../access/passwords';
import { Store } from '../access/store.entity';
import { LogLevel } from '../logging/log-entry.entity';
import { SystemLogService } from '../logging/system-log.service';
import { agentVid } from '../xapi/agents/agent-identifier';
import { Cmi5Token } from './cmi5-token.entity';

/**
 * What a fetched cmi5 token may do: its agent's statements, state and agent profile
 * (cmi5LearnerPreferences), nothing else. The principal carries the agent, so the
 * document resources refuse another agent's documents and every activity profile.
 */
export const CMI5_TOKEN_PERMISSIONS: readonly Permission[] = [
  'xapi/statements/write',
  'xapi/statements/read/mine',
  'xapi/state',
  'xapi/profile',
];

export type FetchAnswer =
  { 'auth-token': string } | { 'error-code': '1' | '2'; 'error-text': string };

@Injectable()
export class Cmi5TokensService implements OnModuleInit {
  constructor(
    @InjectRepository(Cmi5Token) private readonly tokens: Repository<Cmi5Token>,
    @InjectRepository(Client) private readonly clients: Repository<Client>,
    private readonly verifiers: CredentialVerifiers,
    private readonly logs: SystemLogService,
  ) {}

  onModuleInit() {
    this.verifiers.register((client, username, password) =>
      this.verify(client, username, password),
    );
  }

  /** A new token for an agent and activity; its secret part is only ever returned here. */
  async issue(
    client: Client,
    store: Store,
    input: { activityId: string; agent: Record<string, unknown>; registration?: string | null },
  ): Promise<string> {
    const token = randomBytes(24).toString('base64url');
    await this.tokens.save(
      this.tokens.create({
        storeId: store.id,
        clientId: client.id,
        tokenHash: tokenHash(token),
        secretHash: null,
        agent: input.agent,
        agentVid: agentVid(input.agent)!,
        activityId: input.activityId,
        registration: input.registration?.toLowerCase() ?? null,
        fetchedAt: null,
        createdAt: new Date(),
      }),
    );
    return token;
  }

  /**
   * The one-time fetch (cmi5 8.2): the first call mints the credentials and
   * answers `auth-token`; later calls answer error-code 1, unknown tokens 2.
   */
  async fetch(clientSlug: string, token: string): Promise<FetchAnswer> {
    const client = await this.clients.findOne({ where: { slug: clientSlug } });
    const row = client
      ? await this.tokens.findOne({ where: { tokenHash: tokenHash(token), clientId: client.id } })
      : null;
    if (!row) {
      await this.refused(
        client?.storeId ?? null,
        `unknown cmi5 fetch token on client "${clientSlug.slice(0, 100)}"`,
      );
      return { 'error-code': '2', 'error-text': 'Unknown or deleted token.' };
    }
    const used = {
      'error-code': '1' as const,
      'error-text': 'The authorization token has already been returned.',
    };
    if (row.fetchedAt) {
      await this.refused(row.storeId, `cmi5 fetch URL used again (token ${row.id})`);
      return used;
    }
    const password = randomBytes(24).toString('base64url');
    // Only one concurrent fetch can flip fetched_at from null.
    const res = await this.tokens.update(
      { id: row.id, fetchedAt: IsNull() },
      { fetchedAt: new Date(), secretHash: tokenHash(password) },
    );
    if (!res.affected) {
      await this.refused(row.storeId, `cmi5 fetch URL used again (token ${row.id})`);
      return used;
    }
    return { 'auth-token': Buffer.from(`${token}:${password}`).toString('base64') };
  }

  /** A refused fetch is worth a warning: a launch URL leaked or replayed. */
  private async refused(storeId: number | null, message: string) {
    await this.logs
      .log({ level: LogLevel.Warning, type: 'auth', store: storeId, message })
      .catch(() => undefined);
  }

  /** CredentialVerifier: a fetched token of this client, restricted to its agent. */
  private async verify(client: Client, username: string, password: string) {
    if (!username || !password || username.length > 200) return null;
    const row = await this.tokens.findOne({
      where: { tokenHash: tokenHash(username), clientId: client.id },
    });
    if (!row || !row.secretHash || row.storeId !== client.storeId) return null;
    if (!sameTokenHash(tokenHash(password), row.secretHash)) return null;
    return { permissions: new Set<Permission>(CMI5_TOKEN_PERMISSIONS), agent: row.agent };
  }
}
