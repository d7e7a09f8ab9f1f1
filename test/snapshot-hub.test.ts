import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedData } from './helpers/db.ts';
import {
  type HubData,
  loadHubData,
  type SnapshotHubStandIn,
  startHub,
  weakEtag,
} from './helpers/snapshot-hub/index.ts';

/**
 * The stand-in hub against the recordings of the real hub (shared/data/snapshot-hub): every case
 * it can reproduce must match status, content type, headers and body byte for byte. The only case
 * left out is the malformed-JSON answer with NODE_ENV unset, whose body is a stack trace of the
 * hub's own install; its production twin is checked.
 */
const recordings = path.join(sharedData, 'snapshot-hub');
interface Recording {
  request: { method: string; headers: Record<string, string>; raw_body: string };
  status: number;
  content_type: string | null;
  response_headers: Array<[string, string]>;
  body_raw: string;
}
const cases = readdirSync(recordings)
  .filter((f) => f.endsWith('.json') && f !== '06g-error-malformed-json-dev.json')
  .sort();

let data: HubData;
let hub: SnapshotHubStandIn;
beforeAll(async () => {
  data = loadHubData(sharedData);
  // Like the recorded hub: no Redis, so the limiter fails open; no keycard.
  hub = await startHub(data, { rateLimit: false });
});
afterAll(() => hub?.close());

describe('stand-in hub vs recordings of the real hub', () => {
  it('serves the data the recorded hub held: 7 spaces, 1,092 proposals, 39,059 votes', () => {
    expect(data.spaces.size).toBe(7);
    expect(data.proposals.size).toBe(961 + 131);
    expect(data.votes.size).toBe(19_089 + 19_970);
  });

  it.each(cases)('%s', async (file) => {
    const recording = JSON.parse(readFileSync(path.join(recordings, file), 'utf8')) as Recording;
    const response = await fetch(hub.url, {
      method: recording.request.method,
      headers: recording.request.headers,
      body: recording.request.method === 'POST' ? recording.request.raw_body : undefined,
    });
    const text = await response.text();
    expect(response.status).toBe(recording.status);
    expect(text).toBe(recording.body_raw);
    expect(response.headers.get('content-type')).toBe(recording.content_type);
    const names = (headers: Iterable<string>) =>
      [...headers]
        .map((h) => h.toLowerCase())
        .filter((h) => h !== 'date')
        .sort();
    expect(names(response.headers.keys())).toEqual(names(recording.response_headers.map(([name]) => name)));
    for (const [name, value] of recording.response_headers) {
      if (['date', 'connection', 'keep-alive'].includes(name.toLowerCase())) continue;
      expect([name, response.headers.get(name)]).toEqual([name, value]);
    }
  });
});

describe('stand-in hub limits documented from the code', () => {
  it('answers request 101 of a window with the exact 429, Retry-After = the window in seconds, and RateLimit headers', async () => {
    const limited = await startHub(data, { rateLimit: { max: 100, windowMs: 60_000 } });
    try {
      const ask = () =>
        fetch(limited.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"query":"{ space(id: \\"dimo.eth\\") { id } }"}',
        });
      for (let i = 1; i <= 100; i++) {
        const ok = await ask();
        await ok.text();
        expect(ok.status).toBe(200);
        expect(ok.headers.get('ratelimit-remaining')).toBe(String(100 - i));
      }
      const refused = await ask();
      const body = await refused.text();
      expect(refused.status).toBe(429);
      expect(body).toBe(
        '{"error":"unauthorized","error_description":"too many requests, refer to https://docs.snapshot.box/tools/api/api-keys#limits"}',
      );
      expect(body.length).toBe(126);
      expect(refused.headers.get('etag')).toBe('W/"7e-SeXyARr/Cl1vPpiQqD2XpyksCVo"');
      expect(refused.headers.get('retry-after')).toBe('60');
      expect(refused.headers.get('ratelimit-limit')).toBe('100');
      expect(refused.headers.get('ratelimit-remaining')).toBe('0');
      expect(limited.stats.limited).toBe(1);
    } finally {
      await limited.close();
    }
  });

  it('with keycard on: an unknown x-api-key gets 401, a valid one skips the IP limit and gets X-Api-Key-* headers', async () => {
    const keyed = await startHub(data, {
      rateLimit: { max: 1, windowMs: 60_000 },
      apiKeys: { good: { monthlyLimit: 1000 } },
    });
    try {
      const ask = (key?: string) =>
        fetch(keyed.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}) },
          body: '{"query":"{ space(id: \\"dimo.eth\\") { id } }"}',
        });
      const bad = await ask('nope');
      expect([bad.status, await bad.text()]).toEqual([
        401,
        '{"error":"unauthorized","error_description":"invalid api key"}',
      ]);
      for (let i = 0; i < 3; i++) {
        const ok = await ask('good');
        expect([ok.status, await ok.text()]).toEqual([200, '{"data":{"space":{"id":"dimo.eth"}}}']);
        expect(ok.headers.get('x-api-key-limit')).toBe('1000');
      }
      expect((await ask()).status).toBe(200);
      expect((await ask()).status).toBe(429);
    } finally {
      await keyed.close();
    }
  });

  it("weak ETag is express's", () => {
    expect(weakEtag('{"data":{"proposal":null}}')).toMatch(/^W\/"1a-[A-Za-z0-9+/]{27}"$/);
  });

  it('injects the configured faults: 5xx, 429 bursts, dropped connections', async () => {
    const faulty = await startHub(data, {
      rateLimit: false,
      faults: { serverErrorRate: 0.2, burst429Rate: 0.05, burst429Length: 3, dropRate: 0.1, seed: 7 },
    });
    try {
      const statuses: Array<number | 'dropped'> = [];
      for (let i = 0; i < 200; i++) {
        try {
          const r = await fetch(faulty.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', connection: 'close' },
            body: '{"query":"{ space(id: \\"dimo.eth\\") { id } }"}',
          });
          await r.text();
          statuses.push(r.status);
        } catch {
          statuses.push('dropped');
        }
      }
      expect(statuses.filter((s) => s === 'dropped').length).toBe(faulty.stats.dropped);
      expect(faulty.stats.dropped).toBeGreaterThan(5);
      expect(statuses.filter((s) => s === 429).length).toBe(faulty.stats.injected429);
      expect(faulty.stats.injected429).toBeGreaterThan(2);
      expect(statuses.filter((s) => s === 502 || s === 503).length).toBe(faulty.stats.injected5xx);
      expect(faulty.stats.injected5xx).toBeGreaterThan(10);
      expect(statuses.filter((s) => s === 200).length).toBe(
        200 - faulty.stats.dropped - faulty.stats.injected429 - faulty.stats.injected5xx,
      );
    } finally {
      await faulty.close();
    }
  });
});
