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
