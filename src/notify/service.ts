import { createHash, randomUUID } from 'node:crypto';
import { SecretBox } from '../auth/secrets.ts';
import type { NotifyConfig } from '../config/index.ts';
import type { Database } from '../db/index.ts';
import type { NotificationEvent } from '../db/notification-event.ts';
import { appSecret } from '../db/queries/accounts.ts';
import * as store from '../db/queries/notifications.ts';
import { NotFoundError, OutboundRefusedError } from '../errors.ts';
import { Outbound, type OutboundOptions } from '../net/outbound.ts';
import { CHANNELS, type Destination } from './channels/index.ts';

const SECRETS_KEY_NAME = 'secrets_key';

export interface NewChannelInput {
  name: string;
  kind: store.ChannelKind;
  target: string;
  secret?: string | undefined;
}

/**
 * Channels and what they hold: a target checked by its channel (and the SSRF rules) before it is
 * stored, sealed with its secret under SECRETS_KEY, and opened only to send. The API, the
 * dispatcher and the CLI each hold one.
 */
export class Notifications {
  private constructor(
    readonly database: Database,
    readonly config: NotifyConfig,
    readonly box: SecretBox,
    readonly outbound: Outbound,
  ) {}

  /**
   * The key is SECRETS_KEY, or (outside production, where the configuration refuses it unset) a
   * random one generated once and kept in the database, as the session signing key is.
   */
  static async open(
    database: Database,
    config: NotifyConfig,
    outbound: Partial<OutboundOptions> = {},
  ): Promise<Notifications> {
    const secret =
      config.secretsKey ?? (await appSecret(database.db, SECRETS_KEY_NAME, () => randomUUID() + randomUUID()));
    return new Notifications(
      database,
      config,
      new SecretBox(secret),
      new Outbound({ allow: config.outboundAllow, timeoutMs: config.timeoutSeconds * 1000, ...outbound }),
    );
  }

  /** Checks and stores a channel; `generatedSecret` (a webhook created without one) is returned this once. */
  async createChannel(
    ownerUserId: number | null,
    input: NewChannelInput,
  ): Promise<{ channel: store.ChannelRow; generatedSecret: string | undefined }> {
    const checked = await CHANNELS[input.kind].check(
      { target: input.target, secret: input.secret },
      { outbound: this.outbound, config: this.config },
    );
    const channel = await store.insertChannel(this.database.db, {
      ownerUserId,
      name: input.name,
      kind: input.kind,
      targetHint: checked.targetHint,
      secretSealed: this.seal({ target: input.target, secret: checked.secret }),
      secretHint: checked.secretHint,
    });
    return { channel, generatedSecret: checked.generatedSecret };
  }

  /**
   * Makes the ALERT_CHANNELS operator channels match the configuration. An entry the channel
   * refuses (a webhook URL the SSRF rules refuse) stops start-up naming the variable.
   */
  async syncEnvChannels(): Promise<void> {
    const wanted: Parameters<typeof store.syncEnvChannels>[1] = [];
    for (const [i, entry] of this.config.alertChannels.entries()) {
      let checked: Awaited<ReturnType<(typeof CHANNELS)['email']['check']>>;
      try {
        checked = await CHANNELS[entry.kind].check(
          { target: entry.target, secret: entry.secret },
          { outbound: this.outbound, config: this.config },
        );
      } catch (error) {
        if (error instanceof OutboundRefusedError)
          throw new OutboundRefusedError(`entry ${i + 1} (${entry.kind}): ${error.reason}`, 'ALERT_CHANNELS');
        throw error;
      }
      // Only a fingerprint (a hash under the key) is compared, so an unchanged entry is not re-sealed.
      const fingerprint = createHash('sha256')
        .update(`${this.box.keyId}\n${entry.kind}\n${entry.target}\n${checked.secret ?? ''}`)
        .digest('hex')
        .slice(0, 16);
      wanted.push({
        name: `ALERT_CHANNELS ${i + 1}`,
        kind: entry.kind,
        targetHint: checked.targetHint,
        fingerprint,
        seal: () => this.seal({ target: entry.target, secret: checked.secret }),
      });
    }
    await this.database.db.transaction((tx) => store.syncEnvChannels(tx, wanted));
  }

  /** A channel the caller may use: their own (ownerUserId), or an operator channel (null, for admins). */
  async ownChannel(id: number, ownerUserId: number | null | 'any'): Promise<store.ChannelRow> {
    const channel = await store.getChannel(this.database.db, id);
    if (!channel || (ownerUserId !== 'any' && channel.ownerUserId !== ownerUserId))
      throw new NotFoundError('channel', id);
    return channel;
  }

  seal(destination: Destination): string {
    return this.box.seal(JSON.stringify(destination));
  }

  open(sealed: string): Destination {
    const value = JSON.parse(this.box.open(sealed)) as { target: string; secret?: string | null };
    return { target: value.target, secret: value.secret ?? undefined };
  }

  /** A test message for one channel, queued under a key of its own (each test is a new delivery). */
  async queueTest(channel: store.ChannelRow): Promise<store.DeliveryRow> {
    const event: NotificationEvent = {
      kind: channel.operator ? 'operator.alert' : 'proposal.created',
      daoId: null,
      key: `test:${channel.id}:${randomUUID()}`,
      title: `DAO Portal test message for "${channel.name}"`,
      body: 'If you can read this, the channel works: notifications you subscribe to arrive here.',
      url: null,
      severity: 'info',
      facts: { channel: channel.name, kind: channel.kind },
      occurredAt: new Date(),
    };
    return store.queueChannelTest(this.database.db, channel, event);
  }
}

/** The key a delivery is sent with, the same on every try: derived from its unique (target, event key). */
export const idempotencyKey = (target: string, eventKey: string) =>
  `dp_${createHash('sha256').update(`${target}\n${eventKey}`).digest('hex').slice(0, 32)}`;
