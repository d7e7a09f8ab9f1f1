import { randomUUID } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import type { Database } from '../db/index.ts';
import { type Claim, claimDeliveries, type DeliveryOutcome, markDelivery } from '../db/queries/notifications.ts';
import { type Logger, redisWarnings } from '../logger/index.ts';
import { alertDeliveries } from '../monitoring/prometheus.ts';
import { MAX_REDIRECTS } from '../net/outbound.ts';
import { closeWorker } from '../queue/close-worker.ts';
import { CHANNELS, type SendResult } from './channels/index.ts';
import { idempotencyKey, type Notifications } from './service.ts';

/**
 * Turns outbox rows into sent messages. Any number of dispatchers (threads of one process, worker
 * processes) may run against one database:
 * - a claim (FOR UPDATE SKIP LOCKED, committed before anything is sent) gives a row to one
 *   dispatcher with a random token and a lease; only the token's holder can mark it;
 * - a row whose lease lapsed without a mark (its dispatcher died, perhaps after sending) is
 *   claimed again and counted in `unknown_outcomes`: a webhook gets it again with the same
 *   idempotency-key (the receiver drops the repeat); email, Slack, Discord and Telegram, which
 *   cannot drop a repeat, get it again once at most (email with the same Message-ID), and a
 *   second unknown outcome is marked failed rather than risk more duplicates;
 * - failures are retried with exponential backoff (NOTIFY_BACKOFF_SECONDS, doubled each time),
 *   or when the remote side's Retry-After (429, 503) says, up to NOTIFY_ATTEMPTS tries.
 */

/** alert_deliveries_total{channel,outcome}: called once per recorded outcome (the metrics module hooks in here). */
export type DeliveryObserver = (channel: string, outcome: 'sent' | 'retry' | 'failed') => void;

export interface DispatcherOptions {
  /** Rows claimed at once (and sent concurrently). */
  batch?: number;
  /** How long a claim lasts; default: longer than the slowest send (timeout × hops) plus 30 s. */
  leaseMs?: number;
  /** Poll period of the in-process loop (default NOTIFY_POLL_SECONDS). */
  pollMs?: number;
  /** Delay before the first retry, in milliseconds (default NOTIFY_BACKOFF_SECONDS). */
  backoffMs?: number;
  /** Longest delay a Retry-After may impose (default 1 hour). */
  maxRetryAfterMs?: number;
  observe?: DeliveryObserver;
  /** Test hook: runs after a send returned and before its outcome is recorded. */
  afterSend?: (claim: Claim, result: SendResult) => Promise<void> | void;
}

/** By default each outcome counts in Prometheus' `alert_deliveries_total{channel,outcome}`. */
const countDelivery: DeliveryObserver = (channel, outcome) => alertDeliveries.inc({ channel, outcome });

/** Sends that may be repeated after an unknown outcome, for channels whose receivers cannot drop a repeat. */
export const MAX_UNKNOWN_RESENDS = 1;

export class Dispatcher {
  private readonly batch: number;
  readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly backoffMs: number;
  private readonly maxRetryAfterMs: number;
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<number> | undefined;
  private again = false;
  private stopped = false;
  private started = false;
  private queue: Queue | undefined;
  private worker: Worker | undefined;

  constructor(
    private readonly database: Database,
    private readonly notifications: Notifications,
    private readonly logger: Logger,
    private readonly options: DispatcherOptions = {},
  ) {
    const config = notifications.config;
    this.batch = options.batch ?? 10;
    this.leaseMs = options.leaseMs ?? config.timeoutSeconds * 1000 * (MAX_REDIRECTS + 1) + 30_000;
    this.pollMs = options.pollMs ?? config.pollSeconds * 1000;
    this.backoffMs = options.backoffMs ?? config.backoffSeconds * 1000;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 3_600_000;
  }

  /** Sends every due delivery (claiming batch after batch until none is due); returns how many were handled. */
  drain(): Promise<number> {
    if (this.draining) {
      this.again = true;
      return this.draining;
    }
    const run = async () => {
      let handled = 0;
      do {
        this.again = false;
        for (;;) {
          if (this.stopped) return handled;
          const claims = await claimDeliveries(this.database.db, randomUUID(), this.batch, this.leaseMs);
          if (!claims.length) break;
          await Promise.all(claims.map((claim) => this.deliver(claim)));
          handled += claims.length;
        }
      } while (this.again && !this.stopped);
      return handled;
    };
    this.draining = run().finally(() => {
      this.draining = undefined;
    });
    return this.draining;
  }

  /** Claims and sends one delivery now (the channel test), returning what became of it. */
  async deliverNow(id: number): Promise<void> {
    const [claim] = await claimDeliveries(this.database.db, randomUUID(), 1, this.leaseMs, id);
    if (claim) await this.deliver(claim);
  }

