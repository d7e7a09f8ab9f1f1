import { useMemo } from 'react';
import { useEnhanced } from '../../api/hooks.ts';
import type { EnhancedPoint } from '../../api/types.ts';
import { Chart } from '../../components/Chart.tsx';
import { Card, ErrorState, SkeletonRows } from '../../components/ui.tsx';
import { formatNumber, formatPercent } from '../../lib/format.ts';
import { monthLabel, type TabProps } from './common.ts';

const num = (p: EnhancedPoint, key: string) => (typeof p[key] === 'number' ? (p[key] as number) : null);

export default function Governance({ dao, summary }: TabProps) {
  const params = { bucket: 'month', period: 'all' };
  const activity = useEnhanced('activity', [dao.id], params);
  const participation = useEnhanced('participation', [dao.id], params);
  const outcomes = useEnhanced('outcomes', [dao.id], params);

  const activityOption = useMemo(() => {
    const points = activity.data?.series[0]?.points;
    if (!points) return null;
    const rows = points.map((p) => ({
      t: p.t,
      proposals: num(p, 'proposals'),
      votes: num(p, 'votes'),
      voters: num(p, 'voters'),
    }));
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0, type: 'scroll' },
      grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: 'category', data: rows.map((r) => monthLabel(r.t)) },
      yAxis: [
        { type: 'value', name: 'votes', axisLabel: { formatter: (v: number) => formatNumber(v) } },
        { type: 'value', name: 'proposals', splitLine: { show: false } },
      ],
      dataZoom: rows.length > 24 ? [{ type: 'inside' }] : [],
      series: [
        {
          type: 'bar',
          name: 'Votes',
          data: rows.map((r) => r.votes),
          barMaxWidth: 16,
          itemStyle: { borderRadius: [3, 3, 0, 0] },
        },
        { type: 'line', name: 'Voters', data: rows.map((r) => r.voters), showSymbol: false },
        {
          type: 'line',
          name: 'Proposals',
          yAxisIndex: 1,
          data: rows.map((r) => r.proposals),
          showSymbol: false,
        },
      ],
    };
  }, [activity.data]);

  const participationOption = useMemo(() => {
    const points = participation.data?.series[0]?.points;
    if (!points) return null;
    // Comparable figures only (docs/METRICS.md): turnout of the votable supply, and the median
    // voters of the proposals that ended that month.
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0, type: 'scroll' },
      grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: 'category', data: points.map((p) => monthLabel(p.t)) },
      yAxis: [
        { type: 'value', name: 'turnout', axisLabel: { formatter: (v: number) => formatPercent(v, 0) } },
        { type: 'value', name: 'voters', splitLine: { show: false } },
      ],
      series: [
        {
          type: 'line',
          name: 'VP turnout',
          data: points.map((p) => num(p, 'turnout_vp')),
          showSymbol: true,
          symbolSize: 4,
          tooltip: { valueFormatter: (v: number | null) => formatPercent(v) },
        },
        {
          type: 'bar',
          name: 'Median voters / proposal',
          yAxisIndex: 1,
          barMaxWidth: 12,
          itemStyle: { opacity: 0.5 },
          data: points.map((p) => num(p, 'median_voters_per_proposal')),
          tooltip: { valueFormatter: (v: number | null) => formatNumber(v) },
        },
      ],
    };
  }, [participation.data]);

  const outcomesOption = useMemo(() => {
    const points = outcomes.data?.series[0]?.points;
    if (!points) return null;
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0, type: 'scroll' },
      grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: 'category', data: points.map((p) => monthLabel(p.t)) },
      yAxis: { type: 'value' },
      // Conventional colours, fixed in both themes: passed green, failed red, undecided (ended without a known outcome) grey.
      series: [
        { key: 'passed', name: 'Passed', color: '#16a34a' },
        { key: 'failed', name: 'Failed', color: '#dc2626' },
        { key: 'undecided', name: 'Undecided', color: '#9ca3af' },
      ].map((o) => ({
        type: 'bar',
        stack: 'o',
        name: o.name,
        itemStyle: { color: o.color },
        data: points.map((p) => num(p, o.key)),
        barMaxWidth: 16,
      })),
    };
  }, [outcomes.data]);

  const s = summary.data;
  return (
    <div className="grid gap-4 lg:grid-cols-3">
      <Card title="Activity by month" className="lg:col-span-2">
        {activityOption ? (
          <Chart option={activityOption} height={300} label={`Votes and proposals per month in ${dao.name}`} />
        ) : activity.isError ? (
          <ErrorState error={activity.error} retry={() => void activity.refetch()} what="activity" />
        ) : (
          <SkeletonRows rows={6} />
        )}
      </Card>
      <Card title="Voters">
        {s ? (
          <dl className="grid grid-cols-2 gap-3 text-sm">
            <Stat label="Voters" value={formatNumber(s.activity.voters)} />
            <Stat label="New voters" value={formatNumber(s.activity.new_voters)} />
            <Stat label="Returning" value={formatNumber(s.activity.returning_voters)} />
            <Stat label="Retention" value={formatPercent(s.activity.retention)} />
            <Stat label="Median voters / proposal" value={formatNumber(s.participation.median_voters_per_proposal)} />
            <Stat label="VP turnout" value={formatPercent(s.participation.turnout_vp)} />
            <Stat label="Holders who voted" value={formatPercent(s.participation.voter_holder_ratio)} />
            <Stat label="Denominator" value={supplyLabel(s.participation.turnout_basis)} />
          </dl>
        ) : summary.isError ? (
          <ErrorState error={summary.error} retry={() => void summary.refetch()} what="voter metrics" />
        ) : (
          <SkeletonRows rows={4} />
        )}
      </Card>
      <Card title="Turnout over time" className="lg:col-span-2">
        {participationOption ? (
          <Chart
            option={participationOption}
            label={`Voting power turnout (${supplyLabel(s?.participation.turnout_basis ?? null)}) and median voters per proposal, per month of the proposals' end`}
          />
        ) : participation.isError ? (
          <ErrorState
            error={participation.error}
            retry={() => void participation.refetch()}
            what="participation series"
          />
        ) : (
          <SkeletonRows rows={5} />
        )}
      </Card>
      <Card title="Outcomes">
        {s ? (
          <dl className="grid grid-cols-2 gap-3 text-sm">
            {/* The same three classes as the chart: ended proposals are passed, failed or undecided. */}
            <Stat label="Passed" value={formatNumber(s.outcomes.passed)} />
            <Stat label="Failed" value={formatNumber(s.outcomes.decided - s.outcomes.passed)} />
            <Stat label="Undecided" value={formatNumber(s.outcomes.closed - s.outcomes.decided)} />
            <Stat label="Pass rate (of decided)" value={formatPercent(s.outcomes.pass_rate)} />
            <Stat label="Avg. margin" value={formatPercent(s.outcomes.avg_margin)} />
            <Stat label="Contested" value={formatNumber(s.outcomes.contested)} />
          </dl>
        ) : summary.isError ? (
          <ErrorState error={summary.error} retry={() => void summary.refetch()} what="outcome metrics" />
        ) : (
          <SkeletonRows rows={4} />
        )}
      </Card>
      <Card title="Outcomes by month" className="lg:col-span-3">
        {outcomesOption ? (
          <Chart option={outcomesOption} label="Passed, failed and undecided proposals per month" />
        ) : outcomes.isError ? (
          <ErrorState error={outcomes.error} retry={() => void outcomes.refetch()} what="outcome series" />
        ) : (
          <SkeletonRows rows={5} />
        )}
      </Card>
    </div>
  );
}

/** Which votable supply turnout divides by (docs/METRICS.md). */
export function supplyLabel(basis: 'token_supply' | 'holders' | null): string {
  return basis === 'token_supply' ? 'token supply' : basis === 'holders' ? "listed holders' balance" : '—';
}

export function Stat({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <dt className="text-xs text-muted">{label}</dt>
      <dd className="text-lg font-semibold tabular-nums">{value}</dd>
    </div>
  );
}
