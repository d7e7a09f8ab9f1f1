import type { TSchema } from '@sinclair/typebox';
import { type TypeCheck, TypeCompiler, ValueErrorType } from '@sinclair/typebox/compiler';
import type { DaoUpsert } from '../db/queries/daos.ts';
import type { ProposalWrite, VoteWrite } from '../db/queries/governance.ts';
import type { HolderWrite } from '../db/queries/holders.ts';
import type { TreasuryBalanceWrite } from '../db/queries/treasury.ts';
import {
  type DaoInput,
  type HolderInput,
  type ProposalInput,
  RECORD_SCHEMAS,
  RECORD_TYPES,
  type RecordType,
  type TreasuryBalanceInput,
  type VoteInput,
} from './records.ts';

/**
 * A record after validation: exact decimals as strings, times as Dates, addresses lowercase. The
 * fields are the rows src/db writes, less what the importer resolves itself (the DAO and proposal
 * ids, from the slugs and source ids the record names).
 */
export type Normalized =
  | ({ type: 'dao' } & DaoUpsert)
  | ({ type: 'proposal'; dao: string } & Omit<ProposalWrite, 'daoId'>)
  | ({ type: 'vote'; dao: string; proposal: string } & Omit<VoteWrite, 'daoId' | 'proposalId'>)
  | ({ type: 'treasury_balance'; dao: string } & Omit<TreasuryBalanceWrite, 'daoId' | 'usdStale'>)
  | ({ type: 'holder'; dao: string } & Omit<HolderWrite, 'daoId'>);

export interface FieldProblem {
  field: string;
  reason: string;
}

export type Validated = { ok: true; record: Normalized } | { ok: false; problem: FieldProblem };

const checkers = Object.fromEntries(
  RECORD_TYPES.map((type) => [type, TypeCompiler.Compile(RECORD_SCHEMAS[type] as TSchema)]),
) as Record<RecordType, TypeCheck<TSchema>>;

