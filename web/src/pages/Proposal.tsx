import { useQueryClient } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { useMemo, useRef } from 'react';
import { Link, useParams } from 'react-router-dom';
import { apiUrl } from '../api/client.ts';
import { useProposal, useVotes } from '../api/hooks.ts';
import type { LiveEvent, ProposalDetail, Vote } from '../api/types.ts';
import { AnalysisCard } from '../components/AnalysisCard.tsx';
import { DataTable, Pager } from '../components/DataTable.tsx';
import { Markdown } from '../components/Markdown.tsx';
import {
  Badge,
  Card,
  EmptyState,
  ErrorState,
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
  shortAddress,
  toNumber,
} from '../lib/format.ts';
import { type LiveStatus, useLiveEvents } from '../lib/live.ts';
import { quorumProgress } from '../lib/shape.ts';
import { useUrlState } from '../lib/url.ts';

const isOpen = (p: ProposalDetail) =>
  (p.state === 'active' || p.state === 'pending') && new Date(p.end).getTime() > Date.now();

function Results({ proposal, live }: { proposal: ProposalDetail; live: LiveStatus | null }) {
  const total = proposal.tallies.reduce((s, t) => s + (toNumber(t.voting_power) ?? 0), 0);
  const leader = Math.max(...proposal.tallies.map((t) => toNumber(t.voting_power) ?? 0));
  const quorum = quorumProgress(proposal.voting_power_total, proposal.quorum);
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
      {proposal.tallies.length === 0 ? (
        <EmptyState title="No votes yet" />
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
                <div className="mt-0.5 text-xs text-muted">{plural(t.votes, 'vote')}</div>
              </li>
            );
          })}
        </ul>
      )}
      <div className="mt-5 border-t border-line pt-4 text-sm">
        {quorum === null ? (
          <div className="text-muted">
            No quorum set · {formatNumber(proposal.voting_power_total)} VP cast by {plural(proposal.voters, 'voter')}
          </div>
        ) : (
          <>
            <div className="mb-1 flex justify-between">
              <span>Quorum</span>
              <span className="tabular-nums text-muted">
                {formatNumber(proposal.voting_power_total)} / {formatNumber(proposal.quorum)} VP
              </span>
            </div>
            <Progress value={quorum} label={`Quorum ${formatPercent(quorum)}`} />
            <div className="mt-1 text-xs text-muted">
              {quorum >= 1 ? 'Quorum reached' : `${formatPercent(quorum)} of quorum`}
            </div>
          </>
        )}
      </div>
    </Card>
  );
}

export default function ProposalPage() {
  const { id } = useParams();
  const [state, set] = useUrlState({ sort: 'voting_power', order: 'desc', page: '1' });
  const proposal = useProposal(id);
  const page = Math.max(1, Number(state.page) || 1);
  const votes = useVotes(id, { sort: state.sort, order: state.order, page, per_page: 25 });
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
        cell: ({ row }) => (
          <span className="font-mono text-xs" title={row.original.voter}>
            {shortAddress(row.original.voter)}
          </span>
        ),
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
    return <ErrorState error={proposal.error} retry={() => void proposal.refetch()} what="this proposal" />;
  const csv = p
    ? apiUrl(`/proposals/${p.id}/votes`, { format: 'csv', sort: state.sort, order: state.order })
    : undefined;

  return (
    <>
      {p ? (
        <PageHeader
          title={p.title}
          subtitle={
            <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
              <Badge>{p.state}</Badge>
              <Link to={`/daos/${p.dao_slug}?tab=proposals`} className="text-accent hover:underline">
                {p.dao_slug}
              </Link>
              {p.author && <span title={p.author}>by {shortAddress(p.author)}</span>}
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
          title={`Votes${p ? ` (${formatNumber(p.votes_count)})` : ''}`}
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
                empty={<EmptyState title="No votes recorded" />}
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
