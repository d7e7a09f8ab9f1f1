import { Type } from '@sinclair/typebox';
import { NOTIFICATION_KINDS } from '../../db/notification-event.ts';
import { CHANNEL_KINDS, DELIVERY_STATUSES } from '../../db/queries/notifications.ts';
import { Nullable, StringEnum, TextParam, Timestamp } from './common.ts';

/** Notification channels, subscriptions and deliveries (src/api/routes/notifications.ts). */
export const ChannelKind = StringEnum(CHANNEL_KINDS);
export const EventKind = StringEnum(NOTIFICATION_KINDS);
/** What a user may subscribe to (operator alerts go to the operator channels, not to subscriptions). */
export const SUBSCRIBABLE = NOTIFICATION_KINDS.filter((k) => k !== 'operator.alert');
export const SubscribableKind = StringEnum(SUBSCRIBABLE);
export const DeliveryStatus = StringEnum(DELIVERY_STATUSES);

export const NewChannelBody = Type.Object(
  {
    name: TextParam({ minLength: 1, maxLength: 100 }),
    kind: ChannelKind,
    target: TextParam({
      minLength: 1,
      maxLength: 2000,
      description:
        'email: an address; slack, discord, webhook: the webhook URL (http or https, to a public address unless OUTBOUND_ALLOW admits it); telegram: a chat id or @channel',
    }),
    secret: Type.Optional(
      TextParam({
        minLength: 1,
        maxLength: 500,
        description:
          'webhook: the HMAC-SHA256 key (at least 16 characters; generated and returned once when absent); telegram: a bot token (else TELEGRAM_BOT_TOKEN)',
      }),
    ),
    operator: Type.Optional(
      Type.Boolean({ description: 'An operator channel (admins only): receives the operator alerts', default: false }),
    ),
  },
  { additionalProperties: false },
);

export const Channel = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  kind: ChannelKind,
  target_hint: Type.String({ description: 'The target without its token (the target itself is never returned)' }),
  secret_hint: Nullable(Type.String({ description: "The secret's last characters, or null" })),
  operator: Type.Boolean(),
  origin: StringEnum(['api', 'env'], { description: "'env': from ALERT_CHANNELS" }),
  owner_id: Nullable(Type.Integer()),
  created_at: Timestamp,
});

export const NewChannel = Type.Object({
  channel: Channel,
  secret: Nullable(Type.String({ description: 'A generated webhook secret: shown this once, never again' })),
});

export const NewSubscriptionBody = Type.Object(
  {
    dao: TextParam({ minLength: 1, maxLength: 200, description: 'The DAO: numeric id or slug' }),
    channel_id: Type.Integer({ minimum: 1, maximum: 2 ** 31 - 1 }),
    events: Type.Array(SubscribableKind, { minItems: 1, maxItems: SUBSCRIBABLE.length, uniqueItems: true }),
    options: Type.Optional(
      Type.Object(
        {
          addresses: Type.Optional(
            Type.Array(Type.String({ pattern: '^0x[0-9a-fA-F]{40}$' }), {
              maxItems: 100,
              description:
                'Watched addresses (the only place a watch is kept): delegate.not_voted tells of these; required with it',
            }),
          ),
          hours: Type.Optional(
            Type.Integer({
              minimum: 1,
              maximum: 24 * 30,
              description: 'proposal.ending / delegate.not_voted: hours before the end',
            }),
          ),
          threshold: Type.Optional(
            Type.String({
              pattern: '^[0-9]+(\\.[0-9]+)?$',
              maxLength: 80,
              description: 'treasury.outflow: the amount (USD)',
            }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const Subscription = Type.Object({
  id: Type.Integer(),
  dao: Type.Object({ id: Type.Integer(), slug: Type.String() }),
  channel_id: Type.Integer(),
  events: Type.Array(EventKind),
  options: Type.Record(Type.String(), Type.Unknown()),
  created_at: Timestamp,
});

export const DeliveriesQuery = Type.Object(
  {
    status: Type.Optional(DeliveryStatus),
    channel_id: Type.Optional(Type.Integer({ minimum: 1, maximum: 2 ** 31 - 1 })),
    scope: Type.Optional(
      StringEnum(['own', 'operator', 'all'], {
        description: 'own (default): yours; operator, all: the operator alerts, every delivery (admins)',
      }),
    ),
    before: Type.Optional(
      Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Deliveries older than this id' }),
    ),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  },
  { additionalProperties: false },
);

export const Delivery = Type.Object({
  id: Type.Integer(),
  kind: EventKind,
  event_key: Type.String(),
  channel: Type.Object({ id: Type.Integer(), name: Type.String(), kind: ChannelKind }),
  subscription_id: Nullable(Type.Integer()),
  dao_id: Nullable(Type.Integer()),
  title: Type.String(),
  url: Nullable(Type.String()),
  severity: StringEnum(['info', 'warning', 'critical', 'resolved']),
  status: DeliveryStatus,
  attempts: Type.Integer(),
  unknown_outcomes: Type.Integer({ description: 'Sends whose sender stopped before recording them' }),
  next_attempt_at: Nullable(Timestamp),
  last_status: Nullable(Type.Integer({ description: 'The last HTTP (or SMTP) status' })),
  last_error: Nullable(Type.String()),
  created_at: Timestamp,
  sent_at: Nullable(Timestamp),
});

export const ChannelId = Type.Object(
  { id: Type.Integer({ minimum: 1, maximum: 2 ** 31 - 1 }) },
  { additionalProperties: false },
);
