import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { buildServer } from '../../src/api/server.ts';
import { loadConfig } from '../../src/config/index.ts';
import type { TestDatabase } from './db.ts';

/**
 * An API server (not listening; use inject, or listen on port 0) over a test database.
 * `rateLimitPerMinute` sets the per-caller limit (tests that read many series raise it);
 * `trustProxy` lists the proxies whose X-Forwarded-For is believed (TRUST_PROXY).
 */
export async function testServer(
  database: TestDatabase,
  options: { rateLimitPerMinute?: number; trustProxy?: string[] } = {},
): Promise<FastifyInstance> {
  const auth = options.rateLimitPerMinute
    ? { auth: { ...loadConfig({}).auth, rateLimitPerMinute: options.rateLimitPerMinute } }
    : {};
  const config = { corsOrigins: [], bodyLimit: 1 << 20, ...auth, trustProxy: options.trustProxy ?? [] };
  return buildServer({ config, database, logger: false });
}

/** GET through inject, expecting 200; returns the envelope's data (and the whole body). */
export async function getData(app: FastifyInstance, url: string) {
  const response = await app.inject({ method: 'GET', url });
  expect(response.statusCode, `${url}: ${response.body.slice(0, 300)}`).toBe(200);
  return response.json().data;
}
