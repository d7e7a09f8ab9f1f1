import { type ReactNode, useState } from 'react';
import { Link } from 'react-router-dom';

export function cx(...classes: (string | false | null | undefined)[]) {
  return classes.filter(Boolean).join(' ');
}

export function Card({
  title,
  actions,
  children,
  className,
}: {
  title?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
  className?: string;
}) {
  return (
    // min-w-0: as a grid item a card must shrink to its column, and wide tables scroll inside it.
    <section className={cx('min-w-0 rounded-xl border border-line bg-surface p-4 shadow-sm sm:p-5', className)}>
      {(title || actions) && (
        <header className="mb-3 flex flex-wrap items-center justify-between gap-2">
          {title && <h2 className="text-sm font-semibold tracking-wide text-muted uppercase">{title}</h2>}
          {actions}
        </header>
      )}
      {children}
    </section>
  );
}

export function Kpi({
  label,
  value,
  hint,
  loading,
}: {
  label: string;
  value: ReactNode;
  hint?: ReactNode;
  loading?: boolean;
}) {
  return (
    <div className="min-w-0 rounded-xl border border-line bg-surface p-4 shadow-sm" data-kpi={label}>
      <div className="text-xs font-medium tracking-wide text-muted uppercase">{label}</div>
      {loading ? (
        <Skeleton className="mt-2 h-7 w-24" />
      ) : (
        <div className="mt-1 text-2xl font-semibold tabular-nums">{value}</div>
      )}
      {hint && <div className="mt-1 truncate text-xs text-muted">{hint}</div>}
    </div>
  );
}

export function Skeleton({ className }: { className?: string }) {
  return <div aria-hidden="true" className={cx('animate-pulse rounded-md bg-line/70', className)} />;
}

export function SkeletonRows({ rows = 6 }: { rows?: number }) {
  return (
    <div className="space-y-2" role="status" aria-label="Loading">
      {Array.from({ length: rows }, (_, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: identical placeholders; the position is their only identity.
        <Skeleton key={i} className="h-8 w-full" />
      ))}
    </div>
  );
}

export function Button({
  children,
  variant = 'secondary',
  className,
  ...props
}: React.ButtonHTMLAttributes<HTMLButtonElement> & { variant?: 'primary' | 'secondary' | 'ghost' }) {
  return (
    <button
      type="button"
      {...props}
      className={cx(
        'inline-flex items-center justify-center gap-1.5 rounded-lg px-3 py-1.5 text-sm font-medium transition-colors disabled:cursor-not-allowed disabled:opacity-50',
        // Dark theme: the accent is light, so the label is dark (white on it is about 3:1).
        variant === 'primary' && 'bg-accent text-white hover:bg-accent-strong dark:text-bg',
        variant === 'secondary' && 'border border-line bg-surface hover:bg-subtle',
        variant === 'ghost' && 'hover:bg-subtle',
        className,
      )}
    >
      {children}
    </button>
  );
}

export function EmptyState({ title, children, icon = '○' }: { title: string; children?: ReactNode; icon?: string }) {
  return (
    <div
      className="flex flex-col items-center justify-center gap-2 rounded-lg border border-dashed border-line px-4 py-10 text-center"
      data-state="empty"
    >
      <div aria-hidden="true" className="text-2xl text-muted">
        {icon}
      </div>
      <div className="font-medium">{title}</div>
      {children && <div className="w-full max-w-md min-w-0 text-sm text-muted">{children}</div>}
    </div>
  );
}

/**
 * An error with a retry. A page about one thing (a DAO, a proposal) passes `missing`: its 404
 * then says that thing was not found, without a retry that cannot make it appear. Elsewhere a
 * 404 (a missing route, say) stays an error like any other.
 */
export function ErrorState({
  error,
  retry,
  what = 'this',
  missing,
}: {
  error: unknown;
  retry?: () => void;
  what?: string;
  missing?: string;
}) {
  const message = error instanceof Error ? error.message : 'Something went wrong';
  if (missing && (error as { status?: unknown } | null)?.status === 404)
    return (
      <div
        role="alert"
        className="flex flex-col items-center gap-2 rounded-lg border border-dashed border-line px-4 py-10 text-center"
        data-state="not-found"
      >
        <div className="font-medium">{missing} not found</div>
        <div className="max-w-md text-sm text-muted">{message}</div>
        <Link to="/" className="text-sm text-accent underline">
          Go to the overview
        </Link>
      </div>
    );
  return (
    <div
      role="alert"
      className="flex flex-col items-center gap-3 rounded-lg border border-danger/40 bg-danger/5 px-4 py-8 text-center"
      data-state="error"
    >
      <div className="font-medium text-danger">Could not load {what}</div>
      <div className="max-w-md text-sm text-muted">{message}</div>
      {retry && <Button onClick={retry}>Retry</Button>}
    </div>
  );
}

