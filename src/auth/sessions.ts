import { errors, jwtVerify, SignJWT } from 'jose';
import { hmac, randomToken } from './secrets.ts';

/**
 * Session tokens: an HS256 JWT in an httpOnly cookie naming a session row (src/db/queries/
 * accounts.ts), so a session can be revoked before its token expires. The token lives for the
 * idle timeout and is re-issued on use (rotation), never past the session's absolute end; the
 * role is read from the user row on every request, never from the token.
 */
export const SESSION_COOKIE = 'dp_session';
export const IDLE_MS = 30 * 60_000;
export const ABSOLUTE_MS = 12 * 3600_000;
/** A token older than this is replaced on the next request (and the session's last use recorded). */
export const ROTATE_AFTER_MS = 60_000;

export interface SessionClaims {
  userId: number;
  sessionId: string;
  issuedAt: Date;
}

export const newSessionId = () => randomToken(24);

export async function signSession(
  key: Uint8Array,
  claims: { userId: number; sessionId: string },
  expiresAt: Date,
): Promise<string> {
  return new SignJWT({ sid: claims.sessionId })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(String(claims.userId))
    .setIssuedAt()
    .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
    .sign(key);
}

/** The claims of a valid, unexpired token signed with `key` (HS256 only: `alg: none` and others fail); undefined otherwise. */
export async function readSession(key: Uint8Array, token: string): Promise<SessionClaims | undefined> {
  try {
    const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'] });
    const userId = Number(payload.sub);
    if (!Number.isSafeInteger(userId) || typeof payload.sid !== 'string' || typeof payload.iat !== 'number')
      return undefined;
    return { userId, sessionId: payload.sid, issuedAt: new Date(payload.iat * 1000) };
  } catch (error) {
    if (error instanceof errors.JOSEError || error instanceof TypeError) return undefined;
    throw error;
  }
}

/**
 * The CSRF token of a session: an HMAC of its id, so it needs no storage, differs per session and
 * cannot be computed by another site. Cookie-authenticated writes send it as `x-csrf-token`.
 */
export const csrfToken = (key: Uint8Array, sessionId: string) => hmac(key, `csrf:${sessionId}`);
