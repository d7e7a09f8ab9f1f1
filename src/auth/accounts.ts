import type { AuthConfig } from '../config/index.ts';
import type { Database } from '../db/index.ts';
import type { ApiKeyRow, Role, UserRow } from '../db/queries/accounts.ts';
import * as accounts from '../db/queries/accounts.ts';
import { appendAudit, failedLoginsSince } from '../db/queries/audit.ts';
import { ForbiddenError, NotFoundError, UnauthenticatedError, ValidationError } from '../errors.ts';
import { checkNewPassword, decoyHash, hashPassword, verifyPassword } from './passwords.ts';
import { keyRole } from './roles.ts';
import { isApiKey, newApiKey, randomToken, sha256 } from './secrets.ts';
import {
  ABSOLUTE_MS,
  csrfToken,
  IDLE_MS,
  newSessionId,
  ROTATE_AFTER_MS,
  readSession,
  signSession,
} from './sessions.ts';
import { checkTotp, enrolment, newRecoveryCodes, newTotpSecret, recoveryCodeHash } from './totp.ts';

/**
 * Accounts as the API and the CLI use them: users, sign-in with lockout, sessions, two-factor
 * codes, API keys, and the audit entries each of these writes. One instance per process.
 */
export type Identity =
  | { kind: 'anonymous' }
  | { kind: 'session'; user: UserRow; role: Role; sessionId: string; issuedAt: Date; expiresAt: Date }
  | { kind: 'key'; user: UserRow; role: Role; key: ApiKeyRow };

export const ANONYMOUS: Identity = { kind: 'anonymous' };

/** Where a request came from, for the audit log. */
export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
}
const NO_META: RequestMeta = { ip: null, userAgent: 'dao-portal cli' };

/** More failed sign-ins than this within LOCKOUT_WINDOW_MS lock the account for LOCKOUT_MS. */
export const LOCKOUT_FAILURES = 10;
const LOCKOUT_WINDOW_MS = 3600_000;
const LOCKOUT_MS = 15 * 60_000;

const SIGNING_KEY_NAME = 'session-signing-key';

export interface SignedIn {
  user: UserRow;
  token: string;
  csrf: string;
  expiresAt: Date;
}

export class Accounts {
  /** When this process last recorded each key's use. */
  private readonly keyTouched = new Map<number, number>();

  private constructor(
    private readonly database: Database,
    private readonly signingKey: Uint8Array,
    readonly config: AuthConfig,
    private readonly log: { warn(obj: object, msg: string): void },
  ) {}

  /**
   * The signing key is JWT_SECRET, or (outside production, where the config refuses it unset) a
   * random one generated once and kept in the database, so restarts and every process share it.
   */
  static async open(
    database: Database,
    config: AuthConfig,
    log: { warn(obj: object, msg: string): void },
  ): Promise<Accounts> {
    const secret = config.jwtSecret ?? (await accounts.appSecret(database.db, SIGNING_KEY_NAME, () => randomToken(48)));
    return new Accounts(database, new TextEncoder().encode(secret), config, log);
  }

  private get db() {
    return this.database.db;
  }

  async audit(
    actor: Identity,
    meta: RequestMeta,
    action: string,
    entry: {
      resource?: string | null;
      outcome?: 'success' | 'failure';
      details?: Record<string, unknown>;
      user?: UserRow;
    },
  ): Promise<void> {
    const user = entry.user ?? (actor.kind === 'anonymous' ? undefined : actor.user);
    await appendAudit(this.db, {
      actorUserId: user?.id ?? null,
      actorKeyId: actor.kind === 'key' ? actor.key.id : null,
      actor: actor.kind === 'key' ? `${actor.user.email} (key ${actor.key.prefix}…)` : (user?.email ?? 'anonymous'),
      action,
      resource: entry.resource ?? null,
      outcome: entry.outcome ?? 'success',
      ip: meta.ip,
      userAgent: meta.userAgent,
      details: entry.details ?? {},
    });
  }

