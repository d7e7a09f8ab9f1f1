import { sql } from 'drizzle-orm';
import { ConflictError, NotFoundError } from '../../errors.ts';
import { type Db, rowsOf } from '../client.ts';
import { param } from './upserts.ts';

/**
 * Users, their sessions and API keys, and the secrets the installation generates for itself.
 * What a password, token or key means is decided in src/auth; this file stores and reads them.
 */
export type Role = 'admin' | 'editor' | 'viewer';

export interface UserRow {
  id: number;
  email: string;
  displayName: string;
  role: Role;
  passwordHash: string;
  totpSecret: string | null;
  totpPending: string | null;
  recoveryCodes: string[];
  disabled: boolean;
  lockedUntil: Date | null;
  createdAt: Date;
  lastLoginAt: Date | null;
}

const USER_COLUMNS =
  sql.raw(`id, email, display_name, role, password_hash, totp_secret, totp_pending, recovery_codes, disabled,
  locked_until, created_at, last_login_at`);

interface UserRecord {
  id: number;
  email: string;
  display_name: string;
  role: Role;
  password_hash: string;
  totp_secret: string | null;
  totp_pending: string | null;
  recovery_codes: string[];
  disabled: boolean;
  locked_until: Date | string | null;
  created_at: Date | string;
  last_login_at: Date | string | null;
}

const date = (v: Date | string | null) => (v === null ? null : new Date(v));
const userOf = (r: UserRecord): UserRow => ({
  id: r.id,
  email: r.email,
  displayName: r.display_name,
  role: r.role,
  passwordHash: r.password_hash,
  totpSecret: r.totp_secret,
  totpPending: r.totp_pending,
  recoveryCodes: r.recovery_codes ?? [],
  disabled: r.disabled,
  lockedUntil: date(r.locked_until),
  createdAt: new Date(r.created_at),
  lastLoginAt: date(r.last_login_at),
});

export async function createUser(
  db: Db,
  user: { email: string; displayName: string; role: Role; passwordHash: string },
): Promise<UserRow> {
  try {
    const [row] = await rowsOf<UserRecord>(
      db,
      sql`
      insert into users (email, display_name, role, password_hash)
      values (${user.email}, ${user.displayName}, ${user.role}, ${user.passwordHash})
      returning ${USER_COLUMNS}`,
    );
    return userOf(row!);
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause ?? (error as { code?: string });
    if (cause?.code === '23505')
      throw new ConflictError(`A user with the email '${user.email}' already exists`, { field: 'email' });
    throw error;
  }
}

export async function userById(db: Db, id: number): Promise<UserRow | undefined> {
  const [row] = await rowsOf<UserRecord>(db, sql`select ${USER_COLUMNS} from users where id = ${id}`);
  return row && userOf(row);
}

export async function userByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  const [row] = await rowsOf<UserRecord>(
    db,
    sql`select ${USER_COLUMNS} from users where lower(email) = lower(${email})`,
  );
  return row && userOf(row);
}

export async function requireUser(db: Db, id: number): Promise<UserRow> {
  const user = await userById(db, id);
  if (!user) throw new NotFoundError('User', id);
  return user;
}

export async function listUsers(db: Db): Promise<UserRow[]> {
  return (await rowsOf<UserRecord>(db, sql`select ${USER_COLUMNS} from users order by id`)).map(userOf);
}

export async function countUsers(db: Db): Promise<number> {
  const [row] = await rowsOf<{ n: number }>(db, sql`select count(*)::int as n from users`);
  return row?.n ?? 0;
}

