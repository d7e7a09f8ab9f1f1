import { type Static, type TSchema, Type } from '@sinclair/typebox';

/**
 * The parts of the hub's answers the source reads, validated at the edge. Field names and types
 * follow Snapshot's GraphQL schema; Float fields arrive as JSON numbers with or without a
 * fraction, and the client coerces numeric strings too.
 */
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const HubSpace = Type.Object({
  id: Type.String(),
  name: Nullable(Type.String()),
  network: Nullable(Type.String()),
  symbol: Nullable(Type.String()),
  proposalsCount: Nullable(Type.Integer()),
  votesCount: Nullable(Type.Integer()),
});

export const HubProposal = Type.Object({
  id: Type.String({ minLength: 1 }),
  title: Type.String(),
  body: Nullable(Type.String()),
  choices: Type.Array(Type.String()),
  start: Type.Integer(),
  end: Type.Integer(),
  // Int in some hub versions, String (a block number) in others.
  snapshot: Type.Union([Type.Integer(), Type.String(), Type.Null()]),
  state: Type.String(),
  author: Type.String(),
  type: Nullable(Type.String()),
  quorum: Nullable(Type.Number()),
  scores: Type.Union([Type.Array(Type.Number()), Type.Null()]),
  scores_total: Nullable(Type.Number()),
  votes: Nullable(Type.Integer()),
  // The forum thread the author linked; '' when none.
  discussion: Type.Optional(Nullable(Type.String())),
  created: Type.Integer(),
  space: Type.Union([Type.Object({ id: Type.String() }), Type.Null()]),
});
export type HubProposal = Static<typeof HubProposal>;

export const HubVote = Type.Object({
  id: Type.String({ minLength: 1 }),
  voter: Type.String({ minLength: 1 }),
  created: Type.Integer(),
  // `Any` in the hub's schema: an integer, an array of integers or an object of weights, per voting type.
  choice: Type.Unknown(),
  vp: Type.Number(),
  reason: Nullable(Type.String()),
  proposal: Type.Union([Type.Object({ id: Type.String() }), Type.Null()]),
});
export type HubVote = Static<typeof HubVote>;

const PROPOSAL_FIELDS =
  'id title body discussion choices start end snapshot state author type quorum scores scores_total votes created space { id }';
const VOTE_FIELDS = 'id voter created choice vp reason proposal { id }';

/** Space metadata and the newest vote (for the lag), in one request. */
export const SPACE_QUERY = `query Space($space: String!) {
  space(id: $space) { id name network symbol proposalsCount votesCount }
  latest: votes(first: 1, where: { space: $space }, orderBy: "created", orderDirection: desc) { created }
}`;
export const SpaceAnswer = Type.Object({
  space: Type.Union([HubSpace, Type.Null()]),
  latest: Type.Array(Type.Object({ created: Type.Integer() })),
});

export const PROPOSALS_PAGE_QUERY = `query ProposalsPage($space: String!, $since: Int!, $first: Int!, $skip: Int!) {
  proposals(first: $first, skip: $skip, where: { space: $space, created_gte: $since }, orderBy: "created", orderDirection: asc) { ${PROPOSAL_FIELDS} }
}`;
export const PROPOSALS_BY_ID_QUERY = `query ProposalsById($ids: [String]!) {
  proposals(first: 1000, where: { id_in: $ids }, orderBy: "created", orderDirection: asc) { ${PROPOSAL_FIELDS} }
}`;
export const ProposalsAnswer = Type.Object({ proposals: Type.Array(HubProposal) });

export const VOTES_PAGE_QUERY = `query VotesPage($space: String!, $since: Int!, $first: Int!, $skip: Int!) {
  votes(first: $first, skip: $skip, where: { space: $space, created_gte: $since }, orderBy: "created", orderDirection: asc) { ${VOTE_FIELDS} }
}`;
export const PROPOSAL_VOTES_PAGE_QUERY = `query ProposalVotesPage($proposals: [String]!, $since: Int!, $first: Int!, $skip: Int!) {
  votes(first: $first, skip: $skip, where: { proposal_in: $proposals, created_gte: $since }, orderBy: "created", orderDirection: asc) { ${VOTE_FIELDS} }
}`;
export const VotesAnswer = Type.Object({ votes: Type.Array(HubVote) });

/** The hub's caps (checkLimits): first <= 1000, skip <= 5000, every *_in list <= 100. */
export const HUB_MAX_FIRST = 1000;
export const HUB_MAX_SKIP = 5000;
export const HUB_MAX_IN = 100;
