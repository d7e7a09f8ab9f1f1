import type { ColumnDef } from '@tanstack/react-table';
import { useMemo } from 'react';
import { Link, useParams } from 'react-router-dom';
import { useVoterProfile } from '../api/hooks.ts';
import type { VoterProfile, VoterVote } from '../api/types.ts';
import { AddressLink, isAddress } from '../components/AddressLink.tsx';
import { Chart } from '../components/Chart.tsx';
import { DataTable, Pager } from '../components/DataTable.tsx';
import {
  Badge,
  Card,
  CopyButton,
  EmptyState,
  ErrorState,
  fieldClass,
  Kpi,
  PageHeader,
  SkeletonRows,
} from '../components/ui.tsx';
import { safeAvatarUrl } from '../lib/avatar.ts';
import { formatChoice, formatDate, formatNumber, formatPercent, plural, toNumber } from '../lib/format.ts';
import { useUrlState } from '../lib/url.ts';

type Delegation = VoterProfile['delegations'][number];
type Delegator = VoterProfile['delegators'][number];
type VoterDao = VoterProfile['daos'][number];

const PER_PAGE = 25;

function powerOption(points: VoterProfile['power_history']) {
  const byDao = new Map<string, [string, number | null][]>();
  for (const p of points) {
    const list = byDao.get(p.dao_slug) ?? [];
    list.push([p.time, toNumber(p.voting_power)]);
    byDao.set(p.dao_slug, list);
  }
  return {
    tooltip: { trigger: 'axis', valueFormatter: (v: number) => `${formatNumber(v)} VP` },
    legend: { top: 0, type: 'scroll' },
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    xAxis: { type: 'time' },
    yAxis: { type: 'value', axisLabel: { formatter: (v: number) => formatNumber(v) } },
    // A step line: delegated power holds its value until the next DelegateVotesChanged log.
    series: [...byDao].map(([name, data]) => ({ type: 'line', step: 'end', name, data, showSymbol: false })),
  };
}

const withOutcome = (v: VoterVote) =>
  v.with_outcome === null ? (
    <span className="text-muted" title="outcome or side not known">
      —
    </span>
  ) : v.with_outcome ? (
    <Badge tone="success">with</Badge>
  ) : (
    <Badge tone="failure">against</Badge>
  );

