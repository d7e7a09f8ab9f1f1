import { useQueryClient } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { useMemo, useRef } from 'react';
import { Link, useParams } from 'react-router-dom';
import { apiUrl } from '../api/client.ts';
import { useProposal, useVotes } from '../api/hooks.ts';
import type { LiveEvent, ProposalDetail, Vote } from '../api/types.ts';
import { AddressLink } from '../components/AddressLink.tsx';
import { AnalysisCard } from '../components/AnalysisCard.tsx';
import { DataTable, Pager } from '../components/DataTable.tsx';
import { Markdown } from '../components/Markdown.tsx';
import { NotifyMe } from '../components/NotifyMe.tsx';
import {
  Badge,
  Card,
  EmptyState,
  ErrorState,
  fieldClass,
  PageHeader,
  Progress,
  Skeleton,
  SkeletonRows,
} from '../components/ui.tsx';
import {
  formatChoice,
  formatDate,
  formatNumber,
  formatPercent,
  formatRelative,
  plural,
  toNumber,
} from '../lib/format.ts';
import { type LiveStatus, useLiveEvents } from '../lib/live.ts';
import { outcomeLabel, tallySourceNote, votesLabel, winnerLabel } from '../lib/proposal.ts';
import { quorumProgress } from '../lib/shape.ts';
import { plainTitle } from '../lib/title.ts';
import { useUrlState } from '../lib/url.ts';

const isOpen = (p: ProposalDetail) => p.state === 'active' || p.state === 'pending';

function Results({ proposal, live }: { proposal: ProposalDetail; live: LiveStatus | null }) {
  const total = proposal.tallies.reduce((s, t) => s + (toNumber(t.voting_power) ?? 0), 0);
  const leader = Math.max(...proposal.tallies.map((t) => toNumber(t.voting_power) ?? 0));
  // Without every vote stored, the power cast is the source's total (scores_total), not the stored sum.
  const complete = proposal.tally_source === 'all_votes';
  const cast = complete || proposal.scores_total === null ? proposal.voting_power_total : proposal.scores_total;
  const quorum = quorumProgress(cast, proposal.quorum);
  const note = tallySourceNote(proposal);
  const partial = proposal.tally_source === 'some_votes';
  return (
    <Card
      title="Results"
      actions={
        (live === 'connecting' || live === 'live' || live === 'offline') && (
          <span className="flex items-center gap-1.5 text-xs text-muted" data-testid="live-status">
            <span
              aria-hidden="true"
              className={`size-2 rounded-full ${live === 'live' ? 'bg-success' : 'bg-warning'}`}
            />
            {live === 'live' ? 'Live' : live === 'offline' ? 'Reconnecting…' : 'Connecting…'}
          </span>
        )
      }
    >
      {note && (
        <p className="mb-3 text-xs text-muted" data-testid="tally-source">
          {note}
        </p>
      )}
      {proposal.tallies.length === 0 || (proposal.votes_stored === 0 && proposal.tally_source !== 'source_scores') ? (
        proposal.votes_count > 0 ? (
          <div className="text-sm" data-testid="tallies-missing">
            <div className="font-medium">{votesLabel(proposal)}</div>
            <div className="text-muted">
              {proposal.scores_total !== null
                ? `${formatNumber(proposal.scores_total)} VP cast, per the source`
                : 'Per-choice results are not in the data'}
            </div>
          </div>
        ) : (
          <EmptyState title={isOpen(proposal) ? 'No votes yet' : 'No votes'} />
        )
      ) : (
        <ul className="space-y-3" data-testid="tallies">
          {proposal.tallies.map((t) => {
            const vp = toNumber(t.voting_power) ?? 0;
            const share = total ? vp / total : 0;
            return (
              <li key={t.choice}>
                <div className="mb-1 flex justify-between gap-2 text-sm">
                  <span className={`min-w-0 break-words ${vp === leader && vp > 0 ? 'font-semibold' : ''}`}>
                    {t.label ?? proposal.choices[t.choice - 1] ?? `Choice ${t.choice}`}
                  </span>
                  <span className="shrink-0 tabular-nums text-muted">
                    {formatNumber(vp)} VP · {formatPercent(share)}
                  </span>
                </div>
                <Progress value={share} label={`${t.label ?? t.choice}: ${formatPercent(share)}`} />
                <div className="mt-0.5 text-xs text-muted">
                  {t.votes === null ? 'vote count not given' : plural(t.votes, partial ? 'stored vote' : 'vote')}
                </div>
              </li>
            );
          })}
        </ul>
      )}
      <div className="mt-5 border-t border-line pt-4 text-sm" data-testid="quorum">
        {quorum === null ? (
          <div className="text-muted">
            No quorum set · {formatNumber(cast)} VP cast · {votesLabel(proposal)}
          </div>
        ) : (
          <>
            <div className="mb-1 flex justify-between">
              <span>Quorum</span>
              <span className="tabular-nums text-muted">
                {formatNumber(cast)} / {formatNumber(proposal.quorum)} VP
              </span>
            </div>
            <Progress value={quorum} label={`Quorum ${formatPercent(quorum)}`} />
            <div className="mt-1 text-xs text-muted">
              {quorum >= 1 ? 'Quorum reached' : `${formatPercent(quorum)} of quorum`}
              {!complete && proposal.scores_total !== null ? ' (total power per the source)' : ''}
            </div>
          </>
        )}
      </div>
    </Card>
  );
}

