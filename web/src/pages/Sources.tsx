import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { type FormEvent, useMemo, useState } from 'react';
import { Link } from 'react-router-dom';
import { canWrite, useMe } from '../api/account.ts';
import { ApiError, apiPost } from '../api/client.ts';
import { useDaos, useSyncStatus } from '../api/hooks.ts';
import type { Dao, SyncStatus } from '../api/types.ts';
import { SignInLink } from '../components/Account.tsx';
import { AddressLink } from '../components/AddressLink.tsx';
import { DataTable } from '../components/DataTable.tsx';
import { Badge, Button, Card, EmptyState, ErrorState, inputClass, PageHeader, Skeleton } from '../components/ui.tsx';
import { daoForm, slugify } from '../lib/dao-form.ts';
import { formatDate, formatNumber, formatRelative } from '../lib/format.ts';
import { explainSyncError } from '../lib/sync-errors.ts';

const CHAINS = ['ethereum', 'arbitrum', 'optimism', 'polygon', 'base', 'gnosis'];

function AddDao() {
  const client = useQueryClient();
  const [values, setValues] = useState({
    name: '',
    slug: '',
    chain: 'ethereum',
    kind: 'snapshot',
    source: '',
    token_symbol: '',
    treasury: '',
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const mutation = useMutation({
    mutationFn: (body: Record<string, unknown>) => apiPost<Dao>('/daos', body),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['daos'] });
      void client.invalidateQueries({ queryKey: ['sync-status'] });
      setValues((v) => ({ ...v, name: '', slug: '', source: '', token_symbol: '', treasury: '' }));
    },
  });
  const field = (key: keyof typeof values) => ({
    value: values[key],
    onChange: (e: { target: { value: string } }) => setValues((v) => ({ ...v, [key]: e.target.value })),
    'aria-invalid': !!errors[key],
    'aria-describedby': errors[key] ? `err-${key}` : undefined,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const { body, errors } = daoForm(values);
    setErrors(errors);
    if (!Object.keys(errors).length) mutation.mutate(body);
  };
  const error = (key: string) =>
    errors[key] && (
      <span id={`err-${key}`} className="mt-1 block text-xs text-danger">
        {errors[key]}
      </span>
    );
  const serverError = mutation.error instanceof ApiError ? mutation.error : null;

  return (
    <form onSubmit={submit} noValidate className="grid gap-3" aria-label="Add a DAO">
      <label className="text-xs font-medium text-muted">
        Name
        <input {...field('name')} className={`${inputClass} mt-1`} placeholder="ENS DAO" autoComplete="off" />
        {error('name')}
      </label>
      <label className="text-xs font-medium text-muted">
        Slug (URL name)
        <input
          {...field('slug')}
          className={`${inputClass} mt-1`}
          placeholder={slugify(values.name) || 'ens'}
          autoComplete="off"
        />
        {error('slug')}
      </label>
      <fieldset className="text-xs font-medium text-muted">
        <legend>Source</legend>
        <div className="mt-1 flex gap-4 text-sm text-text">
          <label className="flex items-center gap-1.5">
            <input
              type="radio"
              name="kind"
              value="snapshot"
              checked={values.kind === 'snapshot'}
              onChange={field('kind').onChange}
            />{' '}
            Snapshot space
          </label>
          <label className="flex items-center gap-1.5">
            <input
              type="radio"
              name="kind"
              value="governor"
              checked={values.kind === 'governor'}
              onChange={field('kind').onChange}
            />{' '}
            Governor address
          </label>
        </div>
      </fieldset>
      <label className="text-xs font-medium text-muted">
        {values.kind === 'snapshot' ? 'Snapshot space' : 'Governor contract address'}
        <input
          {...field('source')}
          className={`${inputClass} mt-1 font-mono`}
          placeholder={values.kind === 'snapshot' ? 'ens.eth' : '0x…'}
          autoComplete="off"
        />
        {error('source')}
      </label>
      <div className="grid grid-cols-2 gap-3">
        <label className="text-xs font-medium text-muted">
          Chain
          <select {...field('chain')} className={`${inputClass} mt-1`}>
            {CHAINS.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </label>
        <label className="text-xs font-medium text-muted">
          Token symbol
          <input {...field('token_symbol')} className={`${inputClass} mt-1`} placeholder="ENS" autoComplete="off" />
        </label>
      </div>
      <label className="text-xs font-medium text-muted">
        Treasury addresses (optional)
        <input
          {...field('treasury')}
          className={`${inputClass} mt-1 font-mono`}
          placeholder="0x…, 0x…"
          autoComplete="off"
        />
        {error('treasury')}
      </label>
      <div className="flex items-center gap-3">
        <Button type="submit" variant="primary" disabled={mutation.isPending}>
          {mutation.isPending ? 'Adding…' : 'Add DAO'}
        </Button>
        {mutation.isSuccess && (
          <span role="status" className="text-sm text-success">
            Added{' '}
            <Link className="underline" to={`/daos/${mutation.data.slug}`}>
              {mutation.data.name}
            </Link>
            ; the first sync is scheduled.
          </span>
        )}
      </div>
      {serverError && (
        <p role="alert" className="text-sm text-danger">
          {serverError.code === 'CONFLICT' ? 'A DAO with this slug already exists.' : serverError.message}
        </p>
      )}
    </form>
  );
}

/** The form for those who may add DAOs; everyone else is told who can (the server refuses them anyway). */
function AddDaoCard() {
  const { me, loading } = useMe();
  return (
    <Card title="Add a DAO">
      {loading ? (
        <Skeleton className="h-40 w-full" />
      ) : canWrite(me) ? (
        <AddDao />
      ) : (
        <p className="text-sm text-muted" data-testid="add-dao-needs-role">
          Editors and admins can add DAOs.{' '}
          {me ? (
            <>
              You are signed in as {me.user.email}, a {me.user.role}: an admin can give you the editor role.
            </>
          ) : (
            <>
              <SignInLink /> to add one.
            </>
          )}
        </p>
      )}
    </Card>
  );
}

/** What the last run did, from its details: records for an import, rows read and written for a sync. */
function lastRun(s: SyncStatus): string {
  const d = s.details as Record<string, unknown>;
  const n = (k: string) => (typeof d[k] === 'number' ? (d[k] as number) : null);
  if (s.source === 'import' && n('records') !== null)
    return `${formatNumber(n('records'))} records · ${formatNumber(n('inserted'))} new · ${formatNumber(n('updated'))} changed${typeof d.file === 'string' ? ` · ${d.file}` : ''}`;
  if (n('read') !== null) return `${formatNumber(n('read'))} read · ${formatNumber(n('written'))} written`;
  return '';
}

export default function Sources() {
  const status = useSyncStatus();
  const daos = useDaos({ per_page: 100, sort: 'name', order: 'asc' });

  const statusColumns = useMemo<ColumnDef<SyncStatus, unknown>[]>(
    () => [
      {
        id: 'dao',
        header: 'DAO',
        cell: ({ row }) => (
          <Link to={`/daos/${row.original.dao.slug}`} className="font-medium hover:text-accent">
            {row.original.dao.name}
          </Link>
        ),
      },
      {
        id: 'source',
        header: 'Source',
        cell: ({ row }) => (
          <span className="capitalize">{row.original.source === 'import' ? 'File import' : row.original.source}</span>
        ),
      },
      { id: 'state', header: 'State', cell: ({ row }) => <Badge>{row.original.state}</Badge> },
      {
        id: 'last_success',
        header: 'Last run',
        cell: ({ row }) => (
          <span className="block min-w-24" title={formatDate(row.original.last_success, true)}>
            {formatRelative(row.original.last_success)}
            <span className="block text-xs text-muted">{lastRun(row.original)}</span>
          </span>
        ),
      },
      {
        id: 'lag',
        header: 'Lag',
        meta: { align: 'right', className: 'hidden xl:table-cell' },
        cell: ({ row }) => formatNumber(row.original.lag),
      },
      {
        id: 'error',
        header: 'Last error',
        cell: ({ row }) =>
          row.original.last_error ? (
            <span className="block max-w-64 text-xs whitespace-normal">
              <span className="text-danger">{explainSyncError(row.original.last_error)}</span>
              <span
                className="mt-0.5 line-clamp-2 block font-mono break-all text-muted"
                title={row.original.last_error}
              >
                {row.original.last_error}
              </span>
            </span>
          ) : (
            '—'
          ),
      },
    ],
    [],
  );

  const configured = useMemo<ColumnDef<Dao, unknown>[]>(
    () => [
      {
        id: 'dao',
        header: 'DAO',
        cell: ({ row }) => (
          <Link to={`/daos/${row.original.slug}`} className="font-medium hover:text-accent">
            {row.original.name}
          </Link>
        ),
      },
      { id: 'snapshot', header: 'Snapshot', cell: ({ row }) => row.original.snapshot_space ?? '—' },
      {
        id: 'governor',
        header: 'Governor',
        cell: ({ row }) =>
          row.original.governor_address ? <AddressLink address={row.original.governor_address} /> : '—',
      },
      {
        id: 'treasury',
        header: 'Treasury wallets',
        meta: { align: 'right' },
        cell: ({ row }) => formatNumber(row.original.treasury_addresses.length),
      },
      { id: 'updated', header: 'Updated', cell: ({ row }) => formatDate(row.original.updated_at, true) },
    ],
    [],
  );

  return (
    <>
      <PageHeader title="Sources" subtitle="Where each DAO's data comes from, how fresh it is, and adding a DAO" />
      <div className="grid gap-4 lg:grid-cols-3">
        <div className="min-w-0 space-y-4 lg:col-span-2">
          <Card title="Sync status">
            {status.isError ? (
              <ErrorState error={status.error} retry={() => void status.refetch()} what="sync status" />
            ) : (
              <DataTable
                caption="Sync status"
                data={status.data}
                columns={statusColumns}
                rowKey={(s) => `${s.dao.id}-${s.source}`}
                loading={status.isPending}
                empty={
                  <EmptyState title="No syncs yet">
                    Add a DAO with a Snapshot space or Governor address and its first sync is scheduled.
                  </EmptyState>
                }
              />
            )}
          </Card>
          <Card title="DAOs and their sources">
            {daos.isError ? (
              <ErrorState error={daos.error} retry={() => void daos.refetch()} what="DAOs" />
            ) : (
              <DataTable
                caption="Configured sources"
                data={daos.data?.data}
                columns={configured}
                rowKey={(d) => d.id}
                loading={daos.isPending}
                dense
                empty={<EmptyState title="No DAOs yet">Add one with the form.</EmptyState>}
              />
            )}
          </Card>
        </div>
        <AddDaoCard />
      </div>
    </>
  );
}