export default function VoterPage() {
  const { address } = useParams();
  const valid = !!address && isAddress(address);
  const [state, set] = useUrlState({ page: '1', dao: '' });
  const page = Math.max(1, Number(state.page) || 1);
  const query = useVoterProfile(valid ? address : undefined, { page, per_page: PER_PAGE, dao: state.dao || undefined });
  const profile = query.data?.data;
  const option = useMemo(
    () => (profile?.power_history.length ? powerOption(profile.power_history) : null),
    [profile?.power_history],
  );

  const voteColumns = useMemo<ColumnDef<VoterVote, unknown>[]>(
    () => [
      {
        id: 'proposal',
        header: 'Proposal',
        cell: ({ row }) => (
          <Link
            to={`/proposals/${row.original.proposal_id}`}
            className="line-clamp-2 max-w-96 whitespace-normal text-accent hover:underline"
          >
            {row.original.proposal_title}
          </Link>
        ),
      },
      {
        id: 'dao',
        header: 'DAO',
        cell: ({ row }) => (
          <Link to={`/daos/${row.original.dao_slug}`} className="hover:underline">
            {row.original.dao_name}
          </Link>
        ),
      },
      {
        id: 'source',
        header: 'Source',
        meta: { className: 'hidden md:table-cell' },
        cell: ({ row }) => row.original.proposal_source,
      },
      {
        id: 'choice',
        header: 'Choice',
        cell: ({ row }) => (
          <span className="line-clamp-1 max-w-48 whitespace-normal">
            {row.original.choice_label ?? formatChoice(row.original.choice, [])}
          </span>
        ),
      },
      {
        id: 'voting_power',
        header: 'Power',
        meta: { align: 'right' },
        cell: ({ row }) => formatNumber(row.original.voting_power),
      },
      { id: 'outcome', header: 'Outcome', cell: ({ row }) => withOutcome(row.original) },
      {
        id: 'created',
        header: 'Time',
        cell: ({ row }) => <span className="whitespace-nowrap">{formatDate(row.original.created, true)}</span>,
      },
    ],
    [],
  );
  const daoColumns = useMemo<ColumnDef<VoterDao, unknown>[]>(
    () => [
      {
        id: 'dao',
        header: 'DAO',
        cell: ({ row }) => (
          <Link to={`/daos/${row.original.dao_slug}`} className="text-accent hover:underline">
            {row.original.dao_name}
          </Link>
        ),
      },
      { id: 'votes', header: 'Votes', meta: { align: 'right' }, cell: ({ row }) => formatNumber(row.original.votes) },
      {
        id: 'vp',
        header: 'VP cast',
        meta: { align: 'right' },
        cell: ({ row }) => formatNumber(row.original.voting_power_total),
      },
      { id: 'first', header: 'First vote', cell: ({ row }) => formatDate(row.original.first_vote) },
      { id: 'last', header: 'Last vote', cell: ({ row }) => formatDate(row.original.last_vote) },
    ],
    [],
  );
  const delegationColumns = useMemo<ColumnDef<Delegation, unknown>[]>(
    () => [
      { id: 'dao', header: 'DAO', cell: ({ row }) => row.original.dao_slug },
      {
        id: 'source',
        header: 'From',
        cell: ({ row }) =>
          row.original.source === 'chain' ? 'token logs' : `holders, ${formatDate(row.original.as_of)}`,
      },
      {
        id: 'delegators',
        header: 'Delegators',
        meta: { align: 'right' },
        cell: ({ row }) => formatNumber(row.original.delegators),
      },
      {
        id: 'delegated',
        header: 'Delegated balance',
        meta: { align: 'right' },
        cell: ({ row }) => formatNumber(row.original.delegated_balance),
      },
      {
        id: 'vp',
        header: 'Voting power',
        meta: { align: 'right' },
        cell: ({ row }) => formatNumber(row.original.voting_power),
      },
      {
        id: 'delegate',
        header: 'Delegates to',
        cell: ({ row }) => (row.original.delegate ? <AddressLink address={row.original.delegate} /> : '—'),
      },
    ],
    [],
  );
  const delegatorColumns = useMemo<ColumnDef<Delegator, unknown>[]>(
    () => [
      { id: 'address', header: 'Delegator', cell: ({ row }) => <AddressLink address={row.original.address} /> },
      { id: 'dao', header: 'DAO', cell: ({ row }) => row.original.dao_slug },
      {
        id: 'balance',
        header: 'Balance',
        meta: { align: 'right' },
        cell: ({ row }) => formatNumber(row.original.balance),
      },
    ],
    [],
  );

  if (!valid)
    return (
      <EmptyState title="Not an address" icon="?">
        A voter profile needs an address: 0x followed by 40 hex digits.
      </EmptyState>
    );
  if (query.isError && !profile)
    return <ErrorState error={query.error} retry={() => void query.refetch()} what="this voter" missing="Voter" />;

  const a = profile?.alignment;
  const ens = profile?.ens ?? null;
  const avatar = safeAvatarUrl(ens?.avatar);
  return (
    <>
      <PageHeader
        title={
          <span className="flex items-center gap-3">
            {ens && avatar && (
              <img
                src={avatar}
                alt={`Avatar of ${ens.name}`}
                width={40}
                height={40}
                referrerPolicy="no-referrer"
                className="h-10 w-10 shrink-0 rounded-full object-cover"
              />
            )}
            {ens ? (
              <span className="break-all">{ens.name}</span>
            ) : (
              <span className="font-mono text-xl break-all sm:text-2xl">{address.toLowerCase()}</span>
            )}
          </span>
        }
        subtitle={
          profile && (
            <span>
              {ens && <span className="font-mono break-all">{address.toLowerCase()} · </span>}
              {plural(profile.votes_total, 'vote')} in {plural(profile.daos.length, 'DAO')}
              {profile.first_vote && (
                <>
                  {' '}
                  · {formatDate(profile.first_vote)} – {formatDate(profile.last_vote)}
                </>
              )}
            </span>
          )
        }
        actions={<CopyButton text={address.toLowerCase()} label="Copy address" />}
      />
      <div className="mb-6 grid grid-cols-2 gap-3 sm:grid-cols-3 xl:grid-cols-5">
        <Kpi label="Votes" value={formatNumber(profile?.votes_total)} loading={!profile} />
        <Kpi
          label="With the outcome"
          value={formatPercent(a?.rate)}
          hint={
            a ? `${formatNumber(a.with_outcome)} of ${formatNumber(a.counted)} For/Against votes decided` : undefined
          }
          loading={!profile}
        />
        <Kpi
          label="Delegators"
          value={formatNumber(profile ? profile.delegations.reduce((n, d) => n + d.delegators, 0) : null)}
          hint="across DAOs"
          loading={!profile}
        />
        <Kpi label="First vote" value={formatDate(profile?.first_vote)} loading={!profile} />
        <Kpi label="Last vote" value={formatDate(profile?.last_vote)} loading={!profile} />
      </div>
      <div className="grid gap-4 lg:grid-cols-2">
        <Card title="DAOs">
          <DataTable
            caption="DAOs voted in"
            dense
            data={profile?.daos}
            columns={daoColumns}
            rowKey={(d) => d.dao_id}
            loading={query.isFetching && !profile}
            empty={<EmptyState title="No votes recorded for this address" />}
          />
        </Card>
        <Card title="Delegation">
          <DataTable
            caption="Delegation"
            dense
            data={profile?.delegations}
            columns={delegationColumns}
            rowKey={(d) => `${d.dao_id}:${d.source}`}
            loading={query.isFetching && !profile}
            empty={
              <EmptyState title="No delegation recorded">
                Delegation comes from token holder records or the on-chain source.
              </EmptyState>
            }
          />
        </Card>
        <Card title="Delegated power over time">
          {!profile ? (
            <SkeletonRows rows={4} />
          ) : option ? (
            <Chart option={option} height={260} label="Delegated voting power over time" />
          ) : (
            <EmptyState title="No delegation logs indexed">
              Power over time comes from the token's DelegateVotesChanged logs, where the on-chain source indexes them.
            </EmptyState>
          )}
        </Card>
        <Card title={`Delegators${profile?.delegators.length ? ` (${formatNumber(profile.delegators.length)})` : ''}`}>
          <DataTable
            caption="Delegators"
            dense
            data={profile?.delegators}
            columns={delegatorColumns}
            rowKey={(d) => `${d.dao_slug}:${d.source}:${d.address}`}
            loading={query.isFetching && !profile}
            empty={<EmptyState title="Nobody delegates to this address" />}
          />
        </Card>
        <Card
          title="Votes"
          className="lg:col-span-2"
          actions={
            profile &&
            profile.daos.length > 1 && (
              <label className="flex items-center gap-2 text-sm">
                <span className="text-muted">DAO</span>
                <select
                  className={fieldClass}
                  value={state.dao}
                  onChange={(e) => set({ dao: e.target.value, page: '1' })}
                >
                  <option value="">All</option>
                  {profile.daos.map((d) => (
                    <option key={d.dao_id} value={d.dao_slug}>
                      {d.dao_name}
                    </option>
                  ))}
                </select>
              </label>
            )
          }
        >
          <DataTable
            caption="Votes of this address"
            dense
            data={profile?.votes}
            columns={voteColumns}
            rowKey={(v) => v.id}
            loading={query.isFetching}
            empty={<EmptyState title="No votes recorded for this address" />}
          />
          {query.data?.pagination && (
            <Pager
              page={page}
              pages={query.data.pagination.pages}
              total={query.data.pagination.total}
              onPage={(n) => set({ page: String(n) })}
              label="votes"
            />
          )}
        </Card>
      </div>
    </>
  );
}
