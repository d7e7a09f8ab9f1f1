import type { DaoReport } from '../ai/report/schema.ts';
import type { ApiKeyRow, UserRow } from '../db/queries/accounts.ts';
import type { AnalysisRow, JobRow } from '../db/queries/ai.ts';
import type { DaoRow } from '../db/queries/daos.ts';
import type { ProposalRow } from '../db/queries/governance.ts';
import { proposalResult, tallySource } from '../metrics/outcomes.ts';

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

export type ProposalRowForApi = Pick<
  ProposalRow,
  | 'id'
  | 'daoId'
  | 'daoSlug'
  | 'externalId'
  | 'source'
  | 'votingType'
  | 'title'
  | 'author'
  | 'choices'
  | 'start'
  | 'end'
  | 'timePrecision'
  | 'state'
  | 'storedState'
  | 'quorum'
  | 'snapshotBlock'
  | 'scores'
  | 'scoresTotal'
  | 'votesCount'
  | 'votesStored'
  | 'sourceVotesCount'
  | 'discussion'
  | 'tally'
  | 'createdAt'
  | 'updatedAt'
>;

const toNumbers = (values: readonly string[] | null) => (values && values.length > 0 ? values.map(Number) : null);

/**
 * Complete per-choice scores of a proposal, or null: the stored votes' tallies when every vote
 * the source counted is stored, else the source's own scores. A partial tally is never used for
 * a result. `fromVotes` overrides the rollup's single-choice sums (the detail computes every type).
 */
export function completeScores(row: ProposalRowForApi, fromVotes?: number[] | null): number[] | null {
  const source = tallySource({
    stored: row.votesStored,
    sourceCount: row.sourceVotesCount,
    hasScores: (row.scores?.length ?? 0) > 0,
  });
  if (source === 'source_scores') return toNumbers(row.scores);
  if (source !== 'all_votes') return null;
  if (fromVotes !== undefined) return fromVotes;
  const vp = row.tally?.choice_vp ?? {};
  const keys = Object.keys(vp).map(Number);
  if (keys.length === 0) return toNumbers(row.scores);
  return Array.from({ length: Math.max(row.choices.length, ...keys) }, (_, i) => Number(vp[String(i + 1)] ?? 0));
}

export function proposalToApi(row: ProposalRowForApi, fromVotes?: number[] | null) {
  const source = tallySource({
    stored: row.votesStored,
    sourceCount: row.sourceVotesCount,
    hasScores: (row.scores?.length ?? 0) > 0,
  });
  const scores = completeScores(row, fromVotes);
  const total = row.scoresTotal !== null ? Number(row.scoresTotal) : scores ? scores.reduce((a, b) => a + b, 0) : null;
  const result = proposalResult({
    state: row.state,
    choices: row.choices,
    scores,
    quorum: row.quorum === null ? null : Number(row.quorum),
    total: source === 'all_votes' && scores ? scores.reduce((a, b) => a + b, 0) : total,
  });
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
    source_state: row.storedState,
    quorum: row.quorum,
    snapshot_block: row.snapshotBlock,
    scores: row.scores,
    scores_total: row.scoresTotal,
    votes_count: Number(row.votesCount),
    votes_stored: row.votesStored,
    tally_source: source,
    outcome: result.outcome,
    winner: result.winner,
    quorum_reached: result.quorum_reached,
    discussion: row.discussion,
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

/** What every stored AI result says of how it was made (proposal analyses and DAO reports). */
const storedAnalysisFields = (a: AnalysisRow) => ({
  id: a.id,
  provider: a.provider,
  model: a.model,
  prompt_version: a.promptVersion,
  input_hash: a.inputHash,
  priority: a.priority,
  fallback_reason: a.fallbackReason,
  input_tokens: a.inputTokens,
  output_tokens: a.outputTokens,
  cost_usd: a.costUsd,
  created_at: a.createdAt.toISOString(),
});

/** A stored proposal analysis, as the API (and the MCP tool) answers it. */
export const analysisToApi = (a: AnalysisRow) => ({
  ...storedAnalysisFields(a),
  proposal_id: a.subjectId,
  result: a.result as never,
});

/** A stored DAO governance report, as GET /daos/{id}/report answers it. */
export const reportToApi = (a: AnalysisRow) => {
  const result = a.result as DaoReport;
  return {
    ...storedAnalysisFields(a),
    dao_id: a.subjectId,
    headline: result.headline,
    paragraphs: result.paragraphs,
    figures: result.figures,
  };
};

export const jobToApi = (j: JobRow) => ({
  id: j.id,
  proposal_id: j.subjectId,
  status: j.status as 'queued',
  priority: j.priority,
  provider: j.provider,
  analysis_id: j.analysisId,
  error: j.error,
  created_at: j.createdAt.toISOString(),
  updated_at: j.updatedAt.toISOString(),
});
