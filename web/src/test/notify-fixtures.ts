import type { Delivery, NotificationChannel, NotificationSubscription, OperatorAlert } from '../api/types.ts';

/** API answers of the notification routes, as the server shapes them. */
export const channel = (over: Partial<NotificationChannel> = {}): NotificationChannel => ({
  id: 3,
  name: 'Ops hook',
  kind: 'webhook',
  target_hint: 'https://hooks.example.org/…',
  secret_hint: '…a1b2',
  operator: false,
  origin: 'api',
  owner_id: 7,
  created_at: '2026-11-01T10:00:00.000Z',
  ...over,
});

export const delivery = (over: Partial<Delivery> = {}): Delivery => ({
  id: 41,
  kind: 'proposal.created',
  event_key: 'test:3:1',
  channel: { id: 3, name: 'Ops hook', kind: 'webhook' },
  subscription_id: null,
  dao_id: null,
  title: 'Test message from DAO Portal',
  url: null,
  severity: 'info',
  status: 'sent',
  attempts: 1,
  unknown_outcomes: 0,
  next_attempt_at: null,
  last_status: 200,
  last_error: null,
  created_at: '2026-11-01T10:00:00.000Z',
  sent_at: '2026-11-01T10:00:01.000Z',
  ...over,
});

export const subscription = (over: Partial<NotificationSubscription> = {}): NotificationSubscription => ({
  id: 9,
  dao: { id: 1, slug: 'ens' },
  channel_id: 3,
  events: ['proposal.created'],
  options: {},
  created_at: '2026-11-01T10:00:00.000Z',
  ...over,
});

export const alert = (over: Partial<OperatorAlert> = {}): OperatorAlert => ({
  rule: 'error_rate',
  subject: 'http',
  status: 'firing',
  level: 'critical',
  summary: '5xx share 7.5% of 40 requests (critical > 5%)',
  facts: {},
  episode: 1,
  started_at: '2026-11-01T10:00:00.000Z',
  changed_at: '2026-11-01T10:00:00.000Z',
  resolved_at: null,
  notified_level: 'critical',
  notified_at: '2026-11-01T10:00:00.000Z',
  ...over,
});

/** A 400 in the API's error envelope naming one body field. */
export const refused = (parameter: string, message: string) => ({
  status: 400,
  body: {
    status: 'error',
    error: {
      code: 'VALIDATION_ERROR',
      message: `${parameter}: ${message}`,
      details: [{ in: 'body', parameter, message }],
    },
  },
});
