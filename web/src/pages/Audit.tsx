import type { ColumnDef } from '@tanstack/react-table';
import { useEffect, useMemo, useState } from 'react';
import { useAudit, useUsers } from '../api/account.ts';
import { apiUrl } from '../api/client.ts';
import type { AuditEntry } from '../api/types.ts';
import { RequireSignIn } from '../components/Account.tsx';
import { DataTable, Pager } from '../components/DataTable.tsx';
import { Badge, Button, Card, EmptyState, ErrorState, inputClass, labelClass, PageHeader } from '../components/ui.tsx';
import { formatDate } from '../lib/format.ts';
import { useUrlState } from '../lib/url.ts';

/** What the server records (src/auth/accounts.ts and the write routes); typing another action works too. */
const ACTIONS = [
  'auth.login',
  'auth.logout',
  'auth.logout_all',
  'auth.lockout',
  'auth.totp_enable',
  'auth.totp_disable',
  'key.create',
  'key.revoke',
  'key.rate_limit',
  'user.create',
  'user.role',
  'user.disable',
  'user.enable',
  'user.password',
  'dao.create',
  'dao.update',
  'dao.delete',
  'import',
  'sync.run',
];
const PER_PAGE = 50;

/** Date inputs give days in the reader's time zone; the API takes instants, `to` exclusive. */
const dayStart = (day: string) => new Date(`${day}T00:00:00`);
const dayAfter = (day: string) => {
  const next = dayStart(day);
  next.setDate(next.getDate() + 1);
  return next;
};

function AuditLog() {
  const [state, set] = useUrlState({ action: '', actor: '', from: '', to: '', page: '1' });
  const users = useUsers(true);
  const [action, setAction] = useState(state.action);
  useEffect(() => setAction(state.action), [state.action]);
  // Typing filters after a short pause; the action must match exactly, so half a word finds nothing.
  useEffect(() => {
    if (action === state.action) return;
    const t = setTimeout(() => set({ action: action.trim(), page: '1' }, { replace: true }), 400);
    return () => clearTimeout(t);
  }, [action, state.action, set]);

  const page = Math.max(1, Number(state.page) || 1);
  const filter = {
    action: state.action || undefined,
    actor: state.actor || undefined,
    from: state.from ? dayStart(state.from).toISOString() : undefined,
    to: state.to ? dayAfter(state.to).toISOString() : undefined,
  };
  const audit = useAudit({ ...filter, page, per_page: PER_PAGE }, true);
  const csv = apiUrl('/audit', { ...filter, format: 'csv' });
  const filtered = Object.values(filter).some(Boolean);

  const columns = useMemo<ColumnDef<AuditEntry, unknown>[]>(
    () => [
      {
        id: 'at',
        header: 'Time',
        cell: ({ row }) => (
          <span className="whitespace-nowrap" title={row.original.at}>
            {formatDate(row.original.at, true)}
          </span>
        ),
      },
      {
        id: 'actor',
        header: 'Actor',
        cell: ({ row }) => <span className="block max-w-56 truncate">{row.original.actor}</span>,
      },
      { id: 'action', header: 'Action', cell: ({ row }) => <code className="text-xs">{row.original.action}</code> },
      {
        id: 'resource',
        header: 'Resource',
        meta: { className: 'hidden sm:table-cell' },
        cell: ({ row }) => <code className="text-xs">{row.original.resource ?? '—'}</code>,
      },
      {
        id: 'outcome',
        header: 'Outcome',
        cell: ({ row }) => <Badge tone={row.original.outcome}>{row.original.outcome}</Badge>,
      },
      {
        id: 'ip',
        header: 'IP',
        meta: { className: 'hidden md:table-cell' },
        cell: ({ row }) => <span className="font-mono text-xs">{row.original.ip ?? '—'}</span>,
      },
      {
        id: 'details',
        header: 'Details',
        meta: { className: 'hidden lg:table-cell' },
        cell: ({ row }) => {
          const text = Object.keys(row.original.details).length ? JSON.stringify(row.original.details) : '';
          return (
            <span className="block max-w-80 truncate font-mono text-xs text-muted" title={text}>
              {text}
            </span>
          );
        },
      },
    ],
    [],
  );

  return (
    <Card
      actions={
        <a
          href={csv}
          download="audit.csv"
          className="rounded-lg border border-line px-3 py-1.5 text-sm font-medium hover:bg-subtle"
          data-testid="audit-csv"
        >
          Export CSV
        </a>
      }
      title="Entries"
    >
      <div className="mb-4 grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
        <label className={labelClass}>
          Action
          <input
            type="search"
            list="audit-actions"
            value={action}
            onChange={(e) => setAction(e.target.value)}
            placeholder="Any action"
            autoComplete="off"
            className={`${inputClass} mt-1 font-mono`}
          />
          <datalist id="audit-actions">
            {ACTIONS.map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
        </label>
        <label className={labelClass}>
          Actor
          <select
            value={state.actor}
            onChange={(e) => set({ actor: e.target.value, page: '1' })}
            className={`${inputClass} mt-1`}
          >
            <option value="">Anyone</option>
            {(users.data ?? []).map((u) => (
              <option key={u.id} value={String(u.id)}>
                {u.email}
              </option>
            ))}
          </select>
        </label>
        <label className={labelClass}>
          From
          <input
            type="date"
            value={state.from}
            max={state.to || undefined}
            onChange={(e) => set({ from: e.target.value, page: '1' })}
            className={`${inputClass} mt-1`}
          />
        </label>
        <label className={labelClass}>
          To <span className="font-normal">(including)</span>
          <input
            type="date"
            value={state.to}
            min={state.from || undefined}
            onChange={(e) => set({ to: e.target.value, page: '1' })}
            className={`${inputClass} mt-1`}
          />
        </label>
      </div>
      {audit.isError ? (
        <ErrorState error={audit.error} retry={() => void audit.refetch()} what="the audit log" />
      ) : (
        <>
          <DataTable
            caption="Audit log"
            data={audit.data?.data}
            columns={columns}
            rowKey={(e) => e.id}
            loading={audit.isFetching}
            dense
            empty={
              <EmptyState title={filtered ? 'No entry matches these filters' : 'Nothing recorded yet'}>
                {filtered && (
                  <Button onClick={() => set({ action: '', actor: '', from: '', to: '', page: '1' })}>
                    Clear filters
                  </Button>
                )}
              </EmptyState>
            }
          />
          {audit.data && (
            <Pager
              page={page}
              pages={audit.data.pagination.pages}
              total={audit.data.pagination.total}
              onPage={(p) => set({ page: String(p) })}
              label="events"
            />
          )}
        </>
      )}
    </Card>
  );
}

export default function Audit() {
  return (
    <>
      <PageHeader
        title="Audit log"
        subtitle="Who did what, newest first: sign-ins, API keys, users, DAO changes, imports and syncs"
      />
      <RequireSignIn admin what="the audit log">
        {() => <AuditLog />}
      </RequireSignIn>
    </>
  );
}
