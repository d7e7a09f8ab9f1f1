/**
 * Something worth telling someone: produced by the governance detectors and the operator alert rules,
 * turned into one outbox row per matching subscription (or operator channel) in the caller's
 * transaction, and delivered exactly once per (subscription, key).
 * It lives in src/db because the outbox and the event ledger store exactly this shape, and the
 * database layer imports nothing above it; src/notify and src/alerts produce it.
 */
export const NOTIFICATION_KINDS = [
  'proposal.created',
  'proposal.ending',
  'quorum.at_risk',
  'delegate.not_voted',
  'proposal.outcome',
  'treasury.outflow',
  'operator.alert',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export interface NotificationEvent {
  kind: NotificationKind;
  /** The DAO's id (daos.id); null for operator alerts. */
  daoId: number | null;
  /** Stable across re-evaluations, so the same fact is delivered once: e.g. `proposal:42:ending:24h`. */
  key: string;
  title: string;
  /** Plain text; channels format it for their medium. */
  body: string;
  /** The portal page this is about (absolute when PUBLIC_URL is set, else a path). */
  url: string | null;
  severity: 'info' | 'warning' | 'critical' | 'resolved';
  /** The figures the message states, for channels that render fields (Slack, Discord, webhook JSON). */
  facts: Record<string, string | number | null>;
  occurredAt: Date;
  /**
   * Which of the kind's subscribers this event is for, when it was detected for one value of a
   * subscription option (`hours` of proposal.ending and delegate.not_voted, `threshold` of
   * treasury.outflow): those whose option equals `value` (compared as numbers), and, when `value`
   * is the configured default, those that set none. Absent: every subscriber to the kind.
   */
  audience?: NotificationAudience;
}

export interface NotificationAudience {
  option: 'hours' | 'threshold';
  /** The option's value as a decimal string. */
  value: string;
  /** Whether subscriptions without the option (which get the configured default) are included. */
  orUnset: boolean;
}