function describeFirstError(check: TypeCheck<TSchema>, value: unknown): FieldProblem {
  const error = check.Errors(value).First();
  if (!error) return { field: '(record)', reason: 'is invalid' };
  const field = error.path.replace(/^\//, '').replaceAll('/', '.') || '(record)';
  // Our wording: one string for the schema, or one per keyword (`{ pattern: ... }`).
  const custom = (error.schema as { errorMessage?: string | { pattern?: string } }).errorMessage;
  if (error.message.startsWith('Unexpected property')) return { field, reason: 'is not a known field' };
  if (error.message === 'Expected required property') return { field, reason: 'is required' };
  const wording =
    typeof custom === 'string' ? custom : error.type === ValueErrorType.StringPattern ? custom?.pattern : undefined;
  return { field, reason: wording ?? error.message.replace(/^Expected/, 'must be').toLowerCase() };
}

/** Exact decimal text for a JSON number or decimal string; numbers use their shortest round-trip form. */
export function toDecimal(value: number | string): string {
  return typeof value === 'number' ? String(value) : value;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

export function toTime(value: number | string): Date | undefined {
  if (typeof value === 'number' || /^\d+(\.\d+)?$/.test(value)) {
    const seconds = Number(value);
    if (!Number.isFinite(seconds) || seconds < 0 || seconds > 32503680000) return undefined;
    return new Date(seconds * 1000);
  }
  if (!ISO_TIME.test(value)) return undefined;
  // A bare date or a time without zone is UTC, never the importing machine's local zone.
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/.test(value) || value.length === 10 ? value : `${value}Z`;
  const date = new Date(zoned);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

const lower = (s: string | undefined) => (s === undefined ? null : s.toLowerCase());
const orNull = <T>(v: T | undefined) => (v === undefined ? null : v);
const fail = (field: string, reason: string): Validated => ({ ok: false, problem: { field, reason } });

/** Validates one parsed JSON value against the canonical format and normalises it. */
export function validateRecord(value: unknown): Validated {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail('(record)', 'must be a JSON object');
  }
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string' || !(type in checkers)) {
    return fail('type', `must be one of ${RECORD_TYPES.join(', ')}`);
  }
  const check = checkers[type as RecordType];
  if (!check.Check(value)) return { ok: false, problem: describeFirstError(check, value) };

  const times: Record<string, Date> = {};
  for (const field of ['start', 'end', 'created', 'timestamp', 'as_of'] as const) {
    const raw = (value as Record<string, unknown>)[field];
    if (raw === undefined) continue;
    const time = toTime(raw as number | string);
    if (!time) return fail(field, `'${String(raw)}' is not an ISO-8601 time or unix seconds`);
    times[field] = time;
  }

  // A time written as a date alone is known to the day, not to the second.
  const raw = value as Record<string, unknown>;
  const dateOnly = (...fields: string[]) =>
    fields.every((f) => typeof raw[f] === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(raw[f] as string));

  switch (type as RecordType) {
    case 'dao': {
      const r = value as DaoInput;
      return {
        ok: true,
        record: {
          type: 'dao',
          slug: r.slug,
          name: r.name,
          description: orNull(r.description),
          chain: r.chain.toLowerCase(),
          tokenSymbol: orNull(r.token_symbol),
          governanceToken: orNull(r.governance_token),
          snapshotSpace: orNull(r.snapshot_space),
          governorAddress: lower(r.governor_address),
          tokenAddress: lower(r.token_address),
          treasuryAddresses: [...new Set((r.treasury_addresses ?? []).map((a) => a.toLowerCase()))],
          treasuryTokens: [...new Set((r.treasury_tokens ?? []).map((a) => a.toLowerCase()))],
        },
      };
    }
    case 'proposal': {
      const r = value as ProposalInput;
      if (times.end! < times.start!) return fail('end', 'must not be before start');
      return {
        ok: true,
        record: {
          type: 'proposal',
          dao: r.dao,
          externalId: r.id,
          source: r.source ?? 'import',
          votingType: r.voting_type ?? 'single-choice',
          title: r.title,
          body: r.body ?? '',
          author: lower(r.author),
          choices: r.choices,
          start: times.start!,
          end: times.end!,
          timePrecision: r.time_precision ?? (dateOnly('start', 'end') ? 'day' : 'second'),
          state: r.state ?? (times.end! <= new Date() ? 'closed' : 'active'),
          quorum: r.quorum === undefined ? null : toDecimal(r.quorum),
          snapshotBlock: r.snapshot_block === undefined ? null : Number(r.snapshot_block),
          scores: r.scores ? r.scores.map(toDecimal) : null,
          scoresTotal: r.scores_total === undefined ? null : toDecimal(r.scores_total),
          sourceVotesCount: r.votes_count ?? null,
          discussion: r.discussion ?? null,
        },
      };
    }
    case 'vote': {
      const r = value as VoteInput;
      if (typeof r.voting_power === 'string' ? r.voting_power.startsWith('-') : r.voting_power < 0) {
        return fail('voting_power', 'must not be negative');
      }
      return {
        ok: true,
        record: {
          type: 'vote',
          dao: r.dao,
          proposal: r.proposal,
          voter: r.voter.toLowerCase(),
          choice: r.choice,
          votingPower: toDecimal(r.voting_power),
          created: times.created!,
          createdPrecision: r.created_precision ?? (dateOnly('created') ? 'day' : 'second'),
          reason: orNull(r.reason),
        },
      };
    }
    case 'treasury_balance': {
      const r = value as TreasuryBalanceInput;
      return {
        ok: true,
        record: {
          type: 'treasury_balance',
          dao: r.dao,
          timestamp: times.timestamp!,
          wallet: r.wallet?.toLowerCase() ?? '',
          chain: r.chain.toLowerCase(),
          tokenSymbol: r.token_symbol,
          tokenAddress: r.token_address?.toLowerCase() ?? '',
          amount: toDecimal(r.amount),
          usdValue: r.usd_value === undefined ? null : toDecimal(r.usd_value),
        },
      };
    }
    case 'holder': {
      const r = value as HolderInput;
      return {
        ok: true,
        record: {
          type: 'holder',
          dao: r.dao,
          address: r.address.toLowerCase(),
          balance: toDecimal(r.balance),
          delegate: lower(r.delegate),
          votingPower: r.voting_power === undefined ? null : toDecimal(r.voting_power),
          asOf: times.as_of!,
        },
      };
    }
  }
}
