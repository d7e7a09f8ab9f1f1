import type { ColumnDef } from '@tanstack/react-table';
import { useMemo } from 'react';
import { useDelegates, useHolders, useVoters } from '../../api/hooks.ts';
import type { Concentration, Delegate, Holder, Voter } from '../../api/types.ts';
import { AddressLink } from '../../components/AddressLink.tsx';
import { Chart } from '../../components/Chart.tsx';
import { DataTable, Pager } from '../../components/DataTable.tsx';
import { Card, EmptyState, ErrorState, SkeletonRows } from '../../components/ui.tsx';
import { formatDate, formatNumber, formatPercent } from '../../lib/format.ts';
import { lorenzCurve } from '../../lib/shape.ts';
import { useUrlState } from '../../lib/url.ts';
import type { TabProps } from './common.ts';
import { Stat } from './Governance.tsx';

const GROUPS = { voters: 'Voters (VP cast)', holders: 'Token holders', delegates: 'Delegates' } as const;

export function lorenzOption(c: Concentration) {
  const curve = lorenzCurve(c.lorenz);
  return {
    tooltip: { trigger: 'axis', valueFormatter: (v: number) => formatPercent(v) },
    grid: { left: 8, right: 16, top: 16, bottom: 28, containLabel: true },
    xAxis: {
      type: 'value',
      min: 0,
      max: 1,
      name: 'share of accounts',
      nameLocation: 'middle',
      nameGap: 24,
      axisLabel: { formatter: (v: number) => formatPercent(v, 0) },
    },
    yAxis: { type: 'value', min: 0, max: 1, axisLabel: { formatter: (v: number) => formatPercent(v, 0) } },
    series: [
      {
        type: 'line',
        name: 'Equality',
        data: [
          [0, 0],
          [1, 1],
        ],
        showSymbol: false,
        lineStyle: { type: 'dashed', width: 1 },
        silent: true,
      },
      { type: 'line', name: 'Lorenz curve', data: curve, showSymbol: false, areaStyle: { opacity: 0.15 } },
    ],
  };
}

const address = (a: string) => <AddressLink address={a} />;

