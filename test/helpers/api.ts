import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { buildServer } from '../../src/api/server.ts';
import type { TestDatabase } from './db.ts';

/** An API server (not listening; use inject, or listen on port 0) over a test database. */
export async function testServer(database: TestDatabase): Promise<FastifyInstance> {
  return buildServer({ config: { corsOrigins: [], bodyLimit: 1 << 20 }, database, logger: false });
}

/** GET through inject, expecting 200; returns the envelope's data (and the whole body). */
export async function getData(app: FastifyInstance, url: string) {
  const response = await app.inject({ method: 'GET', url });
  expect(response.statusCode, `${url}: ${response.body.slice(0, 300)}`).toBe(200);
  return response.json().data;
}
