/** Display formatting: compact numbers ($1.2M, 38.5%), times in the reader's time zone, dates in UTC. */
type Num = number | string | null | undefined;

export function toNumber(value: Num): number | null {
  if (value === null || value === undefined || value === '') return null;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : null;
}

const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const small = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

/** 1234 -> "1,234", 12345 -> "12.3K", 0.5 -> "0.5"; null -> "—". */
export function formatNumber(value: Num): string {
  const n = toNumber(value);
  if (n === null) return '—';
  const abs = Math.abs(n);
  if (abs >= 10_000) return compact.format(n);
  if (abs >= 100 || Number.isInteger(n)) return whole.format(n);
  if (abs > 0 && abs < 0.01) return n.toExponential(1);
  return small.format(n);
}

/** 1234567 -> "$1.2M", 950 -> "$950", -2500 -> "-$2.5K". */
export function formatUsd(value: Num): string {
  const n = toNumber(value);
  if (n === null) return '—';
  const sign = n < 0 ? '-' : '';
  const abs = Math.abs(n);
  if (abs >= 1000) return `${sign}$${compact.format(abs)}`;
  if (abs >= 1 || abs === 0) return `${sign}$${whole.format(abs)}`;
  return `${sign}$${small.format(abs)}`;
}

/** A ratio in [0,1] as a percentage: 0.385 -> "38.5%", 1 -> "100%". */
export function formatPercent(ratio: Num, digits = 1): string {
  const n = toNumber(ratio);
  if (n === null) return '—';
  const pct = n * 100;
  const rounded = Number(pct.toFixed(digits));
  return `${rounded.toLocaleString('en-US', { maximumFractionDigits: digits })}%`;
}

/** A DAO's treasury: "—" when none is recorded (zero means no balances, not an empty treasury). */
export function formatTreasury(value: Num): string {
  return toNumber(value) ? formatUsd(value) : '—';
}

/** "12.5 months", "> 10 years", "—". */
export function formatMonths(value: Num): string {
  const n = toNumber(value);
  if (n === null) return '—';
  if (n >= 120) return '> 10 years';
  if (n >= 24) return `${(n / 12).toFixed(1)} years`;
  return `${n.toFixed(n < 10 ? 1 : 0)} months`;
}

/** How precise a time from the API is: 'day' when the source gave a date only (src/api/schemas/proposals.ts). */
export type TimePrecision = 'day' | 'second';

/**
 * A time in the reader's time zone ("Mar 1, 2025", with `withTime` "Mar 1, 2025, 03:14 PM"). A
 * day-precision time is a date, stored as 00:00 UTC: it is shown as that UTC date, never with a
 * time of day, and never as the day before for a reader west of UTC.
 */
export function formatDate(
  iso: string | null | undefined,
  withTime = false,
  precision: TimePrecision | undefined = 'second',
): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '—';
  if (precision === 'day')
    return date.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });
  return date.toLocaleString(
    undefined,
    withTime
      ? { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }
      : { year: 'numeric', month: 'short', day: 'numeric' },
  );
}

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 86400],
  ['month', 30 * 86400],
  ['week', 7 * 86400],
  ['day', 86400],
  ['hour', 3600],
  ['minute', 60],
];

/** "in 3 days", "2 hours ago", "now". */
export function formatRelative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const seconds = (new Date(iso).getTime() - now) / 1000;
  if (!Number.isFinite(seconds)) return '—';
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
  }
  return 'now';
}

/** "1 vote", "2,591 votes". */
export function plural(count: number, noun: string): string {
  return `${formatNumber(count)} ${noun}${count === 1 ? '' : 's'}`;
}

/** 0x1234…abcd for addresses, untouched for ENS-like names. */
export function shortAddress(address: string): string {
  return /^0x[0-9a-f]{40}$/i.test(address) ? `${address.slice(0, 6)}…${address.slice(-4)}` : address;
}

/** Snapshot choice encodings for display, with labels when known. */
export function formatChoice(choice: unknown, labels: string[]): string {
  const label = (i: number) => labels[i - 1] ?? `#${i}`;
  if (typeof choice === 'number') return label(choice);
  if (Array.isArray(choice)) return choice.map((c) => label(Number(c))).join(', ');
  if (choice && typeof choice === 'object') {
    const entries = Object.entries(choice as Record<string, number>);
    const total = entries.reduce((s, [, w]) => s + Number(w), 0) || 1;
    return entries.map(([c, w]) => `${label(Number(c))} ${formatPercent(Number(w) / total, 0)}`).join(', ');
  }
  return String(choice ?? '—');
}
