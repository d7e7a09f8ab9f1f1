import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { canWrite, useMe } from '../api/account.ts';
import { apiGet } from '../api/client.ts';
import type { DaoReportResponse, ReportFigures } from '../api/types.ts';
import { formatDate, formatNumber, formatPercent, formatTreasury } from '../lib/format.ts';
import { Quoted } from './Quoted.tsx';
import { Button, Card, ErrorState, SkeletonRows } from './ui.tsx';

/** The window the panel opens on: the 90 whole UTC days through today (the API's default too). */
export const DEFAULT_REPORT_DAYS = 90;

const DAY_MS = 86_400_000;
const isoDay = (t: number) => new Date(t).toISOString().slice(0, 10);
const validDay = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`));

export function defaultReportWindow(now = Date.now()): { from: string; through: string } {
  return { from: isoDay(now - (DEFAULT_REPORT_DAYS - 1) * DAY_MS), through: isoDay(now) };
}

/** The API's [from, to): `through` is the last day shown, so `to` is the day after it. */
function reportParams(from: string, through: string) {
  return { from, to: isoDay(Date.parse(`${through}T00:00:00Z`) + DAY_MS) };
}

function FigureList({ figures: f }: { figures: ReportFigures }) {
  const rows: [string, string][] = [
    ['Proposals started', formatNumber(f.summary.proposals)],
    ['Votes', formatNumber(f.summary.votes)],
    ['Voters', formatNumber(f.summary.voters)],
    ['Closed', formatNumber(f.outcomes.closed)],
    [
      'Passed / failed / undecided',
      `${formatNumber(f.outcomes.passed)} / ${formatNumber(f.outcomes.failed)} / ${formatNumber(f.outcomes.undecided)}`,
    ],
    ['Pass rate', formatPercent(f.outcomes.pass_rate)],
    ['VP turnout', formatPercent(f.participation.turnout_vp)],
    ['Median voters per proposal', formatNumber(f.participation.median_voters_per_proposal)],
    ['Voter Gini', formatNumber(f.concentration.voters?.gini)],
    ['Nakamoto (voters)', formatNumber(f.concentration.voters?.nakamoto)],
    ['Top 10 holders', formatPercent(f.concentration.holders?.top10_share)],
    ['Treasury', formatTreasury(f.treasury.total_usd)],
  ];
  return (
    <dl className="mt-4 grid grid-cols-1 gap-x-6 gap-y-1 text-sm sm:grid-cols-2" data-testid="report-figures">
      {rows.map(([label, value]) => (
        <div key={label} className="flex justify-between gap-3 border-b border-line py-1">
          <dt className="text-muted">{label}</dt>
          <dd className="tabular-nums">{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/**
 * A DAO's governance report for a window the reader picks: the narrative (rendered sanitized)
 * with its provider, model and date, and the portal's figures it cites ("—" where unknown).
 * Editors and admins can ask for a new report along the AI route.
 */
export function DaoReportCard({ dao }: { dao: string }) {
  const initial = defaultReportWindow();
  const [from, setFrom] = useState(initial.from);
  const [through, setThrough] = useState(initial.through);
  const { me } = useMe();
  const client = useQueryClient();
  const valid = validDay(from) && validDay(through) && from <= through;
  const params = valid ? reportParams(from, through) : null;
  const key = ['dao-report', dao, params?.from, params?.to];
  const path = `/daos/${encodeURIComponent(dao)}/report`;
  const query = useQuery({
    queryKey: key,
    queryFn: ({ signal }) => apiGet<DaoReportResponse>(path, params!, signal),
    enabled: params !== null,
  });
  const regenerate = useMutation({
    mutationFn: () => apiGet<DaoReportResponse>(path, { ...params!, priority: 'balanced' }),
    onSuccess: (report) => client.setQueryData(key, report),
  });
  const r = query.data;
  return (
    <Card
      title="Governance report"
      actions={
        canWrite(me) &&
        params && (
          <Button onClick={() => regenerate.mutate()} disabled={regenerate.isPending} data-testid="new-report">
            {regenerate.isPending ? 'Writing…' : 'New report'}
          </Button>
        )
      }
    >
      <div className="mb-3 flex flex-wrap items-end gap-3 text-sm">
        <label className="flex flex-col gap-1">
          <span className="text-xs text-muted">From</span>
          <input
            type="date"
            className="rounded-lg border border-line bg-surface px-2 py-1"
            value={from}
            max={through}
            onChange={(e) => setFrom(e.target.value)}
            data-testid="report-from"
          />
        </label>
        <label className="flex flex-col gap-1">
          <span className="text-xs text-muted">Through</span>
          <input
            type="date"
            className="rounded-lg border border-line bg-surface px-2 py-1"
            value={through}
            min={from}
            onChange={(e) => setThrough(e.target.value)}
            data-testid="report-through"
          />
        </label>
        {!valid && <span className="text-xs text-danger">Pick a start on or before the end.</span>}
      </div>
      {query.isError ? (
        <ErrorState error={query.error} retry={() => void query.refetch()} what="the report" />
      ) : !r ? (
        valid && <SkeletonRows rows={4} />
      ) : (
        <div data-testid="report">
          <div className="mb-2 text-xs text-muted" data-testid="report-meta">
            {r.provider} · {r.model} · {formatDate(r.created_at, true)}
            {r.fallback_reason && <span title={r.fallback_reason}> · fallback</span>}
          </div>
          <div className="font-medium" data-testid="report-headline">
            <Quoted text={r.headline} />
          </div>
          <div className="mt-2 space-y-2">
            {r.paragraphs.map((p) => (
              <Quoted key={p} text={p} />
            ))}
          </div>
          <FigureList figures={r.figures} />
          {regenerate.isError && (
            <div className="mt-3 text-xs text-danger">
              A new report could not be written: {regenerate.error.message}
            </div>
          )}
        </div>
      )}
    </Card>
  );
}