const STATE_STYLES: Record<string, string> = {
  // Proposal states and outcomes: open in the accent colour, passed green, failed red, the rest grey.
  active: 'bg-accent/10 text-accent ring-accent/30',
  pending: 'bg-warning/10 text-warning ring-warning/30',
  closed: 'bg-subtle text-muted ring-line',
  executed: 'bg-success/10 text-success ring-success/30',
  passed: 'bg-success/10 text-success ring-success/30',
  queued: 'bg-success/10 text-success ring-success/30',
  enacted: 'bg-success/10 text-success ring-success/30',
  finished: 'bg-subtle text-muted ring-line',
  rejected: 'bg-danger/10 text-danger ring-danger/30',
  defeated: 'bg-danger/10 text-danger ring-danger/30',
  failed: 'bg-danger/10 text-danger ring-danger/30',
  canceled: 'bg-subtle text-muted ring-line',
  running: 'bg-accent/10 text-accent ring-accent/30',
  idle: 'bg-subtle text-muted ring-line',
  scheduled: 'bg-warning/10 text-warning ring-warning/30',
  // Accounts: roles, audit outcomes, key and user states.
  admin: 'bg-accent/10 text-accent ring-accent/30',
  editor: 'bg-success/10 text-success ring-success/30',
  viewer: 'bg-subtle text-muted ring-line',
  success: 'bg-success/10 text-success ring-success/30',
  failure: 'bg-danger/10 text-danger ring-danger/30',
  revoked: 'bg-danger/10 text-danger ring-danger/30',
  expired: 'bg-warning/10 text-warning ring-warning/30',
  disabled: 'bg-danger/10 text-danger ring-danger/30',
};

export function Badge({ children, tone }: { children: ReactNode; tone?: string }) {
  const key = (tone ?? String(children)).toLowerCase();
  return (
    <span
      className={cx(
        'inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium whitespace-nowrap capitalize ring-1 ring-inset',
        STATE_STYLES[key] ?? 'bg-subtle text-muted ring-line',
      )}
    >
      {children}
    </span>
  );
}

export function Progress({ value, label }: { value: number; label: string }) {
  return (
    <div
      className="h-2 w-full overflow-hidden rounded-full bg-subtle"
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(value * 100)}
    >
      <div
        className="h-full rounded-full bg-accent transition-[width]"
        style={{ width: `${Math.max(0, Math.min(1, value)) * 100}%` }}
      />
    </div>
  );
}

export function PageHeader({
  title,
  subtitle,
  actions,
}: {
  title: ReactNode;
  subtitle?: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <div className="mb-6 flex flex-wrap items-end justify-between gap-3">
      <div className="min-w-0">
        <h1 className="text-2xl font-semibold tracking-tight break-words sm:text-3xl">{title}</h1>
        {subtitle && <div className="mt-1 text-sm text-muted">{subtitle}</div>}
      </div>
      {actions}
    </div>
  );
}

export const fieldClass = 'rounded-lg border border-line bg-surface px-3 py-2 text-sm placeholder:text-muted/70';
export const inputClass = `w-full ${fieldClass}`;

/** Copies `text`; when the browser refuses the clipboard, says so (the text is on screen to copy by hand). */
export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = () => {
    const done = navigator.clipboard?.writeText(text);
    if (!done) return setState('failed');
    done.then(
      () => setState('copied'),
      () => setState('failed'),
    );
  };
  return (
    <span className="inline-flex items-center gap-2">
      <Button onClick={copy}>{label}</Button>
      <span role="status" className="text-xs text-muted">
        {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copying was refused: select the text instead' : ''}
      </span>
    </span>
  );
}

/** A line under a form: the server's error as it gave it, or a success note. */
export function FormMessage({ error, success }: { error?: unknown; success?: ReactNode }) {
  if (error) {
    return (
      <p role="alert" className="text-sm text-danger">
        {error instanceof Error ? error.message : 'Something went wrong'}
      </p>
    );
  }
  return success ? (
    <p role="status" className="text-sm text-success">
      {success}
    </p>
  ) : null;
}

export const labelClass = 'block text-xs font-medium text-muted';
