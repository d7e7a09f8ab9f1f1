import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { loadConfig, type NotifyConfig } from '../../src/config/index.ts';
import type { Database } from '../../src/db/index.ts';
import type { NotificationEvent, NotificationKind } from '../../src/db/notification-event.ts';
import { insertSubscription } from '../../src/db/queries/notifications.ts';
import { verifySignature } from '../../src/notify/channels/webhook.ts';
import { Notifications } from '../../src/notify/service.ts';
import { testAccounts } from './auth.ts';
import { type Hit, type Receiver, startReceiver } from './receivers.ts';

/** Notification settings for tests: 127.0.0.1 admitted (the receivers are local), short deadlines. */
export function testNotifyConfig(env: Record<string, string> = {}): NotifyConfig {
  return loadConfig({ OUTBOUND_ALLOW: '127.0.0.1/32', NOTIFY_TIMEOUT_SECONDS: '5', ...env }).notify;
}

/**
 * A new user's subscription to `events` in a DAO through a channel of theirs (a webhook that
 * nothing needs to receive), with `options` stored as POST /notifications/subscriptions stores
 * them (addresses lowercase, hours a number, threshold a decimal string).
 */
export async function subscribe(
  database: Database,
  daoId: number,
  events: NotificationKind[],
  options: Record<string, unknown> = {},
) {
  const accounts = await testAccounts(database);
  const user = await accounts.createUser({
    email: `watcher-${randomUUID()}@test.example`,
    role: 'viewer',
    password: 'a test passphrase 7391',
  });
  const notifications = await Notifications.open(database, testNotifyConfig());
  const { channel } = await notifications.createChannel(user.id, {
    name: 'watch',
    kind: 'webhook',
    target: 'http://127.0.0.1:9/watch',
  });
  return insertSubscription(database.db, { userId: user.id, daoId, channelId: channel.id, events, options });
}

/**
 * A user watching `addresses` in a DAO, the one way addresses are watched: a channel of theirs
 * subscribed to delegate.not_voted with the addresses in its options, stored as
 * POST /notifications/subscriptions stores it (lowercase).
 */
export function watchAddresses(
  database: Database,
  daoId: number,
  addresses: string[],
  options: Record<string, unknown> = {},
) {
  return subscribe(database, daoId, ['delegate.not_voted'], {
    ...options,
    addresses: addresses.map((a) => a.toLowerCase()),
  });
}

export function testEvent(overrides: Partial<NotificationEvent> = {}): NotificationEvent {
  return {
    kind: 'proposal.created',
    daoId: 1,
    key: 'proposal:1:created',
    title: 'New proposal: Fund the grants council',
    body: 'A proposal was created in Test DAO. Voting ends in 5 days.',
    url: 'https://portal.example.org/daos/test/proposals/1',
    severity: 'info',
    facts: { proposal: 'Fund the grants council', quorum: '4%', ends: '2026-12-08' },
    occurredAt: new Date('2026-12-03T00:00:00Z'),
    ...overrides,
  };
}

export interface Mail {
  from: string;
  to: string[];
  raw: string;
}

/** A real SMTP server (smtp-server) on 127.0.0.1 that keeps every message. No STARTTLS, no AUTH. */
export async function startSmtp(): Promise<{ url: string; mails: Mail[]; close(): Promise<void> }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, mails, close: () => new Promise((r) => server.close(() => r())) };
}

/**
 * A webhook receiver as a careful integrator writes one: it verifies the signature over the raw
 * body, refuses a timestamp outside the 5-minute window, and keeps the idempotency keys it has
 * accepted so a repeat is acknowledged (200) but not processed again.
 */
export async function startWebhookReceiver(
  secret: () => string,
  respond?: (hit: Hit) => { status: number; headers?: Record<string, string> } | undefined,
): Promise<Receiver & { accepted: Map<string, number>; duplicates(): number; rejected: string[] }> {
  const accepted = new Map<string, number>();
  const rejected: string[] = [];
  const state = { duplicates: 0 };
  const receiver = await startReceiver((hit, res) => {
    const forced = respond?.(hit);
    if (forced) return void res.writeHead(forced.status, forced.headers ?? {}).end('{}');
    const check = verifySignature(hit.headers['x-dao-portal-signature'] as string | undefined, hit.body, secret());
    if (!check.ok) {
      rejected.push(check.reason);
      return void res.writeHead(400).end(JSON.stringify({ error: check.reason }));
    }
    const key = hit.headers['idempotency-key'] as string;
    if (accepted.has(key)) {
      state.duplicates++;
      accepted.set(key, accepted.get(key)! + 1);
      return void res.writeHead(200).end('{"duplicate":true}');
    }
    accepted.set(key, 1);
    res.writeHead(200).end('{}');
  });
  return Object.assign(receiver, { accepted, rejected, duplicates: () => state.duplicates });
}