/** Changes the given fields of a user; returns the new row. */
export async function updateUser(
  db: Db,
  id: number,
  fields: Partial<
    Pick<
      UserRow,
      | 'displayName'
      | 'role'
      | 'passwordHash'
      | 'disabled'
      | 'totpSecret'
      | 'totpPending'
      | 'recoveryCodes'
      | 'lockedUntil'
    >
  >,
): Promise<UserRow> {
  const sets = [];
  if (fields.displayName !== undefined) sets.push(sql`display_name = ${fields.displayName}`);
  if (fields.role !== undefined) sets.push(sql`role = ${fields.role}`);
  if (fields.passwordHash !== undefined) sets.push(sql`password_hash = ${fields.passwordHash}`);
  if (fields.disabled !== undefined) sets.push(sql`disabled = ${fields.disabled}`);
  if (fields.totpSecret !== undefined) sets.push(sql`totp_secret = ${fields.totpSecret}`);
  if (fields.totpPending !== undefined) sets.push(sql`totp_pending = ${fields.totpPending}`);
  if (fields.recoveryCodes !== undefined) sets.push(sql`recovery_codes = ${param(fields.recoveryCodes)}::text[]`);
  if (fields.lockedUntil !== undefined)
    sets.push(sql`locked_until = ${fields.lockedUntil?.toISOString() ?? null}::timestamptz`);
  sets.push(sql`updated_at = now()`);
  const [row] = await rowsOf<UserRecord>(
    db,
    sql`update users set ${sql.join(sets, sql`, `)} where id = ${id} returning ${USER_COLUMNS}`,
  );
  if (!row) throw new NotFoundError('User', id);
  return userOf(row);
}

export async function recordLogin(db: Db, id: number): Promise<void> {
  await db.execute(sql`update users set last_login_at = now(), locked_until = null where id = ${id}`);
}

/** Removes one unused recovery code (by hash); false when it was not one of them. */
export async function consumeRecoveryCode(db: Db, userId: number, codeHash: string): Promise<boolean> {
  const rows = await rowsOf<{ id: number }>(
    db,
    sql`
    update users set recovery_codes = array_remove(recovery_codes, ${codeHash}), updated_at = now()
     where id = ${userId} and ${codeHash} = any(recovery_codes) returning id`,
  );
  return rows.length > 0;
}

export interface SessionRow {
  id: string;
  userId: number;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
}

interface SessionRecord {
  id: string;
  user_id: number;
  created_at: Date | string;
  last_seen_at: Date | string;
  expires_at: Date | string;
  revoked_at: Date | string | null;
}
const sessionOf = (r: SessionRecord): SessionRow => ({
  id: r.id,
  userId: r.user_id,
  createdAt: new Date(r.created_at),
  lastSeenAt: new Date(r.last_seen_at),
  expiresAt: new Date(r.expires_at),
  revokedAt: date(r.revoked_at),
});

export async function createSession(
  db: Db,
  session: { id: string; userId: number; expiresAt: Date; ip: string | null; userAgent: string | null },
): Promise<void> {
  await db.execute(sql`
    insert into sessions (id, user_id, expires_at, ip, user_agent)
    values (${session.id}, ${session.userId}, ${session.expiresAt.toISOString()}::timestamptz, ${session.ip}, ${session.userAgent})`);
}

export async function sessionById(db: Db, id: string): Promise<SessionRow | undefined> {
  const [row] = await rowsOf<SessionRecord>(
    db,
    sql`select id, user_id, created_at, last_seen_at, expires_at, revoked_at from sessions where id = ${id}`,
  );
  return row && sessionOf(row);
}

export async function touchSession(db: Db, id: string): Promise<void> {
  await db.execute(sql`update sessions set last_seen_at = now() where id = ${id}`);
}

export async function revokeSession(db: Db, id: string): Promise<void> {
  await db.execute(sql`update sessions set revoked_at = now() where id = ${id} and revoked_at is null`);
}

/** Revokes every live session of a user; returns how many. */
export async function revokeUserSessions(db: Db, userId: number): Promise<number> {
  const rows = await rowsOf<{ id: string }>(
    db,
    sql`
    update sessions set revoked_at = now() where user_id = ${userId} and revoked_at is null returning id`,
  );
  return rows.length;
}

export interface ApiKeyRow {
  id: number;
  userId: number;
  name: string;
  prefix: string;
  scopes: Array<'read' | 'write'>;
  rateLimitPerMinute: number | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
  ownerEmail: string;
}

