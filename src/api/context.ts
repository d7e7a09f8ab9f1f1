import type { FastifyRequest } from 'fastify';
import type { AiService } from '../ai/service.ts';
import type { Accounts } from '../auth/accounts.ts';
import type { Database, Db } from '../db/index.ts';
import type { EnsNames } from '../ens/names.ts';
import type { Monitoring } from '../monitoring/index.ts';
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
  /** AI analyses: providers, stored results and the analysis jobs. */
  ai: AiService;
  /** Notification channels (sealed secrets, the SSRF-checked outbound client). */
  notifications: Notifications;
  /** Sends deliveries; the routes use it for a channel's test message. */
  dispatcher: Dispatcher;
  /** ENS names of addresses (null everywhere without an Ethereum RPC). */
  ens: EnsNames;
  /** Health probes, request figures and the Prometheus registry of this process. */
  monitoring: Monitoring;
  /** Open live streams allowed, in all and per client address (default STREAM_LIMITS; tests lower them). */
  streamLimits?: { total: number; perClient: number };
}

/**
 * The database a route reads from for this request: the replica (Database.reader) for a GET
 * that may see data a moment old, the primary for writes and for a caller reading its own recent
 * writes (src/api/read-routing.ts decides which).
 */
export function readDb(database: Database, request: FastifyRequest): Db {
  return request.readsFromPrimary ? database.db : database.reader;
}

/** Which database readDb chose: caches keep the primary's and the replica's answers apart (the replica may lag). */
export function readSource(database: Database, db: Db): 'primary' | 'reader' {
  return db === database.db ? 'primary' : 'reader';
}
