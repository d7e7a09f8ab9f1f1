import type { SourceStore, SourceTransaction } from '../../db/source-store.ts';
import { NotFoundError } from '../../errors.ts';
import type { LiveEvent, SyncContext, SyncOutcome, SyncSource } from '../../sync/types.ts';
import type { SnapshotClient } from './client.ts';
import { type Choice, isPlainChoice, type ProposalRow, toProposalRow, toVoteRow, type VoteRow } from './mapping.ts';
import { isTimeCursor, START, type TimeCursor, timePages } from './paging.ts';
import {
  HUB_MAX_FIRST,
  HUB_MAX_IN,
  type HubProposal,
  type HubVote,
  PROPOSAL_VOTES_PAGE_QUERY,
  PROPOSALS_BY_ID_QUERY,
  PROPOSALS_PAGE_QUERY,
  ProposalsAnswer,
  SPACE_QUERY,
  SpaceAnswer,
  VOTES_PAGE_QUERY,
  VotesAnswer,
} from './schemas.ts';

type StorableVote = HubVote & { choice: Choice; proposal: { id: string } };

/** What the source keeps in sync_state.cursor between runs. */
export interface SnapshotCursor {
  proposals: TimeCursor;
  votes: TimeCursor;
}

export interface SnapshotSourceOptions {
  /** Rows per request; the hub's cap (1000) unless a test wants more pages. */
  pageSize?: number;
}

interface Run {
  ctx: SyncContext;
  dao: { id: number; slug: string; space: string };
  cursor: SnapshotCursor;
  written: number;
  proposalsRead: number;
  votesRead: number;
  skippedVotes: number;
  votesTotal?: number;
}

const chunks = <T>(list: T[], size: number) =>
  Array.from({ length: Math.ceil(list.length / size) }, (_, i) => list.slice(i * size, i * size + size));

/**
 * Syncs a DAO's Snapshot space: its metadata, proposals and votes. Proposals and votes are read
 * in `created` order with a time cursor (never deep `skip`), and each page is written through the
 * store in one transaction together with the cursor that covers it, so a run killed
 * anywhere resumes exactly where its last commit ended. Proposals still active or pending are
 * re-read on every run until they close, with all their votes (scores, state and vp change while
 * a vote is open; a voter's later vote replaces the earlier one).
 */
export class SnapshotSource implements SyncSource {
  readonly name = 'snapshot' as const;

  constructor(
    private readonly client: SnapshotClient,
    private readonly options: SnapshotSourceOptions = {},
  ) {}

  appliesTo(dao: { snapshotSpace: string | null }): boolean {
    return !!dao.snapshotSpace;
  }

  private get pageSize() {
    return Math.min(this.options.pageSize ?? HUB_MAX_FIRST, HUB_MAX_FIRST);
  }

  async run(ctx: SyncContext): Promise<SyncOutcome> {
    const space = ctx.dao.snapshotSpace;
    if (!space) throw new NotFoundError('Snapshot space of DAO', ctx.dao.slug);
    const requestsBefore = this.client.requests;
    const retriesBefore = this.client.retries;
    const saved = ctx.cursor as Partial<SnapshotCursor>;
    const run: Run = {
      ctx,
      dao: { id: ctx.dao.id, slug: ctx.dao.slug, space },
      cursor: {
        proposals: isTimeCursor(saved.proposals) ? saved.proposals : START,
        votes: isTimeCursor(saved.votes) ? saved.votes : START,
      },
      written: 0,
      proposalsRead: 0,
      votesRead: 0,
      skippedVotes: 0,
    };

    const head = await this.client.graphql('space', SPACE_QUERY, { space }, SpaceAnswer, ctx.signal);
    if (!head.space) throw new NotFoundError('Snapshot space', space);
    const stored = await ctx.store.governance.countVotes(run.dao.id);
    run.votesTotal = Math.max(0, (head.space.votesCount ?? 0) - stored);
    ctx.progress(0, run.votesTotal);

    const active = await this.recheckActive(run);
    await this.syncProposals(run);
    await this.syncVotes(run);

    const newest = head.latest[0]?.created;
    return {
      written: run.written,
      read: run.proposalsRead + run.votesRead,
      lag: newest === undefined ? 0 : Math.max(0, newest - run.cursor.votes.created),
      details: {
        requests: this.client.requests - requestsBefore,
        retries: this.client.retries - retriesBefore,
        proposals_read: run.proposalsRead,
        votes_read: run.votesRead,
        skipped_votes: run.skippedVotes,
        rechecked_proposals: active,
        space: {
          id: head.space.id,
          name: head.space.name,
          network: head.space.network,
          symbol: head.space.symbol,
          proposals: head.space.proposalsCount,
          votes: head.space.votesCount,
        },
      },
    };
  }

  /** Re-reads proposals stored as active or pending, then all their votes. Returns how many. */
  private async recheckActive(run: Run): Promise<number> {
    const { ctx } = run;
    const open = await ctx.store.governance.proposalsInStates(run.dao.id, 'snapshot', { in: ['active', 'pending'] });
    for (const ids of chunks(open, HUB_MAX_IN)) {
      const answer = await this.client.graphql(
        'proposalsById',
        PROPOSALS_BY_ID_QUERY,
        { ids },
        ProposalsAnswer,
        ctx.signal,
      );
      const proposals = answer.proposals.filter((p) => p.space?.id === run.dao.space);
      run.proposalsRead += proposals.length;
      const events: LiveEvent[] = [];
      await ctx.transaction(async (tx) => {
        events.push(...(await this.writeProposals(tx, run, proposals)));
      });
      this.publish(ctx, events);
      // All votes of these proposals, from the start: vp and choices of open proposals may change.
      const pages = timePages<HubVote>(
        START,
        this.pageSize,
        async (since, skip) =>
          (
            await this.client.graphql(
              'proposalVotesPage',
              PROPOSAL_VOTES_PAGE_QUERY,
              { proposals: ids, since, first: this.pageSize, skip },
              VotesAnswer,
              ctx.signal,
            )
          ).votes,
      );
      for await (const page of pages) {
        ctx.signal.throwIfAborted();
        await this.writeVotePage(run, page.fresh);
      }
    }
    return open.length;
  }