  async hasUsers(): Promise<boolean> {
    return (await accounts.countUsers(this.db)) > 0;
  }

  async createUser(
    input: { email: string; displayName?: string; role: Role; password: string },
    by: Identity = ANONYMOUS,
    meta: RequestMeta = NO_META,
  ): Promise<UserRow> {
    const email = normalizeEmail(input.email);
    checkNewPassword(input.password, email);
    const user = await accounts.createUser(this.db, {
      email,
      displayName: input.displayName?.trim() ?? '',
      role: input.role,
      passwordHash: await hashPassword(input.password),
    });
    await this.audit(by, meta, 'user.create', { resource: `user:${user.id}`, details: { email, role: user.role } });
    return user;
  }

  async listUsers(): Promise<UserRow[]> {
    return accounts.listUsers(this.db);
  }

  async userByEmail(email: string): Promise<UserRow> {
    const user = await accounts.userByEmail(this.db, normalizeEmail(email));
    if (!user) throw new NotFoundError('User', email);
    return user;
  }

  /** An admin's change to another account: role, name, disabled. Disabling ends the user's sessions. */
  async updateUser(
    id: number,
    change: { role?: Role; displayName?: string; disabled?: boolean },
    by: Identity,
    meta: RequestMeta,
  ): Promise<UserRow> {
    const before = await accounts.requireUser(this.db, id);
    if (by.kind !== 'anonymous' && by.user.id === id && ((change.role && change.role !== 'admin') || change.disabled)) {
      throw new ForbiddenError('an admin cannot demote or disable their own account (ask another admin)');
    }
    const user = await accounts.updateUser(this.db, id, change);
    if (change.role !== undefined && change.role !== before.role) {
      await this.audit(by, meta, 'user.role', {
        resource: `user:${id}`,
        details: { from: before.role, to: user.role },
      });
    }
    if (change.disabled !== undefined && change.disabled !== before.disabled) {
      if (change.disabled) await accounts.revokeUserSessions(this.db, id);
      await this.audit(by, meta, change.disabled ? 'user.disable' : 'user.enable', { resource: `user:${id}` });
    }
    return user;
  }

  async setPassword(id: number, password: string, by: Identity, meta: RequestMeta): Promise<void> {
    const user = await accounts.requireUser(this.db, id);
    checkNewPassword(password, user.email);
    await accounts.updateUser(this.db, id, { passwordHash: await hashPassword(password), lockedUntil: null });
    // A new password ends every session signed in with the old one.
    await accounts.revokeUserSessions(this.db, id);
    await this.audit(by, meta, 'user.password', { resource: `user:${id}`, user });
  }

  async changeOwnPassword(identity: Identity, current: string, next: string, meta: RequestMeta): Promise<void> {
    const user = requireSignedIn(identity);
    if (!(await verifyPassword(user.passwordHash, current))) {
      throw new ValidationError('current_password is wrong', [
        { in: 'body', parameter: 'current_password', message: 'is wrong' },
      ]);
    }
    await this.setPassword(user.id, next, identity, meta);
  }