interface ApiKeyRecord {
  id: number;
  user_id: number;
  name: string;
  prefix: string;
  scopes: Array<'read' | 'write'>;
  rate_limit_per_minute: number | null;
  created_at: Date | string;
  last_used_at: Date | string | null;
  expires_at: Date | string | null;
  revoked_at: Date | string | null;
  owner_email: string;
}
const keyOf = (r: ApiKeyRecord): ApiKeyRow => ({
  id: r.id,
  userId: r.user_id,
  name: r.name,
  prefix: r.prefix,
  scopes: r.scopes,
  rateLimitPerMinute: r.rate_limit_per_minute,
  createdAt: new Date(r.created_at),
  lastUsedAt: date(r.last_used_at),
  expiresAt: date(r.expires_at),
  revokedAt: date(r.revoked_at),
  ownerEmail: r.owner_email,
});
const KEY_COLUMNS =
  sql.raw(`k.id, k.user_id, k.name, k.prefix, k.scopes, k.rate_limit_per_minute, k.created_at, k.last_used_at,
  k.expires_at, k.revoked_at, u.email as owner_email`);

export async function createApiKey(
  db: Db,
  key: { userId: number; name: string; prefix: string; keyHash: string; scopes: string[]; expiresAt: Date | null },
): Promise<ApiKeyRow> {
  const [row] = await rowsOf<{ id: number }>(
    db,
    sql`
    insert into api_keys (user_id, name, prefix, key_hash, scopes, expires_at)
    values (${key.userId}, ${key.name}, ${key.prefix}, ${key.keyHash}, ${param(key.scopes)}::text[], ${key.expiresAt?.toISOString() ?? null}::timestamptz)
    returning id`,
  );
  return (await apiKeyById(db, row!.id))!;
}

export async function apiKeyById(db: Db, id: number): Promise<ApiKeyRow | undefined> {
  const [row] = await rowsOf<ApiKeyRecord>(
    db,
    sql`select ${KEY_COLUMNS} from api_keys k join users u on u.id = k.user_id where k.id = ${id}`,
  );
  return row && keyOf(row);
}

export async function apiKeyByHash(db: Db, keyHash: string): Promise<ApiKeyRow | undefined> {
  const [row] = await rowsOf<ApiKeyRecord>(
    db,
    sql`select ${KEY_COLUMNS} from api_keys k join users u on u.id = k.user_id where k.key_hash = ${keyHash}`,
  );
  return row && keyOf(row);
}

/** Every key, or one user's; newest first. */
export async function listApiKeys(db: Db, userId?: number): Promise<ApiKeyRow[]> {
  const rows = await rowsOf<ApiKeyRecord>(
    db,
    sql`
    select ${KEY_COLUMNS} from api_keys k join users u on u.id = k.user_id
     ${userId === undefined ? sql`` : sql`where k.user_id = ${userId}`} order by k.id desc`,
  );
  return rows.map(keyOf);
}

export async function revokeApiKey(db: Db, id: number): Promise<void> {
  await db.execute(sql`update api_keys set revoked_at = now() where id = ${id} and revoked_at is null`);
}

export async function setApiKeyRateLimit(db: Db, id: number, perMinute: number | null): Promise<void> {
  await db.execute(sql`update api_keys set rate_limit_per_minute = ${perMinute} where id = ${id}`);
}

/** Records use, at most once a minute per key (a busy key must not write on every request). */
export async function touchApiKey(db: Db, id: number): Promise<void> {
  await db.execute(sql`
    update api_keys set last_used_at = now() where id = ${id} and (last_used_at is null or last_used_at < now() - interval '1 minute')`);
}

/** The named secret, created with `generate()` by the first process that asks (every process then reads the same). */
export async function appSecret(db: Db, name: string, generate: () => string): Promise<string> {
  await db.execute(
    sql`insert into app_secrets (name, value) values (${name}, ${generate()}) on conflict (name) do nothing`,
  );
  const [row] = await rowsOf<{ value: string }>(db, sql`select value from app_secrets where name = ${name}`);
  return row!.value;
}
