import * as Checkbox from '@radix-ui/react-checkbox';
import type { ColumnDef } from '@tanstack/react-table';
import { useEffect, useMemo, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { useDaos } from '../api/hooks.ts';
import type { Dao } from '../api/types.ts';
import { DataTable, Pager } from '../components/DataTable.tsx';
import { Button, Card, EmptyState, ErrorState, inputClass, PageHeader } from '../components/ui.tsx';
import { formatNumber, formatPercent, formatTreasury, toNumber } from '../lib/format.ts';
import { useUrlState } from '../lib/url.ts';

/** Size classes by members (distinct voters). */
export const SIZES = {
  small: { label: 'Small (< 100 members)', test: (n: number) => n < 100 },
  medium: { label: 'Medium (100–1,000)', test: (n: number) => n >= 100 && n < 1000 },
  large: { label: 'Large (1,000+)', test: (n: number) => n >= 1000 },
} as const;

/** By size and least VP turnout (a DAO whose turnout is unknown passes only without a turnout filter). */
export function filterDaos(list: Dao[], size: string, minTurnout: number) {
  return list.filter(
    (d) =>
      (!(size in SIZES) || SIZES[size as keyof typeof SIZES].test(d.total_members)) &&
      (minTurnout <= 0 || (toNumber(d.turnout_vp) ?? -1) >= minTurnout),
  );
}

/** What a DAO's turnout divides by (docs/METRICS.md). */
const BASIS = { token_supply: 'of the token supply', holders: "of the listed holders' balance" } as const;

function SelectBox({ checked, onChange, label }: { checked: boolean; onChange: (v: boolean) => void; label: string }) {
  return (
    <Checkbox.Root
      checked={checked}
      onCheckedChange={(v) => onChange(v === true)}
      aria-label={label}
      className="grid size-4.5 place-items-center rounded border border-line bg-surface data-[state=checked]:border-accent data-[state=checked]:bg-accent"
    >
      <Checkbox.Indicator className="text-[11px] leading-none text-white dark:text-bg">✓</Checkbox.Indicator>
    </Checkbox.Root>
  );
}

export default function Daos() {
  const [state, set] = useUrlState({
    q: '',
    sort: 'total_members',
    order: 'desc',
    chain: '',
    size: '',
    min_part: '',
    page: '1',
    select: '',
  });
  const navigate = useNavigate();
  const [search, setSearch] = useState(state.q);
  useEffect(() => setSearch(state.q), [state.q]);
  // Typing updates the URL (and the query) after a short pause.
  useEffect(() => {
    if (search === state.q) return;
    const t = setTimeout(() => set({ q: search, page: '1' }, { replace: true }), 250);
    return () => clearTimeout(t);
  }, [search, state.q, set]);

  const page = Math.max(1, Number(state.page) || 1);
  const daos = useDaos({
    search: state.q || undefined,
    sort: state.sort,
    order: state.order,
    chain: state.chain || undefined,
    page,
    per_page: 100,
  });
  const all = useDaos({ per_page: 100, sort: 'name', order: 'asc' });
  const chains = useMemo(() => [...new Set((all.data?.data ?? []).map((d) => d.chain))].sort(), [all.data]);
  const minPart = Number(state.min_part) || 0;
  const rows = useMemo(
    () => filterDaos(daos.data?.data ?? [], state.size, minPart / 100),
    [daos.data, state.size, minPart],
  );
  const selected = state.select ? state.select.split(',') : [];
  const toggle = (slug: string, on: boolean) =>
    set(
      { select: (on ? [...new Set([...selected, slug])] : selected.filter((s) => s !== slug)).join(',') },
      { replace: true },
    );

  // biome-ignore lint/correctness/useExhaustiveDependencies: `selected` and `toggle` are derived from state.select each render (`set` is stable).
  const columns = useMemo<ColumnDef<Dao, unknown>[]>(
    () => [
      {
        id: 'select',
        header: () => <span className="sr-only">Select</span>,
        cell: ({ row }) => (
          <SelectBox
            checked={selected.includes(row.original.slug)}
            onChange={(v) => toggle(row.original.slug, v)}
            label={`Select ${row.original.name} to compare`}
          />
        ),
      },
      {
        id: 'name',
        header: 'DAO',
        meta: { sortKey: 'name' },
        cell: ({ row }) => (
          <div className="max-w-64">
            <Link to={`/daos/${row.original.slug}`} className="font-medium hover:text-accent">
              {row.original.name}
            </Link>
            <div className="truncate text-xs text-muted">{row.original.token_symbol ?? row.original.slug}</div>
          </div>
        ),
      },
      {
        id: 'chain',
        header: 'Chain',
        meta: { className: 'hidden md:table-cell' },
        cell: ({ row }) => <span className="capitalize">{row.original.chain}</span>,
      },
      {
        id: 'total_members',
        header: 'Members',
        meta: { sortKey: 'total_members', align: 'right' },
        // No votes in the data: the member count is unknown, not 0.
        cell: ({ row }) => (row.original.total_votes === 0 ? '—' : formatNumber(row.original.total_members)),
      },
      {
        id: 'total_proposals',
        header: 'Proposals',
        meta: { sortKey: 'total_proposals', align: 'right', className: 'hidden sm:table-cell' },
        cell: ({ row }) => formatNumber(row.original.total_proposals),
      },
      {
        id: 'total_votes',
        header: 'Votes',
        meta: { sortKey: 'total_votes', align: 'right' },
        cell: ({ row }) => formatNumber(row.original.total_votes),
      },
      {
        id: 'turnout_vp',
        header: 'VP turnout',
        meta: { sortKey: 'turnout_vp', align: 'right' },
        cell: ({ row }) => (
          <span
            title={
              row.original.turnout_basis ? `mean VP cast per proposal ${BASIS[row.original.turnout_basis]}` : undefined
            }
          >
            {formatPercent(row.original.turnout_vp)}
          </span>
        ),
      },
      {
        id: 'median_voters',
        header: 'Median voters',
        meta: { sortKey: 'median_voters', align: 'right', className: 'hidden md:table-cell' },
        cell: ({ row }) => formatNumber(row.original.median_voters),
      },
      {
        id: 'voter_holder_ratio',
        header: 'Holders voted',
        meta: { sortKey: 'voter_holder_ratio', align: 'right', className: 'hidden lg:table-cell' },
        cell: ({ row }) => formatPercent(row.original.voter_holder_ratio),
      },
      {
        id: 'treasury_value',
        header: 'Treasury',
        meta: { sortKey: 'treasury_value', align: 'right', className: 'hidden sm:table-cell' },
        cell: ({ row }) => formatTreasury(row.original.treasury_value),
      },
      {
        id: 'active_proposals',
        header: 'Open',
        meta: { sortKey: 'active_proposals', align: 'right', className: 'hidden lg:table-cell' },
        cell: ({ row }) => formatNumber(row.original.active_proposals),
      },
    ],
    [state.select],
  );

  const filtersActive = state.q || state.chain || state.size || state.min_part;

  return (
    <>
      <PageHeader
        title="DAOs"
        subtitle="Search, sort and filter; tick two or more to compare them"
        actions={
          <Button
            variant="primary"
            disabled={selected.length < 2}
            onClick={() => navigate(`/compare?daos=${selected.join(',')}`)}
            data-testid="compare-selected"
          >
            Compare {selected.length ? `(${selected.length})` : ''}
          </Button>
        }
      />
      <Card>
        <div className="mb-4 grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
          <label className="block text-xs font-medium text-muted">
            Search
            <input
              type="search"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
              placeholder="Name…"
              className={`${inputClass} mt-1`}
              aria-label="Search DAOs"
            />
          </label>
          <label className="block text-xs font-medium text-muted">
            Chain
            <select
              value={state.chain}
              onChange={(e) => set({ chain: e.target.value, page: '1' })}
              className={`${inputClass} mt-1`}
            >
              <option value="">All chains</option>
              {chains.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          </label>
          <label className="block text-xs font-medium text-muted">
            Size
            <select value={state.size} onChange={(e) => set({ size: e.target.value })} className={`${inputClass} mt-1`}>
              <option value="">Any size</option>
              {Object.entries(SIZES).map(([k, v]) => (
                <option key={k} value={k}>
                  {v.label}
                </option>
              ))}
            </select>
          </label>
          <label className="block text-xs font-medium text-muted">
            VP turnout at least
            <select
              value={state.min_part}
              onChange={(e) => set({ min_part: e.target.value })}
              className={`${inputClass} mt-1`}
            >
              <option value="">Any</option>
              {[1, 5, 10, 25, 50].map((p) => (
                <option key={p} value={String(p)}>
                  {p}%
                </option>
              ))}
            </select>
          </label>
        </div>
        {daos.isError ? (
          <ErrorState error={daos.error} retry={() => void daos.refetch()} what="DAOs" />
        ) : (
          <>
            <DataTable
              caption="DAOs"
              data={daos.data ? rows : undefined}
              columns={columns}
              rowKey={(d) => d.id}
              loading={daos.isFetching}
              sort={{ sort: state.sort, order: state.order as 'asc' | 'desc' }}
              onSort={(s) => set({ sort: s.sort, order: s.order, page: '1' })}
              empty={
                <EmptyState title={filtersActive ? 'No DAO matches these filters' : 'No DAOs yet'}>
                  {filtersActive ? (
                    <Button onClick={() => set({ q: '', chain: '', size: '', min_part: '', page: '1' })}>
                      Clear filters
                    </Button>
                  ) : (
                    <>
                      Add one on the{' '}
                      <Link className="text-accent underline" to="/sources">
                        Sources
                      </Link>{' '}
                      page or import a file with <code>npx dao-portal import</code>.
                    </>
                  )}
                </EmptyState>
              }
            />
            {daos.data && (
              <Pager
                page={page}
                pages={daos.data.pagination.pages}
                total={daos.data.pagination.total}
                onPage={(p) => set({ page: String(p) })}
                label="DAOs"
              />
            )}
          </>
        )}
      </Card>
    </>
  );
}
