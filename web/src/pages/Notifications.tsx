import type { ColumnDef } from '@tanstack/react-table';
import { type FormEvent, useMemo, useState } from 'react';
import { Link } from 'react-router-dom';
import { useDaos } from '../api/hooks.ts';
import {
  fieldErrors,
  useChannels,
  useCreateChannel,
  useDeleteChannel,
  useDeleteSubscription,
  useDeliveries,
  useSubscriptions,
  useTestChannel,
} from '../api/notifications.ts';
import type {
  ChannelKind,
  Delivery,
  NewNotificationChannel,
  NotificationChannel,
  NotificationSubscription,
} from '../api/types.ts';
import { RequireSignIn } from '../components/Account.tsx';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { DataTable } from '../components/DataTable.tsx';
import { SubscribeForm } from '../components/SubscribeForm.tsx';
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
import { eventLabel } from '../lib/events.ts';
import { formatDate, formatRelative } from '../lib/format.ts';

const KINDS: { kind: ChannelKind; label: string; target: string; placeholder: string; secret?: string }[] = [
  { kind: 'email', label: 'Email', target: 'Email address', placeholder: 'you@example.org' },
  { kind: 'slack', label: 'Slack', target: 'Incoming webhook URL', placeholder: 'https://hooks.slack.com/services/…' },
  { kind: 'discord', label: 'Discord', target: 'Webhook URL', placeholder: 'https://discord.com/api/webhooks/…' },
  {
    kind: 'telegram',
    label: 'Telegram',
    target: 'Chat id or @channel',
    placeholder: '-100123456 or @mychannel',
    secret: "Bot token (optional; empty: the server's bot)",
  },
  {
    kind: 'webhook',
    label: 'Signed webhook',
    target: 'URL',
    placeholder: 'https://example.org/hooks/dao-portal',
    secret: 'HMAC secret (optional, at least 16 characters; empty: one is generated and shown once)',
  },
];
const kindOf = (kind: ChannelKind) => KINDS.find((k) => k.kind === kind)!;
const CHANNEL_FIELDS = ['name', 'kind', 'target', 'secret'];
const STATUS_TONE: Record<string, string> = {
  sent: 'success',
  failed: 'failed',
  pending: 'pending',
  sending: 'running',
};

function NewChannelSecret({ created, onDone }: { created: NewNotificationChannel; onDone: () => void }) {
  return (
    <div className="grid gap-3 rounded-lg border border-warning/50 bg-warning/10 p-4" data-testid="new-channel">
      <p role="status" className="text-sm font-medium">
        Channel “{created.channel.name}” created.
        {created.secret && ' Copy its webhook secret now: it is shown this once.'}
      </p>
      {created.secret && (
        <>
          <code className="rounded bg-surface px-2 py-1.5 font-mono text-sm break-all" data-testid="new-channel-secret">
            {created.secret}
          </code>
          <p className="text-xs text-muted">
            Your receiver checks <code>x-dao-portal-signature: t=…,v1=…</code>, the HMAC-SHA256 of “t.body” under this
            secret, and refuses a <code>t</code> more than 5 minutes off.
          </p>
          <CopyButton text={created.secret} label="Copy the secret" />
        </>
      )}
      <div>
        <Button variant="primary" onClick={onDone}>
          Done
        </Button>
      </div>
    </div>
  );
}

