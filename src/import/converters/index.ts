/**
 * Converters from published DAO data exports to canonical interchange records (the contract is
 * in ./converter.ts). The CLI (`dao-portal convert <name> <dir>`) prints them as NDJSON.
 *
 * Conventions shared by all records: optional fields without a value are left out (never null or
 * ""), times are ISO-8601 UTC strings with milliseconds, every amount / balance / voting power /
 * score / quorum is a decimal string copied verbatim from the source text, addresses are lowercase.
 */
import { convertAave } from './aave.ts';
import type { Converter } from './converter.ts';
import { convertDecentraland } from './decentraland.ts';
import { convertTokenomics } from './tokenomics.ts';

// The record shapes are the importer's own (src/import/records.ts): one definition of the format.
export type { Choice as VoteChoice, VotingType } from '../../metrics/snapshot-scoring.ts';
export type {
  CanonicalRecord,
  DaoInput as DaoRecord,
  HolderInput as HolderRecord,
  ProposalInput as ProposalRecord,
  TreasuryBalanceInput as TreasuryBalanceRecord,
  VoteInput as VoteRecord,
} from '../records.ts';
export type { Converter, ConvertOptions } from './converter.ts';

export const converters = {
  aave: convertAave,
  decentraland: convertDecentraland,
  tokenomics: convertTokenomics,
} satisfies Record<string, Converter>;

export type ConverterName = keyof typeof converters;

export const converterDescriptions: Record<ConverterName, string> = {
  aave: 'Aave governance proposal texts (bgd-labs/aave-proposals-v3, CC0): the aave DAO and 569 proposals with their markdown bodies.',
  decentraland:
    'Decentraland DAO transparency export (Apache-2.0): DAO, Snapshot proposals and votes, monthly treasury balances, members.',
  tokenomics:
    'Tokenomics-As-Institutional_Design data (Zach Zukowski / Tokenization Systems, CC BY 4.0): Snapshot proposals and votes of 6 spaces, top-1,000 holders of 15 tokens.',
};

export { convertAave, convertDecentraland, convertTokenomics };