  /**
   * Checks email, password and (when enrolled) the TOTP or a recovery code, then opens a session.
   * Every failure reads the same to the caller; the audit log says which it was. More than
   * LOCKOUT_FAILURES failures within an hour lock the account for 15 minutes.
   */
  async login(
    input: { email: string; password: string; totp?: string | undefined },
    meta: RequestMeta,
  ): Promise<SignedIn> {
    const user = await accounts.userByEmail(this.db, normalizeEmail(input.email));
    const refuse = async (reason: string, message = 'email or password is wrong') => {
      await this.audit(ANONYMOUS, meta, 'auth.login', {
        outcome: 'failure',
        resource: user ? `user:${user.id}` : null,
        details: { email: normalizeEmail(input.email), reason },
        ...(user ? { user } : {}),
      });
      if (user && reason !== 'locked') await this.lockIfHammered(user, meta);
      return new UnauthenticatedError(message);
    };
    if (!user) {
      await verifyPassword(await decoyHash(), input.password);
      throw await refuse('unknown email');
    }
    if (user.lockedUntil && user.lockedUntil > new Date()) {
      throw await refuse(
        'locked',
        `too many failed sign-ins: this account is locked until ${user.lockedUntil.toISOString()}`,
      );
    }
    if (!(await verifyPassword(user.passwordHash, input.password))) throw await refuse('wrong password');
    if (user.disabled) throw await refuse('disabled', 'this account is disabled');
    if (user.totpSecret) {
      if (!input.totp) throw await refuse('missing two-factor code', 'a two-factor code is required (totp)');
      const ok =
        (await checkTotp(user.totpSecret, input.totp)) ||
        (await accounts.consumeRecoveryCode(this.db, user.id, recoveryCodeHash(input.totp)));
      if (!ok) throw await refuse('wrong two-factor code', 'the two-factor code is wrong');
    }
    await accounts.recordLogin(this.db, user.id);
    const session = await this.openSession(user, meta);
    await this.audit(ANONYMOUS, meta, 'auth.login', { resource: `user:${user.id}`, user });
    return session;
  }

  private async lockIfHammered(user: UserRow, meta: RequestMeta): Promise<void> {
    const failures = await failedLoginsSince(this.db, user.id, new Date(Date.now() - LOCKOUT_WINDOW_MS));
    if (failures <= LOCKOUT_FAILURES) return;
    const until = new Date(Date.now() + LOCKOUT_MS);
    await accounts.updateUser(this.db, user.id, { lockedUntil: until });
    this.log.warn(
      { user: user.email, failures, locked_until: until.toISOString() },
      'account locked after repeated failed sign-ins',
    );
    await this.audit(ANONYMOUS, meta, 'auth.lockout', {
      resource: `user:${user.id}`,
      outcome: 'failure',
      user,
      details: { failures, until },
    });
  }

  private async openSession(user: UserRow, meta: RequestMeta): Promise<SignedIn> {
    const sessionId = newSessionId();
    const absoluteEnd = new Date(Date.now() + ABSOLUTE_MS);
    await accounts.createSession(this.db, { id: sessionId, userId: user.id, expiresAt: absoluteEnd, ...meta });
    const expiresAt = new Date(Math.min(Date.now() + IDLE_MS, absoluteEnd.getTime()));
    return {
      user,
      token: await signSession(this.signingKey, { userId: user.id, sessionId }, expiresAt),
      csrf: this.csrf(sessionId),
      expiresAt,
    };
  }

  /** The identity a session token stands for, or undefined when it is invalid, expired, revoked, idle or its user disabled. */
  async fromSessionToken(token: string): Promise<Extract<Identity, { kind: 'session' }> | undefined> {
    const claims = await readSession(this.signingKey, token);
    if (!claims) return undefined;
    const session = await accounts.sessionById(this.db, claims.sessionId);
    const now = Date.now();
    if (!session || session.userId !== claims.userId || session.revokedAt || session.expiresAt.getTime() <= now)
      return undefined;
    if (session.lastSeenAt.getTime() + IDLE_MS <= now) return undefined;
    const user = await accounts.userById(this.db, session.userId);
    if (!user || user.disabled) return undefined;
    return {
      kind: 'session',
      user,
      role: user.role,
      sessionId: session.id,
      issuedAt: claims.issuedAt,
      expiresAt: session.expiresAt,
    };
  }

  /** A fresh token for a session whose token is older than ROTATE_AFTER_MS (rotation on use); undefined otherwise. */
  async rotate(
    identity: Extract<Identity, { kind: 'session' }>,
  ): Promise<{ token: string; expiresAt: Date } | undefined> {
    if (Date.now() - identity.issuedAt.getTime() < ROTATE_AFTER_MS) return undefined;
    await accounts.touchSession(this.db, identity.sessionId);
    const expiresAt = new Date(Math.min(Date.now() + IDLE_MS, identity.expiresAt.getTime()));
    return {
      token: await signSession(this.signingKey, { userId: identity.user.id, sessionId: identity.sessionId }, expiresAt),
      expiresAt,
    };
  }

