import { type Address, formatUnits } from 'viem';
import type { ChainEvent, ProposalWrite, SourceStore, VoteWrite } from '../../db/source-store.ts';
import type { LiveEvent } from '../../sync/types.ts';
import type { BlockHeader, ChainRpc } from '../evm/rpc.ts';
import { governorViews, PROPOSAL_STATES, type ProposalState } from './abi.ts';
import { VOTE_EVENTS } from './events.ts';

/**
 * Governor proposals and votes, stored in the same proposals/votes tables as every other source
 * (through the same store statements) so the API and metrics treat on-chain governance like the rest.
 * Governor's For/Against/Abstain is Snapshot's "basic" voting type: choices For (1), Against (2),
 * Abstain (3), mapped from the contract's support values 1, 0 and 2. Tallies are the sums of the
 * VoteCast weights (GovernorCountingSimple and Bravo count exactly that); state and quorum are
 * read from the contract, quorum at the proposal's snapshot (`quorum(timepoint)`, or Bravo's
 * `quorumVotes()`).
 */
export const CHOICES = ['For', 'Against', 'Abstain'];
const SUPPORT_TO_CHOICE: Record<number, number> = { 1: 1, 0: 2, 2: 3 };

export type ClockMode = 'blocknumber' | 'timestamp';

export interface ProposalMeta {
  id: string;
  proposer: string;
  description: string;
  voteStart: bigint;
  voteEnd: bigint;
}

export interface ProposalFacts {
  state: ProposalState | null;
  quorum: bigint | null;
  start: Date;
  end: Date;
  /** Whether start/end were estimated from the average block time (blocks not mined yet). */
  estimated: boolean;
}

export function metaOf(event: ChainEvent): ProposalMeta {
  const a = event.args as Record<string, string>;
  return {
    id: a.proposalId!,
    proposer: a.proposer!,
    description: a.description ?? '',
    voteStart: BigInt(a.voteStart!),
    voteEnd: BigInt(a.voteEnd!),
  };
}

/** Titles are the description's first line without Markdown heading marks. */
export function titleOf(description: string): string {
  const line =
    description
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l.length > 0) ?? '';
  const title = line.replace(/^#+\s*/, '').trim();
  return (title || 'Untitled proposal').slice(0, 300);
}

export interface ReadContext {
  rpc: ChainRpc;
  governor: Address;
  clock: ClockMode;
  /** The block every read is made at. */
  block: BlockHeader;
}

/** Seconds of a timepoint: a block's time (estimated past the head from the average block time) or a timestamp. */
async function timesOf(
  ctx: ReadContext,
  points: bigint[],
): Promise<{ times: Map<bigint, number>; estimated: Set<bigint> }> {
  const times = new Map<bigint, number>();
  const estimated = new Set<bigint>();
  if (ctx.clock === 'timestamp') {
    for (const t of points) times.set(t, Number(t));
    return { times, estimated };
  }
  const mined = points.filter((b) => b <= BigInt(ctx.block.number));
  const headers = await ctx.rpc.headers(mined.map(Number));
  for (const b of mined) {
    const header = headers.get(Number(b));
    if (!header) throw new Error(`block ${b} has no header`);
    times.set(b, header.timestamp);
  }
  const future = points.filter((b) => b > BigInt(ctx.block.number));
  if (future.length) {
    const back = Math.max(0, ctx.block.number - 1_000);
    const earlier = back === ctx.block.number ? ctx.block : await ctx.rpc.header(back);
    const span = ctx.block.number - back;
    const perBlock = span > 0 && earlier ? (ctx.block.timestamp - earlier.timestamp) / span : 12;
    for (const b of future) {
      times.set(
        b,
        Math.round(ctx.block.timestamp + Number(b - BigInt(ctx.block.number)) * (perBlock > 0 ? perBlock : 12)),
      );
      estimated.add(b);
    }
  }
  return { times, estimated };
}

