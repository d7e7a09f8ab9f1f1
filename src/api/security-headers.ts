import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * Security headers on every answer: a CSP allowing only this origin's scripts (the dashboard has
 * no inline script), no framing, nosniff, no referrer to other sites, and HSTS on TLS requests only
 * (a plain-HTTP install on a LAN must not be told to insist on HTTPS).
 */
const HELMET: HelmetOptions = {
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      // Charts and component libraries set style attributes.
      styleSrc: ["'self'", "'unsafe-inline'"],
      // ENS avatars are https images (src/ens/avatar.ts; IPFS and Arweave through their https gateways).
      imgSrc: ["'self'", 'data:', 'https:'],
      fontSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      // Plain-HTTP installs (a LAN, localhost) must keep loading their own assets over HTTP.
      upgradeInsecureRequests: null,
    },
  },
  strictTransportSecurity: false,
  referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
  crossOriginEmbedderPolicy: false,
};

const HSTS = 'max-age=31536000; includeSubDomains';

/**
 * What helmet's middleware does to a response with these options. Every directive above is a
 * constant (none is a function of the request, and there are no nonces), so the headers are the
 * same on every answer: helmet runs once per process here, and each request only gets the
 * headers. (Building helmet's middleware per request, as @fastify/helmet does, cost about a
 * tenth of the CPU of a small API read.)
 */
export function securityHeaders(options: HelmetOptions = HELMET): {
  set: Array<[string, string]>;
  removed: string[];
} {
  const set: Array<[string, string]> = [];
  const removed: string[] = [];
  const response = {
    setHeader(name: string, value: string | number | readonly string[]) {
      set.push([name, String(value)]);
      return response;
    },
    removeHeader(name: string) {
      removed.push(name);
    },
  };
  let failure: unknown;
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, (error?: unknown) => {
    failure = error;
  });
  if (failure) throw failure;
  return { set, removed };
}

/**
 * Sets the headers on the raw response before anything else answers, so replies that write to the
 * socket themselves (the live stream, MCP) carry them too, and a route may still replace one
 * (the API docs send their own CSP).
 */
export function registerSecurityHeaders(app: FastifyInstance): void {
  const { set, removed } = securityHeaders();
  app.addHook('onRequest', (request, reply, done) => {
    const raw = reply.raw;
    for (const name of removed) raw.removeHeader(name);
    for (const [name, value] of set) raw.setHeader(name, value);
    if (request.protocol === 'https') raw.setHeader('strict-transport-security', HSTS);
    done();
  });
}