  csrf(sessionId: string): string {
    return csrfToken(this.signingKey, sessionId);
  }

  /** The identity an API key stands for; throws UnauthenticatedError for a malformed, unknown, revoked or expired key. */
  async fromApiKey(secret: string): Promise<Extract<Identity, { kind: 'key' }>> {
    if (!isApiKey(secret)) throw new UnauthenticatedError('the bearer token is not a DAO Portal API key');
    const key = await accounts.apiKeyByHash(this.db, sha256(secret));
    if (!key || key.revokedAt) throw new UnauthenticatedError('this API key is unknown or revoked');
    if (key.expiresAt && key.expiresAt.getTime() <= Date.now())
      throw new UnauthenticatedError('this API key has expired');
    const user = await accounts.userById(this.db, key.userId);
    if (!user || user.disabled) throw new UnauthenticatedError("this API key's owner is disabled");
    // Last use is recorded at most once a minute per key, so a busy key does not write on every request.
    const now = Date.now();
    if (now - (this.keyTouched.get(key.id) ?? 0) >= 60_000) {
      this.keyTouched.set(key.id, now);
      await accounts.touchApiKey(this.db, key.id);
    }
    return { kind: 'key', user, role: keyRole(user.role, key.scopes), key };
  }

  async logout(identity: Identity, meta: RequestMeta): Promise<void> {
    if (identity.kind !== 'session') return;
    await accounts.revokeSession(this.db, identity.sessionId);
    await this.audit(identity, meta, 'auth.logout', { resource: `user:${identity.user.id}` });
  }

  async logoutAll(identity: Identity, meta: RequestMeta): Promise<number> {
    const user = requireSignedIn(identity);
    const revoked = await accounts.revokeUserSessions(this.db, user.id);
    await this.audit(identity, meta, 'auth.logout_all', {
      resource: `user:${user.id}`,
      details: { sessions: revoked },
    });
    return revoked;
  }

  /** Starts two-factor enrolment: a new pending secret, its otpauth URI and QR code. */
  async startTotp(identity: Identity): Promise<{ secret: string; uri: string; qr_svg: string }> {
    const user = requireSignedIn(identity);
    const secret = newTotpSecret();
    await accounts.updateUser(this.db, user.id, { totpPending: secret });
    return { secret, ...(await enrolment(secret, user.email)) };
  }

  /** Confirms enrolment with a current code; returns the ten recovery codes (shown once). */
  async confirmTotp(identity: Identity, code: string, meta: RequestMeta): Promise<string[]> {
    const user = await accounts.requireUser(this.db, requireSignedIn(identity).id);
    if (!user.totpPending) throw new ValidationError('no two-factor enrolment is in progress: start one first');
    if (!(await checkTotp(user.totpPending, code))) {
      throw new ValidationError('code is not the current code of the authenticator', [
        { in: 'body', parameter: 'code', message: 'is wrong' },
      ]);
    }
    const { codes, hashes } = newRecoveryCodes();
    await accounts.updateUser(this.db, user.id, {
      totpSecret: user.totpPending,
      totpPending: null,
      recoveryCodes: hashes,
    });
    await this.audit(identity, meta, 'auth.totp_enable', { resource: `user:${user.id}` });
    return codes;
  }

  async disableTotp(identity: Identity, password: string, meta: RequestMeta): Promise<void> {
    const user = await accounts.requireUser(this.db, requireSignedIn(identity).id);
    if (!(await verifyPassword(user.passwordHash, password))) {
      throw new ValidationError('password is wrong', [{ in: 'body', parameter: 'password', message: 'is wrong' }]);
    }
    await accounts.updateUser(this.db, user.id, { totpSecret: null, totpPending: null, recoveryCodes: [] });
    await this.audit(identity, meta, 'auth.totp_disable', { resource: `user:${user.id}` });
  }

