import type { NotifyConfig } from '../../config/index.ts';
import type { NotificationEvent } from '../../db/notification-event.ts';
import type { Outbound, OutboundResponse } from '../../net/outbound.ts';

/**
 * What every channel file (email, slack, discord, telegram, webhook) provides: checking a target
 * when a channel is created, and sending one event to it. A send never throws for a failure the
 * remote side caused: it says whether to retry (and when the remote side asked for it).
 */
export interface Destination {
  /** The target as the user gave it (a webhook URL with its token, an email address, a chat id). */
  target: string;
  /** The channel's own secret (the webhook's HMAC key, a Telegram bot token), if it has one. */
  secret: string | undefined;
}

export interface SendContext {
  outbound: Outbound;
  config: NotifyConfig;
  /** Stable per (subscription or channel, event key): the same on every retry and after a crash. */
  idempotencyKey: string;
}

export type SendResult =
  | { ok: true; status: number | null }
  | {
      ok: false;
      /** False for answers a retry cannot change (404 unknown webhook, 400 bad payload). */
      retryable: boolean;
      status: number | null;
      error: string;
      /** The remote side's Retry-After (429, 503), in milliseconds. */
      retryAfterMs?: number;
    };

export interface Checked {
  /** What listings show instead of the target: no token. */
  targetHint: string;
  /** A masked hint of the secret (its last characters), or null. */
  secretHint: string | null;
  /** A secret generated for the channel (a webhook without one), shown once in the creation answer. */
  generatedSecret?: string;
  secret: string | undefined;
}

export interface Channel {
  kind: 'email' | 'slack' | 'discord' | 'telegram' | 'webhook';
  /**
   * Whether a receiver can drop a repeated send (the webhook's idempotency-key header). The others
   * cannot: see the README's "Notifications" for what a crash between send and mark costs them.
   */
  dedupes: boolean;
  /** Throws OutboundRefusedError (400 naming `target`) for a target this channel cannot use. */
  check(destination: Destination, context: Pick<SendContext, 'outbound' | 'config'>): Promise<Checked>;
  send(event: NotificationEvent, destination: Destination, context: SendContext): Promise<SendResult>;
}

/** Sorts an HTTP answer: 2xx sent; 408, 425, 429 and 5xx retried (honouring Retry-After); other 4xx failed. */
export function httpResult(response: OutboundResponse, retryAfterMs?: number): SendResult {
  if (response.status >= 200 && response.status < 300) return { ok: true, status: response.status };
  const retryable = response.status >= 500 || [408, 425, 429].includes(response.status);
  const after = retryAfterMs ?? parseRetryAfter(response.headers['retry-after']);
  return {
    ok: false,
    retryable,
    status: response.status,
    error: `HTTP ${response.status}${response.body ? `: ${response.body.slice(0, 300)}` : ''}`,
    ...(after !== undefined ? { retryAfterMs: after } : {}),
  };
}

/** Retry-After as seconds or an HTTP date, in milliseconds from now; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** A network failure (refused, reset, timed out): retried. */
export const networkFailure = (error: unknown): SendResult => ({
  ok: false,
  retryable: true,
  status: null,
  error: `${(error as NodeJS.ErrnoException).code ?? (error as Error).name}: ${(error as Error).message}`.slice(0, 500),
});

/** Cuts text to `max` characters (code points), ending with an ellipsis when cut. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** The event's link when it is absolute (PUBLIC_URL set); a bare path means nothing in a chat. */
export const absoluteUrl = (url: string | null) => (url && /^https?:\/\//.test(url) ? url : null);

/** A URL target's hint: its origin and the last four characters (webhook URLs carry their token in the path). */
export function urlHint(url: URL): string {
  const rest = `${url.pathname}${url.search}`;
  return rest.length > 1 ? `${url.origin}/…${rest.slice(-4)}` : url.origin;
}

export const secretHint = (secret: string | undefined) => (secret ? `…${secret.slice(-4)}` : null);

export const SEVERITY_LABEL = { info: 'Info', warning: 'Warning', critical: 'Critical', resolved: 'Resolved' } as const;
