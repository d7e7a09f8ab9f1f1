import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDao } from '../src/db/queries/daos.ts';
import { insertSubscription, recordNotifications } from '../src/db/queries/notifications.ts';
import { createLogger } from '../src/logger/index.ts';
import { Dispatcher, MAX_UNKNOWN_RESENDS } from '../src/notify/dispatcher.ts';
import { Notifications } from '../src/notify/service.ts';
import { testAccounts } from './helpers/auth.ts';
import { databaseTargets, repoRoot, type TestDatabase } from './helpers/db.ts';
import { startWebhookReceiver, testEvent, testNotifyConfig } from './helpers/notify.ts';
import { type Receiver, startReceiver } from './helpers/receivers.ts';

/**
 * Each (subscription, event key) is delivered once with several dispatchers at once and after a
 * dispatcher dies between sending and recording the send. The webhook receiver keeps the
 * idempotency keys it has accepted; the Slack receiver (which cannot) counts every hit.
 */
const SECRET = 'exactly-once webhook secret 0123456789';
const N = 24;

describe.each(databaseTargets())('exactly-once delivery ($kind)', (target) => {
  let database: TestDatabase;
  let notifications: Notifications;
  let hook: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let slack: Receiver;
  let daoId: number;
  let round = 0;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    database = await target.open();
    hook = await startWebhookReceiver(() => SECRET);
    slack = await startReceiver((_hit, res) => res.writeHead(200).end('ok'));
    notifications = await Notifications.open(database, testNotifyConfig());
    const accounts = await testAccounts(database);
    const user = await accounts.createUser({
      email: `once-${process.pid}@test.example`,
      role: 'viewer',
      password: 'a test passphrase 7391',
    });
    daoId = (await createDao(database.db, { slug: 'once', name: 'Once DAO', chain: 'ethereum' })).id;
    for (const [kind, url, secret] of [
      ['webhook', `${hook.url}/hook`, SECRET],
      ['slack', `${slack.url}/services/T/B/x`, undefined],
    ] as const) {
      const { channel } = await notifications.createChannel(user.id, { name: kind, kind, target: url, secret });
      await insertSubscription(database.db, {
        userId: user.id,
        daoId,
        channelId: channel.id,
        events: ['proposal.created'],
        options: {},
      });
    }
  });
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await hook?.close();
    await slack?.close();
    await database?.destroy();
  });

  /** Queues N new events (2 deliveries each: webhook and Slack); returns their keys' prefix. */
  async function queue(): Promise<string> {
    const prefix = `r${++round}`;
    const events = Array.from({ length: N }, (_, i) =>
      testEvent({ daoId, key: `${prefix}:proposal:${i}:created`, title: `[${prefix}] proposal ${i}` }),
    );
    expect(await database.db.transaction((tx) => recordNotifications(tx, events))).toBe(2 * N);
    return prefix;
  }

  async function counts(prefix: string) {
    const rows = await database.query<{ status: string; kind: string; n: number; unknown: number }>(
      `select o.status, c.kind, count(*)::int as n, sum(o.unknown_outcomes)::int as unknown
         from notification_outbox o join notification_channels c on c.id = o.channel_id
        where o.event_key like $1 group by 1, 2 order by 1, 2`,
      [`${prefix}:%`],
    );
    return rows;
  }

  const webhookHits = (prefix: string) => hook.hits.filter((h) => JSON.parse(h.body).data.key.startsWith(`${prefix}:`));
  const slackHits = (prefix: string) =>
    slack.hits.filter((h) => JSON.parse(h.body).text.startsWith(`[${prefix}] `)).length;

  async function until(check: () => Promise<boolean>, ms: number) {
    const deadline = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('two dispatchers draining at once send each delivery once', async () => {
    const prefix = await queue();
    const a = new Dispatcher(database, notifications, createLogger('silent'), { batch: 3 });
    const b = new Dispatcher(database, notifications, createLogger('silent'), { batch: 3 });
    const [x, y] = await Promise.all([a.drain(), b.drain()]);
    expect(x + y).toBe(2 * N);
    expect(await counts(prefix)).toEqual([
      { status: 'sent', kind: 'slack', n: N, unknown: 0 },
      { status: 'sent', kind: 'webhook', n: N, unknown: 0 },
    ]);
    const keys = new Set(webhookHits(prefix).map((h) => h.headers['idempotency-key']));
    expect(webhookHits(prefix)).toHaveLength(N);
    expect(keys.size).toBe(N);
    console.log(
      `[${target.kind}] two in-process dispatchers: ${x} + ${y} deliveries, ${webhookHits(prefix).length} webhook hits for ${keys.size} keys`,
    );
  });

  it('a dispatcher that dies between send and mark: the next one resends under the same key, once', async () => {
    const prefix = await queue();
    // The first dispatcher "dies" after its third send: its mark never comes (the promise never settles).
    let sends = 0;
    const dying = new Dispatcher(database, notifications, createLogger('silent'), {
      batch: 1,
      leaseMs: 1500,
      afterSend: () => (++sends === 3 ? new Promise<void>(() => {}) : undefined),
    });
    void dying.drain();
    await until(async () => sends >= 3, 10_000);
    const survivor = new Dispatcher(database, notifications, createLogger('silent'), { batch: 4, leaseMs: 1500 });
    await until(async () => {
      await survivor.drain();
      const rows = await counts(prefix);
      return rows.every((r) => r.status === 'sent') && rows.reduce((s, r) => s + r.n, 0) === 2 * N;
    }, 15_000);
    const rows = await counts(prefix);
    expect(rows.map((r) => r.n).reduce((a, b) => a + b)).toBe(2 * N);
    expect(rows.reduce((s, r) => s + r.unknown, 0)).toBe(1);
    const hits = webhookHits(prefix);
    const keys = new Set(hits.map((h) => h.headers['idempotency-key']));
    expect(keys.size).toBe(N);
    expect([...keys].every((k) => hook.accepted.has(String(k)))).toBe(true);
    // Whichever channel the dead send was on got it twice, the webhook under the same key.
    expect(hits.length + slackHits(prefix)).toBe(2 * N + 1);
    expect(MAX_UNKNOWN_RESENDS).toBe(1);
    console.log(
      `[${target.kind}] killed between send and mark: ${2 * N} deliveries, ${hits.length} webhook hits for ${keys.size} keys, ${slackHits(prefix)} Slack hits`,
    );
    // Its drain never ends (the hook never settles): stop it without waiting for that.
    void dying.stop();
  });

  it.runIf(Boolean(process.env.REDIS_URL))(
    'with Redis, BullMQ passes on two workers send each delivery once',
    async () => {
      const prefix = await queue();
      const queuePrefix = `dp-notify-test-${process.pid}-${target.kind}`;
      const a = new Dispatcher(database, notifications, createLogger('silent'), { pollMs: 200, batch: 3 });
      const b = new Dispatcher(database, notifications, createLogger('silent'), { pollMs: 200, batch: 3 });
      try {
        await a.startQueue({ redisUrl: process.env.REDIS_URL!, prefix: queuePrefix, schedule: true, work: true });
        await b.startQueue({ redisUrl: process.env.REDIS_URL!, prefix: queuePrefix, schedule: false, work: true });
        await until(async () => {
          const rows = await counts(prefix);
          return rows.every((r) => r.status === 'sent') && rows.reduce((s, r) => s + r.n, 0) === 2 * N;
        }, 20_000);
      } finally {
        await a.stop();
        await b.stop();
        const leftover = new Queue('notify', { connection: { url: process.env.REDIS_URL! }, prefix: queuePrefix });
        await leftover.obliterate({ force: true });
        await leftover.close();
      }
      expect(webhookHits(prefix)).toHaveLength(N);
      expect(slackHits(prefix)).toBe(N);
    },
    30_000,
  );

  it.runIf(target.kind === 'postgres')(
    'two dispatcher processes, one killed (SIGKILL) between send and mark',
    async () => {
      const prefix = await queue();
      const before = { webhook: hook.duplicates() };
      const spawnChild = (crashAfter: number) => {
        const child = spawn(
          process.execPath,
          ['--import', 'tsx', path.join(repoRoot, 'test/helpers/notify-dispatcher-child.ts')],
          {
            cwd: repoRoot,
            env: {
              ...process.env,
              DATABASE_URL: database.url!,
              OUTBOUND_ALLOW: '127.0.0.1/32',
              NOTIFY_TIMEOUT_SECONDS: '1',
              TEST_LEASE_MS: '2500',
              TEST_CRASH_AFTER: String(crashAfter),
              LOG_LEVEL: 'silent',
            },
            stdio: ['ignore', 'pipe', 'inherit'],
          },
        );
        children.push(child);
        return child;
      };
      const doomed = spawnChild(5);
      const steady = spawnChild(0);
      const died = new Promise<NodeJS.Signals | null>((resolve) =>
        doomed.once('exit', (_code, signal) => resolve(signal)),
      );
      expect(await died).toBe('SIGKILL');
      await until(async () => {
        const rows = await counts(prefix);
        return rows.every((r) => r.status === 'sent') && rows.reduce((s, r) => s + r.n, 0) === 2 * N;
      }, 60_000);
      steady.kill('SIGTERM');
      const rows = await counts(prefix);
      const unknown = rows.reduce((s, r) => s + r.unknown, 0);
      const hits = webhookHits(prefix);
      const keys = new Set(hits.map((h) => h.headers['idempotency-key']));
      expect(keys.size).toBe(N);
      // Each delivery reached its receiver once, plus at most one repeat per send whose outcome the dead process never recorded.
      const total = hits.length + slackHits(prefix);
      expect(total).toBeGreaterThanOrEqual(2 * N);
      expect(total - 2 * N).toBeLessThanOrEqual(unknown);
      expect(unknown).toBeGreaterThanOrEqual(1);
      console.log(
        `[postgres] 2 processes, one SIGKILLed after its 5th send: ${2 * N} deliveries sent, ${unknown} unknown outcomes, ` +
          `${hits.length} webhook hits for ${keys.size} keys (${hook.duplicates() - before.webhook} dropped as duplicates by the receiver), ${slackHits(prefix)} Slack hits`,
      );
    },
    // Two child processes compile and start before any delivery: on a loaded 2-core machine that
    // alone took most of a minute, so the budget is for their start, not for the deliveries.
    120_000,
  );
});
