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
import { hashSecret, randomSecret, safeEqual, verifySecret } from './passwords';
import { acceptedFor, grants, PERMISSIONS_KEY } from './permissions';
import { Principal, PRINCIPAL_KEY } from './principal';
import { storeBeingDeleted } from './store.entity';
import { LoginThrottle } from './login-throttle.service';

let dummy: Promise<string> | undefined;
/** A hash of a random secret, checked when there is no real one, so failures cost the same. */
function dummyHash(): Promise<string> {
  return (dummy ??= hashSecret(randomSecret()));
}

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
  /** Checks in flight: concurrent requests with the same credentials share one scrypt. */
  private readonly verifying = new Map<string, Promise<boolean>>();

  constructor(
    private readonly reflector: Reflector,
    private readonly access: AccessCache,
    private readonly verifiers: CredentialVerifiers,
    private readonly logs: SystemLogService,
    private readonly throttle: LoginThrottle,
  ) {}

  /** Authentication alone, for a request whose large body is read only afterwards. */
  async authenticateRequest(req: Request, slug: string): Promise<Principal> {
    const principal = await this.authenticate(req, slug);
    if (principal.store.deletingAt) throw storeBeingDeleted(principal.store);
    return principal;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<Request & Record<string, unknown>>();
    const principal = await this.authenticate(req, String(req.params.client ?? ''));
    if (principal.store.deletingAt) throw storeBeingDeleted(principal.store);
    req[PRINCIPAL_KEY] = principal;
    const required = this.reflector.getAllAndOverride<Permission[]>(PERMISSIONS_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    const accepted = acceptedFor(required ?? [], req.method);
    if (accepted.length && !accepted.some((p) => principal.permissions.has(p))) {
      throw new ForbiddenException(`This client lacks the permission: ${accepted.join(' or ')}.`);
    }
    return true;
  }

  private async authenticate(req: Request, slug: string): Promise<Principal> {
    const credentials = parseBasic(req.headers.authorization);
    const ip = req.ip ?? req.socket?.remoteAddress ?? '';
    if (credentials) this.throttle.check(slug, ip);
    const client = slug ? await this.access.clientBySlug(slug) : null;
    if (!credentials) throw await this.unauthorized(req, slug, client, 'missing Basic credentials');
    if (!client) {
      await verifySecret(credentials.password, await dummyHash()); // same cost as a wrong password
      throw await this.unauthorized(
        req,
        slug,
        null,
        `unknown client endpoint "${slug.slice(0, 100)}"`,
      );
    }
    const store = await this.access.storeById(client.storeId);
    if (!store)
      throw await this.unauthorized(req, slug, client, 'the client store no longer exists');
    const expired = client.expiresAt && client.expiresAt.getTime() < Date.now();
    if (
      !expired &&
      (await this.checkOwnSecret(client, credentials.username, credentials.password))
    ) {
      this.throttle.succeeded(slug, ip);
      return { client, store, permissions: grants(client.permissions) };
    }
    for (const verify of this.verifiers.all()) {
      const found = await verify(client, credentials.username, credentials.password);
      if (found) {
        this.throttle.succeeded(slug, ip);
        return { ...found, client, store };
      }
    }
    // Nobody knew this username: pay the hash a wrong password costs (not before the
    // verifiers, or every cmi5 or run credential login would pay it too).
    if (!safeEqual(credentials.username, client.username)) {
      await verifySecret(credentials.password, await dummyHash());
    }
    throw await this.unauthorized(
      req,
      slug,
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
    let check = this.verifying.get(key);
    if (!check) {
      check = verifySecret(password, client.passwordHash)
        .then((ok) => {
          if (ok) {
            if (this.verified.size > 10_000) this.verified.clear();
            this.verified.set(key, Date.now() + VERIFIED_TTL_MS);
          }
          return ok;
        })
        .finally(() => this.verifying.delete(key));
      this.verifying.set(key, check);
    }
    return check;
  }

  private async unauthorized(req: Request, slug: string, client: Client | null, reason: string) {
    const ip = req.ip ?? req.socket?.remoteAddress ?? '';
    const counted = parseBasic(req.headers.authorization) !== null;
    const log = counted
      ? this.throttle.failed(slug, ip, client?.storeId ?? null)
      : this.throttle.missingCredentials(slug, ip);
    if (log)
      await this.logs
        .log({
          level: LogLevel.Warning,
          type: 'auth',
          store: client?.storeId ?? null,
          message: `Authentication failed on ${req.method} ${req.path.slice(0, 200)}: ${reason}`,
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
