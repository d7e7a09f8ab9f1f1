import type { ColumnDef } from '@tanstack/react-table';
import { useAlerts, useMonitoringHealth } from '../api/notifications.ts';
import type { MonitoringHealth, OperatorAlert } from '../api/types.ts';
import { RequireSignIn } from '../components/Account.tsx';
import { DataTable } from '../components/DataTable.tsx';
import { Badge, Card, EmptyState, ErrorState, PageHeader, SkeletonRows } from '../components/ui.tsx';
import { formatDate, formatPercent, formatRelative } from '../lib/format.ts';

const LEVEL_TONE: Record<string, string> = { critical: 'failed', warning: 'pending', ok: 'success' };
const HEALTH_TONE: Record<string, string> = {
  healthy: 'success',
  degraded: 'pending',
  unhealthy: 'failed',
  disabled: 'idle',
};

const columns: ColumnDef<OperatorAlert, unknown>[] = [
  {
    id: 'state',
    header: 'State',
    cell: ({ row }) => (
      <div className="flex flex-col items-start gap-1">
        <Badge tone={row.original.status === 'firing' ? 'failed' : 'success'}>{row.original.status}</Badge>
        {row.original.status === 'firing' && <Badge tone={LEVEL_TONE[row.original.level]}>{row.original.level}</Badge>}
      </div>
    ),
  },
  {
    id: 'alert',
    header: 'Alert',
    cell: ({ row }) => (
      <div className="max-w-80">
        <div className="font-medium">{row.original.rule}</div>
        <div className="truncate text-xs text-muted" title={row.original.subject}>
          {row.original.subject}
        </div>
      </div>
    ),
  },
  {
    id: 'since',
    header: 'Since',
    cell: ({ row }) => {
      const at = row.original.status === 'firing' ? row.original.started_at : row.original.resolved_at;
      return (
        <span className="whitespace-nowrap" title={formatDate(at, true)}>
          {row.original.status === 'firing' ? formatRelative(at) : `resolved ${formatRelative(at)}`}
        </span>
      );
    },
  },
  {
    id: 'message',
    header: 'Last message',
    cell: ({ row }) => (
      <div className="max-w-96 text-xs">
        <div className="break-words">{row.original.summary}</div>
        <div className="text-muted">
          {row.original.notified_at
            ? `told ${row.original.notified_level} ${formatRelative(row.original.notified_at)}`
            : 'not told yet'}
          {row.original.episode > 1 ? ` · episode ${row.original.episode}` : ''}
        </div>
      </div>
    ),
  },
];

function AlertList() {
  const alerts = useAlerts(true);
  if (alerts.isError) return <ErrorState error={alerts.error} retry={() => void alerts.refetch()} what="alerts" />;
  return (
    <DataTable
      caption="Operator alerts"
      data={alerts.data}
      columns={columns}
      rowKey={(a) => `${a.rule}|${a.subject}`}
      loading={alerts.isPending}
      empty={<EmptyState title="No alerts">No rule has fired since this installation started keeping them.</EmptyState>}
    />
  );
}

const ms = (value: number | null) => (value === null ? '—' : `${Math.round(value)} ms`);

function HealthSummary({ health }: { health: MonitoringHealth }) {
  const { database, redis, queue } = health.services;
  const services = [
    { name: `Database (${database.kind})`, ...database },
    { name: 'Redis', ...redis },
    { name: `Job queue (${queue.kind})`, ...queue },
  ];
  const unwell = health.sources.filter((s) => s.status !== 'healthy');
  return (
    <div className="grid gap-4 text-sm" data-testid="health-summary">
      <div className="flex items-center gap-2">
        <Badge tone={HEALTH_TONE[health.status]}>{health.status}</Badge>
        <span className="text-xs text-muted">checked {formatRelative(health.timestamp)}</span>
      </div>
      <ul className="grid gap-2">
        {services.map((s) => (
          <li key={s.name} className="flex flex-wrap items-center justify-between gap-2">
            <span>{s.name}</span>
            <span className="flex items-center gap-2">
              <span className="text-xs text-muted tabular-nums">{ms(s.response_time)}</span>
              <Badge tone={HEALTH_TONE[s.status]}>{s.status}</Badge>
            </span>
            {s.error && <span className="w-full text-xs text-danger">{s.error}</span>}
          </li>
        ))}
      </ul>
      {database.pool && (
        <p className="text-xs text-muted">
          Pool: {database.pool.in_use} of {database.pool.size} connections in use
          {database.pool.waiting ? `, ${database.pool.waiting} waiting` : ''}
        </p>
      )}
      <p className="text-xs text-muted">
        Summary cache hit rate: {health.cache.hit_rate === null ? '—' : formatPercent(health.cache.hit_rate)}
      </p>
      <div>
        <div className="mb-1 text-xs font-medium text-muted">
          Sources: {health.sources.length - unwell.length} of {health.sources.length} healthy
        </div>
        <ul className="grid gap-1 text-xs">
          {unwell.map((s) => (
            <li key={`${s.dao}/${s.source}`} className="flex flex-wrap items-center gap-2">
              <Badge tone={HEALTH_TONE[s.status]}>{s.status}</Badge>
              <span>
                {s.dao}/{s.source}
              </span>
              <span className="text-muted">
                {s.last_success ? `last success ${formatRelative(s.last_success)}` : 'never synced'}
              </span>
              {s.last_error && <span className="w-full break-words text-danger">{s.last_error}</span>}
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}

function Health() {
  const health = useMonitoringHealth(true);
  if (health.isError) return <ErrorState error={health.error} retry={() => void health.refetch()} what="health" />;
  return health.data ? <HealthSummary health={health.data} /> : <SkeletonRows rows={5} />;
}

export default function Operations() {
  return (
    <>
      <PageHeader
        title="Operations"
        subtitle="Operator alerts (firing first, then resolved) and the health of each dependency, every 30 s"
      />
      <RequireSignIn admin what="the operations page">
        {() => (
          <div className="grid gap-4 lg:grid-cols-3">
            <Card title="Alerts" className="lg:col-span-2">
              <AlertList />
            </Card>
            <Card title="Health">
              <Health />
            </Card>
          </div>
        )}
      </RequireSignIn>
    </>
  );
}