/** The analyst's first questions: how it ended, who won by how much, quorum, and where to check it. */
function Verdict({ p }: { p: ProposalDetail }) {
  const outcome = outcomeLabel(p);
  const winner = winnerLabel(p);
  return (
    <dl
      className="mb-6 grid grid-cols-2 gap-x-6 gap-y-3 rounded-xl border border-line bg-surface p-4 text-sm sm:grid-cols-3 lg:grid-cols-6"
      data-testid="verdict"
    >
      <div>
        <dt className="text-xs text-muted">Outcome</dt>
        <dd className="font-medium">
          {outcome ?? (isOpen(p) ? 'Voting open' : p.state === 'canceled' ? 'Canceled' : 'Not known')}
        </dd>
      </div>
      <div className="col-span-2 sm:col-span-1 lg:col-span-2">
        <dt className="text-xs text-muted">{isOpen(p) ? 'Leading' : 'Winning choice'}</dt>
        <dd className="font-medium break-words">{winner ?? '—'}</dd>
      </div>
      <div>
        <dt className="text-xs text-muted">Quorum</dt>
        <dd className="font-medium">
          {p.quorum_reached === null ? '—' : p.quorum_reached ? 'Reached' : 'Not reached'}
        </dd>
      </div>
      <div>
        <dt className="text-xs text-muted">Votes</dt>
        <dd className="font-medium">{votesLabel(p)}</dd>
      </div>
      <div>
        <dt className="text-xs text-muted">Voting</dt>
        <dd className="font-medium">
          {p.voting_type}
          {p.snapshot_block !== null && (
            <span className="block text-xs font-normal text-muted">block {p.snapshot_block}</span>
          )}
        </dd>
      </div>
      {(p.source_url || p.discussion) && (
        <div className="col-span-2 sm:col-span-3 lg:col-span-6">
          {/* A group of a definition list holds only dt and dd: the links are the value of "Links". */}
          <dt className="sr-only">Links</dt>
          <dd className="flex flex-wrap gap-x-4">
            {p.source_url && (
              <a className="text-accent hover:underline" href={p.source_url} target="_blank" rel="noopener noreferrer">
                {p.source === 'onchain' ? 'Transaction on the block explorer' : 'View on Snapshot'}
              </a>
            )}
            {p.discussion && (
              <a className="text-accent hover:underline" href={p.discussion} target="_blank" rel="noopener noreferrer">
                Discussion
              </a>
            )}
          </dd>
        </div>
      )}
    </dl>
  );
}

