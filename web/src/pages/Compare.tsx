import { useQueries } from '@tanstack/react-query';
import { useMemo } from 'react';
import { Link } from 'react-router-dom';
import { apiGet } from '../api/client.ts';
import { useComparison, useDaos, useEnhanced } from '../api/hooks.ts';
import type { Dao } from '../api/types.ts';
import { Chart } from '../components/Chart.tsx';
import { Button, Card, EmptyState, ErrorState, fieldClass, PageHeader, SkeletonRows } from '../components/ui.tsx';
import { compareRows } from '../lib/compare.ts';
import { formatNumber, formatPercent } from '../lib/format.ts';
import { normalize } from '../lib/shape.ts';
import { useUrlState } from '../lib/url.ts';
import { monthLabel } from './dao/common.ts';

const SERIES = {
  votes: { type: 'activity', label: 'Votes', format: formatNumber },
  voters: { type: 'activity', label: 'Voters', format: formatNumber },
  proposals: { type: 'activity', label: 'Proposals', format: formatNumber },
  turnout_vp: { type: 'participation', label: 'VP turnout', format: (v: number) => formatPercent(v) },
  median_voters_per_proposal: { type: 'participation', label: 'Median voters / proposal', format: formatNumber },
} as const;

export default function Compare() {
  const [state, set] = useUrlState({ daos: '', series: 'votes' });
  const slugs = state.daos ? [...new Set(state.daos.split(',').filter(Boolean))] : [];
  const all = useDaos({ per_page: 100, sort: 'total_votes', order: 'desc' });
  const daoQueries = useQueries({
    queries: slugs.map((slug) => ({
      queryKey: ['dao', slug],
      queryFn: ({ signal }: { signal: AbortSignal }) => apiGet<Dao>(`/daos/${encodeURIComponent(slug)}`, {}, signal),
    })),
  });
  const daos = daoQueries.map((q) => q.data).filter((d): d is Dao => !!d);
  const failed = daoQueries.find((q) => q.isError);
  const ids = daos.map((d) => d.id);
  const idKey = ids.join(',');
  const comparison = useComparison(ids);
  const seriesKey = (state.series in SERIES ? state.series : 'votes') as keyof typeof SERIES;
  const seriesInfo = SERIES[seriesKey];
  const enhanced = useEnhanced(seriesInfo.type, ids, { bucket: 'month', period: 'all' });

  // biome-ignore lint/correctness/useExhaustiveDependencies: `daos` is a new array each render; the id list identifies it.
  const rows = useMemo(() => {
    const byId = new Map(comparison.data?.daos.map((c) => [c.dao.id, c]) ?? []);
    return compareRows(
      daos,
      daos.map((d) => byId.get(d.id)?.summary),
      daos.map((d) => byId.get(d.id)?.ranks),
    );
  }, [comparison.data, idKey]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `rows` is recomputed whenever the DAO list (by id) changes, so it identifies `daos` too.
  const normalizedOption = useMemo(() => {
    if (!rows.length || !daos.length) return null;
    const matrix = normalize(
      daos.map((_, i) =>
        rows.map((r) =>
          r.metric.higherIsBetter ? (r.values[i] ?? null) : r.values[i] === null ? null : 1 - r.values[i]!,
        ),
      ),
    );
    return {
      tooltip: { trigger: 'axis', valueFormatter: (v: number) => formatPercent(v, 0) },
      legend: { top: 0, type: 'scroll' },
      grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: 'category', data: rows.map((r) => r.metric.label), axisLabel: { interval: 0, rotate: 30 } },
      yAxis: { type: 'value', max: 1, axisLabel: { formatter: (v: number) => formatPercent(v, 0) } },
      series: daos.map((d, i) => ({ type: 'bar', name: d.name, data: matrix[i], barMaxWidth: 18 })),
    };
  }, [rows]);

  const seriesOption = useMemo(() => {
    const list = enhanced.data?.series;
    if (!list?.length) return null;
    const times = [...new Set(list.flatMap((s) => s.points.map((p) => p.t)))].sort();
    return {
      tooltip: { trigger: 'axis', valueFormatter: (v: number) => (v == null ? '—' : seriesInfo.format(v)) },
      legend: { top: 0, type: 'scroll' },
      grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: 'category', data: times.map(monthLabel) },
      yAxis: { type: 'value', axisLabel: { formatter: (v: number) => seriesInfo.format(v) } },
      series: list.map((s) => {
        const byT = new Map(s.points.map((p) => [p.t, p[seriesKey] as number | null]));
        return {
          type: 'line',
          name: s.dao.name,
          // Straight, unjoined segments: a DAO is not drawn before its data starts or over months it lacks.
          showSymbol: false,
          connectNulls: false,
          data: times.map((t) => byT.get(t) ?? null),
        };
      }),
    };
  }, [enhanced.data, seriesKey, seriesInfo]);

  const candidates = (all.data?.data ?? []).filter((d) => !slugs.includes(d.slug));

  return (
    <>
      <PageHeader
        title="Compare DAOs"
        subtitle="KPIs side by side with ranks (1 = best), series overlaid, and a normalized view"
      />
      <Card className="mb-4">
        <div className="flex flex-wrap items-center gap-2" data-testid="compare-picker">
          {slugs.map((slug) => {
            const d = daos.find((x) => x.slug === slug);
            return (
              <span
                key={slug}
                className="inline-flex items-center gap-1 rounded-full border border-line bg-subtle py-1 pr-1 pl-3 text-sm"
              >
                {d?.name ?? slug}
                <button
                  type="button"
                  aria-label={`Remove ${d?.name ?? slug}`}
                  onClick={() => set({ daos: slugs.filter((s) => s !== slug).join(',') })}
                  className="grid size-6 place-items-center rounded-full text-muted hover:bg-surface hover:text-text"
                >
                  ×
                </button>
              </span>
            );
          })}
          <select
            aria-label="Add a DAO to compare"
            value=""
            onChange={(e) => e.target.value && set({ daos: [...slugs, e.target.value].join(',') })}
            className={`${fieldClass} max-w-full`}
            disabled={!candidates.length}
          >
            <option value="">Add a DAO…</option>
            {candidates.map((d) => (
              <option key={d.slug} value={d.slug}>
                {d.name}
              </option>
            ))}
          </select>
          {slugs.length > 0 && (
            <Button variant="ghost" onClick={() => set({ daos: '' })}>
              Clear
            </Button>
          )}
        </div>
      </Card>
      {failed ? (
        <ErrorState error={failed.error} retry={() => void failed.refetch()} what="a DAO" />
      ) : slugs.length === 0 ? (
        <EmptyState title="Pick DAOs to compare">
          Add two or more DAOs above, or tick them on the{' '}
          <Link className="text-accent underline" to="/daos">
            DAOs
          </Link>{' '}
          page.
        </EmptyState>
      ) : daos.length < slugs.length ? (
        <SkeletonRows rows={8} />
      ) : (
        <div className="grid gap-4 lg:grid-cols-2">
          <Card title="Key figures" className="lg:col-span-2">
            <div className="-mx-4 overflow-x-auto sm:mx-0">
              <table className="w-full min-w-max text-sm" data-testid="compare-table">
                <caption className="sr-only">Key figures of the compared DAOs</caption>
                <thead>
                  <tr className="border-b border-line text-xs tracking-wide text-muted uppercase">
                    <th scope="col" className="px-4 py-2 text-left sm:pl-2">
                      Metric
                    </th>
                    {daos.map((d) => (
                      <th key={d.id} scope="col" className="px-4 py-2 text-right">
                        <Link to={`/daos/${d.slug}`} className="hover:text-accent">
                          {d.name}
                        </Link>
                      </th>
                    ))}
                    {comparison.data && (
                      <th scope="col" className="px-4 py-2 text-right">
                        Median
                      </th>
                    )}
                  </tr>
                </thead>
                <tbody>
                  {rows.map((r) => (
                    <tr key={r.metric.path} className="border-b border-line/70 last:border-0">
                      <th scope="row" className="px-4 py-2 text-left font-medium sm:pl-2">
                        {r.metric.label}
                      </th>
                      {r.values.map((v, i) => (
                        // biome-ignore lint/suspicious/noArrayIndexKey: column i is the i-th compared DAO in every row.
                        <td key={i} className="px-4 py-2 text-right tabular-nums">
                          {r.metric.format(v)}
                          {r.ranks[i] != null && (
                            <span
                              className={`ml-2 inline-block min-w-7 rounded-full px-1.5 text-center text-xs ${r.ranks[i] === 1 ? 'bg-success/15 text-success' : 'bg-subtle text-muted'}`}
                              title={`rank ${r.ranks[i]}`}
                            >
                              #{r.ranks[i]}
                            </span>
                          )}
                          {v !== null && r.bases[i] && (
                            <span className="block text-xs font-normal text-muted">{r.bases[i]}</span>
                          )}
                        </td>
                      ))}
                      {comparison.data && (
                        <td className="px-4 py-2 text-right text-muted tabular-nums">
                          {r.metric.format(comparison.data.median[r.metric.path] ?? null)}
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </Card>
          <Card title="Normalized (best = 100%)">
            {normalizedOption ? (
              <Chart option={normalizedOption} height={320} label="Each metric scaled to the best DAO" />
            ) : (
              <SkeletonRows rows={6} />
            )}
          </Card>
          <Card
            title="Over time"
            actions={
              <select
                aria-label="Series"
                value={seriesKey}
                onChange={(e) => set({ series: e.target.value }, { replace: true })}
                className={`${fieldClass} py-1`}
              >
                {Object.entries(SERIES).map(([k, v]) => (
                  <option key={k} value={k}>
                    {v.label}
                  </option>
                ))}
              </select>
            }
          >
            {seriesOption ? (
              <Chart option={seriesOption} height={320} label={`${seriesInfo.label} per month, overlaid`} />
            ) : enhanced.isError ? (
              <ErrorState error={enhanced.error} retry={() => void enhanced.refetch()} what="time series" />
            ) : (
              <SkeletonRows rows={6} />
            )}
          </Card>
        </div>
      )}
    </>
  );
}
