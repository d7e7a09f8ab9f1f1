import {
  type ASTVisitor,
  buildSchema,
  type FieldNode,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLSchema,
  type InlineFragmentNode,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';
import type { HubData, HubProposalRow, HubVoteRow } from './data.ts';

/**
 * The hub's GraphQL schema (the part a portal uses, with the hub's field names and types) and
 * resolvers that apply the hub's rules: checkLimits (first <= 1000, skip <= 5000, first/skip >= 0,
 * *_in <= 100), `_gt/_gte/_lt/_lte` only when truthy, `x_in: []` matches nothing, orderBy from an
 * allow-list falling back to `created`, ties broken by id ascending, defaults first 20 / desc.
 */
export const HUB_SDL = /* GraphQL */ `
scalar Any
enum OrderDirection { asc desc }

type Query {
  space(id: String!): Space
  spaces(first: Int! = 20, skip: Int! = 0, where: SpaceWhere, orderBy: String, orderDirection: OrderDirection): [Space]
  proposal(id: String!): Proposal
  proposals(first: Int! = 20, skip: Int! = 0, where: ProposalWhere, orderBy: String, orderDirection: OrderDirection): [Proposal]
  vote(id: String!): Vote
  votes(first: Int! = 20, skip: Int! = 0, where: VoteWhere, orderBy: String, orderDirection: OrderDirection): [Vote]
}

input SpaceWhere { id: String, id_in: [String] }

input ProposalWhere {
  id: String, id_in: [String], ipfs: String, ipfs_in: [String], space: String, space_in: [String],
  author: String, author_in: [String], network: String, network_in: [String], title_contains: String,
  type: String, type_in: [String], state: String, scores_state: String, scores_state_in: [String],
  created: Int, created_in: [Int], created_gt: Int, created_gte: Int, created_lt: Int, created_lte: Int,
  updated: Int, updated_in: [Int], updated_gt: Int, updated_gte: Int, updated_lt: Int, updated_lte: Int,
  start: Int, start_in: [Int], start_gt: Int, start_gte: Int, start_lt: Int, start_lte: Int,
  end: Int, end_in: [Int], end_gt: Int, end_gte: Int, end_lt: Int, end_lte: Int,
  votes: Int, votes_in: [Int], votes_gt: Int, votes_gte: Int, votes_lt: Int, votes_lte: Int,
  scores_total_value: Float, scores_total_value_in: [Float], scores_total_value_gt: Float, scores_total_value_gte: Float,
  scores_total_value_lt: Float, scores_total_value_lte: Float,
  space_verified: Boolean, flagged: Boolean
}

input VoteWhere {
  id: String, id_in: [String], ipfs: String, ipfs_in: [String], space: String, space_in: [String],
  voter: String, voter_in: [String], proposal: String, proposal_in: [String],
  reason: String, reason_not: String, reason_in: [String], reason_not_in: [String],
  app: String, app_not: String, app_in: [String], app_not_in: [String],
  created: Int, created_in: [Int], created_gt: Int, created_gte: Int, created_lt: Int, created_lte: Int,
  vp: Float, vp_in: [Float], vp_gt: Float, vp_gte: Float, vp_lt: Float, vp_lte: Float,
  vp_state: String, vp_state_in: [String]
}

type Strategy { name: String!, network: String, params: Any }
type Validation { name: String!, params: Any }
type SpaceVoting { delay: Int, period: Int, type: String, quorum: Float, quorumType: String, blind: Boolean, hideAbstain: Boolean, privacy: String, aliased: Boolean }

type Space {
  id: String!, name: String, about: String, network: String, symbol: String, strategies: [Strategy],
  admins: [String], members: [String], filters: SpaceFilters, plugins: Any, voting: SpaceVoting,
  validation: Validation, verified: Boolean, flagged: Boolean, parent: Space, children: [Space],
  proposalsCount: Int, votesCount: Int, followersCount: Int, created: Int
}
type SpaceFilters { minScore: Float, onlyMembers: Boolean }

type Proposal {
  id: String!, ipfs: String, author: String!, created: Int!, updated: Int, space: Space, network: String!,
  symbol: String!, type: String, strategies: [Strategy]!, validation: Validation, plugins: Any!, title: String!,
  body: String, discussion: String!, choices: [String]!, labels: [String]!, start: Int!, end: Int!,
  quorum: Float!, quorumType: String, privacy: String, snapshot: Int, state: String, link: String, app: String,
  scores: [Float], scores_by_strategy: Any, scores_state: String, scores_total: Float, scores_updated: Int,
  votes: Int, flagged: Boolean
}

type Vote {
  id: String!, ipfs: String, voter: String!, created: Int!, space: Space!, proposal: Proposal, choice: Any!,
  metadata: Any, reason: String, app: String, vp: Float, vp_by_strategy: [Float], vp_state: String
}
`;

const PROPOSAL_ORDER: Record<string, keyof HubProposalRow | 'updated'> = {
  created: 'created',
  updated: 'updated',
  start: 'start',
  end: 'end',
  votes: 'votes',
  scores_total_value: 'scores_total',
};
const VOTE_ORDER: Record<string, keyof HubVoteRow> = { created: 'created', vp: 'vp' };

interface ListArgs {
  first: number;
  skip: number;
  where?: Record<string, unknown> | null;
  orderBy?: string | null;
  orderDirection?: 'asc' | 'desc' | null;
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$|^0x[0-9a-fA-F]{1,64}$/;

function checkLimits(args: ListArgs, inLimits: Record<string, number> = {}) {
  if (args.first > 1000) throw new GraphQLError('The `first` argument must not be greater than 1000');
  if (args.skip > 5000) throw new GraphQLError('The `skip` argument must not be greater than 5000');
  if (args.first < 0) throw new GraphQLError('The `first` argument must be positive');
  if (args.skip < 0) throw new GraphQLError('The `skip` argument must be positive');
  for (const [key, value] of Object.entries(args.where ?? {})) {
    if (key.endsWith('_in') && Array.isArray(value) && value.length > (inLimits[key] ?? 100)) {
      throw new GraphQLError(`The \`${key}\` argument must not be greater than ${inLimits[key] ?? 100}`);
    }
  }
}

/** `where` as the hub's SQL builder reads it, compiled once per request; addresses compare case-insensitively (the hub checksums them). */
function compileWhere(
  where: Record<string, unknown>,
  addressFields: string[],
): (row: Record<string, unknown>) => boolean {
  const tests: Array<(row: Record<string, unknown>) => boolean> = [];
  for (const [key, value] of Object.entries(where)) {
    if (value === null || value === undefined) continue;
    const m = /^(.*?)(_in|_not_in|_not|_gt|_gte|_lt|_lte|_contains)?$/.exec(key)!;
    const field = m[1] === 'scores_total_value' ? 'scores_total' : m[1]!;
    const op = m[2] ?? '';
    if (
      ['space_verified', 'flagged', 'network', 'ipfs', 'scores_state', 'app', 'vp_state'].includes(field) &&
      op === ''
    )
      continue;
    const norm = (v: unknown) => (addressFields.includes(field) && typeof v === 'string' ? v.toLowerCase() : v);
    const get = (row: Record<string, unknown>) => norm(row[field]);
    const wanted = norm(value);
    const list = Array.isArray(value) ? new Set(value.map(norm)) : new Set();
    // _gt/_gte/_lt/_lte apply only when truthy: created_gt: 0 does nothing.
    if (['_gt', '_gte', '_lt', '_lte'].includes(op) && !value) continue;
    const n = value as number;
    switch (op) {
      case '':
        tests.push((r) => get(r) === wanted);
        break;
      case '_not':
        tests.push((r) => get(r) !== wanted);
        break;
      case '_in':
        tests.push((r) => list.has(get(r)));
        break;
      case '_not_in':
        tests.push((r) => !list.has(get(r)));
        break;
      case '_gt':
        tests.push((r) => (get(r) as number) > n);
        break;
      case '_gte':
        tests.push((r) => (get(r) as number) >= n);
        break;
      case '_lt':
        tests.push((r) => (get(r) as number) < n);
        break;
      case '_lte':
        tests.push((r) => (get(r) as number) <= n);
        break;
      case '_contains':
        tests.push((r) => String(get(r) ?? '').includes(String(value)));
        break;
    }
  }
  return (row) => tests.every((t) => t(row));
}

function checkAddresses(where: Record<string, unknown>, fields: string[]) {
  for (const field of fields) {
    for (const key of [field, `${field}_in`]) {
      const value = where[key];
      if (value === undefined || value === null) continue;
      const list = Array.isArray(value) ? value : [value];
      if (list.some((v) => typeof v !== 'string' || !ADDRESS.test(v)))
        throw new GraphQLError(`Invalid addresses in ${field}`);
    }
  }
}

/** Hub order: `ORDER BY <field> <dir>, id ASC`. */
function order<T extends { id: string }>(rows: T[], args: ListArgs, allowed: Record<string, keyof T | string>): T[] {
  const field = (allowed[args.orderBy ?? 'created'] ?? 'created') as keyof T;
  const dir = args.orderDirection === 'asc' ? 1 : -1;
  return rows.sort((a, b) => {
    const x = a[field] as number;
    const y = b[field] as number;
    if (x !== y) return x < y ? -dir : dir;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
}

function page<T extends { id: string }>(rows: T[], args: ListArgs, allowed: Record<string, keyof T | string>): T[] {
  return order(rows, args, allowed).slice(args.skip, args.skip + args.first);
}

export function createHubSchema(data: HubData): { schema: GraphQLSchema; rootValue: Record<string, unknown> } {
  const schema = buildSchema(HUB_SDL);
  const space = (id: string) => {
    const s = data.spaces.get(id);
    if (!s) return null;
    // Counts are computed only when asked for: `space { id }` is on every proposal of a page.
    const proposals = () => [...data.proposals.values()].filter((p) => p.space === id);
    return {
      id: s.id,
      name: s.name,
      about: '',
      network: '1',
      symbol: s.symbol,
      strategies: [{ name: 'erc20-balance-of', network: '1', params: { symbol: s.symbol, decimals: 18 } }],
      admins: [],
      members: [],
      filters: { minScore: 0, onlyMembers: false },
      plugins: {},
      voting: {
        delay: null,
        period: null,
        type: null,
        quorum: null,
        quorumType: null,
        blind: null,
        hideAbstain: null,
        privacy: null,
        aliased: null,
      },
      validation: { name: 'basic', params: {} },
      verified: true,
      flagged: false,
      parent: null,
      children: [],
      proposalsCount: () => proposals().length,
      votesCount: () => proposals().reduce((n, p) => n + data.votesOf(p.id).length, 0),
      followersCount: 0,
      created: 0,
    };
  };
  const proposal = (p: HubProposalRow) => ({
    id: p.id,
    ipfs: p.id,
    author: p.author,
    created: p.created,
    updated: p.created,
    space: () => space(p.space),
    network: '1',
    symbol: data.spaces.get(p.space)?.symbol ?? '',
    type: p.type,
    strategies: [],
    validation: { name: 'any', params: {} },
    plugins: {},
    title: p.title,
    body: p.body,
    discussion: p.discussion,
    choices: p.choices,
    labels: [],
    start: p.start,
    end: p.end,
    quorum: p.quorum,
    quorumType: 'default',
    privacy: '',
    snapshot: 0,
    state: data.stateOf(p),
    link: `https://testnet.snapshot.box/#/s-tn:${p.space}/proposal/${p.id}`,
    app: 'snapshot',
    scores: p.scores,
    scores_by_strategy: p.scores.map((s) => [s]),
    scores_state: 'final',
    scores_total: p.scores_total,
    scores_updated: p.end,
    votes: p.votes,
    flagged: false,
  });
  const vote = (v: HubVoteRow) => ({
    id: v.id,
    ipfs: '',
    voter: v.voter,
    created: v.created,
    space: () => space(v.space),
    proposal: () => (data.proposals.has(v.proposal) ? proposal(data.proposals.get(v.proposal)!) : null),
    choice: v.choice,
    metadata: {},
    reason: v.reason,
    app: 'snapshot',
    vp: v.vp,
    vp_by_strategy: [v.vp],
    vp_state: 'final',
  });

  let sortedVotes = { version: -1, lists: new Map<string, HubVoteRow[]>() };
  const rootValue = {
    space: ({ id }: { id: string }) => space(id),
    spaces: (args: ListArgs) => {
      if (args.first > 1000) throw new GraphQLError('The `first` argument must not be greater than 1000');
      const rows = [...data.spaces.values()].filter(compileWhere(args.where ?? {}, []) as never);
      return page(
        rows.map((s) => ({ ...s, created: 0 })),
        args,
        { created: 'created' },
      ).map((s) => space(s.id));
    },
    proposal: ({ id }: { id: string }) => (data.proposals.has(id) ? proposal(data.proposals.get(id)!) : null),
    proposals: (args: ListArgs) => {
      checkLimits(args, { space_in: 10000 });
      const where = args.where ?? {};
      checkAddresses(where, ['author']);
      const rows = [...data.proposals.values()]
        .map((p) => ({ ...p, updated: p.created, state: data.stateOf(p) }))
        .filter(compileWhere(where, ['author']) as never);
      return page(rows, args, PROPOSAL_ORDER).map((p) => proposal(data.proposals.get(p.id)!));
    },
    vote: ({ id }: { id: string }) => (data.votes.has(id) ? vote(data.votes.get(id)!) : null),
    votes: (args: ListArgs) => {
      checkLimits(args);
      const where = args.where ?? {};
      checkAddresses(where, ['voter']);
      const test = compileWhere(where, ['voter']) as unknown as (v: HubVoteRow) => boolean;
      let ordered: HubVoteRow[];
      if (typeof where.proposal === 'string' || Array.isArray(where.proposal_in)) {
        const ids = typeof where.proposal === 'string' ? [where.proposal] : (where.proposal_in as string[]);
        ordered = order(ids.flatMap((id) => data.votesOf(id)).filter(test), args, VOTE_ORDER);
      } else {
        // Space-wide lists are long: keep each ordering sorted until the votes change.
        const key = `${args.orderBy ?? ''}|${args.orderDirection ?? ''}`;
        if (sortedVotes.version !== data.version) sortedVotes = { version: data.version, lists: new Map() };
        let list = sortedVotes.lists.get(key);
        if (!list) sortedVotes.lists.set(key, (list = order([...data.votes.values()], args, VOTE_ORDER)));
        ordered = list.filter(test);
      }
      const rows = ordered.slice(args.skip, args.skip + args.first);
      const proposals = new Map<string, ReturnType<typeof proposal> | null>();
      return rows.map((v) => ({
        ...vote(v),
        proposal: () => {
          if (!proposals.has(v.proposal))
            proposals.set(
              v.proposal,
              data.proposals.has(v.proposal) ? proposal(data.proposals.get(v.proposal)!) : null,
            );
          return proposals.get(v.proposal);
        },
      }));
    },
  };
  return { schema, rootValue };
}

/**
 * graphql-depth-limit(5) as the hub configures it: root fields are depth 0, a field deeper than
 * 5 fails validation with "'<operation name>' exceeds maximum operation depth of 5".
 */
export function depthLimitRule(maxDepth: number) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const def of context.getDocument().definitions)
      if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    const walk = (set: SelectionSetNode, depth: number, name: string): void => {
      for (const selection of set.selections) {
        if (selection.kind === Kind.FIELD) {
          const field = selection as FieldNode;
          if (depth > maxDepth) {
            context.reportError(
              new GraphQLError(`'${name}' exceeds maximum operation depth of ${maxDepth}`, { nodes: [field] }),
            );
            return;
          }
          if (field.selectionSet) walk(field.selectionSet, depth + 1, name);
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          walk((selection as InlineFragmentNode).selectionSet, depth, name);
        } else {
          const fragment = fragments.get(selection.name.value);
          if (fragment) walk(fragment.selectionSet, depth, name);
        }
      }
    };
    return {
      OperationDefinition(node: OperationDefinitionNode) {
        walk(node.selectionSet, 0, node.name?.value ?? '');
      },
    };
  };
}
