/**
 * Converters from published DAO data exports to canonical interchange records.
 *
 * A converter is a generator over plain JSON objects, emitted in dependency order: DAOs, then
 * proposals, then votes, then treasury balances and holders, so every record only refers to
 * records that came before it. The CLI (`dao-portal convert <name> <dir>`) prints them as NDJSON.
 *
 * Conventions shared by all records: optional fields without a value are left out (never null or
 * ""), times are ISO-8601 UTC strings with milliseconds, every amount / balance / voting power /
 * score / quorum is a decimal string copied verbatim from the source text, addresses are lowercase.
 */
import { convertDecentraland } from './decentraland.js';
import { convertTokenomics } from './tokenomics.js';

export type VotingType = 'single-choice' | 'approval' | 'quadratic' | 'ranked-choice' | 'weighted' | 'basic';

/**
 * 1-based choice index (single-choice, basic); list of indexes (approval, ranked-choice, in rank
 * order); or index (as a string key) → weight (weighted, quadratic).
 */
export type VoteChoice = number | number[] | Record<string, number>;

export interface DaoRecord {
  type: 'dao';
  slug: string;
  name: string;
  description?: string;
  chain: string;
  token_symbol?: string;
  governance_token?: string;
  snapshot_space?: string;
  governor_address?: string;
  token_address?: string;
  treasury_addresses?: string[];
}

export interface ProposalRecord {
  type: 'proposal';
  dao: string;
  id: string;
  source?: 'snapshot' | 'onchain' | 'import';
  voting_type?: VotingType;
  title: string;
  body?: string;
  author?: string;
  choices: string[];
  start: string;
  end: string;
  state?: string;
  quorum?: string;
  snapshot_block?: string;
  scores?: string[];
  scores_total?: string;
}

export interface VoteRecord {
  type: 'vote';
  dao: string;
  proposal: string;
  voter: string;
  choice: VoteChoice;
  voting_power: string;
  created: string;
  reason?: string;
}

export interface TreasuryBalanceRecord {
  type: 'treasury_balance';
  dao: string;
  timestamp: string;
  wallet?: string;
  chain: string;
  token_symbol: string;
  token_address?: string;
  amount: string;
  usd_value?: string;
}

export interface HolderRecord {
  type: 'holder';
  dao: string;
  address: string;
  balance: string;
  delegate?: string;
  voting_power?: string;
  as_of: string;
}

export type CanonicalRecord = DaoRecord | ProposalRecord | VoteRecord | TreasuryBalanceRecord | HolderRecord;

export interface ConvertOptions {
  /** Called for data oddities the converter resolved on its own (duplicates dropped, fallbacks). */
  onWarning?: (message: string) => void;
}

export type Converter = (dir: string, options?: ConvertOptions) => Generator<CanonicalRecord>;

export const converters = {
  decentraland: convertDecentraland,
  tokenomics: convertTokenomics,
} satisfies Record<string, Converter>;

export type ConverterName = keyof typeof converters;

export const converterDescriptions: Record<ConverterName, string> = {
  decentraland:
    'Decentraland DAO transparency export (Apache-2.0): DAO, Snapshot proposals and votes, monthly treasury balances, members.',
  tokenomics:
    'Tokenomics-As-Institutional_Design data (Zach Zukowski / Tokenization Systems, CC BY 4.0): Snapshot proposals and votes of 6 spaces, top-1,000 holders of 15 tokens.',
};

export { convertDecentraland, convertTokenomics };
