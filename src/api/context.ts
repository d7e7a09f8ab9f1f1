import type { Accounts } from '../auth/accounts.ts';
import type { Database } from '../db/index.ts';
import type { Dispatcher } from '../notify/dispatcher.ts';
import type { Notifications } from '../notify/service.ts';
import type { SyncEngine } from '../sync/engine.ts';

/**
 * What every route plugin is handed: the one shared context of the API (Fastify registers each
 * plugin with it). It lives in its own module so routes depend on it, never on the server that
 * registers them.
 */
export interface ApiContext {
  database: Database;
  /** Live events, sync jobs and the active runner (which schedules first syncs of new DAOs). */
  sync: SyncEngine;
  streamHeartbeatMs: number;
  /** Users, sessions, API keys and the audit log. */
  accounts: Accounts;
  /** Notification channels (sealed secrets, the SSRF-checked outbound client). */
  notifications: Notifications;
  /** Sends deliveries; the routes use it for a channel's test message. */
  dispatcher: Dispatcher;
  /** Open live streams allowed, in all and per client address (default STREAM_LIMITS; tests lower them). */
  streamLimits?: { total: number; perClient: number };
}
