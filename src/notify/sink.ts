import type { Tx } from '../db/index.ts';
import type { NotificationEvent } from '../db/notification-event.ts';
import type { Logger } from '../logger/index.ts';

/**
 * Where decided events go: called inside the transaction that recorded them in the ledger
 * (notification_events), so the delivery side writes its outbox rows atomically with the
 * decision (`recordNotifications(tx, events)` of the delivery engine has this shape). Events
 * handed here are new: each key reaches a sink once.
 */
export type NotificationSink = (tx: Tx, events: NotificationEvent[]) => Promise<void>;

/** A sink that only logs, for a process without a delivery engine: the ledger keeps the events. */
export function loggingSink(logger: Pick<Logger, 'info' | 'warn' | 'error'>): NotificationSink {
  return async (_tx, events) => {
    for (const e of events) {
      const level = e.severity === 'critical' ? 'error' : e.severity === 'warning' ? 'warn' : 'info';
      logger[level]({ notification: e.kind, key: e.key, dao_id: e.daoId, url: e.url }, e.title);
    }
  };
}

/** Absolute when PUBLIC_URL is set, else the path. */
export const portalLink = (publicUrl: string | undefined, path: string) => `${publicUrl ?? ''}${path}`;
