import { createHmac, timingSafeEqual } from 'node:crypto';
import { randomToken } from '../../auth/secrets.ts';
import type { NotificationEvent } from '../../db/notification-event.ts';
import { OutboundRefusedError } from '../../errors.ts';
import { type Channel, httpResult, networkFailure, secretHint, urlHint } from './types.ts';

/**
 * A generic webhook: a JSON POST signed as Stripe does. `x-dao-portal-signature: t=<unix seconds>,
 * v1=<hex HMAC-SHA256 of "<t>.<raw body>" under the channel's secret>`; a receiver recomputes it over
 * the raw bytes, compares in constant time and refuses a `t` more than 5 minutes from its clock
 * (a replay). `idempotency-key` is the same on every retry of one delivery, so a receiver that keeps
 * the keys it has seen drops a repeat.
 */
export const SIGNATURE_HEADER = 'x-dao-portal-signature';
export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const REPLAY_WINDOW_SECONDS = 300;

export function sign(secret: string, body: string, t = Math.floor(Date.now() / 1000)): string {
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

/**
 * A receiver's check (exported for receivers written in TypeScript, and the tests): the header's
 * signature matches the raw body under `secret`, and its time is within the replay window.
 */
export function verifySignature(
  header: string | undefined,
  body: string,
  secret: string,
  now = Math.floor(Date.now() / 1000),
): { ok: true } | { ok: false; reason: string } {
  if (!header) return { ok: false, reason: 'no signature' };
  const parts = new Map<string, string[]>();
  for (const piece of header.split(',')) {
    const eq = piece.indexOf('=');
    if (eq < 1) continue;
    const k = piece.slice(0, eq).trim();
    parts.set(k, [...(parts.get(k) ?? []), piece.slice(eq + 1).trim()]);
  }
  const t = Number(parts.get('t')?.[0]);
  if (!Number.isInteger(t)) return { ok: false, reason: 'no timestamp' };
  if (Math.abs(now - t) > REPLAY_WINDOW_SECONDS) return { ok: false, reason: 'timestamp outside the replay window' };
  const expected = Buffer.from(createHmac('sha256', secret).update(`${t}.${body}`).digest('hex'));
  const match = (parts.get('v1') ?? []).some((v) => {
    const sent = Buffer.from(v);
    return sent.length === expected.length && timingSafeEqual(sent, expected);
  });
  return match ? { ok: true } : { ok: false, reason: 'signature mismatch' };
}

/** The JSON body: the delivery's id (the idempotency key), the event kind, and the event. */
export function webhookPayload(event: NotificationEvent, idempotencyKey: string): string {
  return JSON.stringify({
    id: idempotencyKey,
    type: event.kind,
    created_at: event.occurredAt.toISOString(),
    data: {
      key: event.key,
      dao_id: event.daoId,
      title: event.title,
      body: event.body,
      url: event.url,
      severity: event.severity,
      facts: event.facts,
    },
  });
}

export const webhook: Channel = {
  kind: 'webhook',
  dedupes: true,
  async check(destination, { outbound }) {
    const url = outbound.checkUrl(destination.target);
    if (destination.secret !== undefined && destination.secret.length < 16)
      throw new OutboundRefusedError('must be at least 16 characters (an HMAC key)', 'secret');
    await outbound.checkResolved(destination.target);
    const generated = destination.secret === undefined ? `whsec_${randomToken(24)}` : undefined;
    const secret = destination.secret ?? generated!;
    return {
      targetHint: urlHint(url),
      secretHint: secretHint(secret),
      secret,
      ...(generated ? { generatedSecret: generated } : {}),
    };
  },
  async send(event, destination, { outbound, idempotencyKey }) {
    if (!destination.secret) return { ok: false, retryable: false, status: null, error: 'the channel has no secret' };
    const body = webhookPayload(event, idempotencyKey);
    try {
      const response = await outbound.request(destination.target, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [SIGNATURE_HEADER]: sign(destination.secret, body),
          [IDEMPOTENCY_HEADER]: idempotencyKey,
          'x-dao-portal-event': event.kind,
        },
        body,
      });
      return httpResult(response);
    } catch (error) {
      if (error instanceof OutboundRefusedError)
        return { ok: false, retryable: false, status: null, error: error.message };
      return networkFailure(error);
    }
  },
};