function CreateChannel() {
  const create = useCreateChannel();
  const [values, setValues] = useState({ name: '', kind: 'webhook' as ChannelKind, target: '', secret: '' });
  const [problem, setProblem] = useState<Record<string, string>>({});
  const server = fieldErrors(create.error);
  const wrong = (key: string) => problem[key] ?? server[key];
  const note = (key: string) =>
    wrong(key) && (
      <span id={`channel-err-${key}`} className="mt-1 block text-xs text-danger" data-field-error={key}>
        {wrong(key)}
      </span>
    );
  const field = (key: 'name' | 'target' | 'secret') => ({
    value: values[key],
    onChange: (e: { target: { value: string } }) => setValues((v) => ({ ...v, [key]: e.target.value })),
    'aria-invalid': !!wrong(key),
    'aria-describedby': wrong(key) ? `channel-err-${key}` : undefined,
    className: `${inputClass} mt-1`,
    autoComplete: 'off',
  });
  const kind = kindOf(values.kind);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const errors: Record<string, string> = {};
    if (!values.name.trim()) errors.name = 'Name the channel.';
    if (!values.target.trim()) errors.target = `${kind.target} is needed.`;
    setProblem(errors);
    if (Object.keys(errors).length) return;
    create.mutate(
      {
        name: values.name.trim(),
        kind: values.kind,
        target: values.target.trim(),
        ...(kind.secret && values.secret ? { secret: values.secret } : {}),
      },
      { onSuccess: () => setValues((v) => ({ ...v, name: '', target: '', secret: '' })) },
    );
  };

  if (create.data) return <NewChannelSecret created={create.data} onDone={() => create.reset()} />;
  const named = Object.keys(server).some((k) => CHANNEL_FIELDS.includes(k));
  return (
    <form onSubmit={submit} noValidate className="grid gap-3" aria-label="Add a channel">
      <label className={labelClass}>
        Name
        <input {...field('name')} maxLength={100} placeholder="My alerts" />
        {note('name')}
      </label>
      <label className={labelClass}>
        Kind
        <select
          value={values.kind}
          onChange={(e) => setValues((v) => ({ ...v, kind: e.target.value as ChannelKind, secret: '' }))}
          className={`${inputClass} mt-1`}
        >
          {KINDS.map((k) => (
            <option key={k.kind} value={k.kind}>
              {k.label}
            </option>
          ))}
        </select>
      </label>
      <label className={labelClass}>
        {kind.target}
        <input {...field('target')} maxLength={2000} placeholder={kind.placeholder} />
        {note('target')}
      </label>
      {kind.secret && (
        <label className={labelClass}>
          {kind.secret}
          <input {...field('secret')} type="password" maxLength={500} />
          {note('secret')}
        </label>
      )}
      <p className="text-xs text-muted">
        The target and secret are stored encrypted and never shown again; the list shows a hint.
      </p>
      <div>
        <Button type="submit" variant="primary" disabled={create.isPending}>
          {create.isPending ? 'Adding…' : 'Add channel'}
        </Button>
      </div>
      <FormMessage error={named ? undefined : create.error} />
    </form>
  );
}

function TestResult({ delivery }: { delivery: Delivery }) {
  return (
    <span role="status" className="inline-flex flex-wrap items-center gap-1 text-xs" data-testid="test-result">
      <Badge tone={STATUS_TONE[delivery.status]}>{delivery.status}</Badge>{' '}
      {delivery.last_status !== null && <span className="text-muted">HTTP {delivery.last_status} </span>}
      {delivery.last_error && <span className="text-danger">{delivery.last_error}</span>}
    </span>
  );
}

function ChannelList({ channels }: { channels: NotificationChannel[] | undefined }) {
  const test = useTestChannel();
  const remove = useDeleteChannel();
  const [deleting, setDeleting] = useState<NotificationChannel | null>(null);
  const tested = test.variables;

  const columns = useMemo<ColumnDef<NotificationChannel, unknown>[]>(
    () => [
      {
        id: 'name',
        header: 'Name',
        cell: ({ row }) => (
          <div className="max-w-56">
            <div className="truncate font-medium">{row.original.name}</div>
            {row.original.operator && <div className="text-xs text-muted">operator alerts</div>}
          </div>
        ),
      },
      { id: 'kind', header: 'Kind', cell: ({ row }) => <Badge>{row.original.kind}</Badge> },
      {
        id: 'target',
        header: 'Target',
        cell: ({ row }) => (
          <code className="font-mono text-xs break-all">
            {row.original.target_hint}
            {row.original.secret_hint ? ` · secret ${row.original.secret_hint}` : ''}
          </code>
        ),
      },
      {
        id: 'created',
        header: 'Created',
        meta: { className: 'hidden md:table-cell' },
        cell: ({ row }) => <span className="whitespace-nowrap">{formatDate(row.original.created_at)}</span>,
      },
      {
        id: 'actions',
        header: () => <span className="sr-only">Actions</span>,
        meta: { align: 'right' },
        cell: ({ row }) => (
          <div className="flex flex-wrap items-center justify-end gap-2">
            <Button
              onClick={() => test.mutate(row.original.id)}
              disabled={test.isPending}
              aria-label={`Send a test through ${row.original.name}`}
            >
              {test.isPending && tested === row.original.id ? 'Sending…' : 'Send test'}
            </Button>
            {row.original.origin === 'api' && (
              <Button onClick={() => setDeleting(row.original)} aria-label={`Delete ${row.original.name}`}>
                Delete
              </Button>
            )}
          </div>
        ),
      },
    ],
    [test.isPending, tested, test.mutate],
  );
  const testedName = channels?.find((c) => c.id === tested)?.name;

  return (
    <>
      <DataTable
        caption="Channels"
        data={channels}
        columns={columns}
        rowKey={(c) => c.id}
        loading={!channels}
        empty={<EmptyState title="No channels yet">Add one: an email address, a Slack or Discord webhook…</EmptyState>}
      />
      {/* Below the table, not in its row: a long reason would push the row's buttons out of view. */}
      {test.data && tested !== undefined && (
        <p className="mt-3 text-sm">
          Test through {testedName ?? `channel ${tested}`}: <TestResult delivery={test.data} />
        </p>
      )}
      {test.error && (
        <div className="mt-3">
          <FormMessage error={test.error} />
        </div>
      )}
      <ConfirmDialog
        open={deleting !== null}
        onOpenChange={(open) => {
          if (!open) {
            setDeleting(null);
            remove.reset();
          }
        }}
        title={`Delete “${deleting?.name ?? ''}”?`}
        description="Its secret is erased, its subscriptions end and its pending deliveries fail. Its history stays."
        confirm="Delete channel"
        pending={remove.isPending}
        onConfirm={() => deleting && remove.mutate(deleting.id, { onSuccess: () => setDeleting(null) })}
      >
        <FormMessage error={remove.error} />
      </ConfirmDialog>
    </>
  );
}

