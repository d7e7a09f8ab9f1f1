import type { Db } from '../db/index.ts';
import { isInternalId, proposalDetailStamps } from '../db/queries/governance.ts';
import { proposalDetail } from './reads/proposals.ts';
import { turnBatchPerDb } from './turn-batch.ts';
import { METRIC_CACHE, VersionedCache } from './versioned-cache.ts';

type Detail = Awaited<ReturnType<typeof proposalDetail>>;

/**
 * Proposal details (GET /proposals/{id}) per process, each kept for the version of the rows it
 * was read from (proposalDetailStamps: the proposal's, its DAO's and its tallies' row versions,
 * and the clock against its start and end). Every request reads that version, batched with the
 * other requests of its event-loop turn, so a write by any process is seen by the next request;
 * a hit then costs a share of one small read and no tally, body or serialization work. Details
 * by a source's id, on-chain ones and ones whose tallies the rollups do not hold yet are read
 * every time (their versions say null).
 */
export class ProposalDetailCache {
  private readonly cache = new VersionedCache<Detail>({
    name: 'proposal_detail',
    ...METRIC_CACHE,
    onChange: 'recompute',
  });
  private readonly stampsOf = turnBatchPerDb(proposalDetailStamps);

  /** The detail of `id`, and whether it is a kept one (its response body may be kept with it). */
  async get(db: Db, id: string, source: 'primary' | 'reader'): Promise<{ detail: Detail; kept: boolean }> {
    const stamp = isInternalId(id) ? (await this.stampsOf(db).load([Number(id)])).get(Number(id)) : undefined;
    if (!stamp) return { detail: await proposalDetail(db, id), kept: false };
    return { detail: await this.cache.get(`${source}:${id}`, stamp, () => proposalDetail(db, id)), kept: true };
  }
}