async function readOrNull<T>(rpc: ChainRpc, what: string, read: () => Promise<T>): Promise<T | null> {
  try {
    return await rpc.retry(what, read);
  } catch (error) {
    // A revert (unknown proposal, a view the contract lacks) is an answer; anything else is not.
    if (isRevert(error)) return null;
    throw error;
  }
}

function isRevert(error: unknown): boolean {
  for (let e = error as { name?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (
      e.name === 'ContractFunctionRevertedError' ||
      e.name === 'ContractFunctionZeroDataError' ||
      (e.name === 'CallExecutionError' && /revert/i.test(String((e as Error).message)))
    )
      return true;
  }
  return false;
}

/** State, quorum and start/end time of each proposal as of `ctx.block`. */
export async function readFacts(ctx: ReadContext, metas: ProposalMeta[]): Promise<Map<string, ProposalFacts>> {
  const { rpc, governor, block } = ctx;
  const blockNumber = BigInt(block.number);
  const now = ctx.clock === 'timestamp' ? BigInt(block.timestamp) : blockNumber;
  const { times, estimated } = await timesOf(
    ctx,
    metas.flatMap((m) => [m.voteStart, m.voteEnd]),
  );
  const call = <T>(functionName: 'state' | 'quorum' | 'quorumVotes', args: bigint[]) =>
    rpc.client.readContract({
      address: governor,
      abi: governorViews,
      functionName,
      args,
      blockNumber,
    } as never) as Promise<T>;
  const facts = await Promise.all(
    metas.map(async (m) => {
      const [state, quorum] = await Promise.all([
        readOrNull(rpc, 'state', () => call<number>('state', [BigInt(m.id)])),
        // quorum(t) is only defined once t is in the past of the block read at.
        m.voteStart < now
          ? readOrNull(rpc, 'quorum', () => call<bigint>('quorum', [m.voteStart])).then(
              (q) => q ?? readOrNull(rpc, 'quorumVotes', () => call<bigint>('quorumVotes', [])),
            )
          : Promise.resolve(null),
      ]);
      return [
        m.id,
        {
          state: state === null ? null : (PROPOSAL_STATES[Number(state)] ?? null),
          quorum,
          start: new Date(times.get(m.voteStart)! * 1000),
          end: new Date(times.get(m.voteEnd)! * 1000),
          estimated: estimated.has(m.voteStart) || estimated.has(m.voteEnd),
        },
      ] as const;
    }),
  );
  return new Map(facts);
}

/** For/Against/Abstain sums (raw token amounts) and the number of vote logs per proposal, from the stored logs. */
async function tallies(
  tx: SourceStore,
  daoId: number,
  ids: string[],
): Promise<Map<string, { sums: [bigint, bigint, bigint]; logs: number }>> {
  const rows = await tx.chain.voteWeights(daoId, VOTE_EVENTS, ids);
  const out = new Map(ids.map((id) => [id, { sums: [0n, 0n, 0n] as [bigint, bigint, bigint], logs: 0 }]));
  for (const row of rows) {
    const choice = SUPPORT_TO_CHOICE[Number(row.support)];
    const tally = out.get(row.id);
    if (!tally) continue;
    tally.logs += Number(row.logs);
    if (choice) tally.sums[choice - 1] = tally.sums[choice - 1]! + BigInt(row.weight);
  }
  return out;
}

/** When the contract gives no state (it does not know the id), the lifecycle logs still tell the latest step. */
async function stateFromEvents(tx: SourceStore, daoId: number, id: string): Promise<ProposalState> {
  const events = await tx.chain.proposalEvents(daoId, ['ProposalQueued', 'ProposalExecuted', 'ProposalCanceled'], [id]);
  const last = events.at(-1)?.event;
  return last === 'ProposalExecuted'
    ? 'executed'
    : last === 'ProposalCanceled'
      ? 'canceled'
      : last === 'ProposalQueued'
        ? 'queued'
        : 'pending';
}

export interface WriteProposalsInput {
  daoId: number;
  daoSlug: string;
  decimals: number;
  clock: ClockMode;
  metas: ProposalMeta[];
  facts: Map<string, ProposalFacts>;
}

/** Upserts the proposals (after this range's logs are stored); returns rows written and live events. */
export async function writeProposals(
  tx: SourceStore,
  input: WriteProposalsInput,
): Promise<{ written: number; live: LiveEvent[] }> {
  const { daoId, daoSlug, decimals, metas, facts } = input;
  if (metas.length === 0) return { written: 0, live: [] };
  const ids = metas.map((m) => m.id);
  const before = await tx.governance.proposalStates(daoId, ids);
  const sums = await tallies(tx, daoId, ids);
  const rows: ProposalWrite[] = [];
  const live: LiveEvent[] = [];
  for (const m of metas) {
    const f = facts.get(m.id)!;
    const state = f.state ?? (await stateFromEvents(tx, daoId, m.id));
    const { sums: perChoice, logs } = sums.get(m.id)!;
    const [forVotes, against, abstain] = perChoice;
    rows.push({
      daoId,
      externalId: m.id,
      source: 'onchain',
      votingType: 'basic',
      title: titleOf(m.description),
      body: m.description,
      author: m.proposer,
      choices: CHOICES,
      start: f.start,
      end: f.end,
      state,
      quorum: f.quorum === null ? null : formatUnits(f.quorum, decimals),
      snapshotBlock: input.clock === 'blocknumber' ? Number(m.voteStart) : null,
      scores: [forVotes, against, abstain].map((v) => formatUnits(v, decimals)),
      scoresTotal: formatUnits(forVotes + against + abstain, decimals),
      // The contract's own record of the votes is its VoteCast logs: one per vote.
      sourceVotesCount: logs,
    });
    const old = before.get(m.id);
    if (old === undefined) live.push({ type: 'proposal.created', dao: daoSlug, proposal: m.id, state });
    else if (old !== state) live.push({ type: 'proposal.updated', dao: daoSlug, proposal: m.id, state });
  }
  const counts = await tx.governance.upsertProposals(rows);
  return { written: counts.inserted + counts.updated, live };
}

/** Upserts the votes of newly stored VoteCast / VoteCastWithParams logs. */
export async function writeVotes(
  tx: SourceStore,
  daoId: number,
  daoSlug: string,
  decimals: number,
  events: ChainEvent[],
): Promise<{ written: number; live: LiveEvent[] }> {
  const votes = events.filter((e) => VOTE_EVENTS.includes(e.event));
  if (votes.length === 0) return { written: 0, live: [] };
  const ids = [...new Set(votes.map((e) => String(e.args.proposalId)))];
  const proposalIds = await tx.governance.proposalIds(daoId, ids);
  const rows: VoteWrite[] = [];
  const live: LiveEvent[] = [];
  for (const e of votes) {
    const a = e.args as Record<string, string | number>;
    const proposalId = proposalIds.get(String(a.proposalId));
    const choice = SUPPORT_TO_CHOICE[Number(a.support)];
    // A vote on a proposal created before the indexed range, or with an unknown support value, has no place to go.
    if (proposalId === undefined || choice === undefined) continue;
    const votingPower = formatUnits(BigInt(a.weight!), decimals);
    rows.push({
      daoId,
      proposalId,
      voter: String(a.voter),
      choice,
      votingPower,
      created: e.blockTime,
      reason: a.reason ? String(a.reason) : null,
    });
    live.push({
      type: 'vote.cast',
      dao: daoSlug,
      proposal: String(a.proposalId),
      voter: String(a.voter),
      choice,
      voting_power: votingPower,
    });
  }
  if (rows.length === 0) return { written: 0, live: [] };
  const counts = await tx.governance.upsertVotes(rows);
  return { written: counts.inserted + counts.updated, live };
}
