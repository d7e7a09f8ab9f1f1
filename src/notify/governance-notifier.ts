import type { Config } from '../config/index.ts';
import type { Database } from '../db/index.ts';
import type { NotificationEvent } from '../db/notification-event.ts';
import {
  claimEvents,
  daoIdBySlug,
  daoNames,
  daosToSweep,
  lateVoteProfiles,
  proposalsForNotice,
  subscribedOptionValues,
  treasuryWindowBalances,
  votedAmong,
  type WatchedAddress,
  watchedAddresses,
} from '../db/queries/notifications.ts';
import type { Logger } from '../logger/index.ts';
import { type LateVoteCurve, lateVoteCurve } from '../metrics/quorum-projection.ts';
import type { EventBus } from '../sync/events.ts';
import type { LiveEvent } from '../sync/types.ts';
import { detectGovernance } from './detectors/governance.ts';
import { type OptionValue, optionValueOf, optionValues } from './detectors/option-values.ts';
import { detectOutflow } from './detectors/treasury.ts';
import type { NotificationSink } from './sink.ts';

/** Per DAO: the watched addresses grouped by the `hours` value they are watched with (the default where a subscription sets none). */
function watchedByHours(rows: WatchedAddress[], fallback: number) {
  const map = new Map<number, Map<string, { hours: OptionValue; addresses: string[] }>>();
  for (const w of rows) {
    const hours = optionValueOf(fallback, w.hours === undefined ? undefined : String(w.hours));
    const byHours = map.get(w.daoId) ?? new Map<string, { hours: OptionValue; addresses: string[] }>();
    map.set(w.daoId, byHours);
    const group = byHours.get(hours.text) ?? { hours, addresses: [] };
    byHours.set(hours.text, group);
    if (!group.addresses.includes(w.address)) group.addresses.push(w.address);
  }
  return new Map([...map].map(([daoId, byHours]) => [daoId, [...byHours.values()]]));
}

export interface GovernanceNotifierOptions {
  database: Database;
  sink: NotificationSink;
  config: Pick<Config, 'governanceNotify' | 'publicUrl'>;
  logger: Logger;
  /** The clock (tests set it relative to the data). */
  now?: () => Date;
  /**
   * Called with the new events once the transaction that recorded them (and queued their
   * deliveries) has committed: serve wakes the dispatcher here, so a delivery need not wait for
   * its next poll. Never called before the commit, nor for a run that recorded nothing.
   */
  onCommitted?: (events: NotificationEvent[]) => void;
  /** Delay between a live event and the detection it triggers, so a page of events makes one run (ms). */
  debounceMs?: number;
}

/**
 * Governance notifications from what sync and import store: a live event (a proposal created or
 * updated, a sync finished) runs the detectors for its DAO at once, and a sweep every
 * NOTIFY_SWEEP_SECONDS runs them for every DAO with something open or recent, for the facts that
 * time alone makes true (ending soon, not voted, quorum at risk, outcome) and for imports, which
 * publish no live events. Decisions are pure (src/notify/detectors); each new fact is recorded in
 * the ledger and handed to the sink in one transaction, once.
 */
export class GovernanceNotifier {
  private timer: NodeJS.Timeout | undefined;
  private dirty = new Set<number>();
  private debounce: NodeJS.Timeout | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(private readonly options: GovernanceNotifierOptions) {}

  private now() {
    return this.options.now?.() ?? new Date();
  }

  /** Runs the detectors for these DAOs (all with something open or recent when omitted); returns the new events. */
  detect(daoIds?: number[]): Promise<NotificationEvent[]> {
    // One run at a time per process: a sweep and a live event never decide the same fact at once here
    // (across processes the ledger's unique key does it).
    const run = this.chain.then(() => this.detectNow(daoIds));
    this.chain = run.catch(() => {});
    return run;
  }

