import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, trustedProxies } from '../src/config/index.ts';
import { ConfigError } from '../src/errors.ts';
import { testServer } from './helpers/api.ts';
import { databaseTargets, type TestDatabase } from './helpers/db.ts';

const PROXY = '127.0.0.1';
const OUTSIDER = '198.51.100.9';

describe('TRUST_PROXY', () => {
  it('takes addresses, CIDRs and range names, and refuses anything else naming the variable', () => {
    expect(trustedProxies('')).toEqual([]);
    expect(trustedProxies(' 10.0.0.5, 172.16.0.0/12 ,fd00::/8,loopback, uniquelocal ')).toEqual([
      '10.0.0.5',
      '172.16.0.0/12',
      'fd00::/8',
      'loopback',
      'uniquelocal',
    ]);
    for (const bad of ['true', '*', 'caddy', '10.0.0.0/33', '300.1.1.1']) {
      expect(() => trustedProxies(bad)).toThrow(ConfigError);
      expect(() => trustedProxies(bad)).toThrow(`TRUST_PROXY: '${bad}' is not an address`);
    }
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY: 'true' is not an address/);
    expect(loadConfig({}).trustProxy).toEqual([]);
  });
});

// What is tested is the HTTP layer (request.ip and request.protocol), so one database is enough.
describe.each(databaseTargets().slice(0, 1))('clients behind a reverse proxy on $kind', (target) => {
  let database: TestDatabase;
  const servers: FastifyInstance[] = [];

  const serve = async (trustProxy: string[]) => {
    const app = await testServer(database, { rateLimitPerMinute: 3, trustProxy });
    servers.push(app);
    return app;
  };
  /** Statuses of `count` anonymous reads arriving from `from`, with X-Forwarded-For `client` when given. */
  const reads = async (app: FastifyInstance, count: number, from: string, client?: string) => {
    const statuses: number[] = [];
    for (let i = 0; i < count; i++) {
      const headers = client ? { 'x-forwarded-for': client } : {};
      statuses.push((await app.inject({ url: '/api/v1/daos', remoteAddress: from, headers })).statusCode);
    }
    return statuses;
  };

  beforeAll(async () => {
    database = await target.open();
  });
  afterAll(async () => {
    for (const app of servers) await app.close();
    await database?.close();
  });

  it('without TRUST_PROXY believes no X-Forwarded-For: the connection is the client', async () => {
    const app = await serve([]);
    expect(await reads(app, 2, PROXY, '203.0.113.1')).toEqual([200, 200]);
    // Another name in the header is the same connection, the same budget.
    expect(await reads(app, 2, PROXY, '203.0.113.2')).toEqual([200, 429]);
    const https = await app.inject({ url: '/health', headers: { 'x-forwarded-proto': 'https' } });
    expect(https.headers['strict-transport-security']).toBeUndefined();
  });

  it('with the proxy listed, each forwarded client has its own budget, and outsiders cannot borrow one', async () => {
    const app = await serve(['loopback']);
    expect(await reads(app, 4, PROXY, '203.0.113.1')).toEqual([200, 200, 200, 429]);
    expect(await reads(app, 1, PROXY, '203.0.113.2')).toEqual([200]);
    // A client's own X-Forwarded-For before the proxy's entry is not believed: the proxy appends
    // the address it saw, and only that last hop is taken.
    expect(await reads(app, 1, PROXY, '203.0.113.2, 203.0.113.1')).toEqual([429]);
    // An address that is not a listed proxy names only itself, whatever its header says.
    expect(await reads(app, 1, OUTSIDER, '203.0.113.3')).toEqual([200]);
    expect(await reads(app, 4, PROXY, '203.0.113.3')).toEqual([200, 200, 200, 429]);
    expect(await reads(app, 2, OUTSIDER, '203.0.113.4')).toEqual([200, 200]);
    expect(await reads(app, 1, OUTSIDER)).toEqual([429]);
  });

  it("takes the proxy's X-Forwarded-Proto: HSTS for clients that came over TLS, never for an outsider's claim", async () => {
    const app = await serve(['loopback']);
    const proxied = await app.inject({ url: '/health', headers: { 'x-forwarded-proto': 'https' } });
    expect(proxied.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    const plain = await app.inject({ url: '/health', headers: { 'x-forwarded-proto': 'http' } });
    expect(plain.headers['strict-transport-security']).toBeUndefined();
    const claimed = await app.inject({
      url: '/health',
      remoteAddress: OUTSIDER,
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(claimed.headers['strict-transport-security']).toBeUndefined();
  });
});
