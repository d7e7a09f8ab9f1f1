import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { buildServer } from '../../src/api/server.ts';
import { loadConfig } from '../../src/config/index.ts';
import type { TestDatabase } from './db.ts';

/**
 * An API server (not listening; use inject, or listen on port 0) over a test database.
 * `rateLimitPerMinute` raises the per-caller limit for tests that read many series.
 */
export async function testServer(
  database: TestDatabase,
  options: { rateLimitPerMinute?: number } = {},
): Promise<FastifyInstance> {
  const auth = options.rateLimitPerMinute
    ? { auth: { ...loadConfig({}).auth, rateLimitPerMinute: options.rateLimitPerMinute } }
    : {};
  return buildServer({ config: { corsOrigins: [], bodyLimit: 1 << 20, ...auth }, database, logger: false });
}

/** GET through inject, expecting 200; returns the envelope's data (and the whole body). */
export async function getData(app: FastifyInstance, url: string) {
  const response = await app.inject({ method: 'GET', url });
  expect(response.statusCode, `${url}: ${response.body.slice(0, 300)}`).toBe(200);
  return response.json().data;
}
