import * as Tabs from '@radix-ui/react-tabs';
import { lazy, Suspense, useEffect } from 'react';
import { Link, useParams } from 'react-router-dom';
import { useDao, useSummary } from '../api/hooks.ts';
import type { Coverage } from '../api/types.ts';
import { AddressLink } from '../components/AddressLink.tsx';
import { preloadCharts } from '../components/Chart.tsx';
import { NotifyMe } from '../components/NotifyMe.tsx';
import { Badge, ErrorState, Kpi, PageHeader, Skeleton, SkeletonRows } from '../components/ui.tsx';
import {
  formatDate,
  formatNumber,
  formatPercent,
  formatTreasury,
  formatUsd,
  plural,
  shortAddress,
  toNumber,
} from '../lib/format.ts';
import { useUrlState } from '../lib/url.ts';
// The default tab ships with the page; the others load when opened.
import Governance, { supplyLabel } from './dao/Governance.tsx';

const Proposals = lazy(() => import('./dao/Proposals.tsx'));
const Voters = lazy(() => import('./dao/Voters.tsx'));
const TreasuryTab = lazy(() => import('./dao/Treasury.tsx'));
const ReportTab = lazy(() => import('./dao/Report.tsx'));

const TABS = [
  { value: 'governance', label: 'Governance' },
  { value: 'proposals', label: 'Proposals' },
  { value: 'voters', label: 'Voters, holders & delegates' },
  { value: 'treasury', label: 'Treasury' },
  { value: 'report', label: 'Report' },
] as const;

/** What the stored data covers, so a figure computed from votes is read over the right proposals. */
function CoverageNote({ coverage: c }: { coverage: Coverage }) {
  if (c.proposals === 0 && !c.holders_as_of && !c.treasury_from) return null;
  const parts = [
    c.proposals > 0 &&
      `Votes stored for ${formatNumber(c.proposals_with_all_votes)} of ${plural(c.proposals, 'proposal')} in full, ${formatNumber(c.proposals_with_some_votes)} in part, ${formatNumber(c.proposals_without_votes)} not at all` +
        (c.votes_from ? ` (votes ${formatDate(c.votes_from)} – ${formatDate(c.votes_to)})` : ''),
    c.holders_as_of && `holders as of ${formatDate(c.holders_as_of)}`,
    c.treasury_from && `treasury ${formatDate(c.treasury_from)} – ${formatDate(c.treasury_to)}`,
  ].filter(Boolean);
  return (
    <p className="-mt-3 mb-6 max-w-3xl text-xs text-muted" data-testid="coverage">
      Data coverage: {parts.join('; ')}. Figures from votes cover those proposals only.
    </p>
  );
}