  private async detectNow(daoIds?: number[]): Promise<NotificationEvent[]> {
    const { database, config } = this.options;
    const db = database.db;
    const cfg = config.governanceNotify;
    const now = this.now();
    const ids = daoIds ?? (await daosToSweep(db, now, cfg.lookbackHours, cfg.outflowWindowHours));
    if (!ids.length) return [];
    const proposals = await proposalsForNotice(db, now, cfg.lookbackHours, ids);
    // Per DAO, each fact is decided once per distinct option value its live subscriptions set
    // (and for the default), and told only to the subscriptions with that value.
    const watchedRows = await watchedAddresses(db, ids);
    const watched = watchedByHours(watchedRows, cfg.notVotedHours);
    const asked = await subscribedOptionValues(db, ids);
    const askedFor = (daoId: number, kind: string) =>
      asked.filter((a) => a.daoId === daoId && a.kind === kind).map((a) => a.value);
    const endingHours = new Map(
      [...new Set(asked.map((a) => a.daoId))].map((daoId) => [
        daoId,
        optionValues(cfg.endingHours, askedFor(daoId, 'proposal.ending')),
      ]),
    );
    const t = now.getTime();
    const active = proposals.filter((p) => p.start.getTime() <= t && t < p.end.getTime());
    const voted = await votedAmong(
      db,
      active.map((p) => p.id),
      [...new Set(watchedRows.map((w) => w.address))],
    );
    const curves = new Map<number, LateVoteCurve | null>();
    for (const daoId of new Set(active.filter((p) => p.quorum !== null).map((p) => p.daoId)))
      curves.set(daoId, lateVoteCurve(await lateVoteProfiles(db, daoId, now, cfg.curveProposals)));
    const events = detectGovernance({
      now,
      proposals,
      endingHours,
      watched,
      voted,
      curves,
      options: cfg,
      publicUrl: config.publicUrl,
    });

    const windowStart = new Date(t - cfg.outflowWindowHours * 3600_000);
    const balances = await treasuryWindowBalances(db, ids, windowStart, now);
    const names = await daoNames(db, [...new Set(balances.map((b) => b.daoId))]);
    for (const [daoId, dao] of names) {
      for (const threshold of optionValues(cfg.outflowUsd, askedFor(daoId, 'treasury.outflow'))) {
        const outflow = detectOutflow({
          now,
          daoId,
          daoSlug: dao.slug,
          daoName: dao.name,
          balances: balances.filter((b) => b.daoId === daoId),
          options: cfg,
          threshold,
          publicUrl: config.publicUrl,
        });
        if (outflow) events.push(outflow);
      }
    }

    const fresh = await db.transaction(async (tx) => {
      const claimed = await claimEvents(tx, events);
      await this.options.sink(tx, claimed);
      return claimed;
    });
    if (fresh.length) this.options.onCommitted?.(fresh);
    if (fresh.length)
      this.options.logger.info(
        { events: fresh.length, kinds: [...new Set(fresh.map((e) => e.kind))] },
        'governance notifications decided',
      );
    return fresh;
  }

  /** A live event: detection for its DAO soon (debounced). */
  onLiveEvent(event: LiveEvent): void {
    if (this.stopped) return;
    if (!['proposal.created', 'proposal.updated', 'sync.finished'].includes(event.type)) return;
    void daoIdBySlug(this.options.database.db, event.dao)
      .then((id) => {
        if (id === undefined || this.stopped) return;
        this.dirty.add(id);
        this.debounce ??= setTimeout(() => {
          this.debounce = undefined;
          const ids = [...this.dirty];
          this.dirty.clear();
          this.detect(ids).catch((error) =>
            this.options.logger.error({ err: error }, 'governance notifications: detection failed'),
          );
        }, this.options.debounceMs ?? 500);
      })
      .catch((error) =>
        this.options.logger.error({ err: error }, 'governance notifications: live event lookup failed'),
      );
  }

  /** Listens to the live-event bus and sweeps every NOTIFY_SWEEP_SECONDS until stop(). */
  start(bus?: EventBus): void {
    if (this.timer) return;
    const unsubscribe = bus?.subscribe((event) => this.onLiveEvent(event));
    this.unsubscribe = unsubscribe;
    const sweep = () =>
      void this.detect().catch((error) =>
        this.options.logger.error({ err: error }, 'governance notifications: sweep failed'),
      );
    this.timer = setInterval(sweep, this.options.config.governanceNotify.sweepSeconds * 1000);
    this.timer.unref();
    sweep();
  }

  private unsubscribe: (() => void) | undefined;

  /** Stops listening and sweeping; waits for a detection in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.timer) clearInterval(this.timer);
    if (this.debounce) clearTimeout(this.debounce);
    this.timer = undefined;
    this.debounce = undefined;
    await this.chain;
  }
}