export default function Voters({ dao, summary }: TabProps) {
  const [state, set] = useUrlState({
    conc: 'voters',
    vsort: 'voting_power',
    vorder: 'desc',
    vpage: '1',
    dsort: 'voting_power',
    dorder: 'desc',
    dpage: '1',
    horder: 'desc',
    hpage: '1',
  });
  const voters = useVoters(dao.slug, {
    sort: state.vsort,
    order: state.vorder,
    page: Number(state.vpage) || 1,
    per_page: 15,
  });
  const delegates = useDelegates(dao.slug, {
    sort: state.dsort,
    order: state.dorder,
    page: Number(state.dpage) || 1,
    per_page: 15,
  });
  const holders = useHolders(dao.slug, {
    sort: 'balance',
    order: state.horder,
    page: Number(state.hpage) || 1,
    per_page: 15,
  });
  const concentration = summary.data?.concentration[state.conc as keyof typeof GROUPS] ?? null;
  const option = useMemo(() => (concentration?.lorenz?.length ? lorenzOption(concentration) : null), [concentration]);

  const voterColumns = useMemo<ColumnDef<Voter, unknown>[]>(
    () => [
      { id: 'voter', header: 'Voter', cell: ({ row }) => address(row.original.voter) },
      {
        id: 'votes',
        header: 'Votes',
        meta: { sortKey: 'votes', align: 'right' },
        cell: ({ row }) => formatNumber(row.original.votes),
      },
      {
        id: 'voting_power',
        header: 'VP',
        meta: { sortKey: 'voting_power', align: 'right' },
        cell: ({ row }) => formatNumber(row.original.voting_power),
      },
      { id: 'share', header: 'Share', meta: { align: 'right' }, cell: ({ row }) => formatPercent(row.original.share) },
      {
        id: 'last_vote',
        header: 'Last vote',
        meta: { sortKey: 'last_vote' },
        cell: ({ row }) => formatDate(row.original.last_vote),
      },
    ],
    [],
  );
  const holderColumns = useMemo<ColumnDef<Holder, unknown>[]>(
    () => [
      { id: 'address', header: 'Holder', cell: ({ row }) => address(row.original.address) },
      {
        id: 'balance',
        header: 'Balance',
        meta: { sortKey: 'balance', align: 'right' },
        cell: ({ row }) => formatNumber(row.original.balance),
      },
      { id: 'share', header: 'Share', meta: { align: 'right' }, cell: ({ row }) => formatPercent(row.original.share) },
    ],
    [],
  );
  const delegateColumns = useMemo<ColumnDef<Delegate, unknown>[]>(
    () => [
      { id: 'address', header: 'Delegate', cell: ({ row }) => address(row.original.address) },
      {
        id: 'voting_power',
        header: 'VP',
        meta: { sortKey: 'voting_power', align: 'right' },
        cell: ({ row }) => formatNumber(row.original.voting_power),
      },
      {
        id: 'delegators',
        header: 'Delegators',
        meta: { sortKey: 'delegators', align: 'right' },
        cell: ({ row }) => formatNumber(row.original.delegators),
      },
      {
        id: 'votes_cast',
        header: 'Votes',
        meta: { sortKey: 'votes_cast', align: 'right' },
        cell: ({ row }) => formatNumber(row.original.votes_cast),
      },
      {
        id: 'participation',
        header: 'Particip.',
        meta: { sortKey: 'participation', align: 'right' },
        cell: ({ row }) => formatPercent(row.original.participation),
      },
    ],
    [],
  );

  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <Card
        title="Concentration"
        className="lg:col-span-2"
        actions={
          <div
            role="radiogroup"
            aria-label="Whose concentration"
            className="flex gap-1 rounded-lg bg-subtle p-1 text-xs"
          >
            {Object.entries(GROUPS).map(([k, label]) => (
              // biome-ignore lint/a11y/useSemanticElements: a segmented control of buttons exposed as radios (aria-checked); native radio inputs would need restyling.
              <button
                key={k}
                type="button"
                role="radio"
                aria-checked={state.conc === k}
                onClick={() => set({ conc: k }, { replace: true })}
                className={`rounded-md px-2 py-1 ${state.conc === k ? 'bg-surface font-medium shadow-sm' : 'text-muted'}`}
              >
                {label}
              </button>
            ))}
          </div>
        }
      >
        {summary.isPending ? (
          <SkeletonRows rows={6} />
        ) : summary.isError ? (
          <ErrorState error={summary.error} retry={() => void summary.refetch()} what="concentration metrics" />
        ) : !concentration ? (
          <EmptyState
            title={`No ${GROUPS[state.conc as keyof typeof GROUPS]?.toLowerCase() ?? 'data'} recorded for this DAO`}
          />
        ) : (
          <div className="grid gap-4 md:grid-cols-3">
            <div className="md:col-span-2">
              {option ? (
                <Chart option={option} height={300} label="Lorenz curve of voting power" />
              ) : (
                <EmptyState title="No distribution to draw" />
              )}
            </div>
            <dl className="grid grid-cols-2 content-start gap-3 text-sm">
              <Stat label="Gini" value={concentration.gini === null ? '—' : concentration.gini.toFixed(3)} />
              <Stat label="HHI" value={concentration.hhi === null ? '—' : concentration.hhi.toFixed(4)} />
              <Stat label="Nakamoto" value={formatNumber(concentration.nakamoto)} />
              <Stat label="Accounts" value={formatNumber(concentration.count)} />
              <Stat label="Top 1" value={formatPercent(concentration.top1_share)} />
              <Stat label="Top 5" value={formatPercent(concentration.top5_share)} />
              <Stat label="Top 10" value={formatPercent(concentration.top10_share)} />
            </dl>
          </div>
        )}
      </Card>
      <Card title="Top voters">
        {voters.isError ? (
          <ErrorState error={voters.error} retry={() => void voters.refetch()} what="the voter leaderboard" />
        ) : (
          <>
            <DataTable
              caption="Voters"
              dense
              data={voters.data?.data}
              columns={voterColumns}
              rowKey={(v) => v.voter}
              loading={voters.isFetching}
              sort={{ sort: state.vsort, order: state.vorder as 'asc' | 'desc' }}
              onSort={(s) => set({ vsort: s.sort, vorder: s.order, vpage: '1' })}
              empty={<EmptyState title="No votes recorded" />}
            />
            {voters.data && (
              <Pager
                page={Number(state.vpage) || 1}
                pages={voters.data.pagination.pages}
                total={voters.data.pagination.total}
                onPage={(p) => set({ vpage: String(p) })}
                label="voters"
              />
            )}
          </>
        )}
      </Card>
      <Card title="Token holders">
        {holders.isError ? (
          <ErrorState error={holders.error} retry={() => void holders.refetch()} what="the token holders" />
        ) : (
          <>
            <DataTable
              caption="Token holders"
              dense
              data={holders.data?.data}
              columns={holderColumns}
              rowKey={(h) => h.address}
              loading={holders.isFetching}
              sort={{ sort: 'balance', order: state.horder as 'asc' | 'desc' }}
              onSort={(s) => set({ horder: s.order, hpage: '1' })}
              empty={
                <EmptyState title="No token holders recorded">
                  Holders come from an imported holder snapshot or the on-chain token source.
                </EmptyState>
              }
            />
            {holders.data && (
              <Pager
                page={Number(state.hpage) || 1}
                pages={holders.data.pagination.pages}
                total={holders.data.pagination.total}
                onPage={(p) => set({ hpage: String(p) })}
                label="holders"
              />
            )}
          </>
        )}
      </Card>
      <Card title="Delegates">
        {delegates.isError ? (
          <ErrorState error={delegates.error} retry={() => void delegates.refetch()} what="the delegate leaderboard" />
        ) : (
          <>
            <DataTable
              caption="Delegates"
              dense
              data={delegates.data?.data}
              columns={delegateColumns}
              rowKey={(d) => d.address}
              loading={delegates.isFetching}
              sort={{ sort: state.dsort, order: state.dorder as 'asc' | 'desc' }}
              onSort={(s) => set({ dsort: s.sort, dorder: s.order, dpage: '1' })}
              empty={
                <EmptyState title="No delegates recorded">
                  Delegation data comes from token holder records or the on-chain source.
                </EmptyState>
              }
            />
            {delegates.data && (
              <Pager
                page={Number(state.dpage) || 1}
                pages={delegates.data.pagination.pages}
                total={delegates.data.pagination.total}
                onPage={(p) => set({ dpage: String(p) })}
                label="delegates"
              />
            )}
          </>
        )}
      </Card>
    </div>
  );
}
