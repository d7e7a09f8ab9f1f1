import { Type } from '@sinclair/typebox';
import { PROPOSAL_STATES } from '../../metrics/proposal-states.ts';
import { DecimalString, Nullable, StringEnum, Timestamp } from './common.ts';

export const ProposalStateEnum = StringEnum(PROPOSAL_STATES, {
  description:
    'Derived at read time from the source state, start and end: pending, active (never after the end), closed ' +
    '(ended, outcome not known), passed, rejected, executed, queued, canceled, defeated',
});

export const TallySourceEnum = StringEnum(['all_votes', 'some_votes', 'source_scores'] as const, {
  description:
    'all_votes: tallies computed from every vote the source counted; some_votes: from the stored votes, fewer than ' +
    "the source counted (a partial tally, not the result); source_scores: the source's own per-choice scores",
});

export const Winner = Type.Object({
  choice: Type.Integer({ description: '1-based choice index' }),
  label: Nullable(Type.String()),
  share: Type.Number({ description: "The choice's share of the power cast, 0..1" }),
  margin: Type.Number({ description: '(winner − runner-up) ÷ power cast, 0..1' }),
});

const ProposalFields = {
  id: Type.Integer(),
  dao_id: Type.Integer(),
  dao_slug: Type.String(),
  external_id: Type.String(),
  source: Type.String(),
  voting_type: Type.String(),
  title: Type.String(),
  author: Nullable(Type.String()),
  choices: Type.Array(Type.String()),
  start: Timestamp,
  end: Timestamp,
  time_precision: StringEnum(['day', 'second'], {
    description: "'day': the source gave start and end as dates only (00:00 UTC; show the date alone)",
  }),
  state: ProposalStateEnum,
  source_state: Type.String({ description: 'The state as the source stored it (e.g. closed, enacted, succeeded)' }),
  quorum: Nullable(DecimalString),
  snapshot_block: Nullable(Type.Integer()),
  scores: Nullable(Type.Array(DecimalString)),
  scores_total: Nullable(DecimalString),
  votes_count: Type.Integer({ description: "The source's count of votes when it says one, else the stored votes" }),
  votes_stored: Type.Integer({ description: 'Votes stored here (can be fewer than votes_count: partial exports)' }),
  tally_source: Nullable(TallySourceEnum),
  outcome: Nullable(StringEnum(['passed', 'failed'] as const, { description: 'Null while open or when unknown' })),
  winner: Nullable(Winner),
  quorum_reached: Nullable(Type.Boolean({ description: 'Null without a quorum or without a known total' })),
  discussion: Nullable(Type.String({ description: 'Discussion (forum) URL when the source gives one' })),
  created_at: Timestamp,
  updated_at: Timestamp,
};
export const ProposalSummary = Type.Object(ProposalFields);

export const Tally = Type.Object({
  choice: Type.Integer({ description: '1-based choice index' }),
  label: Nullable(Type.String()),
  voting_power: DecimalString,
  votes: Nullable(Type.Integer({ description: "Null when the tally is the source's scores (no per-choice count)" })),
});

export const ProposalDetail = Type.Object({
  ...ProposalFields,
  body: Type.String({ description: 'Markdown, as written by the author (untrusted: sanitise before rendering)' }),
  tallies: Type.Array(Tally),
  voters: Type.Integer({ description: 'Distinct voters among the stored votes' }),
  voting_power_total: DecimalString,
  source_url: Nullable(
    Type.String({ description: 'The proposal at its source: Snapshot page, or block explorer transaction' }),
  ),
});

export const Vote = Type.Object({
  id: Type.Integer(),
  proposal_id: Type.Integer(),
  voter: Type.String(),
  choice: Type.Unknown({ description: '1-based index, or Snapshot encoding: [1,3] approval/ranked, {"2":1} weighted' }),
  voting_power: DecimalString,
  reason: Nullable(Type.String()),
  created: Timestamp,
  created_precision: StringEnum(['day', 'second'], {
    description: "'day': the source gave only the date of the vote (00:00 UTC; show the date alone)",
  }),
});