  private async deliver(claim: Claim): Promise<void> {
    const channel = CHANNELS[claim.channelKind];
    const attempts = this.notifications.config.attempts;
    let outcome: DeliveryOutcome;
    let result: SendResult | undefined;
    if (!claim.secretSealed) {
      outcome = { kind: 'failed', status: null, error: 'channel deleted' };
    } else if (!channel.dedupes && claim.unknownOutcomes > MAX_UNKNOWN_RESENDS) {
      outcome = {
        kind: 'failed',
        status: null,
        error: `a sender stopped during ${claim.unknownOutcomes} sends before recording them; not sent again, since ${claim.channelKind} cannot drop a repeat`,
      };
    } else if (claim.attempts > attempts) {
      outcome = { kind: 'failed', status: null, error: `gave up after ${attempts} attempts` };
    } else {
      try {
        const destination = this.notifications.open(claim.secretSealed);
        result = await channel.send(claim.event, destination, {
          outbound: this.notifications.outbound,
          config: this.notifications.config,
          idempotencyKey: idempotencyKey(claim.target, claim.eventKey),
        });
      } catch (error) {
        result = { ok: false, retryable: false, status: null, error: `could not send: ${(error as Error).message}` };
      }
      await this.options.afterSend?.(claim, result);
      outcome = this.outcomeOf(claim, result, attempts);
    }
    const marked = await markDelivery(this.database.db, claim.id, claim.claimToken, outcome);
    if (!marked) {
      this.logger.warn({ delivery: claim.id }, 'notification: the claim lapsed before its outcome was recorded');
      return;
    }
    (this.options.observe ?? countDelivery)(claim.channelKind, outcome.kind);
    const log = { delivery: claim.id, channel: claim.channelKind, key: claim.eventKey, attempt: claim.attempts };
    if (outcome.kind === 'sent') this.logger.debug(log, 'notification sent');
    else this.logger.warn({ ...log, error: outcome.error, status: outcome.status }, `notification ${outcome.kind}`);
  }

  private outcomeOf(claim: Claim, result: SendResult, attempts: number): DeliveryOutcome {
    if (result.ok) return { kind: 'sent', status: result.status };
    if (!result.retryable || claim.attempts >= attempts)
      return {
        kind: 'failed',
        status: result.status,
        error: result.retryable ? `${result.error} (after ${claim.attempts} attempts)` : result.error,
      };
    const backoff = this.backoffMs * 2 ** (claim.attempts - 1);
    const delay =
      result.retryAfterMs !== undefined ? Math.min(Math.max(result.retryAfterMs, 0), this.maxRetryAfterMs) : backoff;
    return { kind: 'retry', at: new Date(Date.now() + delay), status: result.status, error: result.error };
  }

  /**
   * Asks for a pass now (this process has just committed new outbox rows), so they need not wait
   * for the next poll. With BullMQ: a job on the queue, which whichever worker is free takes (this
   * process's, or a `dao-portal worker`'s). Each wake is its own job: a fixed job id would be
   * dropped while a pass with that id is still active, though that pass may have claimed before
   * the rows committed. In-process: a pass here, only once start() has run (a process that does
   * not send, SYNC_WORKER=false without Redis, leaves the rows to the one that does).
   */
  wake(): void {
    if (this.stopped) return;
    if (this.queue) {
      this.queue
        .add('dispatch', {}, { removeOnComplete: true, removeOnFail: { count: 50 } })
        .catch((error) => this.logger.warn({ err: error }, 'notification queue: could not add a pass'));
    } else if (this.started)
      void this.drain().catch((error) => this.logger.error({ err: error }, 'notification pass failed'));
  }

  /** In-process: a pass every poll period. */
  start(): void {
    this.started = true;
    const tick = () => {
      this.drain()
        .catch((error) => this.logger.error({ err: error }, 'notification pass failed'))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.pollMs);
        });
    };
    tick();
  }

  /**
   * With Redis: a BullMQ job scheduler runs a pass every poll period on whichever worker takes it
   * (`schedule`: serve; `work`: serve unless SYNC_WORKER=false, and `dao-portal worker`). The rows'
   * claims, not BullMQ, decide who sends what, so passes overlapping across workers are harmless.
   */
  async startQueue(options: { redisUrl: string; prefix: string; schedule: boolean; work: boolean }): Promise<void> {
    this.queue = new Queue('notify', { connection: { url: options.redisUrl }, prefix: options.prefix });
    this.queue.on('error', redisWarnings(this.logger, 'the notification queue').failed);
    if (options.schedule)
      await this.queue.upsertJobScheduler(
        'notify-dispatch',
        { every: this.pollMs },
        { name: 'dispatch', data: {}, opts: { removeOnComplete: true, removeOnFail: { count: 50 } } },
      );
    if (options.work) {
      this.worker = new Worker('notify', async () => ({ handled: await this.drain() }), {
        connection: { url: options.redisUrl },
        prefix: options.prefix,
        concurrency: 1,
      });
      this.worker.on('error', redisWarnings(this.logger, 'the notification worker').failed);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.worker) await closeWorker(this.worker);
    await this.queue?.close();
    await this.draining?.catch(() => {});
  }
}
