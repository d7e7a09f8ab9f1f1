import { type Abi, decodeEventLog, type Hex, toEventSelector } from 'viem';
import type { ChainEvent, JsonArg } from '../../db/source-store.ts';
import type { BlockHeader, RawLog } from '../evm/rpc.ts';
import { governorEvents, tokenEvents } from './abi.ts';

/**
 * The Governor's and its token's logs, decoded into the events the store keeps (chain_events):
 * JSON-safe args (integers as decimal strings, addresses lowercase), keyed by (tx hash, log index).
 */
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
export function decodeLogs(
  logs: RawLog[],
  headers: Map<number, BlockHeader | undefined>,
  governor: string,
  token: string,
): ChainEvent[] {
  const out: ChainEvent[] = [];
  for (const log of logs) {
    if (log.removed) continue;
    const contract = log.address.toLowerCase();
    const abi: Abi = contract === governor ? governorEvents : contract === token ? tokenEvents : [];
    let decoded: { eventName: string; args: unknown };
    try {
      decoded = decodeEventLog({
        abi,
        topics: log.topics as [Hex, ...Hex[]],
        data: log.data,
        strict: true,
      }) as typeof decoded;
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
