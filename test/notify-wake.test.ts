import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertEvaluator } from '../src/alerts/evaluator.ts';
import { loadConfig } from '../src/config/index.ts';
import { createDao } from '../src/db/queries/daos.ts';
import { createLogger } from '../src/logger/index.ts';
import { createMonitoring } from '../src/monitoring/index.ts';
import { outboxSink, startDispatcher, wakeAfterCommit } from '../src/notify/delivery.ts';
import { Dispatcher } from '../src/notify/dispatcher.ts';
import { GovernanceNotifier } from '../src/notify/governance-notifier.ts';
import { Notifications } from '../src/notify/service.ts';
import { databaseTargets, type TestDatabase } from './helpers/db.ts';
import { startWebhookReceiver, subscribe, testNotifyConfig } from './helpers/notify.ts';

/**
 * With serve's wiring (src/notify/delivery.ts) and a 60-second poll, a new notification reaches
 * its webhook at once: the producer wakes the dispatcher after its transaction commits, in-process
 * and through BullMQ.
 */
const SECRET = 'wake webhook secret 0123456789abcdef';
const logger = createLogger('silent');
const modes = [
  { mode: 'in-process', redisUrl: undefined },
  ...(process.env.REDIS_URL ? [{ mode: 'bullmq', redisUrl: process.env.REDIS_URL }] : []),
];

describe.each(databaseTargets())('waking the dispatcher after commit ($kind)', (target) => {
  let database: TestDatabase;
  let notifications: Notifications;
  let hook: Awaited<ReturnType<typeof startWebhookReceiver>>;
  const arrivals = new Map<string, number>();
  let daoId: number;
  let round = 0;

  beforeAll(async () => {
    database = await target.open();
    hook = await startWebhookReceiver(
      () => SECRET,
      (hit) => {
        arrivals.set(JSON.parse(hit.body).data.key, performance.now());
        return undefined;
      },
    );
    notifications = await Notifications.open(database, testNotifyConfig({ NOTIFY_POLL_SECONDS: '60' }));
    daoId = (await createDao(database.db, { slug: 'wake', name: 'Wake DAO', chain: 'ethereum' })).id;
    const sub = await subscribe(database, daoId, ['proposal.created']);
    const { channel } = await notifications.createChannel(sub.userId, {
      name: 'hook',
      kind: 'webhook',
      target: `${hook.url}/hook`,
      secret: SECRET,
    });
    await database.query('update notification_subscriptions set channel_id = $1 where id = $2', [channel.id, sub.id]);
    await notifications.createChannel(null, {
      name: 'ops',
      kind: 'webhook',
      target: `${hook.url}/ops`,
      secret: SECRET,
    });
  });
  afterAll(async () => {
    await hook?.close();
    await database?.destroy();
  });

  async function arrival(key: string, ms: number): Promise<number | undefined> {
    const deadline = performance.now() + ms;
    while (!arrivals.has(key) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 2));
    return arrivals.get(key);
  }

  it.each(modes)(
    '$mode: a new proposal and an operator alert are delivered within a second',
    async ({ mode, redisUrl }) => {
      const prefix = `wake-${process.pid}-${target.kind}-${++round}`;
      const dispatcher = new Dispatcher(database, notifications, logger);
      await startDispatcher(dispatcher, { redisUrl, sync: { queuePrefix: prefix, worker: true } }, logger);
      // The pass that starting runs is over: from here only a wake (or the poll, 60 s away) sends.
      await dispatcher.drain();
      await new Promise((r) => setTimeout(r, 200));
      try {
        const config = loadConfig({ NOTIFY_POLL_SECONDS: '60' });
        const onCommitted = wakeAfterCommit(dispatcher);
        const committed: number[] = [];
        const notifier = new GovernanceNotifier({
          database,
          sink: outboxSink(logger),
          config,
          logger,
          onCommitted: (events) => {
            committed.push(performance.now());
            onCommitted(events);
          },
        });
        const [row] = await database.query<{ id: number }>(
          `insert into proposals (dao_id, external_id, source, title, choices, start, "end", state)
         values ($1, $2, 'snapshot', 'Wake up', '["For","Against"]'::jsonb, now() - interval '1 hour', now() + interval '5 days', 'active')
         returning id`,
          [daoId, `${prefix}-p`],
        );
        const key = `proposal:${Number(row!.id)}:created`;
        const decided = performance.now();
        expect((await notifier.detect([daoId])).map((e) => e.key)).toEqual([key]);
        const delivered = await arrival(key, 3000);
        expect(delivered).toBeDefined();
        const latency = delivered! - decided;
        expect(latency).toBeLessThan(1000);

        // The operator alert evaluator, woken the same way: 30 server errors make the error-rate rule
        // critical (the first mode), 30 good answers resolve it (the next).
        const firing = round % 2 === 1;
        const monitoring = createMonitoring({ database, logger, syncIntervalSeconds: 300 });
        for (let i = 0; i < 30; i++)
          monitoring.recorder.record({
            route: '/api/v1/daos',
            method: 'GET',
            status: firing ? 500 : 200,
            seconds: 0.01,
          });
        const alertConfig = loadConfig({ ALERT_MIN_REQUESTS: '10', ALERT_COOLDOWN_SECONDS: '0' });
        const evaluator = new AlertEvaluator({
          database,
          measure: () => monitoring.measure(),
          sink: outboxSink(logger),
          config: alertConfig,
          logger,
          onCommitted,
        });
        const fired = performance.now();
        const alert = (await evaluator.evaluate()).find((e) => e.facts.rule === 'error_rate');
        await monitoring.close();
        expect(alert?.severity).toBe(firing ? 'critical' : 'resolved');
        const alertDelivered = await arrival(alert!.key, 3000);
        expect(alertDelivered).toBeDefined();
        const alertLatency = alertDelivered! - fired;
        expect(alertLatency).toBeLessThan(1000);
        console.log(
          `[${target.kind}, ${mode}] poll 60 s: proposal.created event to webhook ${latency.toFixed(0)} ms (commit +${(committed[0]! - decided).toFixed(0)} ms); operator alert to webhook ${alertLatency.toFixed(0)} ms`,
        );
      } finally {
        await dispatcher.stop();
        if (redisUrl) {
          const queue = new Queue('notify', { connection: { url: redisUrl }, prefix });
          await queue.obliterate({ force: true });
          await queue.close();
        }
      }
    },
    30_000,
  );
});
