import type { ApiKeyRow, UserRow } from '../db/queries/accounts.ts';
import type { DaoRow } from '../db/queries/daos.ts';

/** Database rows (camelCase, Dates) to API objects (snake_case, ISO times); one place for the mapping. */
export function daoToApi(row: DaoRow) {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    description: row.description,
    chain: row.chain,
    token_symbol: row.tokenSymbol,
    governance_token: row.governanceToken,
    snapshot_space: row.snapshotSpace,
    governor_address: row.governorAddress,
    token_address: row.tokenAddress,
    treasury_addresses: row.treasuryAddresses,
    treasury_tokens: row.treasuryTokens,
    treasury_value: row.treasuryValue,
    total_members: row.totalMembers,
    active_proposals: row.activeProposals,
    total_proposals: row.totalProposals,
    total_votes: row.totalVotes,
    participation_rate: row.participationRate,
    turnout_vp: row.turnoutVp,
    turnout_basis: row.turnoutBasis,
    voter_holder_ratio: row.voterHolderRatio,
    median_voters: row.medianVoters,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

export function proposalToApi(row: {
  id: number;
  daoId: number;
  daoSlug: string;
  externalId: string;
  source: string;
  votingType: string;
  title: string;
  author: string | null;
  choices: string[];
  start: Date;
  end: Date;
  timePrecision: 'day' | 'second';
  state: string;
  quorum: string | null;
  snapshotBlock: number | null;
  scores: string[] | null;
  scoresTotal: string | null;
  votesCount: number;
  createdAt: Date;
  updatedAt: Date;
}) {
  return {
    id: row.id,
    dao_id: row.daoId,
    dao_slug: row.daoSlug,
    external_id: row.externalId,
    source: row.source,
    voting_type: row.votingType,
    title: row.title,
    author: row.author,
    choices: row.choices,
    start: row.start.toISOString(),
    end: row.end.toISOString(),
    time_precision: row.timePrecision,
    state: row.state,
    quorum: row.quorum,
    snapshot_block: row.snapshotBlock,
    scores: row.scores,
    scores_total: row.scoresTotal,
    votes_count: row.votesCount,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

export function paginate(page: number, perPage: number, total: number) {
  return { page, per_page: perPage, total, pages: Math.ceil(total / perPage) };
}

export function userToApi(user: UserRow) {
  return {
    id: user.id,
    email: user.email,
    display_name: user.displayName,
    role: user.role,
    disabled: user.disabled,
    two_factor: user.totpSecret !== null,
    created_at: user.createdAt.toISOString(),
    last_login_at: user.lastLoginAt?.toISOString() ?? null,
  };
}

export function apiKeyToApi(key: ApiKeyRow) {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    scopes: key.scopes,
    owner: { id: key.userId, email: key.ownerEmail },
    rate_limit_per_minute: key.rateLimitPerMinute,
    created_at: key.createdAt.toISOString(),
    last_used_at: key.lastUsedAt?.toISOString() ?? null,
    expires_at: key.expiresAt?.toISOString() ?? null,
    revoked_at: key.revokedAt?.toISOString() ?? null,
  };
}
