import { type Address, getAddress, type Hex, numberToHex } from 'viem';
import type { ChainEvent } from '../../db/source-store.ts';
import { ValidationError } from '../../errors.ts';
import type { LiveEvent, SyncContext, SyncOutcome, SyncSource } from '../../sync/types.ts';
import { rpcUrlFor } from '../evm/chains.ts';
import { erc20Views } from '../evm/erc20.ts';
import { type BlockHeader, ChainRpc, type RpcOptions } from '../evm/rpc.ts';
import { FINAL_STATES, governorViews } from './abi.ts';
import { governorAppliesTo } from './applies.ts';
import { decodeLogs, GOVERNOR_TOPICS, TOKEN_TOPICS } from './events.ts';
import { type ClockMode, metaOf, type ProposalMeta, readFacts, writeProposals, writeVotes } from './proposals.ts';
import { findAncestor, rollback } from './reorg.ts';
import { applyTokenEvents } from './token.ts';

/**
 * The on-chain Governor source: indexes a DAO's Governor (OpenZeppelin or Compound Bravo) and
 * its ERC20Votes/COMP-style token from the token's deployment up to the chain head, in block
 * ranges. Each range commits its logs, the proposals/votes/token accounts derived from them, the
 * hashes of its not-yet-final blocks and the cursor {block, hash} in one transaction.
 */
export interface GovernorSourceConfig {
  rpcUrls: Record<number, string>;
  confirmations: number;
  /** First block to index on a first run; found by bisecting for the token's deployment when absent. */
  startBlock?: number;
  /** Tuning of the RPC client (retries, backoff, log ranges). */
  rpc?: Partial<Omit<RpcOptions, 'url' | 'logger' | 'signal'>>;
}

interface GovernorCursor {
  block?: number;
  hash?: string;
  token?: string;
  decimals?: number;
  clock?: ClockMode;
  /** Proposals to read again at the next step: start/end still estimated, or changed by a rollback. */
  refresh?: string[];
}

/** The chain moved under a range being read; the run re-checks for a reorg and reads it again. */
class ChainMovedError extends Error {}

export function createGovernorSource(config: GovernorSourceConfig): SyncSource {
  return {
    name: 'governor',
    appliesTo: governorAppliesTo,
    run: (ctx) => new GovernorSync(ctx, config).run(),
  };
}

const address = (value: string, what: string): Address => {
  try {
    return getAddress(value).toLowerCase() as Address;
  } catch {
    throw new ValidationError(`${what} '${value}' is not an address`);
  }
};

class GovernorSync {
  private readonly rpc: ChainRpc;
  private readonly governor: Address;
  private cursor: GovernorCursor;
  private written = 0;
  private read = 0;

  constructor(
    private readonly ctx: SyncContext,
    private readonly config: GovernorSourceConfig,
  ) {
    this.governor = address(ctx.dao.governorAddress ?? '', 'governor_address');
    this.rpc = new ChainRpc({
      ...config.rpc,
      url: rpcUrlFor(config.rpcUrls, ctx.dao.chain),
      logger: ctx.logger,
      signal: ctx.signal,
    });
    this.cursor = { ...(ctx.cursor as GovernorCursor) };
  }

