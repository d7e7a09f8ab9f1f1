import { sql } from 'drizzle-orm';
import { decodeEventLog, toEventSelector, type Abi, type Hex } from 'viem';
import { rowsOf } from '../../db/index.ts';
import type { SyncTx } from '../../sync/types.ts';
import { governorEvents, tokenEvents } from './abi.ts';
import type { BlockHeader, RawLog } from './rpc.ts';

/**
 * A decoded log as stored in chain_events: JSON-safe args (integers as decimal strings,
 * addresses lowercase), keyed by (tx hash, log index).
 */
export interface ChainEvent {
  txHash: string;
  logIndex: number;
  blockNumber: number;
  blockHash: string;
  blockTime: Date;
  contract: string;
  event: string;
  args: Record<string, JsonArg>;
}
type JsonArg = string | number | boolean | JsonArg[];

export const GOVERNOR_TOPICS = governorEvents.map((e) => toEventSelector(e));
export const TOKEN_TOPICS = tokenEvents.map((e) => toEventSelector(e));
export const VOTE_EVENTS = ['VoteCast', 'VoteCastWithParams'];
export const TOKEN_EVENT_NAMES = tokenEvents.map((e) => e.name as string);

function toJson(value: unknown): JsonArg {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return /^0x[0-9a-fA-F]{40}$/.test(value) ? value.toLowerCase() : value;
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  return String(value);
}

/**
 * Decodes the logs of one range; logs from a contract that is not the one expected to emit the
 * event (or that do not decode, e.g. an ERC-721 Transfer with the same topic) are skipped.
 */
export function decodeLogs(logs: RawLog[], headers: Map<number, BlockHeader | undefined>, governor: string, token: string): ChainEvent[] {
  const out: ChainEvent[] = [];
  for (const log of logs) {
    if (log.removed) continue;
    const contract = log.address.toLowerCase();
    const abi: Abi = contract === governor ? governorEvents : contract === token ? tokenEvents : [];
    let decoded: { eventName: string; args: unknown };
    try {
      decoded = decodeEventLog({ abi, topics: log.topics as [Hex, ...Hex[]], data: log.data, strict: true }) as typeof decoded;
    } catch {
      continue;
    }
    const blockNumber = Number(BigInt(log.blockNumber));
    const header = headers.get(blockNumber);
    if (!header) throw new Error(`block ${blockNumber} of a log has no header`);
    const args: Record<string, JsonArg> = {};
    for (const [key, value] of Object.entries(decoded.args as Record<string, unknown>)) args[key] = toJson(value);
    out.push({
      txHash: log.transactionHash.toLowerCase(),
      logIndex: Number(BigInt(log.logIndex)),
      blockNumber,
      blockHash: log.blockHash.toLowerCase(),
      blockTime: new Date(header.timestamp * 1000),
      contract,
      event: decoded.eventName,
      args,
    });
  }
  return out.sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex);
}

const p = (values: unknown[]) => sql.param(values);

/** Stores events once; returns those that were not stored before (a replay returns none). */
export async function insertEvents(tx: SyncTx, daoId: number, events: ChainEvent[]): Promise<ChainEvent[]> {
  if (events.length === 0) return [];
  const inserted = await rowsOf<{ tx_hash: string; log_index: number }>(tx, sql`
    insert into chain_events (dao_id, tx_hash, log_index, block_number, block_hash, block_time, contract, event, args)
    select ${daoId}, * from unnest(${p(events.map((e) => e.txHash))}::text[], ${p(events.map((e) => e.logIndex))}::int[],
      ${p(events.map((e) => e.blockNumber))}::int8[], ${p(events.map((e) => e.blockHash))}::text[],
      ${p(events.map((e) => e.blockTime.toISOString()))}::timestamptz[], ${p(events.map((e) => e.contract))}::text[],
      ${p(events.map((e) => e.event))}::text[], ${p(events.map((e) => JSON.stringify(e.args)))}::jsonb[])
    on conflict do nothing
    returning tx_hash, log_index`);
  const fresh = new Set(inserted.map((r) => `${r.tx_hash}:${r.log_index}`));
  return events.filter((e) => fresh.has(`${e.txHash}:${e.logIndex}`));
}

interface EventRow {
  tx_hash: string;
  log_index: number;
  block_number: number;
  block_hash: string;
  block_time: Date | string;
  contract: string;
  event: string;
  args: Record<string, JsonArg>;
}

export function eventOf(row: EventRow): ChainEvent {
  return {
    txHash: row.tx_hash,
    logIndex: row.log_index,
    blockNumber: Number(row.block_number),
    blockHash: row.block_hash,
    blockTime: new Date(row.block_time),
    contract: row.contract,
    event: row.event,
    args: typeof row.args === 'string' ? JSON.parse(row.args) : row.args,
  };
}

/** Stored events of one kind about the given proposals, oldest first. */
export async function proposalEvents(tx: SyncTx, daoId: number, events: string[], proposalIds: string[]): Promise<ChainEvent[]> {
  if (proposalIds.length === 0) return [];
  const rows = await rowsOf<EventRow>(tx, sql`
    select * from chain_events
     where dao_id = ${daoId} and args ? 'proposalId' and args->>'proposalId' = any(${p(proposalIds)}::text[])
       and event = any(${p(events)}::text[])
     order by block_number, log_index`);
  return rows.map(eventOf);
}
