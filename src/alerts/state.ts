import type { NotificationEvent } from '../db/notification-event.ts';
import type { AlertStateRow } from '../db/queries/alerts.ts';
import type { AlertLevel, Observation } from './rules.ts';

/**
 * The alert state machine, one per (rule, subject), pure. Levels: ok → warning → critical and
 * back. A message is sent when the level differs from the last one told:
 * - de-duplicated: an unchanged level tells nothing;
 * - cool-down: within `cooldownSeconds` of the last message nothing else is told, except an
 *   escalation to critical; changes meanwhile are told once it is over, as the level then
 *   (a flap that is back where it was by then tells nothing);
 * - an alert that starts firing after its "resolved" was told opens a new episode.
 * Each message's key is `alert:<rule>:<subject>:<episode>:<n>`, so re-evaluating never repeats one.
 */
export type AlertState = AlertStateRow;

export type Transition = 'firing' | 'escalated' | 'de-escalated' | 'resolved';

export interface StepResult {
  /** Undefined while an alert that never fired stays ok (nothing to keep). */
  state: AlertState | undefined;
  message?: { transition: Transition; level: AlertLevel };
}

export function step(
  previous: AlertState | undefined,
  observation: Observation,
  now: Date,
  cooldownSeconds: number,
): StepResult {
  if (observation.level === null) return { state: previous };
  const level = observation.level;
  if (!previous && level === 'ok') return { state: undefined };

  const prevLevel = previous?.level ?? 'ok';
  const told = previous?.notifiedLevel ?? 'ok';
  const state: AlertState = previous
    ? { ...previous, summary: observation.summary, facts: observation.facts }
    : {
        rule: observation.rule,
        subject: observation.subject,
        level,
        episode: 1,
        notices: 0,
        summary: observation.summary,
        facts: observation.facts,
        startedAt: now,
        changedAt: now,
        resolvedAt: null,
        notifiedLevel: null,
        notifiedAt: null,
      };
  if (previous && level !== prevLevel) {
    state.level = level;
    state.changedAt = now;
    if (prevLevel === 'ok') {
      state.resolvedAt = null;
      // A new episode only when the last one's resolution was told; otherwise it goes on.
      if (told === 'ok') {
        state.episode = previous.episode + 1;
        state.notices = 0;
        state.startedAt = now;
      }
    }
    if (level === 'ok') state.resolvedAt = now;
  }

  if (level === told) return { state };
  const sinceTold = state.notifiedAt ? (now.getTime() - state.notifiedAt.getTime()) / 1000 : Number.POSITIVE_INFINITY;
  const escalation = level === 'critical';
  if (sinceTold < cooldownSeconds && !escalation) return { state };
  const transition: Transition =
    level === 'ok' ? 'resolved' : told === 'ok' ? 'firing' : level === 'critical' ? 'escalated' : 'de-escalated';
  state.notifiedLevel = level;
  state.notifiedAt = now;
  state.notices += 1;
  return { state, message: { transition, level } };
}

const RULE_TITLES: Record<string, string> = {
  error_rate: 'Error rate',
  latency_p95: 'Slow responses (p95)',
  memory: 'Memory',
  db_pool: 'Database connections',
  disk_free: 'Disk space',
  database_unreachable: 'Database unreachable',
  source_sync: 'Source sync',
  backup: 'Backup',
};

/** The operator.alert event of one message. */
export function alertEvent(
  state: AlertState,
  message: NonNullable<StepResult['message']>,
  now: Date,
  url: string | null,
): NotificationEvent {
  const name = RULE_TITLES[state.rule] ?? state.rule;
  const label =
    message.transition === 'resolved'
      ? 'RESOLVED'
      : `${message.level.toUpperCase()}${message.transition === 'firing' ? '' : ` (${message.transition})`}`;
  return {
    kind: 'operator.alert',
    daoId: null,
    key: `alert:${state.rule}:${state.subject}:${state.episode}:${state.notices}`,
    title: `[${label}] ${name}: ${state.subject}`,
    body:
      message.transition === 'resolved'
        ? `Resolved after ${Math.round((now.getTime() - state.startedAt.getTime()) / 1000)} s: ${state.summary}.`
        : `${state.summary}. Firing since ${state.startedAt.toISOString()}.`,
    url,
    severity: message.level === 'ok' ? 'resolved' : message.level,
    facts: { rule: state.rule, subject: state.subject, level: message.level, ...state.facts },
    occurredAt: now,
  };
}

/**
 * Feeds observations into the machines: the states to keep and the events to tell. With
 * `resolveVanished`, a firing alert whose subject is no longer observed at all (a source removed)
 * is resolved; callers pass false when the list itself is not known (the database is down).
 */
export function advance(
  states: Map<string, AlertState>,
  observations: Observation[],
  now: Date,
  cooldownSeconds: number,
  urlOf: (rule: string, subject: string) => string | null,
  resolveVanished = true,
): { states: Map<string, AlertState>; changed: AlertState[]; events: NotificationEvent[] } {
  const next = new Map(states);
  const changed: AlertState[] = [];
  const events: NotificationEvent[] = [];
  const seen = new Set<string>();
  const apply = (key: string, observation: Observation) => {
    const before = next.get(key);
    const { state, message } = step(before, observation, now, cooldownSeconds);
    if (!state) return;
    next.set(key, state);
    if (state !== before) changed.push(state);
    if (message) events.push(alertEvent(state, message, now, urlOf(state.rule, state.subject)));
  };
  for (const observation of observations) {
    const key = `${observation.rule}\u0000${observation.subject}`;
    seen.add(key);
    apply(key, observation);
  }
  for (const [key, state] of resolveVanished ? states : []) {
    // Resolved and told: nothing left to say about it.
    if (seen.has(key) || (state.level === 'ok' && (state.notifiedLevel ?? 'ok') === 'ok')) continue;
    apply(key, {
      rule: state.rule as Observation['rule'],
      subject: state.subject,
      level: 'ok',
      summary: `${state.subject} is no longer measured`,
      facts: state.facts,
    });
  }
  return { states: next, changed, events };
}
