import type { DaoRow } from '../db/queries/daos.ts';
import type { SourceStore, SourceTransaction } from '../db/source-store.ts';
import type { Logger } from '../logger/index.ts';
import type { LiveEvent, SourceName } from './live-event.ts';

export type { LiveEvent, SourceName } from './live-event.ts';

/**
 * The contract between the sync engine (src/sync) and the connectors (src/sources/*). A source
 * knows how to bring one DAO's data from one place up to date; the engine decides when, holds
 * the (DAO, source) lock, runs it in-process or on a BullMQ worker, and records the outcome in
 * `sync_state`. Sources never schedule themselves.
 */
export interface SyncSource {
  readonly name: SourceName;
  /** Whether this DAO has what the source needs (a Snapshot space, a Governor address, treasury addresses). */
  appliesTo(dao: DaoRow): boolean;
  /**
   * Brings the DAO up to date and returns what it did. Must be resumable and idempotent: the
   * cursor is saved only in the same transaction as the rows it covers (`tx.saveCursor(…)` inside
   * `ctx.transaction`), so a run killed at any point resumes without gaps or duplicates.
   */
  run(ctx: SyncContext): Promise<SyncOutcome>;
}

export interface SyncContext {
  dao: DaoRow;
  logger: Logger;
  /** Aborted when the process shuts down or the job is cancelled; stop at the next safe point. */
  signal: AbortSignal;
  /** The cursor saved by the last successful transaction of this (DAO, source), or {} on first run. */
  cursor: Record<string, unknown>;
  /** The source's statements (src/db/source-store.ts) outside any transaction: reads before a page is written. */
  store: SourceStore;
  /**
   * Runs `fn` in one transaction with the store bound to it. `tx.saveCursor` replaces the cursor
   * inside that transaction, so it commits together with the rows it covers (and not at all when
   * they roll back).
   */
  transaction<T>(fn: (tx: SourceTransaction) => Promise<T>): Promise<T>;
  /** Reports progress for the CLI bar and the status endpoint (`total` when known). */
  progress(done: number, total?: number): void;
  /** Announces stored changes to live-stream subscribers (after the transaction commits). */
  publish(event: LiveEvent): void;
}

export interface SyncOutcome {
  /** Rows inserted or changed; 0 on a run that found nothing new. */
  written: number;
  /** Items read from the remote side (votes, logs, balances), for throughput figures. */
  read: number;
  /** How far behind the remote head the DAO still is (seconds or blocks, per source), when known. */
  lag?: number;
  /** Source-specific facts worth showing in the status endpoint (e.g. requests made, last block). */
  details?: Record<string, unknown>;
}
