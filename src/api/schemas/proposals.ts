import { Type } from '@sinclair/typebox';
import { DecimalString, Nullable, StringEnum, Timestamp } from './common.ts';

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
  state: Type.String(),
  quorum: Nullable(DecimalString),
  snapshot_block: Nullable(Type.Integer()),
  scores: Nullable(Type.Array(DecimalString)),
  scores_total: Nullable(DecimalString),
  votes_count: Type.Integer(),
  created_at: Timestamp,
  updated_at: Timestamp,
};
export const ProposalSummary = Type.Object(ProposalFields);

export const Tally = Type.Object({
  choice: Type.Integer({ description: '1-based choice index' }),
  label: Nullable(Type.String()),
  voting_power: DecimalString,
  votes: Type.Integer(),
});

export const ProposalDetail = Type.Object({
  ...ProposalFields,
  body: Type.String({ description: 'Markdown, as written by the author (untrusted: sanitise before rendering)' }),
  tallies: Type.Array(Tally),
  voters: Type.Integer(),
  voting_power_total: DecimalString,
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