export default function DaoPage() {
  const { slug } = useParams();
  const [state, set] = useUrlState({ tab: '' });
  const dao = useDao(slug);
  const summary = useSummary(slug);
  // Every tab draws charts: fetch the chart library while the data loads, not after.
  useEffect(preloadCharts, []);

  if (dao.isError)
    return <ErrorState error={dao.error} retry={() => void dao.refetch()} what="this DAO" missing="DAO" />;
  const d = dao.data;
  const s = summary.data;
  // A DAO known only by its token holders opens on them; an unknown ?tab= opens the default tab.
  const holderOnly = !!d && d.total_proposals === 0 && d.total_votes === 0;
  const defaultTab = holderOnly ? 'voters' : TABS[0].value;
  const tab = TABS.some((t) => t.value === state.tab) ? state.tab : defaultTab;
  const passRate = s?.outcomes.pass_rate;
  // Holder-derived concentration is labelled as holders' (a DAO without votes has no voters to measure).
  const nakamotoOf = s?.concentration.voters ? 'voters' : s?.concentration.holders ? 'holders' : null;
  const nakamoto = s?.concentration.voters?.nakamoto ?? s?.concentration.holders?.nakamoto;
  // No votes in the data: voter counts are unknown, not 0.
  const noVotes = d ? d.total_votes === 0 : false;
  const turnout = s?.participation.turnout_vp ?? toNumber(d?.turnout_vp);
  const basis = s?.participation.turnout_basis ?? d?.turnout_basis ?? null;
  const median = s?.participation.median_voters_per_proposal ?? toNumber(d?.median_voters);
  const summaryHint = summary.isError ? 'could not load' : undefined;

  return (
    <>
      {d ? (
        <PageHeader
          title={d.name}
          actions={<NotifyMe dao={{ slug: d.slug, name: d.name }} />}
          subtitle={
            <div className="flex flex-wrap items-center gap-2">
              <Badge tone="idle">{d.chain}</Badge>
              {d.token_symbol && <Badge tone="executed">{d.token_symbol}</Badge>}
              {d.snapshot_space && (
                <a
                  className="text-accent hover:underline"
                  href={`https://snapshot.box/#/s:${d.snapshot_space}`}
                  target="_blank"
                  rel="noopener noreferrer"
                >
                  Snapshot: {d.snapshot_space}
                </a>
              )}
              {d.governor_address && (
                <span>
                  Governor <AddressLink address={d.governor_address} />
                </span>
              )}
              {d.token_address && (
                <span>
                  Token <AddressLink address={d.token_address} />
                </span>
              )}
              <Link to={`/compare?daos=${d.slug}`} className="text-accent hover:underline">
                Compare…
              </Link>
            </div>
          }
        />
      ) : (
        <div className="mb-6 space-y-2">
          <Skeleton className="h-9 w-64" />
          <Skeleton className="h-4 w-80" />
        </div>
      )}
      {d?.description && <p className="-mt-3 mb-6 max-w-3xl text-sm text-muted">{d.description}</p>}
      {d && <CoverageNote coverage={d.coverage} />}

      <div className="mb-6 grid grid-cols-2 gap-3 sm:grid-cols-3 xl:grid-cols-6">
        <Kpi
          label="Treasury"
          value={formatTreasury(s?.treasury.total_usd ?? d?.treasury_value)}
          hint={
            s?.treasury.change_pct != null
              ? `${s.treasury.change_pct >= 0 ? '+' : ''}${formatPercent(s.treasury.change_pct)} since first record`
              : 'latest value'
          }
          loading={!d}
        />
        <Kpi
          label="Members"
          value={noVotes ? '—' : formatNumber(d?.total_members)}
          hint={noVotes ? 'no votes in the data' : `distinct voters · median ${formatNumber(median)} per proposal`}
          loading={!d}
        />
        <Kpi
          label="Proposals"
          value={formatNumber(d?.total_proposals)}
          hint={`${formatNumber(d?.active_proposals)} open`}
          loading={!d}
        />
        <Kpi
          label="VP turnout"
          value={formatPercent(turnout)}
          hint={
            turnout == null
              ? 'no votable supply or votes'
              : `of ${supplyLabel(basis)}${s ? ` · ${formatNumber(s.participation.turnout_proposals)} proposals` : ''}`
          }
          loading={!d}
        />
        <Kpi
          label="Pass rate"
          value={formatPercent(passRate)}
          hint={
            summaryHint ??
            (s
              ? `${formatNumber(s.outcomes.passed)} passed of ${formatNumber(s.outcomes.decided)} decided · ${formatNumber(s.outcomes.closed - s.outcomes.decided)} undecided`
              : undefined)
          }
          loading={summary.isPending}
        />
        <Kpi
          label={nakamotoOf === 'holders' ? 'Nakamoto (holders)' : 'Nakamoto'}
          value={formatNumber(nakamoto)}
          hint={
            summaryHint ?? (nakamotoOf === 'holders' ? 'holders to reach 50% of balances' : 'voters to reach 50% VP')
          }
          loading={summary.isPending}
        />
      </div>

      <Tabs.Root value={tab} onValueChange={(next) => set({ tab: next }, { replace: true })}>
        <Tabs.List aria-label="DAO sections" className="mb-4 flex gap-1 overflow-x-auto border-b border-line">
          {TABS.map((t) => (
            <Tabs.Trigger
              key={t.value}
              value={t.value}
              className="-mb-px border-b-2 border-transparent px-3 py-2 text-sm font-medium whitespace-nowrap text-muted hover:text-text data-[state=active]:border-accent data-[state=active]:text-text"
            >
              {t.label}
            </Tabs.Trigger>
          ))}
        </Tabs.List>
        {d && (
          <Suspense fallback={<SkeletonRows rows={6} />}>
            <Tabs.Content value="governance">
              <Governance dao={d} summary={summary} />
            </Tabs.Content>
            <Tabs.Content value="proposals">
              <Proposals dao={d} />
            </Tabs.Content>
            <Tabs.Content value="voters">
              <Voters dao={d} summary={summary} />
            </Tabs.Content>
            <Tabs.Content value="treasury">
              <TreasuryTab dao={d} summary={summary} />
            </Tabs.Content>
            <Tabs.Content value="report">
              <ReportTab dao={d} summary={summary} />
            </Tabs.Content>
          </Suspense>
        )}
      </Tabs.Root>
    </>
  );
}
