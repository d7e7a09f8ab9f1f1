import type { ColumnDef } from '@tanstack/react-table';
import { useEffect, useMemo, useState } from 'react';
import { Link } from 'react-router-dom';
import { useProposals, useSearch } from '../../api/hooks.ts';
import type { ProposalSummary } from '../../api/types.ts';
import { DataTable, Pager } from '../../components/DataTable.tsx';
import { Badge, Card, EmptyState, ErrorState, inputClass, SkeletonRows } from '../../components/ui.tsx';
import { formatDate, formatNumber, formatPercent } from '../../lib/format.ts';
import { outcomeLabel, votesLabel, winnerLabel } from '../../lib/proposal.ts';
import { renderSnippet } from '../../lib/snippet.ts';
import { plainTitle } from '../../lib/title.ts';
import { useUrlState } from '../../lib/url.ts';
import type { TabProps } from './common.ts';

/** The API's derived states (src/metrics/proposal-states.ts), which `?state=` filters on. */
const STATES = ['active', 'pending', 'closed', 'passed', 'rejected', 'executed', 'queued', 'canceled', 'defeated'];

export default function Proposals({ dao }: Pick<TabProps, 'dao'>) {
  const [state, set] = useUrlState({ pstate: '', psort: 'start', porder: 'desc', ppage: '1', pq: '' });
  const [text, setText] = useState(state.pq);
  useEffect(() => setText(state.pq), [state.pq]);
  useEffect(() => {
    if (text === state.pq) return;
    const t = setTimeout(() => set({ pq: text, ppage: '1' }, { replace: true }), 300);
    return () => clearTimeout(t);
  }, [text, state.pq, set]);

  const page = Math.max(1, Number(state.ppage) || 1);
  const proposals = useProposals(dao.slug, {
    state: state.pstate || undefined,
    sort: state.psort,
    order: state.porder,
    page,
    per_page: 25,
  });
  const search = useSearch(state.pq, 50);
  const searching = state.pq.trim().length >= 2;

  const columns = useMemo<ColumnDef<ProposalSummary, unknown>[]>(
    () => [
      {
        id: 'title',
        header: 'Proposal',
        cell: ({ row }) => (
          <div className="max-w-[14rem] sm:max-w-xl">
            <Link
              to={`/proposals/${row.original.id}`}
              className="line-clamp-2 font-medium whitespace-normal hover:text-accent"
            >
              {plainTitle(row.original.title)}
            </Link>
            {/* On phones the state and end date sit under the title instead of in their own columns. */}
            <div className="mt-1 flex items-center gap-2 text-xs text-muted sm:hidden">
              <Badge>{row.original.state}</Badge>
              {formatDate(row.original.end, false, row.original.time_precision)}
            </div>
          </div>
        ),
      },
      {
        id: 'state',
        header: 'State',
        meta: { className: 'hidden sm:table-cell' },
        cell: ({ row }) => <Badge>{row.original.state}</Badge>,
      },
      {
        id: 'outcome',
        header: 'Outcome',
        meta: { className: 'hidden sm:table-cell' },
        cell: ({ row }) => {
          const label = outcomeLabel(row.original);
          return label ? <Badge tone={row.original.outcome ?? undefined}>{label}</Badge> : '—';
        },
      },
      {
        id: 'winner',
        header: 'Winner',
        meta: { className: 'hidden lg:table-cell' },
        cell: ({ row }) => {
          const w = row.original.winner;
          if (!w) return '—';
          return (
            <span className="line-clamp-1 max-w-48 whitespace-normal" title={winnerLabel(row.original) ?? undefined}>
              {w.label ?? row.original.choices[w.choice - 1] ?? `Choice ${w.choice}`}{' '}
              <span className="text-muted">({formatPercent(w.share)})</span>
            </span>
          );
        },
      },
      {
        id: 'votes',
        header: 'Votes',
        meta: { sortKey: 'votes', align: 'right' },
        cell: ({ row }) => {
          const p = row.original;
          return (
            <span title={votesLabel(p)}>
              {formatNumber(p.votes_count)}
              {p.votes_stored < p.votes_count && (
                <span className="block text-xs text-muted">{formatNumber(p.votes_stored)} stored</span>
              )}
            </span>
          );
        },
      },
      {
        id: 'start',
        header: 'Start',
        meta: { sortKey: 'start', className: 'hidden md:table-cell' },
        cell: ({ row }) => (
          <span className="whitespace-nowrap">
            {formatDate(row.original.start, false, row.original.time_precision)}
          </span>
        ),
      },
      {
        id: 'end',
        header: 'End',
        meta: { sortKey: 'end', className: 'hidden sm:table-cell' },
        cell: ({ row }) => (
          <span className="whitespace-nowrap">{formatDate(row.original.end, false, row.original.time_precision)}</span>
        ),
      },
    ],
    [],
  );

  const hits = (search.data ?? []).filter((h) => h.kind === 'proposal' && h.dao_slug === dao.slug);

  return (
    <Card>
      <div className="mb-4 flex flex-col gap-3 sm:flex-row">
        <input
          type="search"
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder="Search proposals…"
          aria-label="Search proposals"
          className={`${inputClass} sm:max-w-sm`}
        />
        <select
          value={state.pstate}
          onChange={(e) => set({ pstate: e.target.value, ppage: '1' })}
          aria-label="Filter by state"
          className={`${inputClass} sm:w-44`}
        >
          <option value="">All states</option>
          {STATES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </div>
      {searching ? (
        search.isPending ? (
          <SkeletonRows rows={5} />
        ) : search.isError ? (
          <ErrorState error={search.error} retry={() => void search.refetch()} what="search results" />
        ) : hits.length === 0 ? (
          <EmptyState title={`No proposal matches “${state.pq}”`} />
        ) : (
          <ul className="divide-y divide-line" aria-label="Search results">
            {hits.map((h) => (
              <li key={h.id} className="py-2.5">
                <Link to={`/proposals/${h.id}`} className="font-medium hover:text-accent">
                  {h.title}
                </Link>
                <p
                  className="mt-0.5 line-clamp-2 text-sm text-muted"
                  // biome-ignore lint/security/noDangerouslySetInnerHtml: renderSnippet escapes all markup and restores only <mark>.
                  dangerouslySetInnerHTML={{ __html: renderSnippet(h.snippet) }}
                />
              </li>
            ))}
          </ul>
        )
      ) : proposals.isError ? (
        <ErrorState error={proposals.error} retry={() => void proposals.refetch()} what="proposals" />
      ) : (
        <>
          <DataTable
            caption={`Proposals of ${dao.name}`}
            data={proposals.data?.data}
            columns={columns}
            rowKey={(p) => p.id}
            loading={proposals.isFetching}
            sort={{ sort: state.psort, order: state.porder as 'asc' | 'desc' }}
            onSort={(s) => set({ psort: s.sort, porder: s.order, ppage: '1' })}
            empty={<EmptyState title="No proposals match" />}
          />
          {proposals.data && (
            <Pager
              page={page}
              pages={proposals.data.pagination.pages}
              total={proposals.data.pagination.total}
              onPage={(p) => set({ ppage: String(p) })}
              label="proposals"
            />
          )}
        </>
      )}
    </Card>
  );
}