  async createKey(
    identity: Identity,
    input: { name: string; scopes: Array<'read' | 'write'>; expiresAt?: Date | undefined },
    meta: RequestMeta,
  ): Promise<{ secret: string; key: ApiKeyRow }> {
    const user = requireSignedIn(identity);
    // A key never holds more than the identity creating it: a read-only key cannot mint a write key.
    if (identity.kind === 'key' && input.scopes.includes('write') && !identity.key.scopes.includes('write')) {
      throw new ForbiddenError('a read-only key cannot create a key with the write scope');
    }
    if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) {
      throw new ValidationError('expires_at must be in the future', [
        { in: 'body', parameter: 'expires_at', message: 'is in the past' },
      ]);
    }
    const { secret, prefix, hash } = newApiKey();
    const key = await accounts.createApiKey(this.db, {
      userId: user.id,
      name: input.name.trim(),
      prefix,
      keyHash: hash,
      scopes: [...new Set(input.scopes)].sort(),
      expiresAt: input.expiresAt ?? null,
    });
    await this.audit(identity, meta, 'key.create', {
      resource: `key:${key.id}`,
      details: { name: key.name, scopes: key.scopes },
    });
    return { secret, key };
  }

  /** Admins see every key; anyone else only their own. */
  async listKeys(identity: Identity): Promise<ApiKeyRow[]> {
    const user = requireSignedIn(identity);
    return accounts.listApiKeys(this.db, roleOf(identity) === 'admin' ? undefined : user.id);
  }

  async revokeKey(identity: Identity, keyId: number, meta: RequestMeta): Promise<ApiKeyRow> {
    const key = await this.ownKey(identity, keyId);
    await accounts.revokeApiKey(this.db, key.id);
    await this.audit(identity, meta, 'key.revoke', {
      resource: `key:${key.id}`,
      details: { name: key.name, owner: key.ownerEmail },
    });
    return (await accounts.apiKeyById(this.db, key.id))!;
  }

  async setKeyRateLimit(
    identity: Identity,
    keyId: number,
    perMinute: number | null,
    meta: RequestMeta,
  ): Promise<ApiKeyRow> {
    const key = await this.ownKey(identity, keyId);
    await accounts.setApiKeyRateLimit(this.db, key.id, perMinute);
    await this.audit(identity, meta, 'key.rate_limit', {
      resource: `key:${key.id}`,
      details: { per_minute: perMinute },
    });
    return (await accounts.apiKeyById(this.db, key.id))!;
  }

  /** A key the identity may manage: its own, or any for an admin. Another user's key is "not found", not "forbidden", so ids do not leak. */
  private async ownKey(identity: Identity, keyId: number): Promise<ApiKeyRow> {
    const user = requireSignedIn(identity);
    const key = await accounts.apiKeyById(this.db, keyId);
    if (!key || (roleOf(identity) !== 'admin' && key.userId !== user.id)) throw new NotFoundError('API key', keyId);
    return key;
  }
}

/** The role a request acts with; undefined for anonymous callers. */
export const roleOf = (identity: Identity): Role | undefined =>
  identity.kind === 'anonymous' ? undefined : identity.role;

export function requireSignedIn(identity: Identity): UserRow {
  if (identity.kind === 'anonymous') throw new UnauthenticatedError();
  return identity.user;
}

export function normalizeEmail(email: string): string {
  const value = email.trim().toLowerCase();
  if (!/^[^\s@]{1,64}@[^\s@]{1,255}$/.test(value)) {
    throw new ValidationError('email must be an email address', [
      { in: 'body', parameter: 'email', message: 'is not an email address' },
    ]);
  }
  return value;
}
