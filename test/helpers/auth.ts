import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { Accounts } from '../../src/auth/accounts.ts';
import type { Role } from '../../src/auth/roles.ts';
import { loadConfig } from '../../src/config/index.ts';
import type { Database } from '../../src/db/index.ts';
import { createLogger } from '../../src/logger/index.ts';

/** A password that passes the policy; test users all share it. */
export const TEST_PASSWORD = 'a test passphrase 7391';
let counter = 0;

/** Accounts over a test database (the same signing key as any server on it: it lives in the database). */
export function testAccounts(database: Database): Promise<Accounts> {
  return Accounts.open(database, loadConfig({}).auth, createLogger('silent'));
}

export interface SignedIn {
  email: string;
  /** Cookie plus CSRF token: what a browser session sends on a write. */
  session: { cookie: string; 'x-csrf-token': string };
  /** An API key of the user with both scopes: `Authorization: Bearer dp_…`. */
  key: { authorization: string };
}

/**
 * A new user of `role` with a session (signed in as POST /auth/login does, but without its
 * per-IP limit of 10 a minute, which tests that sign in many users would hit) and a read+write
 * API key made through the API.
 */
export async function signIn(app: FastifyInstance, database: Database, role: Role = 'admin'): Promise<SignedIn> {
  const email = `${role}-${process.pid}-${++counter}@test.example`;
  const accounts = await testAccounts(database);
  await accounts.createUser({ email, role, password: TEST_PASSWORD });
  const signed = await accounts.login({ email, password: TEST_PASSWORD }, { ip: '127.0.0.1', userAgent: 'test' });
  const session = { cookie: `dp_session=${signed.token}`, 'x-csrf-token': signed.csrf };
  const created = await app.inject({
    method: 'POST',
    url: '/api/v1/keys',
    headers: session,
    payload: { name: 'test', scopes: ['read', 'write'] },
  });
  expect(created.statusCode, created.body).toBe(201);
  return { email, session, key: { authorization: `Bearer ${created.json().data.secret}` } };
}