export default function ProposalPage() {
  const { id } = useParams();
  const [state, set] = useUrlState({ sort: 'voting_power', order: 'desc', page: '1', choice: '', voter: '' });
  const proposal = useProposal(id);
  const page = Math.max(1, Number(state.page) || 1);
  // The voter search is hex only (the API refuses anything else); other characters are ignored.
  const voterFragment = state.voter.replace(/^0x/i, '').replace(/[^0-9a-f]/gi, '');
  const votes = useVotes(id, {
    sort: state.sort,
    order: state.order,
    page,
    per_page: 25,
    choice: state.choice || undefined,
    voter: voterFragment || undefined,
  });
  const p = proposal.data;
  const client = useQueryClient();

  // While the proposal is open, new votes on the stream refresh the tallies (at most every 2 s).
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  const open = !!p && isOpen(p);
  const live = useLiveEvents(
    p?.dao_slug,
    (event: LiveEvent) => {
      if (!p || !('proposal' in event) || (event.proposal !== p.external_id && event.proposal !== String(p.id))) return;
      if (pending.current) return;
      pending.current = setTimeout(() => {
        pending.current = null;
        void client.invalidateQueries({ queryKey: ['proposal', id] });
        void client.invalidateQueries({ queryKey: ['votes', id] });
      }, 2000);
    },
    open,
  );

  const columns = useMemo<ColumnDef<Vote, unknown>[]>(
    () => [
      {
        id: 'voter',
        header: 'Voter',
        cell: ({ row }) => <AddressLink address={row.original.voter} />,
      },
      {
        id: 'choice',
        header: 'Choice',
        cell: ({ row }) => (
          <span className="line-clamp-1 max-w-48 whitespace-normal">
            {formatChoice(row.original.choice, p?.choices ?? [])}
          </span>
        ),
      },
      {
        id: 'voting_power',
        header: 'Power',
        meta: { sortKey: 'voting_power', align: 'right' },
        cell: ({ row }) => formatNumber(row.original.voting_power),
      },
      {
        id: 'reason',
        header: 'Reason',
        meta: { className: 'hidden md:table-cell' },
        cell: ({ row }) => (
          <span className="line-clamp-2 max-w-72 text-xs whitespace-normal text-muted">
            {row.original.reason || '—'}
          </span>
        ),
      },
      {
        id: 'created',
        header: 'Time',
        meta: { sortKey: 'created' },
        cell: ({ row }) => (
          <span className="whitespace-nowrap">
            {formatDate(row.original.created, true, row.original.created_precision)}
          </span>
        ),
      },
    ],
    [p?.choices],
  );

  if (proposal.isError)
    return (
      <ErrorState
        error={proposal.error}
        retry={() => void proposal.refetch()}
        what="this proposal"
        missing="Proposal"
      />
    );
  const csv = p
    ? apiUrl(`/proposals/${p.id}/votes`, {
        format: 'csv',
        sort: state.sort,
        order: state.order,
        choice: state.choice || undefined,
        voter: voterFragment || undefined,
      })
    : undefined;

  return (
    <>
      {p ? (
        <PageHeader
          title={plainTitle(p.title)}
          actions={<NotifyMe dao={{ slug: p.dao_slug, name: p.dao_slug }} />}
          subtitle={
            <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
              <Badge>{p.state}</Badge>
              <Link to={`/daos/${p.dao_slug}?tab=proposals`} className="text-accent hover:underline">
                {p.dao_slug}
              </Link>
              {p.author && (
                <span>
                  by <AddressLink address={p.author} />
                </span>
              )}
              <span>{p.voting_type}</span>
              <span title={formatDate(p.end, true, p.time_precision)}>
                {formatDate(p.start, true, p.time_precision)} – {formatDate(p.end, true, p.time_precision)}
                {open ? ` (ends ${formatRelative(p.end)})` : ''}
              </span>
            </div>
          }
        />
      ) : (
        <div className="mb-6 space-y-2">
          <Skeleton className="h-9 w-3/4" />
          <Skeleton className="h-4 w-1/2" />
        </div>
      )}
      {p && <Verdict p={p} />}
      <div className="grid gap-4 lg:grid-cols-3">
        <div className="order-2 min-w-0 lg:order-1 lg:col-span-2">
          <Card title="Proposal">
            {p ? (
              p.body.trim() ? (
                <Markdown source={p.body} />
              ) : (
                <EmptyState title="This proposal has no description" />
              )
            ) : (
              <SkeletonRows rows={8} />
            )}
          </Card>
        </div>
        <div className="order-1 min-w-0 space-y-4 lg:order-2">
          {p ? (
            <Results proposal={p} live={open ? live : null} />
          ) : (
            <Card title="Results">
              <SkeletonRows rows={4} />
            </Card>
          )}
          {p && <AnalysisCard proposalId={p.id} />}
        </div>
        <Card
          title={`Votes${p ? ` (${votesLabel(p)})` : ''}`}
          className="order-3 lg:col-span-3"
          actions={
            csv && (
              <a
                href={csv}
                download={`proposal-${p?.id}-votes.csv`}
                className="rounded-lg border border-line px-3 py-1.5 text-sm font-medium hover:bg-subtle"
                data-testid="csv-export"
              >
                Export CSV
              </a>
            )
          }
        >
          <div className="mb-3 flex flex-wrap items-end gap-3" data-testid="vote-filters">
            <label className="text-sm">
              <span className="block text-xs text-muted">Choice</span>
              <select
                className={fieldClass}
                value={state.choice}
                onChange={(e) => set({ choice: e.target.value, page: '1' }, { replace: true })}
              >
                <option value="">All choices</option>
                {(p?.choices ?? []).map((label, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: the 1-based position is the choice's identity (labels may repeat).
                  <option key={i} value={String(i + 1)}>
                    {label}
                  </option>
                ))}
              </select>
            </label>
            <label className="text-sm">
              <span className="block text-xs text-muted">Voter</span>
              <input
                type="search"
                className={`${fieldClass} font-mono`}
                placeholder="0x… (part of an address)"
                value={state.voter}
                maxLength={66}
                onChange={(e) => set({ voter: e.target.value, page: '1' }, { replace: true })}
              />
            </label>
          </div>
          {votes.isError ? (
            <ErrorState error={votes.error} retry={() => void votes.refetch()} what="votes" />
          ) : (
            <>
              <DataTable
                caption="Votes"
                dense
                data={votes.data?.data}
                columns={columns}
                rowKey={(v) => v.id}
                loading={votes.isFetching}
                sort={{ sort: state.sort, order: state.order as 'asc' | 'desc' }}
                onSort={(s) => set({ sort: s.sort, order: s.order, page: '1' })}
                empty={
                  <EmptyState
                    title={
                      state.choice || voterFragment
                        ? 'No votes match these filters'
                        : p && p.votes_count > 0
                          ? `None of the ${plural(p.votes_count, 'vote')} is stored`
                          : 'No votes recorded'
                    }
                  />
                }
              />
              {votes.data && (
                <Pager
                  page={page}
                  pages={votes.data.pagination.pages}
                  total={votes.data.pagination.total}
                  onPage={(n) => set({ page: String(n) })}
                  label="votes"
                />
              )}
            </>
          )}
        </Card>
      </div>
    </>
  );
}