  async run(): Promise<SyncOutcome> {
    const { dao } = this.ctx;
    const token = address(dao.tokenAddress ?? this.cursor.token ?? (await this.readToken()), 'token_address');
    const decimals =
      this.cursor.decimals ??
      Number(
        await this.rpc.retry('decimals', () =>
          this.rpc.client.readContract({ address: token, abi: erc20Views, functionName: 'decimals' }),
        ),
      );
    const clock = this.cursor.clock ?? (await this.readClock());
    const meta = { token, decimals, clock };

    let head = 0;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.checkReorg(meta);
        head = await this.rpc.blockNumber();
        // State, quorum and times are read at the head for every range, so what a range writes
        // does not depend on how the blocks were split into ranges (a replay writes nothing).
        const headHeader = await this.rpc.header(head);
        if (!headHeader) throw new ChainMovedError(`head ${head} is gone`);
        if (this.cursor.block === undefined) {
          this.cursor.block = (this.config.startBlock ?? (await this.deployBlock(token, head))) - 1;
        }
        const first = this.cursor.block;
        for (;;) {
          const from = this.cursor.block + 1;
          const to = Math.min(head, from + this.rpc.span - 1);
          const final = to >= head;
          await this.step(from, Math.max(to, this.cursor.block), final, headHeader, meta);
          this.ctx.progress(this.cursor.block - first, head - first);
          if (final) break;
        }
        break;
      } catch (error) {
        if (!(error instanceof ChainMovedError) || attempt >= 10) throw error;
        this.ctx.logger.info({ err: error.message }, 'chain moved during a read; checking for a reorg');
      }
    }
    return {
      written: this.written,
      read: this.read,
      lag: Math.max(0, head - (this.cursor.block ?? 0)),
      details: { lastBlock: this.cursor.block, requests: this.rpc.requests, span: this.rpc.span },
    };
  }

  private async checkReorg(meta: { token: string; decimals: number; clock: ClockMode }): Promise<void> {
    if (this.cursor.block === undefined) return;
    const ancestor = await findAncestor(this.rpc, this.ctx.store, this.ctx.dao.id);
    if (!ancestor) return;
    this.ctx.logger.warn(
      { from: this.cursor.block, to: ancestor.number },
      'reorg: rolling back to the common ancestor',
    );
    await this.ctx.transaction(async (tx) => {
      const result = await rollback(tx, this.ctx.dao.id, ancestor.number, meta.decimals);
      const cursor = {
        ...this.cursor,
        ...meta,
        block: ancestor.number,
        hash: ancestor.hash,
        refresh: [...new Set([...(this.cursor.refresh ?? []), ...result.refresh])],
      };
      await tx.saveCursor(cursor as Record<string, unknown>);
      this.cursor = cursor;
      this.written += result.written;
    });
  }

  /** Reads [from, to] (nothing when from > to) and commits it; the final step also re-reads open proposals. */
  private async step(
    from: number,
    to: number,
    final: boolean,
    headHeader: BlockHeader,
    meta: { token: Address; decimals: number; clock: ClockMode },
  ): Promise<void> {
    const { dao } = this.ctx;
    const head = headHeader.number;
    const top = await this.rpc.header(to);
    if (!top) throw new ChainMovedError(`block ${to} is gone`);
    const logs =
      from <= to
        ? await this.rpc.logs([this.governor, meta.token], [...GOVERNOR_TOPICS, ...TOKEN_TOPICS] as Hex[], from, to)
        : [];
    const spanUsed = to - from + 1;

    const windowStart = Math.max(from, head - this.config.confirmations);
    const numbers = new Set<number>([to, ...logs.map((l) => Number(BigInt(l.blockNumber)))]);
    for (let n = windowStart; n <= to; n++) numbers.add(n);
    const headers = await this.rpc.headers(numbers);
    // Logs and headers must come from one chain: the range's last block unchanged and every log's block hash current.
    if (
      headers.get(to)?.hash !== top.hash ||
      logs.some((l) => headers.get(Number(BigInt(l.blockNumber)))?.hash !== l.blockHash)
    ) {
      throw new ChainMovedError(`blocks ${from}-${to} changed while read`);
    }
    const events = decodeLogs(logs, headers, this.governor, meta.token);
    this.read += logs.length;

    const metas = await this.proposalsToRead(events, final);
    const facts = await readFacts(
      { rpc: this.rpc, governor: this.governor, clock: meta.clock, block: headHeader },
      metas,
    );
    const live: LiveEvent[] = [];
    await this.ctx.transaction(async (tx) => {
      const fresh = await tx.chain.insertEvents(dao.id, events);
      await tx.chain.storeBlocks(
        dao.id,
        [...headers.values()].filter((h): h is BlockHeader => !!h && (h.number >= windowStart || h.number === to)),
      );
      await tx.chain.pruneBlocks(dao.id, head - this.config.confirmations, to);
      const proposals = await writeProposals(tx, {
        daoId: dao.id,
        daoSlug: dao.slug,
        decimals: meta.decimals,
        clock: meta.clock,
        metas,
        facts,
      });
      const votes = await writeVotes(tx, dao.id, dao.slug, meta.decimals, fresh);
      const accounts = await applyTokenEvents(tx, dao.id, fresh, meta.decimals);
      const cursor: GovernorCursor = {
        ...meta,
        block: to,
        hash: top.hash,
        refresh: metas.filter((m) => facts.get(m.id)?.estimated).map((m) => m.id),
      };
      await tx.saveCursor(cursor as Record<string, unknown>);
      this.cursor = cursor;
      this.written += fresh.length + proposals.written + votes.written + accounts;
      live.push(...proposals.live, ...votes.live);
    });
    for (const event of live) this.ctx.publish(event);
    if (from <= to && this.rpc.span >= spanUsed) this.rpc.grow();
  }

  /** Proposals touched by this range, those to re-read (cursor.refresh) and, at the final step, every open one. */
  private async proposalsToRead(events: ChainEvent[], final: boolean): Promise<ProposalMeta[]> {
    const { store, dao } = this.ctx;
    const metas = new Map<string, ProposalMeta>();
    for (const e of events) if (e.event === 'ProposalCreated') metas.set(String(e.args.proposalId), metaOf(e));
    const wanted = new Set<string>(this.cursor.refresh ?? []);
    for (const e of events) if ('proposalId' in e.args) wanted.add(String(e.args.proposalId));
    if (final) {
      for (const id of await store.governance.proposalsInStates(dao.id, 'onchain', { except: FINAL_STATES }))
        wanted.add(id);
    }
    const missing = [...wanted].filter((id) => !metas.has(id));
    for (const e of await store.chain.proposalEvents(dao.id, ['ProposalCreated'], missing))
      metas.set(String(e.args.proposalId), metaOf(e));
    return [...metas.values()];
  }

  private async readToken(): Promise<string> {
    return this.rpc.retry('token', () =>
      this.rpc.client.readContract({ address: this.governor, abi: governorViews, functionName: 'token' }),
    );
  }

  /** EIP-6372 clock of the Governor; Bravo and pre-6372 Governors count in blocks. */
  private async readClock(): Promise<ClockMode> {
    try {
      const mode = await this.rpc.retry('CLOCK_MODE', () =>
        this.rpc.client.readContract({ address: this.governor, abi: governorViews, functionName: 'CLOCK_MODE' }),
      );
      return /mode=timestamp/.test(mode) ? 'timestamp' : 'blocknumber';
    } catch (error) {
      if (error instanceof Error && /revert|returned no data|execution reverted/i.test(error.message))
        return 'blocknumber';
      throw error;
    }
  }

  /** First block where the token has code (bisection over historical state); 0 when the node keeps no history. */
  private async deployBlock(token: Address, head: number): Promise<number> {
    const hasCode = async (block: number) =>
      (await this.rpc.request<Hex>('eth_getCode', [token, numberToHex(block)])).length > 2;
    try {
      if (!(await hasCode(head))) throw new ValidationError(`token ${token} has no code at block ${head}`);
      let low = 0;
      let high = head;
      while (low < high) {
        const mid = Math.floor((low + high) / 2);
        if (await hasCode(mid)) high = mid;
        else low = mid + 1;
      }
      return low;
    } catch (error) {
      if (error instanceof ValidationError) throw error;
      this.ctx.logger.warn(
        { err: String(error) },
        'could not bisect the token deployment block; indexing from block 0',
      );
      return 0;
    }
  }
}
