import type { ColumnDef } from '@tanstack/react-table';
import { type FormEvent, useMemo, useState } from 'react';
import { canWrite, isAdmin, useCreateKey, useKeys, useRevokeKey } from '../api/account.ts';
import type { ApiKey, Me, NewApiKey, Scope } from '../api/types.ts';
import { RequireSignIn } from '../components/Account.tsx';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { DataTable } from '../components/DataTable.tsx';
import {
  Badge,
  Button,
  Card,
  CopyButton,
  EmptyState,
  ErrorState,
  FormMessage,
  inputClass,
  labelClass,
  PageHeader,
} from '../components/ui.tsx';
import { formatDate, formatRelative } from '../lib/format.ts';

const keyState = (key: ApiKey, now = Date.now()) =>
  key.revoked_at ? 'revoked' : key.expires_at && new Date(key.expires_at).getTime() <= now ? 'expired' : 'active';

/** A date input's day, as the end of that day in the reader's time zone: "expires on the 31st" includes the 31st. */
const endOfDay = (day: string) => new Date(`${day}T23:59:59.999`);

function NewSecret({ created, onDone }: { created: NewApiKey; onDone: () => void }) {
  return (
    <div className="grid gap-3 rounded-lg border border-warning/50 bg-warning/10 p-4" data-testid="new-key">
      <p role="status" className="text-sm font-medium">
        Key “{created.key.name}” created. Copy it now: it is shown this once and cannot be shown again.
      </p>
      <code className="rounded bg-surface px-2 py-1.5 font-mono text-sm break-all" data-testid="new-key-secret">
        {created.secret}
      </code>
      <p className="text-xs text-muted">
        Send it as <code>Authorization: Bearer dp_…</code>. Whoever holds it acts as you, within its scopes (
        {created.key.scopes.join(', ')}), until it expires or you revoke it.
      </p>
      <div className="flex flex-wrap items-center gap-3">
        <CopyButton text={created.secret} label="Copy the key" />
        <Button variant="primary" onClick={onDone}>
          Done
        </Button>
      </div>
    </div>
  );
}

function CreateKey({ me }: { me: Me }) {
  const create = useCreateKey();
  const writer = canWrite(me);
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Record<Scope, boolean>>({ read: true, write: false });
  const [expires, setExpires] = useState('');
  const [problem, setProblem] = useState('');
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const chosen = (Object.keys(scopes) as Scope[]).filter((s) => scopes[s] && (s !== 'write' || writer));
    const wrong = !name.trim()
      ? 'Name the key after what will use it.'
      : !chosen.length
        ? 'Choose at least one scope.'
        : expires && !(endOfDay(expires).getTime() > Date.now())
          ? 'The expiry date must be in the future.'
          : '';
    setProblem(wrong);
    if (wrong) return;
    create.mutate(
      { name: name.trim(), scopes: chosen, ...(expires ? { expires_at: endOfDay(expires).toISOString() } : {}) },
      {
        onSuccess: () => {
          setName('');
          setExpires('');
        },
      },
    );
  };

  if (create.data) return <NewSecret created={create.data} onDone={() => create.reset()} />;
  return (
    <form onSubmit={submit} noValidate className="grid gap-3" aria-label="Create an API key">
      <label className={labelClass}>
        Name
        <input
          value={name}
          onChange={(e) => setName(e.target.value)}
          maxLength={100}
          placeholder="Nightly export script"
          autoComplete="off"
          className={`${inputClass} mt-1`}
        />
      </label>
      <fieldset className={labelClass}>
        <legend>Scopes</legend>
        <div className="mt-1 flex flex-wrap gap-4 text-sm text-text">
          <label className="flex items-center gap-1.5">
            <input
              type="checkbox"
              checked={scopes.read}
              onChange={(e) => setScopes((s) => ({ ...s, read: e.target.checked }))}
            />
            read
          </label>
          {writer && (
            <label className="flex items-center gap-1.5">
              <input
                type="checkbox"
                checked={scopes.write}
                onChange={(e) => setScopes((s) => ({ ...s, write: e.target.checked }))}
              />
              write
            </label>
          )}
        </div>
        <span className="mt-1 block font-normal">
          {writer
            ? `Write lets the key do what you can (your role: ${me.user.role}); read-only keys cannot change anything.`
            : 'Your role reads only, so your keys do too.'}
        </span>
      </fieldset>
      <label className={labelClass}>
        Expires on <span className="font-normal">(optional; empty: never)</span>
        <input
          type="date"
          value={expires}
          min={tomorrow}
          onChange={(e) => setExpires(e.target.value)}
          className={`${inputClass} mt-1`}
        />
      </label>
      <div>
        <Button type="submit" variant="primary" disabled={create.isPending}>
          {create.isPending ? 'Creating…' : 'Create key'}
        </Button>
      </div>
      <FormMessage error={problem ? new Error(problem) : create.error} />
    </form>
  );
}

