import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildServer } from '../src/api/server.ts';
import { ERROR_CODES, type ErrorCode } from '../src/errors.ts';
import { signIn } from './helpers/auth.ts';
import { databaseTargets, repoRoot, type TestDatabase } from './helpers/db.ts';

/** Codes that no request can provoke here but the CLI and server report (config, a held database, a down server, a bug). */
const NOT_PROVOKED = ['INTERNAL_ERROR', 'CONFIG_ERROR', 'DATABASE_BUSY', 'UNAVAILABLE'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(file) : entry.name.endsWith('.ts') ? [file] : [];
  });
}

/**
 * The codes the source text emits: every `code: 'X'` literal, every code an AppError (or a
 * subclass) is constructed with, and the codes src/api/errors.ts maps Fastify's errors to.
 */
function emittedInSource(): Map<string, string> {
  const found = new Map<string, string>();
  const add = (code: string, file: string) => found.set(code, path.relative(repoRoot, file));
  for (const file of sourceFiles(path.join(repoRoot, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\bcode:\s*['"]([A-Z][A-Z0-9_]*)['"]/g)) add(m[1]!, file);
    for (const m of text.matchAll(/\bnew AppError\(\s*['"]([A-Z][A-Z0-9_]*)['"]/g)) add(m[1]!, file);
    for (const m of text.matchAll(/class \w+ extends AppError\s*\{[\s\S]*?\bsuper\(\s*['"]([A-Z][A-Z0-9_]*)['"]/g))
      add(m[1]!, file);
  }
  const mapping = path.join(repoRoot, 'src/api/errors.ts');
  for (const m of readFileSync(mapping, 'utf8').matchAll(/['"]([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)['"]/g))
    add(m[1]!, mapping);
  return found;
}

/** The codes the OpenAPI document's ErrorResponse schema allows. */
function documentedCodes(openapi: { components: { schemas: Record<string, any> } }): string[] {
  const code = openapi.components.schemas.ErrorResponse.properties.error.properties.code;
  const branches: { enum?: string[]; const?: string }[] = code.anyOf ?? [code];
  return branches.flatMap((b) => b.enum ?? (b.const === undefined ? [] : [b.const]));
}

describe('error codes', () => {
  let database: TestDatabase;
  let app: FastifyInstance;
  let documented: string[];
  let admin: { authorization: string };
  let viewer: { authorization: string };
  const provoked = new Map<string, string>();

  beforeAll(async () => {
    database = await databaseTargets()[0]!.open();
    app = await buildServer({ config: { corsOrigins: [], bodyLimit: 4096 }, database, logger: false, webRoot: false });
    documented = documentedCodes((await app.inject({ url: '/openapi.json' })).json());
    admin = (await signIn(app, database, 'admin')).key;
    viewer = (await signIn(app, database, 'viewer')).key;
  });

  afterAll(async () => {
    vi.restoreAllMocks();
    await app?.close();
    await database?.destroy();
  });

  it('the OpenAPI error schema lists exactly ERROR_CODES', () => {
    expect(documented).toEqual([...ERROR_CODES]);
  });

  it('every code in the source is in ERROR_CODES and the OpenAPI document', () => {
    const emitted = emittedInSource();
    expect(emitted.size).toBeGreaterThan(5);
    for (const [code, file] of emitted) {
      expect(ERROR_CODES, `${code} (${file})`).toContain(code);
      expect(documented, `${code} (${file})`).toContain(code);
    }
  });

  const cases: [name: string, status: number, code: ErrorCode, request: InjectOptions & { url: string }][] = [
    ['400 validation', 400, 'VALIDATION_ERROR', { method: 'GET', url: '/api/v1/daos?per_page=0' }],
    [
      '400 unknown field',
      400,
      'VALIDATION_ERROR',
      { method: 'POST', url: '/api/v1/daos', payload: { slug: 'x', name: 'X', chain: 'x', colour: 'red' } },
    ],
    ['404 unknown route', 404, 'NOT_FOUND', { method: 'GET', url: '/api/v1/no-such-route' }],
    ['404 unknown DAO', 404, 'NOT_FOUND', { method: 'GET', url: '/api/v1/daos/no-such-dao' }],
    [
      '409 duplicate slug',
      409,
      'CONFLICT',
      { method: 'POST', url: '/api/v1/daos', payload: { slug: 'twice', name: 'Twice again', chain: 'ethereum' } },
    ],
    [
      '413 oversized body',
      413,
      'PAYLOAD_TOO_LARGE',
      {
        method: 'POST',
        url: '/api/v1/daos',
        payload: { slug: 'big', name: 'Big', chain: 'ethereum', description: 'x'.repeat(8000) },
      },
    ],
    [
      '415 wrong content type',
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      {
        method: 'POST',
        url: '/api/v1/daos',
        headers: { 'content-type': 'application/xml' },
        payload: '<dao slug="x"/>',
      },
    ],
    ['503 database down', 503, 'DATABASE_UNAVAILABLE', { method: 'GET', url: '/health/database' }],
    ['401 anonymous write', 401, 'UNAUTHENTICATED', { method: 'DELETE', url: '/api/v1/daos/twice' }],
    ['403 viewer write', 403, 'FORBIDDEN', { method: 'DELETE', url: '/api/v1/daos/twice' }],
    [
      '429 too many sign-ins',
      429,
      'RATE_LIMITED',
      { method: 'POST', url: '/api/v1/auth/login', payload: { email: 'nobody@test.example', password: 'wrong' } },
    ],
  ];
  /** Who sends each case: writes go as an admin unless the case is about who may write. */
  const sender = (name: string, request: InjectOptions) =>
    name.startsWith('401') || name.startsWith('429')
      ? {}
      : name.startsWith('403')
        ? viewer
        : request.method === 'GET'
          ? {}
          : admin;
  it.each(cases)('%s answers %i %s, a listed code', async (_name, status, code, request) => {
    if (code === 'CONFLICT') {
      const first = await app.inject({
        method: 'POST',
        url: '/api/v1/daos',
        headers: admin,
        payload: { slug: 'twice', name: 'Twice', chain: 'ethereum' },
      });
      expect(first.statusCode).toBe(201);
    }
    if (code === 'DATABASE_UNAVAILABLE')
      vi.spyOn(database, 'query').mockRejectedValueOnce(new Error('connection refused'));
    // The sign-in limit is 10 a minute per caller: the eleventh attempt is refused.
    if (code === 'RATE_LIMITED') for (let i = 0; i < 10; i++) await app.inject(request);
    const response = await app.inject({ ...request, headers: { ...sender(_name, request), ...request.headers } });
    expect(response.statusCode, response.body).toBe(status);
    const body = response.json();
    expect(body).toMatchObject({ status: 'error', error: { code, message: expect.any(String) } });
    expect(ERROR_CODES).toContain(body.error.code);
    expect(documented).toContain(body.error.code);
    provoked.set(body.error.code, request.url);
  });

  it('ERROR_CODES holds no code that nothing emits', () => {
    const emitted = new Set([...emittedInSource().keys(), ...provoked.keys()]);
    // The provoking cases above ran first (same file, in order).
    expect(provoked.size).toBeGreaterThan(0);
    expect(ERROR_CODES.filter((code) => !emitted.has(code) && !NOT_PROVOKED.includes(code))).toEqual([]);
  });
});
