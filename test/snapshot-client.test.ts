import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Type } from '@sinclair/typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SnapshotClient, SnapshotHubError } from '../src/sources/snapshot/client.ts';
import { SlidingWindowLimiter } from '../src/sources/snapshot/limiter.ts';
import { sharedData } from './helpers/db.ts';
import { type HubData, loadHubData, startHub } from './helpers/snapshot-hub/index.ts';

const SpaceId = Type.Object({ space: Type.Union([Type.Object({ id: Type.String() }), Type.Null()]) });
const SPACE = '{ space(id: "dimo.eth") { id } }';
let data: HubData;
beforeAll(() => {
  data = loadHubData(sharedData, { spaces: ['dimo.eth'] });
});

const client = (url: string, extra: Partial<ConstructorParameters<typeof SnapshotClient>[0]> = {}) =>
  new SnapshotClient({ hubUrl: url, apiKey: undefined, rateLimit: 90, baseDelayMs: 5, maxDelayMs: 50, ...extra });

describe('SlidingWindowLimiter', () => {
  it('never lets more than `limit` requests start within any window', async () => {
    // The limiter's own clock readings: the last one before acquire() returns is the start it recorded.
    let last = 0;
    const limiter = new SlidingWindowLimiter(5, 200, () => (last = Date.now()));
    const starts: number[] = [];
    for (let i = 0; i < 16; i++) {
      await limiter.acquire();
      starts.push(last);
    }
    for (let i = 5; i < starts.length; i++) expect(starts[i]! - starts[i - 5]!).toBeGreaterThanOrEqual(200);
  });
});

describe('SnapshotClient against the stand-in hub', () => {
  it('sends x-api-key; a refused key is a clear, non-retried error', async () => {
    const hub = await startHub(data, { rateLimit: false, apiKeys: { secret: { monthlyLimit: 10 } } });
    try {
      await expect(client(hub.url, { apiKey: 'secret' }).graphql('space', SPACE, {}, SpaceId)).resolves.toEqual({
        space: { id: 'dimo.eth' },
      });
      const refused = client(hub.url, { apiKey: 'wrong' });
      await expect(refused.graphql('space', SPACE, {}, SpaceId)).rejects.toThrow(
        'Snapshot hub query space: HTTP 401 (invalid api key)',
      );
      expect(refused.requests).toBe(1);
    } finally {
      await hub.close();
    }
  });

  it.each([
    [
      'a limit error in a 200 body',
      '{ proposals(first: 1001) { id } }',
      'Snapshot hub query q failed: The `first` argument must not be greater than 1000',
    ],
    [
      'a validation error (400)',
      '{ proposals(first: 1) { id foo } }',
      'Snapshot hub query q failed: Cannot query field "foo" on type "Proposal".',
    ],
    [
      'too many root fields (500)',
      '{ a: space(id: "x") { id } b: space(id: "x") { id } c: space(id: "x") { id } d: space(id: "x") { id } e: space(id: "x") { id } f: space(id: "x") { id } }',
      "Snapshot hub query q failed: ' exceeds the maximum number of root selections: 5",
    ],
  ])('GraphQL errors are not retried: %s', async (_, query, message) => {
    const hub = await startHub(data, { rateLimit: false });
    try {
      const c = client(hub.url);
      const error = await c.graphql('q', query, {}, Type.Unknown()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SnapshotHubError);
      expect((error as Error).message).toBe(message);
      expect(c.requests).toBe(1);
    } finally {
      await hub.close();
    }
  });

  it('stays under the hub limiter at 90% of its rate, waiting when the window is full', async () => {
    // Scaled down: the hub allows 10 per 5 s, the client 9 (as 90 of 100 per minute); 15 requests
    // in a row must wait for the window at least once, whatever the machine's load.
    const hub = await startHub(data, { rateLimit: { max: 10, windowMs: 5000 } });
    try {
      const c = client(hub.url, { rateLimit: 9, windowMs: 5000 });
      const started = Date.now();
      for (let i = 0; i < 15; i++) await c.graphql('space', SPACE, {}, SpaceId);
      expect(hub.stats.byStatus[429]).toBeUndefined();
      expect(hub.stats.requests).toBe(15);
      expect(c.waitedMs).toBeGreaterThan(0);
      expect(Date.now() - started).toBeGreaterThanOrEqual(5000);
    } finally {
      await hub.close();
    }
  });

  it('retries 5xx, 429 bursts and dropped connections with backoff, honouring Retry-After', async () => {
    const hub = await startHub(data, {
      rateLimit: false,
      faults: { serverErrorRate: 0.2, burst429Rate: 0.05, burst429Length: 2, dropRate: 0.1, seed: 3 },
    });
    try {
      const c = client(hub.url, { maxAttempts: 20, maxRetryAfterMs: 50 });
      for (let i = 0; i < 60; i++)
        await expect(c.graphql('space', SPACE, {}, SpaceId)).resolves.toEqual({ space: { id: 'dimo.eth' } });
      const injected = hub.stats.injected5xx + hub.stats.injected429 + hub.stats.dropped;
      expect(injected).toBeGreaterThan(5);
      expect(c.retries).toBe(injected);
      expect(c.requests).toBe(60 + injected);
    } finally {
      await hub.close();
    }
  });

  it('gives up after maxAttempts with the last failure in the message', async () => {
    const hub = await startHub(data, { rateLimit: false, faults: { serverErrorRate: 1 } });
    try {
      const c = client(hub.url, { maxAttempts: 3 });
      await expect(c.graphql('space', SPACE, {}, SpaceId)).rejects.toThrow(
        /^Snapshot hub query space: HTTP 50[23].*\(gave up after 3 attempts\)$/,
      );
      expect(c.requests).toBe(3);
    } finally {
      await hub.close();
    }
  });

  it('waits at least Retry-After seconds after a 429', async () => {
    const hub = await startHub(data, { rateLimit: { max: 1, windowMs: 1000 } });
    try {
      const c = client(hub.url, { rateLimit: 1000 });
      await c.graphql('space', SPACE, {}, SpaceId);
      const started = Date.now();
      await c.graphql('space', SPACE, {}, SpaceId);
      expect(hub.stats.limited).toBe(1);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    } finally {
      await hub.close();
    }
  });
});

describe('SnapshotClient number coercion and shape checks', () => {
  let server: http.Server;
  let url = '';
  let answer = '';
  beforeAll(async () => {
    server = http.createServer((_, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(answer));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const Vote = Type.Object({ votes: Type.Array(Type.Object({ vp: Type.Number(), created: Type.Integer() })) });

  it('takes Float fields printed as integers or numeric strings', async () => {
    answer = '{"data":{"votes":[{"vp":80000,"created":1752192000},{"vp":"8.095402910725175","created":"1746144000"}]}}';
    await expect(client(url).graphql('votes', '{votes{vp created}}', {}, Vote)).resolves.toEqual({
      votes: [
        { vp: 80000, created: 1752192000 },
        { vp: 8.095402910725175, created: 1746144000 },
      ],
    });
  });

  it('names the query and the path of an unexpected answer', async () => {
    answer = '{"data":{"votes":[{"vp":"lots","created":1}]}}';
    await expect(client(url).graphql('votesPage', '{votes{vp created}}', {}, Vote)).rejects.toThrow(
      'Snapshot hub query votesPage: unexpected answer at /votes/0/vp: Expected number',
    );
  });
});
