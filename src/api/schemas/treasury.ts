import { Type } from '@sinclair/typebox';
import { DecimalString, Nullable, Timestamp } from './common.ts';

export const TreasuryBalance = Type.Object({
  timestamp: Timestamp,
  wallet: Nullable(Type.String()),
  chain: Type.String(),
  token_symbol: Type.String(),
  token_address: Nullable(Type.String()),
  amount: DecimalString,
  usd_value: Nullable(DecimalString),
  usd_stale: Type.Boolean(),
});

export const Treasury = Type.Object({
  total_usd: DecimalString,
  as_of: Nullable(Timestamp),
  latest: Type.Array(TreasuryBalance),
  history: Type.Array(Type.Object({ timestamp: Timestamp, usd_value: DecimalString })),
});
