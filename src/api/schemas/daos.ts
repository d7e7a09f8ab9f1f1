import { Type } from '@sinclair/typebox';
import { DecimalString, Nullable, Timestamp } from './common.ts';

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
  participation_rate: DecimalString,
  created_at: Timestamp,
  updated_at: Timestamp,
});

export const DaoDeleted = Type.Object({ id: Type.Integer(), slug: Type.String(), deleted: Type.Boolean() });
