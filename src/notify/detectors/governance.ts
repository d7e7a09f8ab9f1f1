import type { GovernanceNotifyConfig } from '../../config/index.ts';
import type { NotificationEvent } from '../../db/notification-event.ts';
import type { NoticeProposal } from '../../db/queries/notifications.ts';
import { type LateVoteCurve, projectFinalPower } from '../../metrics/quorum-projection.ts';
import { portalLink } from '../sink.ts';
import { audienceOf, defaultOption, type OptionValue } from './option-values.ts';

/**
 * The governance detectors' decisions, pure: given the proposals as stored at `now`, what is
 * worth telling. Every event's key names the fact (`proposal:<id>:ending:24h`), so deciding again
 * yields the same keys and the ledger lets each through once.
 */
export interface GovernanceInput {
  now: Date;
  proposals: NoticeProposal[];
  /**
   * Per DAO id: the `hours` values proposal.ending runs for (the default alone when the DAO is
   * absent; see optionValues).
   */
  endingHours: Map<number, OptionValue[]>;
  /** Per DAO id: the watched addresses (lowercase) by the `hours` value they are watched with. */
  watched: Map<number, Array<{ hours: OptionValue; addresses: string[] }>>;
  /** `proposalId:address` of the watched addresses' stored votes. */
  voted: Set<string>;
  /** Each DAO's late-vote curve (null: too few ended proposals, linear projection). */
  curves: Map<number, LateVoteCurve | null>;
  options: Pick<GovernanceNotifyConfig, 'endingHours' | 'quorumMinElapsed' | 'lookbackHours'>;
  publicUrl: string | undefined;
}

const HOUR = 3600_000;
const num = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: x >= 100 ? 0 : 2 });
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const hours = (ms: number) =>
  ms >= 48 * HOUR ? `${Math.round(ms / (24 * HOUR))} days` : `${(ms / HOUR).toFixed(1)} h`;
const shortAddress = (a: string) => (a.length > 14 ? `${a.slice(0, 6)}…${a.slice(-4)}` : a);

/** The power that counts toward quorum: For + Abstain on Governor-style (basic) votes, else all cast. */
export function quorumPower(p: NoticeProposal): number | null {
  if (p.votingType === 'basic' && p.scores && p.scores.length >= 3) return Number(p.scores[0]) + Number(p.scores[2]);
  const total = p.scoresTotal ?? p.vpCast;
  return total === null ? null : Number(total);
}

/** What a proposal's outcome is: the tally's passed/failed where the rollup knows it, else its state. */
function outcomeOf(p: NoticeProposal): string {
  if (['defeated', 'expired', 'rejected'].includes(p.state)) return 'failed';
  if (['succeeded', 'queued', 'executed', 'passed', 'enacted'].includes(p.state)) return 'passed';
  return p.outcome && p.outcome !== 'unknown' ? p.outcome : 'closed';
}

