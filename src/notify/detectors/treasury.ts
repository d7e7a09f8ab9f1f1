import type { GovernanceNotifyConfig } from '../../config/index.ts';
import type { NotificationEvent } from '../../db/notification-event.ts';
import type { OutflowBalance } from '../../db/queries/notifications.ts';
import { portalLink } from '../sink.ts';
import { audienceOf, defaultOption, type OptionValue } from './option-values.ts';

/**
 * Treasury outflow, pure: per (wallet, chain, token), the amount that left between its balance at
 * the window's start and its newest balance, valued at the newest known unit price; a DAO whose
 * outflows add up to more than the threshold within the window is told once per window. Price
 * moves are not outflows (amounts are compared, not values); tokens never priced are counted
 * apart and named in the message.
 */
export interface OutflowInput {
  now: Date;
  daoId: number;
  daoSlug: string;
  daoName: string;
  balances: Array<{ before: OutflowBalance | null; after: OutflowBalance }>;
  options: Pick<GovernanceNotifyConfig, 'outflowUsd' | 'outflowWindowHours'>;
  /**
   * The threshold (USD) this run is for: a subscription's `threshold`, or (absent) the configured
   * NOTIFY_OUTFLOW_USD. The default keeps its key; another value's key names it, so each
   * threshold is told once per window.
   */
  threshold?: OptionValue;
  publicUrl: string | undefined;
}

const usd = (x: number) => `$${x.toLocaleString('en-US', { maximumFractionDigits: 0 })}`;

const unitPrice = (b: OutflowBalance | null) =>
  b && b.usdValue !== null && Number(b.amount) > 0 ? Number(b.usdValue) / Number(b.amount) : null;

export function detectOutflow(input: OutflowInput): NotificationEvent | undefined {
  const threshold = input.threshold ?? defaultOption(input.options.outflowUsd);
  let total = 0;
  const tokens: Array<{ token: string; amount: number; usd: number }> = [];
  const unpriced: string[] = [];
  let latest = 0;
  for (const { before, after } of input.balances) {
    latest = Math.max(latest, after.timestamp.getTime());
    if (!before) continue;
    const out = Number(before.amount) - Number(after.amount);
    if (!(out > 0)) continue;
    const price = unitPrice(after) ?? unitPrice(before);
    if (price === null) {
      unpriced.push(after.token);
      continue;
    }
    total += out * price;
    tokens.push({ token: after.token, amount: out, usd: out * price });
  }
  if (!(total > threshold.value)) return undefined;
  const windowMs = input.options.outflowWindowHours * 3600_000;
  tokens.sort((a, b) => b.usd - a.usd);
  const top = tokens.slice(0, 5).map((t) => `${t.token.split(':')[0]} ${usd(t.usd)}`);
  return {
    kind: 'treasury.outflow',
    daoId: input.daoId,
    key: `dao:${input.daoId}:treasury_outflow:${input.options.outflowWindowHours}h:${Math.floor(latest / windowMs)}${threshold.isDefault ? '' : `:over:${threshold.text}`}`,
    title: `Treasury outflow of ${usd(total)} from ${input.daoName}`,
    body: `${usd(total)} left ${input.daoName}'s treasury in the last ${input.options.outflowWindowHours} h (threshold ${usd(threshold.value)}), by token amounts valued at the newest price: ${top.join(', ')}${tokens.length > 5 ? `, and ${tokens.length - 5} more` : ''}.${unpriced.length ? ` Also out, without a price: ${unpriced.join(', ')}.` : ''}`,
    url: portalLink(input.publicUrl, `/daos/${input.daoSlug}`),
    severity: 'warning',
    facts: {
      dao: input.daoSlug,
      outflow_usd: Number(total.toFixed(2)),
      threshold_usd: threshold.value,
      window_hours: input.options.outflowWindowHours,
      tokens: tokens.length,
      unpriced: unpriced.length,
      newest_snapshot: new Date(latest).toISOString(),
    },
    occurredAt: input.now,
    audience: audienceOf('threshold', threshold),
  };
}
