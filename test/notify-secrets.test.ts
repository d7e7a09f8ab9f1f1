import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../src/auth/secrets.ts';
import { listChannels, recordNotifications } from '../src/db/queries/notifications.ts';
import { Notifications } from '../src/notify/service.ts';
import { databaseTargets, type TestDatabase } from './helpers/db.ts';
import { testEvent, testNotifyConfig } from './helpers/notify.ts';

describe('secrets at rest', () => {
  it('seals with AES-256-GCM: a fresh IV each time, tampering and another key refused', () => {
    const box = new SecretBox('a'.repeat(32));
    const a = box.seal('https://hooks.slack.com/services/T/B/secret');
    const b = box.seal('https://hooks.slack.com/services/T/B/secret');
    expect(a).not.toBe(b);
    expect(a).not.toContain('secret');
    expect(box.open(a)).toBe('https://hooks.slack.com/services/T/B/secret');
    const parts = a.split('.');
    const flipped = Buffer.from(parts[4]!, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    expect(() => box.open([...parts.slice(0, 4), flipped.toString('base64url')].join('.'))).toThrow();
    expect(() => new SecretBox('b'.repeat(32)).open(a)).toThrow(/another SECRETS_KEY/);
  });
});

describe.each(databaseTargets())('operator channels from ALERT_CHANNELS ($kind)', (target) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await target.open();
  });
  afterAll(async () => {
    await database?.destroy();
  });

  it('keeps the env channels in line with the variable and routes operator alerts to them', async () => {
    const env = (list: string) =>
      Notifications.open(database, testNotifyConfig({ ALERT_CHANNELS: list, SMTP_URL: 'smtp://127.0.0.1:25' }));
    await (await env('slack:http://127.0.0.1:9/services/T/B/tok, email:ops@example.org')).syncEnvChannels();
    await (await env('slack:http://127.0.0.1:9/services/T/B/tok, email:ops@example.org')).syncEnvChannels();
    let live = await listChannels(database.db, null);
    expect(live.map((c) => [c.origin, c.kind, c.name])).toEqual([
      ['env', 'slack', 'ALERT_CHANNELS 1'],
      ['env', 'email', 'ALERT_CHANNELS 2'],
    ]);
    const alert = testEvent({ kind: 'operator.alert', daoId: null, key: 'alert:disk:1', severity: 'warning' });
    expect(await database.db.transaction((tx) => recordNotifications(tx, [alert]))).toBe(2);
    // A changed entry is replaced, a removed one deleted.
    await (await env('slack:http://127.0.0.1:9/services/T/B/other')).syncEnvChannels();
    live = await listChannels(database.db, null);
    expect(live.map((c) => c.kind)).toEqual(['slack']);
    expect(live[0]!.id).not.toBe(1);
    // An entry the SSRF rules refuse stops start-up naming the variable.
    const refused = await Notifications.open(
      database,
      testNotifyConfig({ OUTBOUND_ALLOW: '', ALERT_CHANNELS: 'webhook:http://169.254.169.254/x|0123456789abcdef' }),
    );
    await expect(refused.syncEnvChannels()).rejects.toThrow(/^ALERT_CHANNELS: entry 1 \(webhook\): .*linkLocal/);
  });
});