function optionsText(options: Record<string, unknown>): string {
  const parts: string[] = [];
  if (typeof options.hours === 'number') parts.push(`${options.hours} h before the end`);
  if (Array.isArray(options.addresses)) parts.push(`watching ${options.addresses.length}`);
  if (typeof options.threshold === 'string') parts.push(`over $${options.threshold}`);
  return parts.join(' · ');
}

function SubscriptionList({ channels }: { channels: NotificationChannel[] }) {
  const subscriptions = useSubscriptions(true);
  const remove = useDeleteSubscription();
  const [ending, setEnding] = useState<NotificationSubscription | null>(null);
  const channelName = (id: number) => channels.find((c) => c.id === id)?.name ?? `#${id}`;

  const columns: ColumnDef<NotificationSubscription, unknown>[] = [
    {
      id: 'dao',
      header: 'DAO',
      cell: ({ row }) => (
        <Link to={`/daos/${row.original.dao.slug}`} className="font-medium text-accent hover:underline">
          {row.original.dao.slug}
        </Link>
      ),
    },
    { id: 'channel', header: 'Channel', cell: ({ row }) => channelName(row.original.channel_id) },
    {
      id: 'events',
      header: 'Events',
      cell: ({ row }) => (
        <div className="grid gap-1">
          <span className="flex flex-wrap gap-1">
            {row.original.events.map((e) => (
              <Badge key={e}>{eventLabel(e)}</Badge>
            ))}
          </span>
          {optionsText(row.original.options) && (
            <span className="text-xs text-muted">{optionsText(row.original.options)}</span>
          )}
        </div>
      ),
    },
    {
      id: 'actions',
      header: () => <span className="sr-only">Actions</span>,
      meta: { align: 'right' },
      cell: ({ row }) => (
        <Button onClick={() => setEnding(row.original)} aria-label={`End the subscription to ${row.original.dao.slug}`}>
          End
        </Button>
      ),
    },
  ];

  return (
    <>
      {subscriptions.isError ? (
        <ErrorState error={subscriptions.error} retry={() => void subscriptions.refetch()} what="subscriptions" />
      ) : (
        <DataTable
          caption="Subscriptions"
          data={subscriptions.data}
          columns={columns}
          rowKey={(s) => s.id}
          loading={subscriptions.isPending}
          empty={<EmptyState title="No subscriptions yet">Subscribe a channel to a DAO's events.</EmptyState>}
        />
      )}
      <ConfirmDialog
        open={ending !== null}
        onOpenChange={(open) => {
          if (!open) {
            setEnding(null);
            remove.reset();
          }
        }}
        title={`End the subscription to ${ending?.dao.slug ?? ''}?`}
        description="Nothing more is sent for it; its deliveries stay in the history."
        confirm="End subscription"
        pending={remove.isPending}
        onConfirm={() => ending && remove.mutate(ending.id, { onSuccess: () => setEnding(null) })}
      >
        <FormMessage error={remove.error} />
      </ConfirmDialog>
    </>
  );
}

function NewSubscription({ channels }: { channels: NotificationChannel[] }) {
  const daos = useDaos({ per_page: 100, sort: 'name', order: 'asc' });
  const [done, setDone] = useState('');
  if (!channels.some((c) => !c.operator))
    return <EmptyState title="Add a channel first">Subscriptions send to one of your channels.</EmptyState>;
  return (
    <div className="grid gap-3">
      <SubscribeForm
        key={done}
        channels={channels}
        daos={(daos.data?.data ?? []).map((d) => ({ slug: d.slug, name: d.name }))}
        onDone={(s) => setDone(`Subscribed ${channels.find((c) => c.id === s.channel_id)?.name} to ${s.dao.slug}.`)}
      />
      {done && <FormMessage success={done} />}
    </div>
  );
}

const PAGE = 20;

function DeliveryHistory() {
  // Older pages by cursor: each entry is the `before` of a page; the first page has none.
  const [cursors, setCursors] = useState<(number | undefined)[]>([undefined]);
  const before = cursors[cursors.length - 1];
  const deliveries = useDeliveries({ before, limit: PAGE }, true);
  const rows = deliveries.data;

  const columns: ColumnDef<Delivery, unknown>[] = [
    {
      id: 'time',
      header: 'Time',
      cell: ({ row }) => (
        <span className="whitespace-nowrap" title={formatDate(row.original.created_at, true)}>
          {formatRelative(row.original.sent_at ?? row.original.created_at)}
        </span>
      ),
    },
    {
      id: 'what',
      header: 'What',
      cell: ({ row }) => (
        <div className="max-w-72">
          <div className="truncate font-medium" title={row.original.title}>
            {row.original.url ? (
              <a href={row.original.url} className="hover:underline">
                {row.original.title}
              </a>
            ) : (
              row.original.title
            )}
          </div>
          <div className="text-xs text-muted">
            {eventLabel(row.original.kind)} · {row.original.channel.name} ({row.original.channel.kind})
          </div>
        </div>
      ),
    },
    {
      id: 'status',
      header: 'Status',
      cell: ({ row }) => <Badge tone={STATUS_TONE[row.original.status]}>{row.original.status}</Badge>,
    },
    {
      id: 'attempts',
      header: 'Attempts',
      meta: { align: 'right' },
      cell: ({ row }) => <span className="tabular-nums">{row.original.attempts}</span>,
    },
    {
      id: 'reason',
      header: 'Reason',
      cell: ({ row }) => {
        const d = row.original;
        const reason = [d.last_status !== null ? `HTTP ${d.last_status}` : '', d.last_error ?? '']
          .filter(Boolean)
          .join(': ');
        return (
          <span className="text-xs break-words text-muted">
            {reason || '—'}
            {d.next_attempt_at && ` · next try ${formatRelative(d.next_attempt_at)}`}
          </span>
        );
      },
    },
  ];

  return (
    <div className="grid gap-3">
      {deliveries.isError ? (
        <ErrorState error={deliveries.error} retry={() => void deliveries.refetch()} what="deliveries" />
      ) : (
        <DataTable
          caption="Deliveries"
          data={rows}
          columns={columns}
          rowKey={(d) => d.id}
          loading={deliveries.isPending}
          empty={<EmptyState title="Nothing delivered yet">Send a test through a channel to see one here.</EmptyState>}
        />
      )}
      <div className="flex items-center justify-end gap-2">
        <Button disabled={cursors.length === 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
          Newer
        </Button>
        <Button
          disabled={!rows || rows.length < PAGE}
          onClick={() => rows?.length && setCursors((c) => [...c, rows[rows.length - 1]!.id])}
        >
          Older
        </Button>
      </div>
    </div>
  );
}

function NotificationsContent() {
  const channels = useChannels(true);
  if (channels.isError)
    return <ErrorState error={channels.error} retry={() => void channels.refetch()} what="your channels" />;
  return (
    <div className="grid gap-4">
      <div className="grid gap-4 lg:grid-cols-3">
        <Card title="Add a channel" className="lg:order-last">
          <CreateChannel />
        </Card>
        <Card title="Channels" className="lg:col-span-2">
          <ChannelList channels={channels.data} />
        </Card>
      </div>
      <div className="grid gap-4 lg:grid-cols-3">
        <Card title="Subscribe" className="lg:order-last">
          {channels.data ? <NewSubscription channels={channels.data} /> : null}
        </Card>
        <Card title="Subscriptions" className="lg:col-span-2">
          <SubscriptionList channels={channels.data ?? []} />
        </Card>
      </div>
      <Card title="Delivery history">
        <DeliveryHistory />
      </Card>
    </div>
  );
}

export default function Notifications() {
  return (
    <>
      <PageHeader
        title="Notifications"
        subtitle="Where governance news reaches you: channels, the DAOs and events they follow, and what was delivered"
      />
      <RequireSignIn what="your notifications">{() => <NotificationsContent />}</RequireSignIn>
    </>
  );
}
