import type { ColumnDef } from '@tanstack/react-table';
import { useMemo } from 'react';
import { useEnhanced, useTreasury } from '../../api/hooks.ts';
import type { TreasuryBalance } from '../../api/types.ts';
import { AddressLink } from '../../components/AddressLink.tsx';
import { Chart } from '../../components/Chart.tsx';
import { DataTable } from '../../components/DataTable.tsx';
import { Card, EmptyState, ErrorState, Kpi, SkeletonRows } from '../../components/ui.tsx';
import { formatDate, formatMonths, formatNumber, formatPercent, formatUsd, toNumber } from '../../lib/format.ts';
import { monthly, ownTokenShare, stackByToken, topSlices } from '../../lib/shape.ts';
import { monthLabel, type TabProps } from './common.ts';

export default function TreasuryTab({ dao, summary }: TabProps) {
  const treasury = useTreasury(dao.slug);
  const series = useEnhanced('treasury', [dao.id], { bucket: 'month', period: 'all' });
  const s = summary.data?.treasury;
  const latest = useMemo(() => treasury.data?.latest ?? [], [treasury.data]);
  const own = s?.own_token_share ?? ownTokenShare(latest, dao.token_symbol);
  const slices = useMemo(
    () =>
      topSlices(
        latest.map((b) => ({ name: b.token_symbol, value: b.usd_value })),
        6,
      ),
    [latest],
  );

  const valueOption = useMemo(() => {
    const points = series.data?.series[0]?.points;
    if (points?.length) {
      const stacked = stackByToken(
        points.map((p) => ({
          t: p.t,
          by_token: (p.by_token ?? {}) as Record<string, number>,
          // A month without a snapshot has no value (null), not the last one carried forward.
          known: typeof p.total_usd === 'number',
        })),
      );
      return {
        tooltip: { trigger: 'axis', valueFormatter: (v: number) => formatUsd(v) },
        legend: { top: 0, type: 'scroll' },
        grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
        xAxis: { type: 'category', boundaryGap: false, data: stacked.times.map(monthLabel) },
        yAxis: { type: 'value', axisLabel: { formatter: (v: number) => formatUsd(v) } },
        series: stacked.series.map((x) => ({
          type: 'line',
          name: x.name,
          stack: 'usd',
          areaStyle: { opacity: 0.6 },
          showSymbol: false,
          lineStyle: { width: 1 },
          data: x.data,
        })),
      };
    }
    const history = treasury.data?.history;
    if (!history?.length || (!series.isError && series.isPending)) return null;
    // Wallets report at different times; each reports once a month, so a month's sum is the total.
    const months = monthly(
      history,
      (h) => h.timestamp,
      (h) => toNumber(h.usd_value) ?? 0,
    );
    return {
      tooltip: { trigger: 'axis', valueFormatter: (v: number) => formatUsd(v) },
      grid: { left: 8, right: 8, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: 'category', boundaryGap: false, data: months.map((m) => monthLabel(m.t)) },
      yAxis: { type: 'value', axisLabel: { formatter: (v: number) => formatUsd(v) } },
      series: [
        {
          type: 'line',
          name: 'Treasury',
          showSymbol: false,
          areaStyle: { opacity: 0.2 },
          data: months.map((m) => m.sum),
        },
      ],
    };
  }, [series.data, series.isError, series.isPending, treasury.data]);

  const compositionOption = useMemo(
    () => ({
      tooltip: { trigger: 'item', valueFormatter: (v: number) => formatUsd(v) },
      series: [
        {
          type: 'pie',
          radius: ['55%', '85%'],
          avoidLabelOverlap: true,
          label: { show: false },
          itemStyle: { borderWidth: 2, borderColor: 'transparent' },
          data: slices.map((x) => ({ name: x.name, value: x.value })),
        },
      ],
    }),
    [slices],
  );

  const columns = useMemo<ColumnDef<TreasuryBalance, unknown>[]>(
    () => [
      {
        id: 'token',
        header: 'Token',
        cell: ({ row }) => <span className="font-medium">{row.original.token_symbol}</span>,
      },
      {
        id: 'chain',
        header: 'Chain',
        meta: { className: 'hidden sm:table-cell' },
        cell: ({ row }) => <span className="capitalize">{row.original.chain}</span>,
      },
      {
        id: 'wallet',
        header: 'Wallet',
        meta: { className: 'hidden md:table-cell' },
        cell: ({ row }) => (row.original.wallet ? <AddressLink address={row.original.wallet} /> : '—'),
      },
      {
        id: 'amount',
        header: 'Amount',
        meta: { align: 'right' },
        cell: ({ row }) => formatNumber(row.original.amount),
      },
      {
        id: 'usd',
        header: 'USD',
        meta: { align: 'right' },
        accessorFn: (b) => toNumber(b.usd_value) ?? 0,
        cell: ({ row }) => (
          <span title={row.original.usd_stale ? 'price is older than the balance' : undefined}>
            {formatUsd(row.original.usd_value)}
            {row.original.usd_stale ? ' *' : ''}
          </span>
        ),
      },
    ],
    [],
  );

  if (treasury.isError)
    return <ErrorState error={treasury.error} retry={() => void treasury.refetch()} what="the treasury" />;
  const empty = treasury.data && latest.length === 0;

  return (
    <div className="grid gap-4 lg:grid-cols-3">
      <div className="grid grid-cols-2 gap-3 lg:col-span-3 lg:grid-cols-4">
        <Kpi
          label="Treasury value"
          value={formatUsd(s?.total_usd ?? treasury.data?.total_usd)}
          hint={`as of ${formatDate(s?.as_of ?? treasury.data?.as_of)}`}
          loading={treasury.isPending}
        />
        <Kpi
          label={`Own token${dao.token_symbol ? ` (${dao.token_symbol})` : ''}`}
          value={formatPercent(own)}
          hint="share of the treasury"
          loading={treasury.isPending}
        />
        <Kpi
          label="Stablecoins"
          value={formatPercent(s?.stablecoin_share)}
          hint={summary.isError ? 'could not load' : 'share of the treasury'}
          loading={summary.isPending}
        />
        <Kpi
          label="Runway"
          value={formatMonths(s?.runway_months)}
          hint={
            s?.monthly_net_outflow != null
              ? `${formatUsd(s.monthly_net_outflow)} / month net outflow`
              : summary.isError
                ? 'could not load'
                : 'at the recent outflow'
          }
          loading={summary.isPending}
        />
      </div>
      {empty ? (
        <Card className="lg:col-span-3">
          <EmptyState title="No treasury balances recorded">
            Add treasury addresses to this DAO or import treasury_balance records.
          </EmptyState>
        </Card>
      ) : (
        <>
          <Card
            title={series.data?.series[0]?.points.length ? 'Value over time by token' : 'Value over time'}
            className="lg:col-span-2"
          >
            {valueOption ? (
              <Chart option={valueOption} height={300} label="Treasury value over time" />
            ) : (
              <SkeletonRows rows={6} />
            )}
          </Card>
          <Card title="Composition">
            {treasury.isPending ? (
              <SkeletonRows rows={5} />
            ) : (
              <>
                <Chart option={compositionOption} height={180} label="Treasury composition by token" />
                <ul className="mt-3 space-y-1.5 text-sm">
                  {slices.map((x) => (
                    <li key={x.name} className="flex justify-between gap-2">
                      <span className="truncate">{x.name}</span>
                      <span className="tabular-nums text-muted">
                        {formatUsd(x.value)} · {formatPercent(x.share)}
                      </span>
                    </li>
                  ))}
                </ul>
              </>
            )}
          </Card>
          <Card title="Balances" className="lg:col-span-3">
            <DataTable
              caption="Latest treasury balances"
              data={treasury.data ? latest : undefined}
              columns={columns}
              clientSort
              rowKey={(b) => `${b.wallet}-${b.chain}-${b.token_symbol}-${b.token_address}`}
              loading={treasury.isPending}
              dense
            />
            {latest.some((b) => b.usd_stale) && (
              <p className="mt-2 text-xs text-muted">* USD price older than the balance.</p>
            )}
          </Card>
        </>
      )}
    </div>
  );
}
