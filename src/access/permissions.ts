import { SetMetadata } from '@nestjs/common';
import { Permission } from './client.entity';

export const PERMISSIONS_KEY = 'lrs:permissions';

/** The route needs any one of these permissions (after implication, see grants()). */
export const Permissions = (...permissions: Permission[]) =>
  SetMetadata(PERMISSIONS_KEY, permissions);

const IMPLIED: Partial<Record<Permission, Permission[]>> = {
  'xapi/all': [
    'xapi/statements/write',
    'xapi/statements/read',
    'xapi/statements/read/mine',
    'xapi/state',
    'xapi/profile',
    'xapi/all/read',
  ],
  'xapi/all/read': ['xapi/statements/read', 'xapi/statements/read/mine'],
  'xapi/statements/read': ['xapi/statements/read/mine'],
};

const READ_METHODS = new Set(['GET', 'HEAD']);

/**
 * The permissions any one of which lets a request through a route needing `required`:
 * an xAPI read (GET, HEAD) is also allowed by `xapi/all/read` ("every read", xapi.md),
 * whichever xAPI permission the route names.
 */
export function acceptedFor(required: readonly Permission[], method: string): Permission[] {
  const xapiRead =
    READ_METHODS.has(method.toUpperCase()) && required.some((p) => p.startsWith('xapi/'));
  return xapiRead && !required.includes('xapi/all/read')
    ? [...required, 'xapi/all/read']
    : [...required];
}

/** Every permission a client holds, its own and those they imply. */
export function grants(permissions: readonly Permission[]): Set<Permission> {
  const out = new Set<Permission>();
  const add = (p: Permission) => {
    if (out.has(p)) return;
    out.add(p);
    (IMPLIED[p] ?? []).forEach(add);
  };
  permissions.forEach(add);
  return out;
}
