import type { ProposalWrite, VoteWrite } from '../../db/source-store.ts';
import type { HubProposal, HubVote } from './schemas.ts';

/**
 * Hub answers → the rows the store writes. Values are stored as the hub sends them:
 * numbers as the decimal text of the hub's double (its shortest round-trip form), `choices` and
 * every vote `choice` untouched (an integer for single-choice and basic, an array for approval and
 * ranked-choice, an object of index → weight for weighted and quadratic), addresses lowercase as
 * everywhere in the portal.
 */
export type ProposalRow = ProposalWrite;
/** A vote row with its proposal's hub id (for live events). */
export type VoteRow = VoteWrite & { proposal: string };

const decimal = (n: number) => String(n);
const time = (seconds: number) => new Date(seconds * 1000);

export function toProposalRow(p: HubProposal, dao: { id: number; slug: string }): ProposalRow {
  const snapshot =
    typeof p.snapshot === 'string' ? (/^\d{1,15}$/.test(p.snapshot) ? Number(p.snapshot) : null) : p.snapshot;
  return {
    daoId: dao.id,
    externalId: p.id,
    source: 'snapshot',
    votingType: p.type ?? 'single-choice',
    title: p.title,
    body: p.body ?? '',
    author: p.author.toLowerCase(),
    choices: p.choices,
    start: time(p.start),
    end: time(p.end),
    state: p.state,
    quorum: p.quorum === null ? null : decimal(p.quorum),
    snapshotBlock: snapshot,
    scores: p.scores === null ? null : p.scores.map(decimal),
    scoresTotal: p.scores_total === null ? null : decimal(p.scores_total),
    // The hub's own count: the votes stored can lag it (a sync in progress, a shutter-encrypted vote).
    sourceVotesCount: p.votes ?? null,
    discussion: p.discussion && /^https?:\/\/\S+$/.test(p.discussion) ? p.discussion : null,
  };
}

export type Choice = number | number[] | Record<string, number>;

/**
 * Whether `choice` is one of Snapshot's plain encodings. Anything else (a shutter-encrypted string
 * while a private proposal is open) is not stored; the proposal is re-read until it closes, when
 * the hub serves the revealed choice.
 */
export function isPlainChoice(choice: unknown): choice is Choice {
  const index = (c: unknown) => Number.isInteger(c) && (c as number) >= 1;
  if (typeof choice === 'number') return index(choice);
  if (Array.isArray(choice)) return choice.length > 0 && choice.every(index);
  if (choice && typeof choice === 'object') {
    const entries = Object.entries(choice);
    return (
      entries.length > 0 &&
      entries.every(([k, w]) => /^[1-9][0-9]*$/.test(k) && typeof w === 'number' && Number.isFinite(w) && w >= 0)
    );
  }
  return false;
}

export function toVoteRow(
  v: HubVote & { choice: Choice; proposal: { id: string } },
  dao: { id: number; slug: string },
  proposalId: number,
): VoteRow {
  return {
    daoId: dao.id,
    proposalId,
    proposal: v.proposal.id,
    voter: v.voter.toLowerCase(),
    choice: v.choice,
    votingPower: decimal(v.vp),
    created: time(v.created),
    reason: v.reason ? v.reason : null,
  };
}
