import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { Client, Permission } from './client.entity';
import { Store } from './store.entity';

/** Who is calling: resolved by ClientAuthGuard from the endpoint slug and Basic credentials. */
export interface Principal {
  client: Client;
  store: Store;
  permissions: Set<Permission>;
  /**
   * Set for restricted credentials (e.g. a cmi5 token): the only agent whose
   * statements and state they may touch.
   */
  agent?: Record<string, unknown>;
}

export const PRINCIPAL_KEY = 'principal';

export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): Principal =>
    ctx.switchToHttp().getRequest()[PRINCIPAL_KEY],
);
