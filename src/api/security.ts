import { parse as parseCookies, serialize as serializeCookie } from 'cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type Accounts, ANONYMOUS, type Identity, roleOf } from '../auth/accounts.ts';
import { allows, describePermission, type Permission } from '../auth/roles.ts';
import { sameText } from '../auth/secrets.ts';
import { SESSION_COOKIE } from '../auth/sessions.ts';
import { ForbiddenError, UnauthenticatedError } from '../errors.ts';

/**
 * Access control in one place. Every /api/v1 route declares a permission next to its schema
 * (`config: { permission }`, see src/auth/roles.ts); a route without one stops the server at start.
 * One hook then, for every API request:
 * - finds who is calling: an API key (`Authorization: Bearer dp_…`), a session cookie, or nobody;
 * - refuses what the caller's role (narrowed by a key's scopes) does not allow: 401 for nobody, 403 otherwise;
 * - for cookie-authenticated writes, checks the session's CSRF token in `x-csrf-token` (a bearer
 *   token cannot be sent by another site, so key requests need none).
 * The permission also goes into each operation's OpenAPI description.
 */
declare module 'fastify' {
  interface FastifyRequest {
    identity: Identity;
  }
  interface FastifyContextConfig {
    permission?: Permission;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
export const CSRF_HEADER = 'x-csrf-token';

export interface SecurityOptions {
  accounts: Accounts;
  publicRead: boolean;
  /** Secure cookies: forced on or off, or (undefined) on when the request came over TLS. */
  cookieSecure: boolean | undefined;
}

export function registerSecurity(app: FastifyInstance, options: SecurityOptions): void {
  const { accounts } = options;
  app.decorateRequest('identity', null as never);

  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/v1')) return;
    const permission = route.config?.permission;
    if (!permission) throw new Error(`${route.method} ${route.url} declares no permission (config.permission)`);
    if (route.schema) {
      const note = `Permission: \`${permission}\`. ${describePermission(permission)}`;
      route.schema.description = route.schema.description ? `${route.schema.description}\n\n${note}` : note;
      if (permission !== 'public') route.schema.security = [{ session: [] }, { apiKey: [] }];
    }
  });

  app.addHook('onRequest', (request, reply, done) => {
    request.identity = ANONYMOUS;
    const permission = request.routeOptions.config?.permission;
    // Files, docs and health checks: nobody to identify, nothing to refuse.
    if (!permission) return done();
    // No key and no session cookie: the caller is nobody, known without a lookup, so the
    // decision is made here and now rather than after a promise (most public reads).
    const credentials = presented(request);
    if (credentials === undefined) {
      authorize(request, permission);
      return done();
    }
    identify(request, reply, credentials)
      .then((identity) => {
        request.identity = identity;
        authorize(request, permission);
      })
      .then(() => done(), done);
  });

  /** Refuses what the caller's role (narrowed by a key's scopes) does not allow, and cookie writes without the CSRF token. */
  function authorize(request: FastifyRequest, permission: Permission): void {
    const role = roleOf(request.identity);
    if (!allows(role, permission, options.publicRead)) {
      if (role === undefined) throw new UnauthenticatedError();
      const scopes =
        request.identity.kind === 'key' ? ` (this key's scopes: ${request.identity.key.scopes.join(', ')})` : '';
      throw new ForbiddenError(
        `this needs the '${permission}' permission, which the ${role} role does not have${scopes}`,
      );
    }
    // Public routes (signing in) change nothing a session owns, and refuse cross-site bodies by content type.
    if (request.identity.kind === 'session' && permission !== 'public' && !SAFE_METHODS.has(request.method)) {
      const sent = request.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || !sameText(sent, accounts.csrf(request.identity.sessionId))) {
        throw new ForbiddenError(`missing or wrong ${CSRF_HEADER} header: send the token from GET /api/v1/auth/csrf`);
      }
    }
  }

  /** What the caller presents: an Authorization header, a session token, or nothing (undefined). */
  function presented(request: FastifyRequest): { authorization: string } | { token: string } | undefined {
    const authorization = request.headers.authorization;
    if (authorization !== undefined) return { authorization };
    const cookie = request.headers.cookie;
    const token = cookie ? parseCookies(cookie)[SESSION_COOKIE] : undefined;
    return token ? { token } : undefined;
  }

  async function identify(
    request: FastifyRequest,
    reply: FastifyReply,
    credentials: { authorization: string } | { token: string },
  ): Promise<Identity> {
    if ('authorization' in credentials) {
      const match = /^Bearer\s+(\S+)$/i.exec(credentials.authorization);
      if (!match) throw new UnauthenticatedError('Authorization must be "Bearer <API key>"');
      return accounts.fromApiKey(match[1]!);
    }
    const session = await accounts.fromSessionToken(credentials.token);
    if (!session) {
      // An expired or revoked session reads as signed out; the stale cookie goes.
      clearSessionCookie(request, reply);
      return ANONYMOUS;
    }
    const rotated = await accounts.rotate(session);
    if (rotated) setSessionCookie(request, reply, rotated.token, rotated.expiresAt);
    return session;
  }

  const secure = (request: FastifyRequest) => options.cookieSecure ?? request.protocol === 'https';

  function setSessionCookie(request: FastifyRequest, reply: FastifyReply, token: string, expires: Date): void {
    reply.header(
      'set-cookie',
      serializeCookie(SESSION_COOKIE, token, {
        httpOnly: true,
        sameSite: 'lax',
        secure: secure(request),
        path: '/',
        expires,
      }),
    );
  }

  function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
    reply.header(
      'set-cookie',
      serializeCookie(SESSION_COOKIE, '', {
        httpOnly: true,
        sameSite: 'lax',
        secure: secure(request),
        path: '/',
        maxAge: 0,
      }),
    );
  }

  app.decorateReply('setSession', function (this: FastifyReply, token: string, expires: Date) {
    setSessionCookie(this.request, this, token, expires);
  });
  app.decorateReply('clearSession', function (this: FastifyReply) {
    clearSessionCookie(this.request, this);
  });
}

declare module 'fastify' {
  interface FastifyReply {
    /** Sets the httpOnly session cookie (sign-in). */
    setSession(token: string, expires: Date): void;
    /** Removes the session cookie (sign-out). */
    clearSession(): void;
  }
}

/** The audit log's view of where a request came from. */
export const requestMeta = (request: FastifyRequest) => ({
  ip: request.ip ?? null,
  userAgent: typeof request.headers['user-agent'] === 'string' ? request.headers['user-agent'].slice(0, 500) : null,
});