  private async syncProposals(run: Run): Promise<void> {
    const { ctx } = run;
    const pages = timePages<HubProposal>(
      run.cursor.proposals,
      this.pageSize,
      async (since, skip) =>
        (
          await this.client.graphql(
            'proposalsPage',
            PROPOSALS_PAGE_QUERY,
            { space: run.dao.space, since, first: this.pageSize, skip },
            ProposalsAnswer,
            ctx.signal,
          )
        ).proposals,
    );
    for await (const page of pages) {
      ctx.signal.throwIfAborted();
      run.proposalsRead += page.fresh.length;
      const events: LiveEvent[] = [];
      await ctx.transaction(async (tx) => {
        events.push(...(await this.writeProposals(tx, run, page.fresh)));
        await this.saveCursor(tx, run, { ...run.cursor, proposals: page.cursor });
      });
      run.cursor.proposals = page.cursor;
      this.publish(ctx, events);
    }
  }

  private async syncVotes(run: Run): Promise<void> {
    const { ctx } = run;
    const pages = timePages<HubVote>(
      run.cursor.votes,
      this.pageSize,
      async (since, skip) =>
        (
          await this.client.graphql(
            'votesPage',
            VOTES_PAGE_QUERY,
            { space: run.dao.space, since, first: this.pageSize, skip },
            VotesAnswer,
            ctx.signal,
          )
        ).votes,
    );
    for await (const page of pages) {
      ctx.signal.throwIfAborted();
      await this.writeVotePage(run, page.fresh, page.cursor);
      run.cursor.votes = page.cursor;
    }
  }

  /** Writes one page of votes (and any proposal they need that is not stored yet), with the votes cursor when given. */
  private async writeVotePage(run: Run, votes: HubVote[], cursor?: TimeCursor): Promise<void> {
    const { ctx } = run;
    run.votesRead += votes.length;
    const plain = votes.filter((v): v is StorableVote => v.proposal !== null && isPlainChoice(v.choice));
    if (plain.length < votes.length) {
      run.skippedVotes += votes.length - plain.length;
      ctx.logger.warn(
        { skipped: votes.length - plain.length },
        'votes without a proposal or with an unreadable (e.g. encrypted) choice were not stored',
      );
    }
    const wanted = [...new Set(plain.map((v) => v.proposal.id))];
    let known = await ctx.store.governance.proposalIds(run.dao.id, wanted);
    // Votes can name proposals created after our proposal pass (or missed by it): fetch those first.
    const missing = wanted.filter((id) => !known.has(id));
    const fetched: HubProposal[] = [];
    for (const ids of chunks(missing, HUB_MAX_IN)) {
      const answer = await this.client.graphql(
        'proposalsById',
        PROPOSALS_BY_ID_QUERY,
        { ids },
        ProposalsAnswer,
        ctx.signal,
      );
      fetched.push(...answer.proposals.filter((p) => p.space?.id === run.dao.space));
    }
    if (plain.length === 0 && !cursor) return;
    const events: LiveEvent[] = [];
    await ctx.transaction(async (tx) => {
      if (fetched.length > 0) {
        events.push(...(await this.writeProposals(tx, run, fetched)));
        known = await tx.governance.proposalIds(run.dao.id, wanted);
      }
      const rows: VoteRow[] = [];
      for (const v of plain) {
        const proposalId = known.get(v.proposal.id);
        if (proposalId === undefined)
          run.skippedVotes++; // its proposal is gone from the hub
        else rows.push(toVoteRow(v, run.dao, proposalId));
      }
      if (rows.length > 0) {
        const written = await tx.governance.upsertVotes(rows);
        run.written += written.inserted + written.updated;
        for (const { row: r } of written.changed) {
          events.push({
            type: 'vote.cast',
            dao: run.dao.slug,
            proposal: r.proposal,
            voter: r.voter,
            choice: r.choice,
            voting_power: r.votingPower,
          });
        }
      }
      if (cursor) await this.saveCursor(tx, run, { ...run.cursor, votes: cursor });
    });
    this.publish(ctx, events);
    ctx.progress(run.votesRead, run.votesTotal);
  }

  private async writeProposals(tx: SourceStore, run: Run, proposals: HubProposal[]): Promise<LiveEvent[]> {
    if (proposals.length === 0) return [];
    const written = await tx.governance.upsertProposals(proposals.map((p): ProposalRow => toProposalRow(p, run.dao)));
    run.written += written.inserted + written.updated;
    return written.changed.map(({ row, inserted }) => ({
      type: inserted ? ('proposal.created' as const) : ('proposal.updated' as const),
      dao: run.dao.slug,
      proposal: row.externalId,
      state: row.state,
    }));
  }

  private async saveCursor(tx: SourceTransaction, run: Run, cursor: SnapshotCursor): Promise<void> {
    const same = JSON.stringify(cursor) === JSON.stringify(run.cursor);
    if (!same) await tx.saveCursor(cursor as unknown as Record<string, unknown>);
  }

  private publish(ctx: SyncContext, events: LiveEvent[]) {
    for (const event of events) ctx.publish(event);
  }
}
