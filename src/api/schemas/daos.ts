import { Type } from '@sinclair/typebox';
import { DecimalString, Nullable, StringEnum, Timestamp } from './common.ts';

/** How other answers name a DAO. */
export const DaoRef = Type.Object({ id: Type.Integer(), slug: Type.String(), name: Type.String() });

export const Dao = Type.Object({
  id: Type.Integer(),
  slug: Type.String(),
  name: Type.String(),
  description: Nullable(Type.String()),
  chain: Type.String(),
  token_symbol: Nullable(Type.String()),
  governance_token: Nullable(Type.String()),
  snapshot_space: Nullable(Type.String()),
  governor_address: Nullable(Type.String()),
  token_address: Nullable(Type.String()),
  treasury_addresses: Type.Array(Type.String()),
  treasury_tokens: Type.Array(Type.String()),
  treasury_value: DecimalString,
  total_members: Type.Integer(),
  active_proposals: Type.Integer(),
  total_proposals: Type.Integer(),
  total_votes: Type.Integer(),
  /** Mean voters per closed proposal ÷ all distinct voters: depends on the history's length, not comparable across DAOs. */
  participation_rate: Nullable(DecimalString),
  /** Comparable participation (docs/METRICS.md); null when the denominator is unknown. */
  turnout_vp: Nullable(DecimalString),
  turnout_basis: Nullable(StringEnum(['token_supply', 'holders'])),
  voter_holder_ratio: Nullable(DecimalString),
  median_voters: Nullable(DecimalString),
  created_at: Timestamp,
  updated_at: Timestamp,
});

export const Coverage = Type.Object(
  {
    votes_from: Nullable(Timestamp),
    votes_to: Nullable(Timestamp),
    proposals: Type.Integer(),
    proposals_with_all_votes: Type.Integer({
      description: "Stored votes reach the source's count (or the source gives none and some are stored)",
    }),
    proposals_with_some_votes: Type.Integer({ description: "Fewer votes stored than the source's count" }),
    proposals_without_votes: Type.Integer({
      description: 'No votes stored, though the source counted some or did not say',
    }),
    holders_as_of: Nullable(Timestamp),
    treasury_from: Nullable(Timestamp),
    treasury_to: Nullable(Timestamp),
  },
  { description: 'What the stored data covers: figures computed from votes hold over these proposals and times only' },
);

export const DaoDetail = Type.Object({ ...Dao.properties, coverage: Coverage });

export const DaoDeleted = Type.Object({ id: Type.Integer(), slug: Type.String(), deleted: Type.Boolean() });
