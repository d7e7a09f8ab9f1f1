import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/api/server.ts';
import { createDao } from '../src/db/queries/daos.ts';
import { deliveryCounts, recordNotifications } from '../src/db/queries/notifications.ts';
import { createLogger } from '../src/logger/index.ts';
import { DISCORD_LIMITS } from '../src/notify/channels/discord.ts';
import { SLACK_LIMITS } from '../src/notify/channels/slack.ts';
import { TELEGRAM_TEXT_LIMIT } from '../src/notify/channels/telegram.ts';
import { sign, verifySignature } from '../src/notify/channels/webhook.ts';
import { Dispatcher } from '../src/notify/dispatcher.ts';
import { Notifications } from '../src/notify/service.ts';
import { type SignedIn, signIn } from './helpers/auth.ts';
import { databaseTargets, type TestDatabase } from './helpers/db.ts';
import { startSmtp, startWebhookReceiver, testEvent, testNotifyConfig } from './helpers/notify.ts';
import { type Hit, type Receiver, startReceiver } from './helpers/receivers.ts';

const BOT_TOKEN = '123456:ABCdefGHIjklMNOpqrSTUvwxYZ012345678';
const chars = (s: unknown) => Array.from(String(s)).length;

/** Slack's documented incoming-webhook body: `text`, and Block Kit blocks within their limits. */
function slackProblems(hit: Hit): string[] {
  const problems: string[] = [];
  const body = JSON.parse(hit.body);
  if (typeof body.text !== 'string' || !body.text) problems.push('text');
  if (!Array.isArray(body.blocks) || body.blocks.length > 50) problems.push('blocks');
  for (const block of body.blocks ?? []) {
    if (block.type === 'header' && (block.text?.type !== 'plain_text' || chars(block.text.text) > SLACK_LIMITS.header))
      problems.push('header');
    if (block.type === 'section') {
      if (block.text && (block.text.type !== 'mrkdwn' || chars(block.text.text) > SLACK_LIMITS.section))
        problems.push('section');
      if (
        block.fields &&
        (block.fields.length > 10 || block.fields.some((f: { text: string }) => chars(f.text) > 2000))
      )
        problems.push('fields');
    }
    if (!['header', 'section', 'context', 'divider', 'actions'].includes(block.type))
      problems.push(`type ${block.type}`);
  }
  return problems;
}

/** Discord's documented embed limits. */
function discordProblems(hit: Hit): string[] {
  const problems: string[] = [];
  if (!hit.url.includes('wait=true')) problems.push('wait');
  const body = JSON.parse(hit.body);
  if (!Array.isArray(body.embeds) || body.embeds.length < 1 || body.embeds.length > 10) return ['embeds'];
  let total = 0;
  for (const e of body.embeds) {
    if (chars(e.title) > DISCORD_LIMITS.title) problems.push('title');
    if (chars(e.description) > DISCORD_LIMITS.description) problems.push('description');
    if (e.fields.length > DISCORD_LIMITS.fields) problems.push('fields');
    for (const f of e.fields) {
      if (!f.name || chars(f.name) > 256 || !f.value || chars(f.value) > 1024) problems.push('field');
      total += chars(f.name) + chars(f.value);
    }
    if (!Number.isInteger(e.color) || e.color < 0 || e.color > 0xffffff) problems.push('color');
    if (Number.isNaN(Date.parse(e.timestamp))) problems.push('timestamp');
    total += chars(e.title) + chars(e.description) + chars(e.footer?.text ?? '');
  }
  if (total > DISCORD_LIMITS.total) problems.push('total');
  if (JSON.stringify(body.allowed_mentions) !== '{"parse":[]}') problems.push('allowed_mentions');
  return problems;
}

