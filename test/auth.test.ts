import type { FastifyInstance, InjectOptions } from 'fastify';
import { SignJWT } from 'jose';
import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/api/server.ts';
import { allows, PERMISSIONS, type Permission, type Role } from '../src/auth/roles.ts';
import { loadConfig } from '../src/config/index.ts';
import { appSecret } from '../src/db/queries/accounts.ts';
import { signIn, TEST_PASSWORD, testAccounts } from './helpers/auth.ts';
import { databaseTargets, type TestDatabase } from './helpers/db.ts';

/**
 * Accounts and access end to end through the API: a role × route matrix generated from the
 * server's own route table (each operation's permission, as /openapi.json documents it), sessions,
 * CSRF, API keys, object-level checks, mass assignment, lockout, two-factor sign-in, rate limits
 * and security headers.
 */
type Headers = Record<string, string>;

interface Operation {
  method: string;
  path: string;
  permission: Permission;
}

/** Every /api/v1 operation and its permission, read from the OpenAPI document. */
function operations(openapi: { paths: Record<string, Record<string, { description?: string }>> }): Operation[] {
  const out: Operation[] = [];
  for (const [path, methods] of Object.entries(openapi.paths)) {
    if (!path.startsWith('/api/v1')) continue;
    for (const [method, op] of Object.entries(methods)) {
      const permission = /Permission: `(\w+)`/.exec(op.description ?? '')?.[1] as Permission | undefined;
      if (!permission) throw new Error(`${method} ${path} documents no permission`);
      out.push({ method: method.toUpperCase(), path, permission });
    }
  }
  return out;
}