export function detectGovernance(input: GovernanceInput): NotificationEvent[] {
  const { now, options } = input;
  const t = now.getTime();
  const events: NotificationEvent[] = [];
  for (const p of input.proposals) {
    const url = portalLink(input.publicUrl, `/proposals/${p.id}`);
    const start = p.start.getTime();
    const end = p.end.getTime();
    const open = t < end;
    const active = open && start <= t;
    const left = end - t;
    const base = { daoId: p.daoId, url, occurredAt: now };
    const about = { dao: p.daoSlug, proposal: p.id, proposal_source_id: p.externalId, title: p.title };

    // A proposal that is open or about to open (pending) is news once.
    if (open && (start <= t || ['pending', 'active'].includes(p.state))) {
      events.push({
        ...base,
        kind: 'proposal.created',
        key: `proposal:${p.id}:created`,
        title: `New proposal in ${p.daoName}: ${p.title}`,
        body: `${p.daoName} has a new proposal, "${p.title}" (${p.source}). Voting ${start > t ? 'opens' : 'opened'} ${p.start.toISOString()} and ends ${p.end.toISOString()}. Choices: ${p.choices.join(', ')}.`,
        severity: 'info',
        facts: { ...about, start: p.start.toISOString(), end: p.end.toISOString(), state: p.state },
      });
    }

    const endingHours = input.endingHours.get(p.daoId) ?? [defaultOption(options.endingHours)];
    for (const h of endingHours) {
      if (!(active && left <= h.value * HOUR)) continue;
      const power = quorumPower(p);
      events.push({
        ...base,
        kind: 'proposal.ending',
        key: `proposal:${p.id}:ending:${h.text}h`,
        title: `Ending in ${hours(left)}: ${p.title}`,
        body: `"${p.title}" (${p.daoName}) ends ${p.end.toISOString()}, in ${hours(left)}. ${p.voters ?? 0} voters so far${power === null ? '' : `, ${num(power)} voting power`}${p.quorum ? ` of a ${num(Number(p.quorum))} quorum` : ''}.`,
        severity: 'info',
        facts: { ...about, end: p.end.toISOString(), hours_left: Number((left / HOUR).toFixed(2)), voters: p.voters },
        audience: audienceOf('hours', h),
      });
    }

    for (const { hours: h, addresses } of input.watched.get(p.daoId) ?? []) {
      if (!(active && left <= h.value * HOUR)) continue;
      for (const address of addresses) {
        if (input.voted.has(`${p.id}:${address}`)) continue;
        events.push({
          ...base,
          kind: 'delegate.not_voted',
          key: `proposal:${p.id}:not_voted:${address}:${h.text}h`,
          title: `${shortAddress(address)} has not voted on: ${p.title}`,
          body: `The watched address ${address} has not voted on "${p.title}" (${p.daoName}), which ends ${p.end.toISOString()}, in ${hours(left)}.`,
          severity: 'warning',
          facts: { ...about, address, end: p.end.toISOString(), hours_left: Number((left / HOUR).toFixed(2)) },
          audience: audienceOf('hours', h),
        });
      }
    }

    const quorum = p.quorum === null ? null : Number(p.quorum);
    const elapsed = (t - start) / Math.max(1, end - start);
    if (active && quorum !== null && quorum > 0 && elapsed >= options.quorumMinElapsed) {
      const current = quorumPower(p) ?? 0;
      const projection = projectFinalPower(current, elapsed, input.curves.get(p.daoId) ?? null);
      if (current < quorum && projection.projected !== null && projection.projected < quorum) {
        const method =
          projection.method === 'curve'
            ? `by this DAO's late-vote curve (median of its ${projection.proposals} newest ended proposals), ${pct(projection.shareByNow)} of the final voting power is cast by this point of the window`
            : `assuming votes arrive evenly (fewer than 2 ended proposals with votes to learn a curve from), ${pct(projection.shareByNow)} of the final power is cast by now`;
        events.push({
          ...base,
          kind: 'quorum.at_risk',
          key: `proposal:${p.id}:quorum_at_risk`,
          title: `Quorum at risk: ${p.title}`,
          body: `"${p.title}" (${p.daoName}) has ${num(current)} of the ${num(quorum)} voting power it needs (${pct(current / quorum)}) with ${pct(1 - elapsed)} of its window (${hours(left)}) left. Projected final: ${num(projection.projected)} (${pct(projection.projected / quorum)} of quorum): ${method}; projected = current ÷ that share.`,
          severity: 'warning',
          facts: {
            ...about,
            quorum,
            current,
            projected: Number(projection.projected.toFixed(6)),
            share_by_now: Number(projection.shareByNow.toFixed(4)),
            elapsed: Number(elapsed.toFixed(4)),
            method: projection.method,
            curve_proposals: projection.proposals,
          },
        });
      }
    }

    if (!open && t - end <= options.lookbackHours * HOUR) {
      const outcome = outcomeOf(p);
      const power = quorumPower(p);
      events.push({
        ...base,
        kind: 'proposal.outcome',
        key: `proposal:${p.id}:outcome`,
        title: `${outcome === 'passed' ? 'Passed' : outcome === 'failed' ? 'Failed' : 'Closed'}: ${p.title}`,
        body: `"${p.title}" (${p.daoName}) ended ${p.end.toISOString()}: ${outcome} (${p.state}). ${p.voters ?? 0} voters${power === null ? '' : `, ${num(power)} voting power`}${p.scores ? `; ${p.choices.map((c, i) => `${c} ${num(Number(p.scores![i] ?? 0))}`).join(', ')}` : ''}.`,
        severity: 'info',
        facts: { ...about, outcome, state: p.state, voters: p.voters, end: p.end.toISOString() },
      });
    }
  }
  return events;
}
