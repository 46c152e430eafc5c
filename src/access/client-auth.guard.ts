import {
  applyDecorators,
  CanActivate,
  Controller,
  ExecutionContext,
  ForbiddenException,
  Injectable,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  ApiBasicAuth,
  ApiForbiddenResponse,
  ApiParam,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { createHash } from 'crypto';
import { Request } from 'express';
import { SystemLogService } from '../logging/system-log.service';
import { AccessCache } from './access-cache';
import { LogLevel } from '../logging/log-entry.entity';
import { Client, Permission } from './client.entity';
import { CredentialVerifiers } from './credential-verifiers';
import { safeEqual, verifySecret } from './passwords';
import { grants, PERMISSIONS_KEY } from './permissions';
import { Principal, PRINCIPAL_KEY } from './principal';

export const REALM = 'lrs-jobs';

const VERIFIED_TTL_MS = 5 * 60_000;

/**
 * HTTP Basic authentication on `/api/<client-slug>/...`: the credentials must
 * belong to that client (or to a verifier it registered, e.g. cmi5 tokens).
 * 401 with WWW-Authenticate when missing or wrong, 403 when a permission lacks.
 */
@Injectable()
export class ClientAuthGuard implements CanActivate {
  /** scrypt is slow by design: a successful check is remembered for a few minutes. */
  private readonly verified = new Map<string, number>();

  constructor(
    private readonly reflector: Reflector,
    private readonly access: AccessCache,
    private readonly verifiers: CredentialVerifiers,
    private readonly logs: SystemLogService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<Request & Record<string, unknown>>();
    const principal = await this.authenticate(req);
    req[PRINCIPAL_KEY] = principal;
    const required = this.reflector.getAllAndOverride<Permission[]>(PERMISSIONS_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (required?.length && !required.some((p) => principal.permissions.has(p))) {
      throw new ForbiddenException(`This client lacks the permission: ${required.join(' or ')}.`);
    }
    return true;
  }

  private async authenticate(req: Request): Promise<Principal> {
    const slug = String(req.params.client ?? '');
    const credentials = parseBasic(req.headers.authorization);
    const client = slug ? await this.access.clientBySlug(slug) : null;
    if (!credentials) throw await this.unauthorized(req, client, 'missing Basic credentials');
    if (!client) throw await this.unauthorized(req, null, `unknown client endpoint "${slug}"`);
    const store = await this.access.storeById(client.storeId);
    if (!store) throw await this.unauthorized(req, client, 'the client store no longer exists');
    const expired = client.expiresAt && client.expiresAt.getTime() < Date.now();
    if (
      !expired &&
      (await this.checkOwnSecret(client, credentials.username, credentials.password))
    ) {
      return { client, store, permissions: grants(client.permissions) };
    }
    for (const verify of this.verifiers.all()) {
      const found = await verify(client, credentials.username, credentials.password);
      if (found) return { ...found, client, store };
    }
    throw await this.unauthorized(
      req,
      client,
      `wrong credentials for user "${credentials.username.slice(0, 100)}"`,
    );
  }

  private async checkOwnSecret(client: Client, username: string, password: string) {
    if (!safeEqual(username, client.username)) return false;
    const key = createHash('sha256')
      .update(`${client.id}\0${client.passwordHash}\0${password}`)
      .digest('hex');
    const until = this.verified.get(key);
    if (until && until > Date.now()) return true;
    if (!(await verifySecret(password, client.passwordHash))) return false;
    if (this.verified.size > 10_000) this.verified.clear();
    this.verified.set(key, Date.now() + VERIFIED_TTL_MS);
    return true;
  }

  private async unauthorized(req: Request, client: Client | null, reason: string) {
    await this.logs
      .log({
        level: LogLevel.Warning,
        type: 'auth',
        store: client?.storeId ?? null,
        message: `Authentication failed on ${req.method} ${req.path}: ${reason}`,
        data: { ip: req.ip ?? null, client: client?.slug ?? null },
      })
      .catch(() => undefined);
    const e = new UnauthorizedException(
      'Authentication required: valid HTTP Basic credentials of this client.',
    );
    (e as any).headers = { 'WWW-Authenticate': `Basic realm="${REALM}"` };
    return e;
  }
}

function parseBasic(header: string | undefined): { username: string; password: string } | null {
  if (!header) return null;
  const m = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
  if (!m) return null;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return null;
  return { username: decoded.slice(0, i), password: decoded.slice(i + 1) };
}

/**
 * A controller under a client's base endpoint: `/api/<client>/<path>`, Basic
 * auth, Swagger security and the `client` path param documented.
 */
export function ClientEndpoint(path: string, tag: string) {
  return applyDecorators(
    Controller(`api/:client/${path}`),
    UseGuards(ClientAuthGuard),
    ApiBasicAuth(),
    ApiParam({
      name: 'client',
      description: 'Slug of the calling client (its base endpoint)',
      example: 'admin',
    }),
    ApiUnauthorizedResponse({
      description: 'Missing or wrong credentials for this client endpoint',
    }),
    ApiForbiddenResponse({ description: 'The client lacks the permission' }),
    ApiTags(tag),
  );
}
