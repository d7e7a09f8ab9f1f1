import type { Role } from '../db/queries/accounts.ts';

/**
 * Who may do what. Every API route declares one permission next to its schema (src/api/security.ts
 * enforces it in one hook):
 * - `public`: anyone (signing in, the CSRF token);
 * - `read`: anyone while reads are public (PUBLIC_READ, the default), else any signed-in role;
 * - `account`: any signed-in user, on their own account (profile, sessions, own API keys);
 * - `write`: editors and admins (add and edit DAOs, imports, syncs);
 * - `admin`: admins (users, every key, the audit log, deletes).
 */
export const ROLES = ['admin', 'editor', 'viewer'] as const satisfies readonly Role[];
export const PERMISSIONS = ['public', 'read', 'account', 'write', 'admin'] as const;
export type Permission = (typeof PERMISSIONS)[number];
export type { Role };

const RANK: Record<Role, number> = { viewer: 1, editor: 2, admin: 3 };
const NEEDS: Record<Exclude<Permission, 'public' | 'read' | 'account'>, Role> = { write: 'editor', admin: 'admin' };

/** A key acts with its owner's role, narrowed by its scopes: a read-only key is at most a viewer. */
export function keyRole(owner: Role, scopes: readonly string[]): Role {
  return scopes.includes('write') ? owner : 'viewer';
}

/** Whether a caller with `role` (undefined: anonymous) has `permission`. */
export function allows(role: Role | undefined, permission: Permission, publicRead: boolean): boolean {
  switch (permission) {
    case 'public':
      return true;
    case 'read':
      return publicRead || role !== undefined;
    case 'account':
      return role !== undefined;
    default:
      return role !== undefined && RANK[role] >= RANK[NEEDS[permission]];
  }
}

/** Who holds a permission, for the API documentation. */
export function describePermission(permission: Permission): string {
  return {
    public: 'Anyone.',
    read: 'Anyone while PUBLIC_READ is true (the default); otherwise any signed-in user or API key.',
    account: 'Any signed-in user or API key, on their own account.',
    write: 'Editors and admins (a session, or a key with the write scope).',
    admin: 'Admins (a session, or a key with the write scope).',
  }[permission];
}
