import { parse as parseCookies, serialize as serializeCookie } from 'cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * Which database a request reads from (Database.db, the primary, or Database.reader, a replica
 * that may be a moment behind). Writes always go to the primary. A GET goes to the replica unless
 * its caller must see its own writes:
 * - for READ_YOUR_WRITES_SECONDS after a successful write, the response carries a short cookie
 *   (`dp_ryw`, holding the time it ends) and the caller's GETs that send it back read the primary.
 *   A cookie rather than a per-process memory of recent writers because the dashboard is a browser
 *   (it sends it without knowing) and because the next request may reach another server process
 *   behind the same proxy, which shares no memory with this one;
 * - a client without cookies (a script with an API key) sends `x-read-your-writes: 1` on the
 *   reads that follow its writes.
 * Only signed-in callers (a session or an API key) are honoured: anonymous callers cannot write,
 * so they have no writes of their own to see, and must not be able to steer load onto the primary.
 * Streaming replication usually lags by milliseconds; the window covers a replica under load.
 */
export const READ_YOUR_WRITES_COOKIE = 'dp_ryw';
export const READ_YOUR_WRITES_HEADER = 'x-read-your-writes';

const READ_METHODS = new Set(['GET', 'HEAD']);

declare module 'fastify' {
  interface FastifyRequest {
    /** True when this request's reads must see the primary (set in onRequest; see src/api/read-routing.ts). */
    readsFromPrimary: boolean;
  }
}

export interface ReadRoutingOptions {
  /** READ_YOUR_WRITES_SECONDS; 0 sets no cookie. */
  seconds: number;
  /** Secure cookies: forced on or off, or (undefined) on when the request came over TLS. */
  cookieSecure: boolean | undefined;
}

/** Registered after registerSecurity: it needs the request's identity. */
export function registerReadRouting(app: FastifyInstance, options: ReadRoutingOptions): void {
  app.decorateRequest('readsFromPrimary', true);

  app.addHook('onRequest', (request, _reply, done) => {
    request.readsFromPrimary = !READ_METHODS.has(request.method) || asksForOwnWrites(request);
    done();
  });

  app.addHook('onSend', (request, reply, _payload, done) => {
    if (wroteSomething(request, reply, options.seconds)) {
      const until = Date.now() + options.seconds * 1000;
      reply.header(
        'set-cookie',
        serializeCookie(READ_YOUR_WRITES_COOKIE, String(until), {
          httpOnly: true,
          sameSite: 'lax',
          secure: options.cookieSecure ?? request.protocol === 'https',
          path: '/',
          maxAge: options.seconds,
        }),
      );
    }
    done();
  });
}

/** Whether this answer is a signed-in caller's successful write (the read-your-writes window then starts). */
function wroteSomething(request: FastifyRequest, reply: FastifyReply, seconds: number): boolean {
  if (seconds <= 0 || READ_METHODS.has(request.method) || request.method === 'OPTIONS') return false;
  if (reply.statusCode >= 400 || !request.url.startsWith('/api/')) return false;
  // Signing in or out changes no data a later read could miss, and a logout's answer must carry only
  // the cookie that ends the session; anonymous callers have no writes of their own to see.
  return !(request.url.startsWith('/api/v1/auth/') || !request.identity || request.identity.kind === 'anonymous');
}

function asksForOwnWrites(request: FastifyRequest): boolean {
  if (!request.identity || request.identity.kind === 'anonymous') return false;
  const header = request.headers[READ_YOUR_WRITES_HEADER];
  if (typeof header === 'string' && header.trim() !== '' && header.trim() !== '0') return true;
  const cookie = request.headers.cookie;
  if (!cookie?.includes(READ_YOUR_WRITES_COOKIE)) return false;
  // The cookie's value is when its window ends; a copy kept past its Max-Age does not count.
  const until = Number(parseCookies(cookie)[READ_YOUR_WRITES_COOKIE]);
  return Number.isFinite(until) && until > Date.now();
}
