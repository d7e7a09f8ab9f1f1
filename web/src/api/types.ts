/** API shapes (snake_case, as served under /api/v1). Decimals arrive as strings. */
export interface Pagination {
  page: number;
  per_page: number;
  total: number;
  pages: number;
  next_cursor?: string | null;
}

export interface DaoRef {
  id: number;
  slug: string;
  name: string;
}

export interface Dao extends DaoRef {
  description: string | null;
  chain: string;
  token_symbol: string | null;
  governance_token: string | null;
  snapshot_space: string | null;
  governor_address: string | null;
  token_address: string | null;
  treasury_addresses: string[];
  treasury_value: string;
  total_members: number;
  active_proposals: number;
  total_proposals: number;
  total_votes: number;
  participation_rate: string;
  created_at: string;
  updated_at: string;
}

export interface ProposalSummary {
  id: number;
  dao_id: number;
  dao_slug: string;
  external_id: string;
  source: string;
  voting_type: string;
  title: string;
  author: string | null;
  choices: string[];
  start: string;
  end: string;
  state: string;
  quorum: string | null;
  snapshot_block: number | null;
  scores: string[] | null;
  scores_total: string | null;
  votes_count: number;
}

export interface Tally {
  choice: number;
  label: string | null;
  voting_power: string;
  votes: number;
}

export interface ProposalDetail extends ProposalSummary {
  body: string;
  tallies: Tally[];
  voters: number;
  voting_power_total: string;
}

export interface Vote {
  id: number;
  proposal_id: number;
  voter: string;
  choice: unknown;
  voting_power: string;
  reason: string | null;
  created: string;
}

export interface TreasuryBalance {
  timestamp: string;
  wallet: string | null;
  chain: string;
  token_symbol: string;
  token_address: string | null;
  amount: string;
  usd_value: string | null;
  usd_stale: boolean;
}

export interface Treasury {
  total_usd: string;
  as_of: string | null;
  latest: TreasuryBalance[];
  history: { timestamp: string; usd_value: string }[];
}

export interface Concentration {
  count: number;
  total: number;
  gini: number | null;
  hhi: number | null;
  nakamoto: number | null;
  top1_share: number | null;
  top5_share: number | null;
  top10_share: number | null;
  lorenz?: [number, number][];
}

export interface Summary {
  dao: DaoRef;
  from: string | null;
  to: string | null;
  activity: { proposals: number; votes: number; voters: number; new_voters: number; returning_voters: number; retention: number | null };
  participation: { closed_proposals: number; mean_voters_per_proposal: number | null; participation_rate: number | null; vp_cast: number | null; turnout_vp: number | null };
  outcomes: { closed: number; decided: number; passed: number; pass_rate: number | null; avg_margin: number | null; contested: number };
  concentration: { voters: Concentration | null; holders: Concentration | null; delegates: Concentration | null };
  delegates: { count: number; with_votes: number };
  treasury: {
    total_usd: number | null;
    change_usd: number | null;
    change_pct: number | null;
    own_token_share: number | null;
    stablecoin_share: number | null;
    monthly_net_outflow: number | null;
    runway_months: number | null;
    composition: { token: string; chain: string; usd: number; share: number }[];
    as_of: string | null;
  };
}

export interface Comparison {
  metrics: string[];
  daos: { dao: DaoRef; summary: Summary; ranks: Record<string, number> }[];
  median: Record<string, number | null>;
}

export type EnhancedType = 'activity' | 'participation' | 'outcomes' | 'concentration' | 'delegates' | 'treasury';
export type EnhancedPoint = { t: string } & Record<string, number | null | Record<string, number>>;
export interface Enhanced {
  type: EnhancedType;
  bucket: 'day' | 'week' | 'month';
  from: string | null;
  to: string | null;
  series: { dao: DaoRef; points: EnhancedPoint[] }[];
}

export interface Voter {
  voter: string;
  votes: number;
  voting_power: number;
  share: number | null;
  first_vote: string;
  last_vote: string;
}

export interface Delegate {
  address: string;
  voting_power: number;
  delegators: number;
  votes_cast: number;
  participation: number | null;
  for: number;
  against: number;
  abstain: number;
}

export interface SearchHit {
  kind: 'dao' | 'proposal';
  id: number;
  dao_slug: string;
  title: string;
  snippet: string;
  rank: number;
}

export interface SyncStatus {
  dao: DaoRef;
  source: string;
  state: 'idle' | 'running' | 'failed' | 'scheduled';
  last_success: string | null;
  started_at: string | null;
  cursor: unknown;
  lag: number | null;
  last_error: string | null;
  details: Record<string, unknown> | null;
}

export type LiveEvent =
  | { type: 'proposal.created' | 'proposal.updated'; dao: string; proposal: string; state?: string }
  | { type: 'vote.cast'; dao: string; proposal: string; voter: string; choice: unknown; voting_power: string }
  | { type: 'sync.finished' | 'sync.failed'; dao: string; source: string; message?: string };