function KeyAction({ apiKey, onRevoke }: { apiKey: ApiKey; onRevoke: (key: ApiKey) => void }) {
  return apiKey.revoked_at ? (
    <span className="text-xs text-muted">{formatDate(apiKey.revoked_at)}</span>
  ) : (
    <Button onClick={() => onRevoke(apiKey)} aria-label={`Revoke ${apiKey.name}`}>
      Revoke
    </Button>
  );
}

function KeyList({ me }: { me: Me }) {
  const keys = useKeys(true);
  const revoke = useRevokeKey();
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const admin = isAdmin(me);

  const columns = useMemo<ColumnDef<ApiKey, unknown>[]>(
    () => [
      {
        id: 'name',
        header: 'Name',
        cell: ({ row }) => (
          <div className="max-w-56">
            <div className="truncate font-medium">{row.original.name}</div>
            {admin && row.original.owner.id !== me.user.id && (
              <div className="truncate text-xs text-muted">{row.original.owner.email}</div>
            )}
            {/* On phones the state and the action sit here instead of in columns off to the right. */}
            <div className="mt-1 flex items-center gap-2 sm:hidden">
              <Badge tone={keyState(row.original)}>{keyState(row.original)}</Badge>
              <KeyAction apiKey={row.original} onRevoke={setRevoking} />
            </div>
          </div>
        ),
      },
      {
        id: 'prefix',
        header: 'Key',
        cell: ({ row }) => <code className="font-mono text-xs">{row.original.prefix}…</code>,
      },
      {
        id: 'scopes',
        header: 'Scopes',
        cell: ({ row }) => (
          <span className="flex gap-1">
            {row.original.scopes.map((s) => (
              <Badge key={s} tone={s === 'write' ? 'editor' : 'viewer'}>
                {s}
              </Badge>
            ))}
          </span>
        ),
      },
      {
        id: 'created',
        header: 'Created',
        meta: { className: 'hidden md:table-cell' },
        cell: ({ row }) => <span className="whitespace-nowrap">{formatDate(row.original.created_at)}</span>,
      },
      {
        id: 'last_used',
        header: 'Last used',
        meta: { className: 'hidden sm:table-cell' },
        cell: ({ row }) =>
          row.original.last_used_at ? (
            <span title={formatDate(row.original.last_used_at, true)}>{formatRelative(row.original.last_used_at)}</span>
          ) : (
            'never'
          ),
      },
      {
        id: 'expires',
        header: 'Expires',
        meta: { className: 'hidden md:table-cell' },
        cell: ({ row }) => (row.original.expires_at ? formatDate(row.original.expires_at) : 'never'),
      },
      {
        id: 'state',
        header: 'State',
        meta: { className: 'hidden sm:table-cell' },
        cell: ({ row }) => {
          const state = keyState(row.original);
          return (
            <span title={row.original.revoked_at ? `Revoked ${formatDate(row.original.revoked_at, true)}` : undefined}>
              <Badge tone={state}>{state}</Badge>
            </span>
          );
        },
      },
      {
        id: 'actions',
        header: () => <span className="sr-only">Actions</span>,
        meta: { align: 'right', className: 'hidden sm:table-cell' },
        cell: ({ row }) => <KeyAction apiKey={row.original} onRevoke={setRevoking} />,
      },
    ],
    [admin, me.user.id],
  );

  return (
    <>
      {keys.isError ? (
        <ErrorState error={keys.error} retry={() => void keys.refetch()} what="API keys" />
      ) : (
        <DataTable
          caption="API keys"
          data={keys.data}
          columns={columns}
          rowKey={(k) => k.id}
          loading={keys.isPending}
          empty={
            <EmptyState title="No API keys yet">Create one for each program that reads or writes the API.</EmptyState>
          }
        />
      )}
      <ConfirmDialog
        open={revoking !== null}
        onOpenChange={(open) => {
          if (!open) {
            setRevoking(null);
            revoke.reset();
          }
        }}
        title={`Revoke “${revoking?.name ?? ''}”?`}
        description={`Programs using ${revoking?.prefix ?? ''}… are refused from now on. This cannot be undone; create a new key to replace it.`}
        confirm="Revoke key"
        pending={revoke.isPending}
        onConfirm={() => revoking && revoke.mutate(revoking.id, { onSuccess: () => setRevoking(null) })}
      >
        <FormMessage error={revoke.error} />
      </ConfirmDialog>
    </>
  );
}

export default function Keys() {
  return (
    <>
      <PageHeader
        title="API keys"
        subtitle="Keys for scripts and other programs: each acts as you, within its scopes, until revoked"
      />
      <RequireSignIn what="your API keys">
        {(me) => (
          <div className="grid gap-4 lg:grid-cols-3">
            {/* First on phones: the new key's secret appears here and must not be below the fold. */}
            <Card title="Create a key" className="lg:order-last">
              <CreateKey me={me} />
            </Card>
            <Card title={isAdmin(me) ? 'Every key' : 'Your keys'} className="lg:col-span-2">
              <KeyList me={me} />
            </Card>
          </div>
        )}
      </RequireSignIn>
    </>
  );
}