describe.each(databaseTargets())('notification delivery ($kind)', (target) => {
  let database: TestDatabase;
  let app: FastifyInstance;
  let dispatcher: Dispatcher;
  let user: SignedIn;
  let other: SignedIn;
  let admin: SignedIn;
  let daoId: number;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let slackHook: Receiver;
  let discordHook: Receiver;
  let telegramApi: Receiver;
  let webhookSecret = '';
  let hook: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let flaky: Receiver;
  let flakyPlan: { status: number; headers?: Record<string, string> }[] = [];
  const channels: Record<string, number> = {};

  beforeAll(async () => {
    database = await target.open();
    smtp = await startSmtp();
    const ok = (res: import('node:http').ServerResponse, body = '{}') =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    slackHook = await startReceiver((hit, res) =>
      slackProblems(hit).length ? res.writeHead(400).end('invalid_blocks') : ok(res, 'ok'),
    );
    discordHook = await startReceiver((hit, res) =>
      discordProblems(hit).length ? res.writeHead(400).end('{"code":50035}') : ok(res, '{"id":"1"}'),
    );
    telegramApi = await startReceiver((hit, res) => {
      const body = JSON.parse(hit.body || '{}');
      if (hit.url !== `/bot${BOT_TOKEN}/sendMessage`)
        return void res.writeHead(401).end('{"ok":false,"error_code":401,"description":"Unauthorized"}');
      if (
        !body.chat_id ||
        typeof body.text !== 'string' ||
        !body.text ||
        chars(body.text) > TELEGRAM_TEXT_LIMIT ||
        body.parse_mode !== 'HTML'
      )
        return void res
          .writeHead(400)
          .end('{"ok":false,"error_code":400,"description":"Bad Request: message text is empty"}');
      ok(res, '{"ok":true,"result":{"message_id":7}}');
    });
    hook = await startWebhookReceiver(() => webhookSecret);
    flaky = await startReceiver((_hit, res) => {
      const next = flakyPlan.shift() ?? { status: 200 };
      res.writeHead(next.status, next.headers ?? {}).end('{}');
    });
    const notify = testNotifyConfig({
      SMTP_URL: smtp.url,
      TELEGRAM_BOT_TOKEN: BOT_TOKEN,
      TELEGRAM_API_URL: telegramApi.url,
    });
    const notifications = await Notifications.open(database, notify);
    dispatcher = new Dispatcher(database, notifications, createLogger('silent'), { backoffMs: 100 });
    app = await buildServer({
      config: { corsOrigins: [], bodyLimit: 1 << 20, notify },
      database,
      logger: false,
      notifications,
      dispatcher,
    });
    user = await signIn(app, database, 'viewer');
    other = await signIn(app, database, 'viewer');
    admin = await signIn(app, database, 'admin');
    daoId = (await createDao(database.db, { slug: 'test-dao', name: 'Test DAO', chain: 'ethereum' })).id;
  });
  afterAll(async () => {
    await dispatcher?.stop();
    await app?.close();
    for (const r of [slackHook, discordHook, telegramApi, hook, flaky]) await r?.close();
    await smtp?.close();
    await database?.destroy();
  });

  const post = (who: SignedIn, url: string, payload: object) =>
    app.inject({ method: 'POST', url: `/api/v1/notifications${url}`, headers: who.key, payload });
  const get = (who: SignedIn, url: string) =>
    app.inject({ method: 'GET', url: `/api/v1/notifications${url}`, headers: who.key });

  it('creates channels of every kind; targets and secrets never come back', async () => {
    const wanted = {
      email: { target: 'alice@example.org' },
      slack: { target: `${slackHook.url}/services/T000/B000/slacktokenXYZ` },
      discord: { target: `${discordHook.url}/api/webhooks/1/discordtokenXYZ` },
      telegram: { target: '-1001234567890' },
      webhook: { target: `${hook.url}/hooks/dao?token=webhooktokenXYZ` },
    };
    for (const [kind, body] of Object.entries(wanted)) {
      const response = await post(user, '/channels', { name: `my ${kind}`, kind, ...body });
      expect(response.statusCode, response.body).toBe(201);
      expect(response.body).not.toContain('tokenXYZ');
      const data = response.json().data;
      channels[kind] = data.channel.id;
      if (kind === 'webhook') {
        expect(data.secret).toMatch(/^whsec_/);
        webhookSecret = data.secret;
        expect(data.channel.secret_hint).toBe(`…${webhookSecret.slice(-4)}`);
      } else expect(data.secret).toBeNull();
    }
    const listed = await get(user, '/channels');
    expect(listed.statusCode).toBe(200);
    expect(listed.json().data).toHaveLength(5);
    expect(listed.body).not.toContain('tokenXYZ');
    expect(listed.body).not.toContain(webhookSecret);
    // Sealed at rest: the token is nowhere in the table.
    const rows = await database.query<{ s: string }>('select secret_sealed as s from notification_channels');
    expect(rows.every((r) => r.s.startsWith('v1.') && !r.s.includes('tokenXYZ'))).toBe(true);
    expect((await get(other, '/channels')).json().data).toHaveLength(0);
  });

  it('refuses targets the SSRF rules or the channel refuse, with a 400 naming target', async () => {
    for (const [kind, targetUrl] of [
      ['webhook', 'http://169.254.169.254/latest/meta-data/'],
      ['slack', 'http://10.0.0.1/hook'],
      ['discord', 'http://[::1]/x'],
      ['webhook', 'http://2852039166/'],
      ['webhook', 'http://0xa9fea9fe/'],
      ['webhook', 'http://0251.0376.0251.0376/'],
      ['webhook', 'file:///etc/passwd'],
      ['webhook', 'http://localhost/x'],
      ['email', 'not an address'],
      ['telegram', 'https://t.me/x'],
    ]) {
      const response = await post(user, '/channels', { name: 'bad', kind, target: targetUrl });
      expect(response.statusCode, `${kind} ${targetUrl}: ${response.body}`).toBe(400);
      expect(response.json().error.details[0].parameter).toBe('target');
      expect(response.json().error.message).toMatch(/^target: /);
    }
    const short = await post(user, '/channels', { name: 'bad', kind: 'webhook', target: hook.url, secret: 'short' });
    expect(short.json().error.details[0].parameter).toBe('secret');
  });

  it('sends each channel test message in its documented shape', async () => {
    for (const kind of ['email', 'slack', 'discord', 'telegram', 'webhook']) {
      const response = await post(user, `/channels/${channels[kind]}/test`, {});
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json().data.status, `${kind}: ${response.json().data.last_error}`).toBe('sent');
    }
    expect(smtp.mails).toHaveLength(1);
    expect(slackHook.hits).toHaveLength(1);
    expect(discordHook.hits).toHaveLength(1);
    expect(telegramApi.hits).toHaveLength(1);
    expect(hook.accepted.size).toBe(1);
    // Someone else's channel does not exist for them.
    expect((await post(other, `/channels/${channels.slack}/test`, {})).statusCode).toBe(404);
  });

  it('queues one delivery per matching subscription in the caller transaction, never twice, and sends each once', async () => {
    for (const kind of Object.keys(channels)) {
      const response = await post(user, '/subscriptions', {
        dao: 'test-dao',
        channel_id: channels[kind],
        events: ['proposal.created', 'proposal.ending'],
      });
      expect(response.statusCode, response.body).toBe(201);
    }
    // Another user's channel cannot be subscribed.
    const foreign = await post(other, '/subscriptions', {
      dao: 'test-dao',
      channel_id: channels.slack,
      events: ['proposal.created'],
    });
    expect(foreign.json().error.details[0].parameter).toBe('channel_id');
    const unknownDao = await post(user, '/subscriptions', {
      dao: 'nope',
      channel_id: channels.slack,
      events: ['proposal.created'],
    });
    expect(unknownDao.json().error.details[0].parameter).toBe('dao');
    // A delegate watch names its addresses: they are where the watch is kept.
    const watchesNobody = await post(user, '/subscriptions', {
      dao: 'test-dao',
      channel_id: channels.slack,
      events: ['delegate.not_voted'],
    });
    expect(watchesNobody.statusCode).toBe(400);
    expect(watchesNobody.json().error.details[0].parameter).toBe('options.addresses');

    const long = 'x'.repeat(10_000);
    const events = [
      testEvent({
        daoId,
        key: `proposal:1:created`,
        facts: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`fact ${i}`, long])),
      }),
      testEvent({ daoId, kind: 'proposal.ending', key: 'proposal:1:ending:24h', title: long, body: long }),
      testEvent({ daoId, kind: 'quorum.at_risk', key: 'proposal:1:quorum' }), // nobody asked for it
    ];
    // A transaction that rolls back queues nothing.
    await database.db
      .transaction(async (tx) => {
        await recordNotifications(tx, events);
        throw new Error('rolled back');
      })
      .catch(() => {});
    expect((await deliveryCounts(database.db)).pending).toBe(0);
    expect(await database.db.transaction((tx) => recordNotifications(tx, events))).toBe(10);
    expect(await database.db.transaction((tx) => recordNotifications(tx, events))).toBe(0);
    const started = Date.now();
    expect(await dispatcher.drain()).toBe(10);
    console.log(`[${target.kind}] 10 deliveries over 5 channels, event to delivery: ${Date.now() - started} ms`);
    expect(await dispatcher.drain()).toBe(0);
    expect(smtp.mails).toHaveLength(3);
    const mail = smtp.mails[2]!;
    expect(mail.to).toEqual(['alice@example.org']);
    expect(mail.raw).toMatch(/^Subject: /m);
    expect(mail.raw).toMatch(/^Message-ID: <dp_[0-9a-f]{32}@dao-portal\.invalid>/m);
    expect(mail.raw).toContain('portal.example.org/daos/test/proposals/1');
    expect(slackHook.hits.slice(1).map(slackProblems)).toEqual([[], []]);
    expect(discordHook.hits.slice(1).map(discordProblems)).toEqual([[], []]);
    expect(telegramApi.hits).toHaveLength(3);
    expect(hook.accepted.size).toBe(3);
    expect(hook.duplicates()).toBe(0);
    const body = JSON.parse(hook.hits.at(-1)!.body);
    expect(body).toMatchObject({ type: expect.stringMatching(/^proposal\./), data: { dao_id: daoId } });

    const failedRows = (await get(user, '/deliveries?status=failed')).json().data;
    expect(
      failedRows.map((d: { channel: { kind: string }; last_error: string }) => `${d.channel.kind}: ${d.last_error}`),
    ).toEqual([]);
    const mine = (await get(user, '/deliveries?status=sent')).json().data;
    expect(mine).toHaveLength(15);
    expect((await get(other, '/deliveries')).json().data).toHaveLength(0);
    expect((await get(other, '/deliveries?scope=all')).statusCode).toBe(403);
  });

  it('retries 429 after its Retry-After and 500 with backoff, and fails a 404 with the reason', async () => {
    const created = await post(user, '/channels', {
      name: 'flaky',
      kind: 'webhook',
      target: flaky.url,
      secret: 'a'.repeat(32),
    });
    const channelId = created.json().data.channel.id;
    await post(user, '/subscriptions', { dao: String(daoId), channel_id: channelId, events: ['proposal.outcome'] });
    flakyPlan = [{ status: 429, headers: { 'retry-after': '1' } }, { status: 500 }, { status: 200 }];
    await database.db.transaction((tx) =>
      recordNotifications(tx, [testEvent({ daoId, kind: 'proposal.outcome', key: 'proposal:1:outcome' })]),
    );
    const times: number[] = [];
    const deadline = Date.now() + 15_000;
    while (flaky.hits.length < 3 && Date.now() < deadline) {
      const before = flaky.hits.length;
      await dispatcher.drain();
      if (flaky.hits.length > before) times.push(Date.now());
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(flaky.hits).toHaveLength(3);
    // The 429 asked for a second (more than the 100 ms backoff); the 500 got the backoff (200 ms for a second retry).
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(950);
    const [delivery] = (await get(user, `/deliveries?channel_id=${channelId}`)).json().data;
    expect(delivery).toMatchObject({ status: 'sent', attempts: 3, last_status: 200 });

    flakyPlan = [{ status: 404 }];
    await database.db.transaction((tx) =>
      recordNotifications(tx, [testEvent({ daoId, kind: 'proposal.outcome', key: 'proposal:2:outcome' })]),
    );
    await dispatcher.drain();
    const [failed] = (await get(user, `/deliveries?channel_id=${channelId}&status=failed`)).json().data;
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, last_status: 404 });
    expect(failed.last_error).toMatch(/HTTP 404/);
  });

  it('signs webhooks so a receiver can verify them and refuse replays and tampering', () => {
    const body = '{"id":"x"}';
    const now = Math.floor(Date.now() / 1000);
    expect(verifySignature(sign('k'.repeat(20), body, now), body, 'k'.repeat(20), now)).toEqual({ ok: true });
    expect(verifySignature(sign('k'.repeat(20), body, now - 301), body, 'k'.repeat(20), now)).toMatchObject({
      ok: false,
      reason: /replay/,
    });
    expect(verifySignature(sign('k'.repeat(20), body, now), `${body} `, 'k'.repeat(20), now)).toMatchObject({
      ok: false,
      reason: /mismatch/,
    });
    expect(verifySignature(sign('other secret 1234', body, now), body, 'k'.repeat(20), now)).toMatchObject({
      ok: false,
    });
    // A real delivery replayed to the receiver after the window is refused by it.
    const delivered = hook.hits.find((h) => h.headers['x-dao-portal-signature'])!;
    const header = String(delivered.headers['x-dao-portal-signature']);
    const t = Number(/t=(\d+)/.exec(header)![1]);
    expect(verifySignature(header, delivered.body, webhookSecret, t + 60)).toEqual({ ok: true });
    expect(verifySignature(header, delivered.body, webhookSecret, t + 301)).toMatchObject({ ok: false });
  });

  it('routes operator alerts to the operator channels only, seen by admins', async () => {
    expect(
      (await post(user, '/channels', { name: 'ops', kind: 'webhook', target: hook.url, operator: true })).statusCode,
    ).toBe(403);
    const created = await post(admin, '/channels', {
      name: 'ops',
      kind: 'webhook',
      target: `${hook.url}/ops`,
      secret: webhookSecret,
      operator: true,
    });
    expect(created.statusCode, created.body).toBe(201);
    const alert = testEvent({
      kind: 'operator.alert',
      daoId: null,
      key: 'alert:error_rate:1',
      severity: 'critical',
      title: 'Error rate 7%',
    });
    expect(await database.db.transaction((tx) => recordNotifications(tx, [alert]))).toBe(1);
    expect(await database.db.transaction((tx) => recordNotifications(tx, [alert]))).toBe(0);
    await dispatcher.drain();
    expect(hook.hits.at(-1)!.url).toBe('/ops');
    const ops = (await get(admin, '/deliveries?scope=operator')).json().data;
    expect(ops.map((d: { event_key: string }) => d.event_key)).toContain('alert:error_rate:1');
    expect(
      (await get(user, '/deliveries')).json().data.some((d: { kind: string }) => d.kind === 'operator.alert'),
    ).toBe(false);
    expect((await get(user, '/deliveries?scope=operator')).statusCode).toBe(403);
  });

  it('deletes a channel: its subscriptions end and nothing more is queued for it', async () => {
    const del = await app.inject({
      method: 'DELETE',
      url: `/api/v1/notifications/channels/${channels.slack}`,
      headers: user.key,
    });
    expect(del.statusCode).toBe(200);
    expect(
      (await get(user, '/subscriptions'))
        .json()
        .data.some((s: { channel_id: number }) => s.channel_id === channels.slack),
    ).toBe(false);
    expect(
      await database.db.transaction((tx) => recordNotifications(tx, [testEvent({ daoId, key: 'proposal:9:created' })])),
    ).toBe(4);
    const [row] = await database.query<{ s: string | null }>(
      'select secret_sealed as s from notification_channels where id = $1',
      [channels.slack],
    );
    expect(row!.s).toBeNull();
    const sub = (await get(user, '/subscriptions')).json().data[0];
    const gone = await app.inject({
      method: 'DELETE',
      url: `/api/v1/notifications/subscriptions/${sub.id}`,
      headers: other.key,
    });
    expect(gone.statusCode).toBe(404);
  });
});
