/**
 * A proposal's state as the API reports it: derived at read time (src/db/proposal-state.ts) from
 * the state the source stored, its start and end. The source's words differ (Snapshot says
 * `closed`, Decentraland `enacted` or `finished`, OpenZeppelin Governor `Succeeded`), and a stored
 * `active` stays stored after the end passes until the next sync, so none is shown as it is.
 *
 * - pending: not started; active: started, not ended (only ever before the end);
 * - closed: ended, the outcome not known from the source (a Snapshot poll, say);
 * - passed, rejected, executed, queued, canceled: what the source settled;
 * - defeated: an on-chain proposal that did not reach its quorum or majority.
 */
export const PROPOSAL_STATES = [
  'pending',
  'active',
  'closed',
  'passed',
  'rejected',
  'executed',
  'queued',
  'canceled',
  'defeated',
] as const;
export type ProposalState = (typeof PROPOSAL_STATES)[number];

/**
 * Stored states (lowercase) that settle the state whatever the clock says. Every other stored
 * state (active, pending, closed, finished, anything unknown) follows start and end: pending
 * before the start, active until the end, closed after it.
 */
export const SETTLED_STATES: Readonly<Record<string, ProposalState>> = {
  passed: 'passed',
  succeeded: 'passed',
  accepted: 'passed',
  // Decentraland: the vote passed, the grant budget could not fund it.
  out_of_budget: 'passed',
  executed: 'executed',
  enacted: 'executed',
  queued: 'queued',
  rejected: 'rejected',
  failed: 'rejected',
  vetoed: 'rejected',
  // OpenZeppelin: succeeded but not executed in time; counted as failed like src/metrics/outcomes.ts does.
  expired: 'rejected',
  defeated: 'defeated',
  canceled: 'canceled',
  cancelled: 'canceled',
};

/** Outcome class of a derived state: what the Outcomes chart and KPI count. */
export function stateOutcome(state: ProposalState): 'passed' | 'failed' | 'undecided' | 'open' | 'canceled' {
  switch (state) {
    case 'passed':
    case 'executed':
    case 'queued':
      return 'passed';
    case 'rejected':
    case 'defeated':
      return 'failed';
    case 'closed':
      return 'undecided';
    case 'canceled':
      return 'canceled';
    default:
      return 'open';
  }
}
