import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/api/server.ts';
import { signIn } from './helpers/auth.ts';
import { databaseTargets, type TestDatabase } from './helpers/db.ts';

/** A dashboard build as web/vite.config.ts writes it: hashed assets with .br and .gz copies beside them. */
function fakeBuild(): { root: string; script: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-web-'));
  fs.mkdirSync(path.join(root, 'assets'));
  const script = `console.log(${JSON.stringify('dashboard '.repeat(500))});\n`;
  const file = path.join(root, 'assets', 'index-AbC123xy.js');
  fs.writeFileSync(file, script);
  fs.writeFileSync(`${file}.br`, zlib.brotliCompressSync(script));
  fs.writeFileSync(`${file}.gz`, zlib.gzipSync(script));
  const html = '<!doctype html><div id="root"></div>';
  fs.writeFileSync(path.join(root, 'index.html'), html);
  fs.writeFileSync(path.join(root, 'index.html.br'), zlib.brotliCompressSync(html));
  return { root, script };
}

describe.each(databaseTargets())('compressed answers on $kind', (target) => {
  let database: TestDatabase;
  let app: FastifyInstance;
  let build: { root: string; script: string };

  beforeAll(async () => {
    database = await target.open();
    build = fakeBuild();
    app = await buildServer({
      config: { corsOrigins: [], bodyLimit: 1 << 20 },
      database,
      logger: false,
      webRoot: build.root,
    });
  });
  afterAll(async () => {
    await app?.close();
    await database?.destroy();
    if (build) fs.rmSync(build.root, { recursive: true, force: true });
  });

  it('sends the build’s brotli or gzip copy of a hashed asset, cached for a year as immutable', async () => {
    const url = '/assets/index-AbC123xy.js';
    const br = await app.inject({ url, headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(br.statusCode).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-type']).toContain('javascript');
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(br.headers.vary).toContain('accept-encoding');
    expect(zlib.brotliDecompressSync(br.rawPayload).toString()).toBe(build.script);
    expect(br.rawPayload.length).toBeLessThan(build.script.length / 10);

    const gz = await app.inject({ url, headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(zlib.gunzipSync(gz.rawPayload).toString()).toBe(build.script);

    const plain = await app.inject({ url });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(plain.body).toBe(build.script);
  });

  it('revalidates index.html on every load (the root, a deep link and the file itself)', async () => {
    for (const url of ['/', '/daos/some-dao', '/index.html']) {
      const response = await app.inject({ url, headers: { 'accept-encoding': 'br' } });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['cache-control'], url).toBe('no-cache');
      const encoding = response.headers['content-encoding'];
      expect(encoding, url).toBe('br');
      const html = encoding === 'br' ? zlib.brotliDecompressSync(response.rawPayload).toString() : response.body;
      expect(html, url).toContain('<div id="root">');
    }
  });

  it('compresses API JSON over 1 KiB when the client accepts it, and leaves small answers alone', async () => {
    const spec = await app.inject({ url: '/openapi.json' });
    const br = await app.inject({ url: '/openapi.json', headers: { 'accept-encoding': 'br' } });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toContain('accept-encoding');
    expect(JSON.parse(zlib.brotliDecompressSync(br.rawPayload).toString())).toEqual(spec.json());
    const gz = await app.inject({ url: '/openapi.json', headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(zlib.gunzipSync(gz.rawPayload).toString())).toEqual(spec.json());
    expect(spec.headers['content-encoding']).toBeUndefined();

    const small = await app.inject({ url: '/api/v1/daos', headers: { 'accept-encoding': 'br, gzip' } });
    expect(small.statusCode).toBe(200);
    expect(small.rawPayload.length).toBeLessThan(1024);
    expect(small.headers['content-encoding']).toBeUndefined();
    expect(small.json().status).toBe('success');
  });

  it('still streams an NDJSON import body from a client that accepts compressed answers', async () => {
    const { key } = await signIn(app, database, 'admin');
    const records = [
      { type: 'dao', slug: 'zipped', name: 'Zipped DAO', chain: 'ethereum' },
      ...Array.from({ length: 30 }, (_, i) => ({
        type: 'proposal',
        dao: 'zipped',
        id: `p${i}`,
        title: `Proposal ${i} with a title long enough to make the list answer pass a kilobyte`,
        choices: ['For', 'Against'],
        start: '2024-01-01T00:00:00Z',
        end: '2024-01-08T00:00:00Z',
        state: 'closed',
      })),
    ];
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/import',
      headers: { ...key, 'content-type': 'application/x-ndjson', 'accept-encoding': 'br, gzip' },
      payload: records.map((r) => JSON.stringify(r)).join('\n'),
    });
    expect(response.statusCode).toBe(200);
    const body =
      response.headers['content-encoding'] === 'br'
        ? JSON.parse(zlib.brotliDecompressSync(response.rawPayload).toString())
        : response.json();
    expect(body.data).toMatchObject({ records: 31, inserted: 31, rejected: 0 });

    const list = await app.inject({
      url: '/api/v1/daos/zipped/proposals?per_page=30',
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(list.statusCode).toBe(200);
    expect(list.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(zlib.gunzipSync(list.rawPayload).toString()).data).toHaveLength(30);
  });

  it('sends a cached answer as the same bytes, plain or compressed as each request accepts, and a new answer after a write', async () => {
    const url =
      '/api/v1/metrics/enhanced?type=activity&dao_ids=zipped&bucket=day&from=2023-06-01T00:00:00Z&to=2024-03-01T00:00:00Z';
    const get = (encoding?: string) =>
      app.inject({ url, headers: encoding === undefined ? {} : { 'accept-encoding': encoding } });
    const proposals = (answer: { data: { series: Array<{ points: Array<{ proposals: number }> }> } }) =>
      answer.data.series[0]!.points.reduce((sum, p) => sum + p.proposals, 0);
    const plain = await get();
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.rawPayload.length).toBeGreaterThan(1024);
    expect(plain.json()).toMatchObject({ status: 'success', data: { type: 'activity', bucket: 'day' } });
    expect(proposals(plain.json())).toBe(30);
    expect((await get()).body).toBe(plain.body);
    expect((await get('identity')).body).toBe(plain.body);

    for (const [accept, encoding] of [
      ['gzip, deflate, br', 'br'],
      ['br', 'br'],
      ['gzip', 'gzip'],
      ['x-gzip', 'gzip'],
      ['*', 'gzip'],
      ['br;q=0, gzip', 'gzip'],
    ] as const) {
      const response = await get(accept);
      expect(response.headers['content-encoding'], accept).toBe(encoding);
      expect(response.headers.vary, accept).toContain('accept-encoding');
      expect(Number(response.headers['content-length']), accept).toBe(response.rawPayload.length);
      const body =
        encoding === 'br' ? zlib.brotliDecompressSync(response.rawPayload) : zlib.gunzipSync(response.rawPayload);
      expect(body.toString(), accept).toBe(plain.body);
    }

    // A cached answer under 1 KiB is sent as it is, like any small answer.
    const summary = await app.inject({
      url: '/api/v1/daos/zipped/metrics/summary',
      headers: { 'accept-encoding': 'br' },
    });
    expect(summary.statusCode).toBe(200);
    expect(summary.rawPayload.length).toBeLessThan(1024);
    expect(summary.headers['content-encoding']).toBeUndefined();
    expect(summary.json().data.activity.proposals).toBe(30);

    const { key } = await signIn(app, database, 'admin');
    const imported = await app.inject({
      method: 'POST',
      url: '/api/v1/import',
      headers: { ...key, 'content-type': 'application/x-ndjson' },
      payload: JSON.stringify({
        type: 'proposal',
        dao: 'zipped',
        id: 'p-after',
        title: 'One more proposal',
        choices: ['For', 'Against'],
        start: '2024-02-01T00:00:00Z',
        end: '2024-02-08T00:00:00Z',
        state: 'closed',
      }),
    });
    expect(imported.statusCode).toBe(200);
    // The summary waits for its recompute; the series serves the previous answer once while it recomputes.
    expect((await app.inject({ url: '/api/v1/daos/zipped/metrics/summary' })).json().data.activity.proposals).toBe(31);
    let fresh = 30;
    for (let attempt = 0; attempt < 50 && fresh === 30; attempt++) {
      const after = await get('br');
      fresh = proposals(JSON.parse(zlib.brotliDecompressSync(after.rawPayload).toString()));
      if (fresh === 30) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(fresh).toBe(31);
    expect(proposals((await get()).json())).toBe(31);
  });
});
