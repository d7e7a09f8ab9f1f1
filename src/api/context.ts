import type { AiService } from '../ai/service.ts';
import type { Accounts } from '../auth/accounts.ts';
import type { Database } from '../db/index.ts';
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
  /** AI analyses: providers, stored results and the analysis jobs. */
  ai: AiService;
  /** Open live streams allowed, in all and per client address (default STREAM_LIMITS; tests lower them). */
  streamLimits?: { total: number; perClient: number };
}