/** A concrete request for an operation: path ids that exist nowhere, and an empty JSON body for writes. */
function requestFor(op: Operation, headers: Headers): InjectOptions {
  const url = op.path.replace('{id}', /\/(keys|users)\//.test(op.path) ? '999999' : 'no-such-thing');
  const body = op.method === 'GET' || op.method === 'DELETE' ? {} : { payload: {} };
  return { method: op.method as InjectOptions['method'], url, headers, ...body };
}

/** Operations whose allowed calls would end the identity used for them, and the stream, which never ends. */
const ENDS_SESSION = new Set(['/api/v1/auth/logout', '/api/v1/auth/logout-all', '/api/v1/auth/password']);
const NOT_IN_MATRIX = new Set(['/api/v1/stream']);

describe.each(databaseTargets())('accounts and access on $kind', (target) => {
  let database: TestDatabase;
  let app: FastifyInstance;
  let closedApp: FastifyInstance;

  beforeAll(async () => {
    database = await target.open();
    const auth = { ...loadConfig({}).auth, rateLimitPerMinute: 100_000 };
    app = await buildServer({
      config: { corsOrigins: [], bodyLimit: 1 << 20, auth },
      database,
      logger: false,
      webRoot: false,
    });
    closedApp = await buildServer({
      config: { corsOrigins: [], bodyLimit: 1 << 20, auth: { ...auth, publicRead: false } },
      database,
      logger: false,
      webRoot: false,
    });
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await closedApp?.close();
    await database?.destroy();
  });

  const inject = (server: FastifyInstance, options: InjectOptions) => server.inject(options);

  it('every route answers each identity as its permission says (the route × identity matrix)', async () => {
    const ops = operations((await app.inject({ url: '/openapi.json' })).json()).filter(
      (op) => !NOT_IN_MATRIX.has(op.path),
    );
    expect(ops.length).toBeGreaterThan(25);
    expect(new Set(ops.map((o) => o.permission))).toEqual(new Set(PERMISSIONS));

    const signingKey = new TextEncoder().encode(await appSecret(database.db, 'session-signing-key', () => 'unused'));
    const people = {
      viewer: await signIn(app, database, 'viewer'),
      editor: await signIn(app, database, 'editor'),
      admin: await signIn(app, database, 'admin'),
    };
    const readKey = async (who: keyof typeof people) => {
      const made = await app.inject({
        method: 'POST',
        url: '/api/v1/keys',
        headers: people[who].key,
        payload: { name: 'read-only', scopes: ['read'] },
      });
      return { authorization: `Bearer ${made.json().data.secret}` };
    };
    const revoked = await signIn(app, database, 'admin');
    const revokedId = (await app.inject({ url: '/api/v1/keys', headers: revoked.key })).json().data[0].id;
    expect(
      (await app.inject({ method: 'DELETE', url: `/api/v1/keys/${revokedId}`, headers: revoked.key })).statusCode,
    ).toBe(200);

    const [header, payload] = people.admin.session.cookie.slice('dp_session='.length).split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const forged = (token: string) => ({
      cookie: `dp_session=${token}`,
      'x-csrf-token': people.admin.session['x-csrf-token'],
    });
    const expiredToken = await new SignJWT({ sid: claims.sid })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(claims.sub)
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
      .sign(signingKey);
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
    const wrongSignature = `${header}.${payload}.${Buffer.from('not the signature').toString('base64url')}`;
    const otherUser = Buffer.from(JSON.stringify({ ...claims, sub: String(Number(claims.sub) - 1) })).toString(
      'base64url',
    );
    const changedClaim = `${header}.${otherUser}.${people.admin.session.cookie.split('.')[2]}`;

    // Each identity: its headers, the role it should act with (undefined: anonymous), and whether
    // it is refused outright (an invalid bearer token is a 401 on every route).
    const identities: Array<{ name: string; headers: Headers; role: Role | undefined; invalidBearer?: boolean }> = [
      { name: 'no credentials', headers: {}, role: undefined },
      { name: 'viewer session', headers: people.viewer.session, role: 'viewer' },
      { name: 'editor session', headers: people.editor.session, role: 'editor' },
      { name: 'admin session', headers: people.admin.session, role: 'admin' },
      { name: 'viewer key', headers: people.viewer.key, role: 'viewer' },
      { name: 'editor key', headers: people.editor.key, role: 'editor' },
      { name: 'admin key', headers: people.admin.key, role: 'admin' },
      { name: 'read-only key of an editor', headers: await readKey('editor'), role: 'viewer' },
      { name: 'read-only key of an admin', headers: await readKey('admin'), role: 'viewer' },
      { name: 'expired session token', headers: forged(expiredToken), role: undefined },
      { name: "token with alg 'none'", headers: forged(none), role: undefined },
      { name: 'token with a wrong signature', headers: forged(wrongSignature), role: undefined },
      { name: 'token with a changed subject claim', headers: forged(changedClaim), role: undefined },
      { name: 'revoked key', headers: revoked.key, role: undefined, invalidBearer: true },
    ];

    let cases = 0;
    const failures: string[] = [];
    for (const [server, publicRead] of [
      [app, true],
      [closedApp, false],
    ] as const) {
      for (const op of ops) {
        for (const who of identities) {
          let headers = who.headers;
          // A session used for sign-out would be gone for the next case: give those a fresh one.
          // Sign-out (of a session, or everywhere for a key's owner) would end the identity for the
          // next case: those calls get a fresh user of the same kind.
          if (ENDS_SESSION.has(op.path) && who.role && !who.invalidBearer && !who.name.startsWith('token')) {
            const fresh = await signIn(app, database, who.name.startsWith('read-only') ? 'editor' : who.role);
            if (who.name.endsWith('session')) headers = fresh.session;
            else if (who.name.startsWith('read-only')) {
              const made = await app.inject({
                method: 'POST',
                url: '/api/v1/keys',
                headers: fresh.key,
                payload: { name: 'ro', scopes: ['read'] },
              });
              headers = { authorization: `Bearer ${made.json().data.secret}` };
            } else headers = fresh.key;
          }
          const response = await inject(server, requestFor(op, headers));
          cases++;
          const allowed = !who.invalidBearer && allows(who.role, op.permission, publicRead);
          const expected = allowed ? 'not 401/403' : who.role === undefined ? 401 : 403;
          const ok = allowed ? ![401, 403].includes(response.statusCode) : response.statusCode === expected;
          const envelope = response.statusCode < 400 || response.json().status === 'error';
          if (!ok || !envelope || response.statusCode >= 500) {
            failures.push(
              `${op.method} ${op.path} as ${who.name} (public read ${publicRead}): ${response.statusCode}, expected ${expected}: ${response.body.slice(0, 160)}`,
            );
          }
        }
      }
    }
    console.log(
      `route × identity matrix: ${ops.length} operations × ${identities.length} identities × 2 settings = ${cases} requests`,
    );
    expect(failures).toEqual([]);
  }, 300_000);

  it('the live stream follows the read permission', async () => {
    const closed = await closedApp.inject({ url: '/api/v1/stream' });
    expect(closed.statusCode).toBe(401);
  });

  it('a cookie write needs the CSRF token; a cross-site text/plain POST never reaches a route', async () => {
    const { session, key } = await signIn(app, database, 'admin');
    const body = { slug: 'csrf-dao', name: 'CSRF DAO', chain: 'ethereum' };
    const withoutToken = await app.inject({
      method: 'POST',
      url: '/api/v1/daos',
      headers: { cookie: session.cookie },
      payload: body,
    });
    expect(withoutToken.statusCode).toBe(403);
    expect(withoutToken.json().error).toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringContaining('x-csrf-token'),
    });
    const wrongToken = await app.inject({
      method: 'POST',
      url: '/api/v1/daos',
      headers: { cookie: session.cookie, 'x-csrf-token': 'x'.repeat(43) },
      payload: body,
    });
    expect(wrongToken.statusCode).toBe(403);
    expect(
      (await app.inject({ method: 'POST', url: '/api/v1/daos', headers: session, payload: body })).statusCode,
    ).toBe(201);
    expect(
      (await app.inject({ url: '/api/v1/auth/csrf', headers: { cookie: session.cookie } })).json().data.csrf_token,
    ).toBe(session['x-csrf-token']);

    const writes = operations((await app.inject({ url: '/openapi.json' })).json()).filter((op) => op.method !== 'GET');
    for (const op of writes) {
      for (const headers of [{ cookie: session.cookie }, {}, key] as Headers[]) {
        const response = await app.inject({
          ...requestFor(op, { ...headers, 'content-type': 'text/plain' }),
          payload: '{"slug":"x","name":"X","chain":"x"}',
        });
        // With the victim's cookie: no CSRF token (403); with nothing: 401; where anyone may post
        // (sign-in), or with a valid key: 415, the body type itself is refused.
        const expected =
          op.permission === 'public' || 'authorization' in headers ? [415] : 'cookie' in headers ? [403] : [401];
        expect(expected, `${op.method} ${op.path} ${JSON.stringify(Object.keys(headers))}: ${response.body}`).toContain(
          response.statusCode,
        );
      }
    }
  });

  it('users see and revoke only their own keys; admins see all', async () => {
    const alice = await signIn(app, database, 'editor');
    const bob = await signIn(app, database, 'editor');
    const admin = await signIn(app, database, 'admin');
    const keysOf = async (headers: Headers) =>
      (await app.inject({ url: '/api/v1/keys', headers })).json().data as Array<{
        id: number;
        owner: { email: string };
      }>;
    const aliceKeys = await keysOf(alice.key);
    expect(aliceKeys.every((k) => k.owner.email === alice.email)).toBe(true);
    const bobKey = (await keysOf(bob.key))[0]!;
    const steal = await app.inject({ method: 'DELETE', url: `/api/v1/keys/${bobKey.id}`, headers: alice.key });
    expect(steal.statusCode).toBe(404);
    expect((await app.inject({ url: '/api/v1/daos', headers: bob.key })).statusCode).toBe(200);
    expect((await keysOf(admin.key)).map((k) => k.id)).toContain(bobKey.id);
    expect(
      (await app.inject({ method: 'DELETE', url: `/api/v1/keys/${bobKey.id}`, headers: admin.key })).statusCode,
    ).toBe(200);
    expect((await app.inject({ url: '/api/v1/daos', headers: bob.key })).statusCode).toBe(401);
    // A read-only key cannot mint a write key.
    const readOnly = await app.inject({
      method: 'POST',
      url: '/api/v1/keys',
      headers: alice.key,
      payload: { name: 'ro', scopes: ['read'] },
    });
    const ro = { authorization: `Bearer ${readOnly.json().data.secret}` };
    const mint = await app.inject({
      method: 'POST',
      url: '/api/v1/keys',
      headers: ro,
      payload: { name: 'rw', scopes: ['write'] },
    });
    expect(mint.statusCode).toBe(403);
    // An expired key stops working.
    const expiring = await app.inject({
      method: 'POST',
      url: '/api/v1/keys',
      headers: alice.key,
      payload: { name: 'soon', scopes: ['read'], expires_at: new Date(Date.now() + 1500).toISOString() },
    });
    const soon = { authorization: `Bearer ${expiring.json().data.secret}` };
    expect((await app.inject({ url: '/api/v1/auth/me', headers: soon })).statusCode).toBe(200);
    await new Promise((r) => setTimeout(r, 1600));
    expect((await app.inject({ url: '/api/v1/auth/me', headers: soon })).json().error.message).toBe(
      'this API key has expired',
    );
  });

  it('mass assignment: fields a body must not set are refused, and roles change only through an admin', async () => {
    const admin = await signIn(app, database, 'admin');
    const editor = await signIn(app, database, 'editor');
    const cases: Array<[string, string, object, Headers]> = [
      ['POST', '/api/v1/users', { email: 'm@test.example', role: 'viewer', password: TEST_PASSWORD, id: 1 }, admin.key],
      [
        'POST',
        '/api/v1/users',
        { email: 'm@test.example', role: 'viewer', password: TEST_PASSWORD, created_at: '2020-01-01' },
        admin.key,
      ],
      ['POST', '/api/v1/keys', { name: 'k', scopes: ['read'], user_id: 1 }, editor.key],
      ['POST', '/api/v1/daos', { slug: 'm', name: 'M', chain: 'x', id: 5, total_votes: 9 }, admin.key],
    ];
    for (const [method, url, payload, headers] of cases) {
      const response = await app.inject({ method: method as 'POST', url, payload, headers });
      expect(response.statusCode, `${url} ${JSON.stringify(payload)}`).toBe(400);
      expect(response.json().error.message).toContain('is not a known field');
    }
    const users = (await app.inject({ url: '/api/v1/users', headers: admin.key })).json().data as Array<{
      id: number;
      email: string;
    }>;
    const editorId = users.find((u) => u.email === editor.email)!.id;
    const selfPromotion = await app.inject({
      method: 'PUT',
      url: `/api/v1/users/${editorId}`,
      headers: editor.key,
      payload: { role: 'admin' },
    });
    expect(selfPromotion.statusCode).toBe(403);
    const promoted = await app.inject({
      method: 'PUT',
      url: `/api/v1/users/${editorId}`,
      headers: admin.key,
      payload: { role: 'admin' },
    });
    expect(promoted.json().data.role).toBe('admin');
    const audit = (
      await app.inject({ url: `/api/v1/audit?action=user.role&resource=user:${editorId}`, headers: admin.key })
    ).json().data;
    expect(audit[0]).toMatchObject({
      action: 'user.role',
      actor: expect.stringContaining(admin.email),
      details: { from: 'editor', to: 'admin' },
    });
  });

  it('sessions end on sign-out, on sign-out everywhere, when idle, and when the user is disabled', async () => {
    const a = await signIn(app, database, 'viewer');
    const me = (headers: Headers) => app.inject({ url: '/api/v1/auth/me', headers: { cookie: headers.cookie! } });
    expect((await me(a.session)).statusCode).toBe(200);
    expect(
      (await app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: a.session })).headers['set-cookie'],
    ).toContain('Max-Age=0');
    expect((await me(a.session)).statusCode).toBe(401);

    const b = await signIn(app, database, 'viewer');
    const accounts = await testAccounts(database);
    const second = await accounts.login({ email: b.email, password: TEST_PASSWORD }, { ip: null, userAgent: null });
    const secondCookie = `dp_session=${second.token}`;
    expect(
      (await app.inject({ method: 'POST', url: '/api/v1/auth/logout-all', headers: b.session })).json().data
        .revoked_sessions,
    ).toBe(2);
    expect((await app.inject({ url: '/api/v1/auth/me', headers: { cookie: secondCookie } })).statusCode).toBe(401);

    const c = await signIn(app, database, 'viewer');
    await database.query(`update sessions set last_seen_at = now() - interval '31 minutes'`);
    expect((await me(c.session)).statusCode).toBe(401);

    const d = await signIn(app, database, 'viewer');
    const admin = await signIn(app, database, 'admin');
    const id = (await app.inject({ url: '/api/v1/auth/me', headers: d.key })).json().data.user.id;
    await app.inject({ method: 'PUT', url: `/api/v1/users/${id}`, headers: admin.key, payload: { disabled: true } });
    expect((await me(d.session)).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/v1/auth/me', headers: d.key })).statusCode).toBe(401);
    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: d.email, password: TEST_PASSWORD },
    });
    expect(login.json().error.message).toBe('this account is disabled');
  });

  it('rotates the session token on use once it is a minute old', async () => {
    const { session } = await signIn(app, database, 'viewer');
    const fresh = await app.inject({ url: '/api/v1/auth/me', headers: { cookie: session.cookie } });
    expect(fresh.headers['set-cookie']).toBeUndefined();
    const signingKey = new TextEncoder().encode(await appSecret(database.db, 'session-signing-key', () => 'unused'));
    const claims = JSON.parse(Buffer.from(session.cookie.split('.')[1]!, 'base64url').toString());
    const old = await new SignJWT({ sid: claims.sid })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(claims.sub)
      .setIssuedAt(Math.floor(Date.now() / 1000) - 120)
      .setExpirationTime(Math.floor(Date.now() / 1000) + 600)
      .sign(signingKey);
    const rotated = await app.inject({ url: '/api/v1/auth/me', headers: { cookie: `dp_session=${old}` } });
    expect(rotated.statusCode).toBe(200);
    expect(String(rotated.headers['set-cookie'])).toMatch(
      /^dp_session=[^;]+; Path=\/; Expires=.*; HttpOnly; SameSite=Lax$/,
    );
  });

  it('locks an account after more than ten failed sign-ins within an hour, and says so', async () => {
    const accounts = await testAccounts(database);
    const email = `locked-${process.pid}@test.example`;
    await accounts.createUser({ email, role: 'viewer', password: TEST_PASSWORD });
    const meta = { ip: '192.0.2.1', userAgent: 'test' };
    for (let i = 0; i < 11; i++) {
      await expect(accounts.login({ email, password: 'wrong password!' }, meta)).rejects.toThrow(
        'email or password is wrong',
      );
    }
    await expect(accounts.login({ email, password: TEST_PASSWORD }, meta)).rejects.toThrow(/locked until/);
    const admin = await signIn(app, database, 'admin');
    const entries = (await app.inject({ url: '/api/v1/audit?action=auth.lockout', headers: admin.key })).json().data;
    expect(entries[0]).toMatchObject({ outcome: 'failure', details: { failures: 11 } });
  });

  it('two-factor sign-in: enrol with a code, then sign in with a TOTP code or a one-time recovery code', async () => {
    const user = await signIn(app, database, 'editor');
    const start = (await app.inject({ method: 'POST', url: '/api/v1/auth/totp/start', headers: user.session })).json()
      .data;
    expect(start.uri).toMatch(/^otpauth:\/\/totp\/DAO%20Portal:/);
    expect(start.qr_svg).toMatch(/^<svg/);
    const wrong = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/totp/confirm',
      headers: user.session,
      payload: { code: '000000' },
    });
    expect(wrong.statusCode).toBe(400);
    const confirm = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/totp/confirm',
      headers: user.session,
      payload: { code: await generate({ secret: start.secret }) },
    });
    const codes = confirm.json().data.recovery_codes as string[];
    expect(codes).toHaveLength(10);
    // From an address of its own: the sign-in limit (10 a minute per IP) is not what this tests.
    const login = (totp?: string) =>
      app.inject({
        remoteAddress: '198.51.100.7',
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: user.email, password: TEST_PASSWORD, ...(totp ? { totp } : {}) },
      });
    expect((await login()).json().error.message).toBe('a two-factor code is required (totp)');
    expect((await login(await generate({ secret: start.secret }))).statusCode).toBe(200);
    expect((await login(codes[0])).statusCode).toBe(200);
    expect((await login(codes[0])).json().error.message).toBe('the two-factor code is wrong');
  });

  it('rate limits: 429 in the envelope with Retry-After; per caller; an admin can raise one key', async () => {
    const auth = { ...loadConfig({}).auth, rateLimitPerMinute: 5 };
    const limited = await buildServer({
      config: { corsOrigins: [], bodyLimit: 1 << 20, auth },
      database,
      logger: false,
      webRoot: false,
    });
    try {
      const statuses = [];
      for (let i = 0; i < 6; i++) statuses.push((await limited.inject({ url: '/api/v1/daos' })).statusCode);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
      const refused = await limited.inject({ url: '/api/v1/daos' });
      expect(refused.json().error).toMatchObject({
        code: 'RATE_LIMITED',
        message: expect.stringContaining('5 a minute'),
      });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(refused.headers['x-ratelimit-limit']).toBe('5');
      expect((await limited.inject({ url: '/health' })).statusCode).toBe(200);

      const admin = await signIn(app, database, 'admin');
      const editor = await signIn(app, database, 'editor');
      const keyId = (await app.inject({ url: '/api/v1/keys', headers: editor.key })).json().data[0].id;
      await app.inject({
        method: 'PUT',
        url: `/api/v1/keys/${keyId}/rate-limit`,
        headers: admin.key,
        payload: { per_minute: 8 },
      });
      const keyed = [];
      for (let i = 0; i < 9; i++)
        keyed.push((await limited.inject({ url: '/api/v1/daos', headers: editor.key })).statusCode);
      expect(keyed.filter((s) => s === 200)).toHaveLength(8);
      expect(keyed.at(-1)).toBe(429);
    } finally {
      await limited.close();
    }
  });

  it.skipIf(!process.env.REDIS_URL)('rate limits are shared through Redis by every server on it', async () => {
    const config = {
      ...loadConfig({}),
      redisUrl: process.env.REDIS_URL,
      sync: { ...loadConfig({}).sync, queuePrefix: `rl-${process.pid}-${Date.now()}` },
    };
    const servers = await Promise.all(
      [0, 1].map(() =>
        buildServer({
          config: { ...config, corsOrigins: [], bodyLimit: 1 << 20, auth: { ...config.auth, rateLimitPerMinute: 4 } },
          database,
          logger: false,
          webRoot: false,
        }),
      ),
    );
    try {
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await servers[i % 2]!.inject({ url: '/api/v1/daos' })).statusCode);
      expect(statuses).toEqual([200, 200, 200, 200, 429]);
    } finally {
      await Promise.all(servers.map((s) => s.close()));
    }
  });

  it('sends security headers: a CSP without inline script, no framing, nosniff, a strict referrer policy', async () => {
    const response = await app.inject({ url: '/api/v1/daos' });
    const csp = String(response.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("script-src 'self' 'unsafe-inline'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
    // HSTS only over TLS.
    expect(response.headers['strict-transport-security']).toBeUndefined();
    // A name nobody configured (a DNS-rebinding page) is refused before any route runs.
    const rebound = await app.inject({ url: '/api/v1/daos', headers: { host: 'rebind.evil.example:8000' } });
    expect(rebound.statusCode).toBe(421);
    expect(rebound.json().error.message).toContain('ALLOWED_HOSTS');
  });
});
