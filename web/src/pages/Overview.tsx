import { useQueries } from '@tanstack/react-query';
import { useMemo } from 'react';
import { Link } from 'react-router-dom';
import { apiPage } from '../api/client.ts';
import { useDaos } from '../api/hooks.ts';
import type { ProposalSummary } from '../api/types.ts';
import { LiveFeed } from '../components/LiveFeed.tsx';
import { Badge, Card, EmptyState, ErrorState, Kpi, PageHeader, SkeletonRows } from '../components/ui.tsx';
import { formatDate, formatNumber, formatPercent, formatRelative, formatTreasury, toNumber } from '../lib/format.ts';
import { plainTitle } from '../lib/title.ts';

function GettingStarted() {
  return (
    <Card>
      <EmptyState title="No DAOs yet" icon="+">
        <p className="mb-3">
          Add a DAO by its Snapshot space or Governor address on the{' '}
          <Link className="text-accent underline" to="/sources">
            Sources
          </Link>{' '}
          page, or import a file of canonical records:
        </p>
        <pre className="rounded-lg bg-subtle p-3 text-left text-xs break-all whitespace-pre-wrap">
          <code>
            {
              'npx dao-portal import records.ndjson\n# or convert a published export first:\nnpx dao-portal convert decentraland <dir> -o dcl.ndjson'
            }
          </code>
        </pre>
      </EmptyState>
    </Card>
  );
}

export default function Overview() {
  const daos = useDaos({ per_page: 100, sort: 'total_votes', order: 'desc' });
  const list = useMemo(() => daos.data?.data ?? [], [daos.data]);
  const totals = useMemo(
    () => ({
      proposals: list.reduce((s, d) => s + d.total_proposals, 0),
      votes: list.reduce((s, d) => s + d.total_votes, 0),
      treasury: list.reduce((s, d) => s + (toNumber(d.treasury_value) ?? 0), 0),
      active: list.reduce((s, d) => s + d.active_proposals, 0),
    }),
    [list],
  );

  // Open proposals when there are any; otherwise the most recently ended ones.
  const open = totals.active > 0;
  const sources = list.filter((d) => (open ? d.active_proposals > 0 : d.total_proposals > 0)).slice(0, 6);
  const proposalQueries = useQueries({
    queries: sources.map((d) => ({
      queryKey: [
        'proposals',
        d.slug,
        open
          ? { state: 'active', sort: 'end', order: 'asc', per_page: 5 }
          : { sort: 'end', order: 'desc', per_page: 5 },
      ],
      queryFn: ({ signal }: { signal: AbortSignal }) =>
        apiPage<ProposalSummary>(
          `/daos/${d.slug}/proposals`,
          open
            ? { state: 'active', sort: 'end', order: 'asc', per_page: 5 }
            : { sort: 'end', order: 'desc', per_page: 5 },
          signal,
        ),
    })),
  });
  const proposals = proposalQueries
    .flatMap((q) => q.data?.data ?? [])
    .sort((a, b) => (open ? a.end.localeCompare(b.end) : b.end.localeCompare(a.end)))
    .slice(0, 8);
  const daoName = new Map(list.map((d) => [d.slug, d.name]));

  const maxVotes = Math.max(1, ...list.map((d) => d.total_votes));

  if (daos.isError) return <ErrorState error={daos.error} retry={() => void daos.refetch()} what="DAOs" />;

  return (
    <>
      <PageHeader title="Overview" subtitle="Governance and treasury activity across the DAOs this portal follows" />
      <div className="mb-6 grid grid-cols-2 gap-3 lg:grid-cols-4">
        <Kpi label="DAOs" value={formatNumber(daos.data?.pagination.total)} loading={daos.isPending} />
        <Kpi
          label="Proposals"
          value={formatNumber(totals.proposals)}
          hint={`${formatNumber(totals.active)} open`}
          loading={daos.isPending}
        />
        <Kpi label="Votes" value={formatNumber(totals.votes)} loading={daos.isPending} />
        <Kpi
          label="Treasuries"
          value={formatTreasury(totals.treasury)}
          hint="latest USD value"
          loading={daos.isPending}
        />
      </div>
      {!daos.isPending && list.length === 0 ? (
        <GettingStarted />
      ) : (
        <div className="grid gap-4 lg:grid-cols-3">
          <Card title={open ? 'Open proposals, ending soon' : 'Latest proposals'} className="lg:col-span-2">
            {daos.isPending || proposalQueries.some((q) => q.isPending) ? (
              <SkeletonRows rows={5} />
            ) : proposals.length === 0 ? (
              <EmptyState title="No proposals yet" />
            ) : (
              <ul className="divide-y divide-line">
                {proposals.map((p) => (
                  <li key={p.id} className="flex flex-wrap items-center gap-x-3 gap-y-1 py-2.5">
                    <Link
                      to={`/proposals/${p.id}`}
                      className="min-w-0 flex-1 basis-64 truncate font-medium hover:text-accent"
                    >
                      {plainTitle(p.title)}
                    </Link>
                    <span className="text-xs text-muted">{daoName.get(p.dao_slug) ?? p.dao_slug}</span>
                    <Badge>{p.state}</Badge>
                    <span className="ml-auto text-right text-xs text-muted" title={formatDate(p.end, true)}>
                      {open ? `ends ${formatRelative(p.end)}` : formatDate(p.end)}
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </Card>
          <Card title="Live activity">
            <LiveFeed />
          </Card>
          <Card
            title="Top DAOs"
            className="lg:col-span-2"
            actions={
              <Link to="/daos" className="text-sm text-accent hover:underline">
                All DAOs →
              </Link>
            }
          >
            {daos.isPending ? (
              <SkeletonRows rows={5} />
            ) : (
              <ul className="divide-y divide-line">
                {list.slice(0, 6).map((d) => (
                  <li key={d.id} className="flex items-center gap-3 py-2.5">
                    <Link to={`/daos/${d.slug}`} className="min-w-0 flex-1 truncate font-medium hover:text-accent">
                      {d.name}
                    </Link>
                    <span className="hidden text-xs text-muted sm:inline">{d.chain}</span>
                    <span className="w-20 text-right text-sm tabular-nums" title="members">
                      {d.total_votes === 0 ? '—' : formatNumber(d.total_members)}{' '}
                      <span className="text-xs text-muted">mem.</span>
                    </span>
                    <span className="w-20 text-right text-sm tabular-nums" title="VP turnout">
                      {formatPercent(d.turnout_vp)}
                    </span>
                    <span className="hidden w-20 text-right text-sm tabular-nums sm:inline" title="treasury">
                      {formatTreasury(d.treasury_value)}
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </Card>
          <Card title="Votes by DAO">
            {/* Plain bars: the overview loads no chart library, keeping the first page light. */}
            {daos.isPending ? (
              <SkeletonRows rows={5} />
            ) : (
              <ul className="space-y-2.5" aria-label="Total votes per DAO">
                {list.slice(0, 8).map((d) => (
                  <li key={d.id}>
                    <div className="mb-1 flex justify-between gap-2 text-sm">
                      <Link to={`/daos/${d.slug}`} className="truncate hover:text-accent">
                        {d.name}
                      </Link>
                      <span className="tabular-nums text-muted">{formatNumber(d.total_votes)}</span>
                    </div>
                    <div className="h-1.5 rounded-full bg-subtle">
                      <div
                        className="h-full rounded-full bg-accent"
                        style={{ width: `${(d.total_votes / maxVotes) * 100}%` }}
                      />
                    </div>
                  </li>
                ))}
              </ul>
            )}
          </Card>
        </div>
      )}
    </>
  );
}
