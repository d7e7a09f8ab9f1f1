import { isIP } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.ts';

/**
 * DNS-rebinding protection: a page on evil.example that re-points its name at 127.0.0.1 can make
 * the browser talk to a server on loopback, but the request still names evil.example in `Host`.
 * IP addresses and localhost names are always accepted (rebinding needs a name of the attacker's);
 * other names only when configured (PUBLIC_URL's host, ALLOWED_HOSTS, with `*.` for subdomains).
 */
export function isAllowedHost(hostHeader: string | undefined, allowed: readonly string[]): boolean {
  if (!hostHeader) return false;
  const host = hostHeader.startsWith('[')
    ? hostHeader.slice(1, hostHeader.indexOf(']'))
    : hostHeader.replace(/:\d+$/, '');
  const name = host.toLowerCase().replace(/\.$/, '');
  if (isIP(name) || name === 'localhost' || name.endsWith('.localhost')) return true;
  return allowed.some((a) => (a.startsWith('*.') ? name.endsWith(a.slice(1)) : name === a));
}

export function registerHostCheck(app: FastifyInstance, allowed: readonly string[]): void {
  app.addHook('onRequest', (request, _reply, done) => {
    if (!isAllowedHost(request.headers.host, allowed)) {
      throw new AppError(
        'FORBIDDEN',
        `Host '${String(request.headers.host ?? '').slice(0, 100)}' is not served here: add it to ALLOWED_HOSTS (or set PUBLIC_URL)`,
        421,
      );
    }
    done();
  });
}
