import type { Config } from '../config/index.ts';
import type { Database } from '../db/index.ts';
import type { NotificationEvent } from '../db/notification-event.ts';
import { type AlertStateRow, loadAlertStates, saveAlertStates } from '../db/queries/alerts.ts';
import { claimEvents } from '../db/queries/notifications.ts';
import type { Logger } from '../logger/index.ts';
import type { ProcessMeasurements } from '../monitoring/measurements.ts';
import { type NotificationSink, portalLink } from '../notify/sink.ts';
import { evaluateRules } from './rules.ts';
import { type AlertState, advance } from './state.ts';

export interface AlertEvaluatorOptions {
  database: Database;
  /** This process's measurements now (the monitoring collector, injected by the composition root). */
  measure: () => Promise<ProcessMeasurements>;
  sink: NotificationSink;
  config: Pick<Config, 'alerts' | 'publicUrl'>;
  logger: Logger;
  /**
   * Called with the recorded events once the transaction that recorded them (and queued their
   * deliveries) has committed: serve wakes the dispatcher here. Never before the commit, nor for
   * an evaluation that recorded nothing.
   */
  onCommitted?: (events: NotificationEvent[]) => void;
}

const keyOf = (s: { rule: string; subject: string }) => `${s.rule}\u0000${s.subject}`;

/**
 * Runs the rules on a timer (ALERT_INTERVAL_SECONDS): measure, advance every (rule, subject)
 * machine, then in one transaction save the states, record the new events in the ledger and hand
 * them to the sink. While the database does not answer (the database rule itself), the states
 * live on in memory and the events wait; they are recorded once it is back, by their stable keys.
 */
export class AlertEvaluator {
  private states: Map<string, AlertState> | undefined;
  private pending: NotificationEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(private readonly options: AlertEvaluatorOptions) {}

  /** One evaluation; returns the events recorded by it (new ones, and waiting ones it could record). */
  async evaluate(): Promise<NotificationEvent[]> {
    const { database, config, logger } = this.options;
    const measurements = await this.options.measure();
    if (!this.states) {
      try {
        this.states = new Map((await loadAlertStates(database.db)).map((s) => [keyOf(s), s]));
      } catch (error) {
        logger.error({ err: error }, 'alerts: could not read the alert state; evaluating from none');
        this.states = new Map();
      }
    }
    const at = measurements.at;
    const urlOf = (rule: string) => (rule === 'source_sync' ? portalLink(config.publicUrl, '/sources') : null);
    const result = advance(
      this.states,
      evaluateRules(measurements, config.alerts),
      at,
      config.alerts.cooldownSeconds,
      urlOf,
      measurements.database.reachable,
    );
    this.states = result.states;
    for (const event of result.events) {
      const level = event.severity === 'critical' ? 'error' : event.severity === 'warning' ? 'warn' : 'info';
      logger[level]({ alert: event.facts.rule, subject: event.facts.subject, key: event.key }, event.title);
    }
    this.pending.push(...result.events);
    const all: AlertStateRow[] = [...this.states.values()];
    try {
      const recorded = await database.db.transaction(async (tx) => {
        await saveAlertStates(tx, all);
        const fresh = await claimEvents(tx, this.pending);
        await this.options.sink(tx, fresh);
        return fresh;
      });
      this.pending = [];
      if (recorded.length) this.options.onCommitted?.(recorded);
      return recorded;
    } catch (error) {
      logger.error(
        { err: error, waiting: this.pending.length },
        'alerts: could not record the alert state; the events wait for the database',
      );
      return [];
    }
  }

  /** Evaluates every ALERT_INTERVAL_SECONDS until stop(); a slow evaluation is never overlapped. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.evaluate()
        .catch((error) => this.options.logger.error({ err: error }, 'alerts: evaluation failed'))
        .finally(() => (this.running = undefined));
    }, this.options.config.alerts.intervalSeconds * 1000);
    this.timer.unref();
  }

  /** Stops the timer and waits for an evaluation in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
