import { Type, type TSchema } from '@sinclair/typebox';

/** Response and parameter schemas: they validate, serialise, and are the OpenAPI document. */
export const DecimalString = Type.String({ description: 'Exact decimal number as a string', examples: ['1234.5678'] });
export const Timestamp = Type.String({ format: 'date-time' });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const Pagination = Type.Object({
  page: Type.Integer(),
  per_page: Type.Integer(),
  total: Type.Integer(),
  pages: Type.Integer(),
  next_cursor: Type.Optional(Nullable(Type.String({ description: 'Pass as `cursor` for the next page (keyset pagination)' }))),
});

export const success = <T extends TSchema>(data: T) =>
  Type.Object({ status: Type.Literal('success'), data, message: Type.Optional(Type.String()) });

export const successPage = <T extends TSchema>(data: T) =>
  Type.Object({ status: Type.Literal('success'), data, message: Type.Optional(Type.String()), pagination: Pagination });

export const ErrorBody = Type.Object(
  {
    status: Type.Literal('error'),
    error: Type.Object({
      code: Type.String({ examples: ['VALIDATION_ERROR'] }),
      message: Type.String(),
      details: Type.Optional(Type.Unknown()),
    }),
  },
  { $id: 'ErrorResponse' },
);

export const errorResponses = {
  400: Type.Ref('ErrorResponse'),
  404: Type.Ref('ErrorResponse'),
  500: Type.Ref('ErrorResponse'),
};

export const IdParam = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 200, description: 'Numeric id, or the slug (DAOs) / source id (proposals)' }),
});

export const PageQuery = (maxPerPage = 100) => ({
  page: Type.Integer({ minimum: 1, default: 1 }),
  per_page: Type.Integer({ minimum: 1, maximum: maxPerPage, default: 20, description: `Items per page (at most ${maxPerPage})` }),
});

export const Order = Type.Union([Type.Literal('asc'), Type.Literal('desc')], { default: 'desc' });

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
});

export const Metric = Type.Object({
  metric_type: Type.String(),
  value: DecimalString,
  timestamp: Timestamp,
  metadata: Type.Record(Type.String(), Type.Unknown()),
});

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
