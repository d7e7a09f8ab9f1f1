import type { NotificationEvent } from '../../db/notification-event.ts';
import { OutboundRefusedError } from '../../errors.ts';
import { absoluteUrl, type Channel, httpResult, networkFailure, SEVERITY_LABEL, truncate, urlHint } from './types.ts';

/** Discord's documented embed limits (title 256, description 4,096, 25 fields of 256/1,024, footer 2,048, 6,000 in all). */
export const DISCORD_LIMITS = {
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  total: 6000,
} as const;

const COLOUR = { info: 0x3b82f6, warning: 0xf59e0b, critical: 0xdc2626, resolved: 0x16a34a } as const;

/** A webhook message with one embed, within Discord's limits, mentioning nobody. */
export function discordPayload(event: NotificationEvent): Record<string, unknown> {
  const title = truncate(event.title, DISCORD_LIMITS.title);
  const footer = truncate(`${SEVERITY_LABEL[event.severity]} · ${event.kind} · DAO Portal`, DISCORD_LIMITS.footer);
  let budget = DISCORD_LIMITS.total - Array.from(title).length - Array.from(footer).length;
  const description = truncate(event.body || event.title, Math.min(DISCORD_LIMITS.description, Math.max(budget, 1)));
  budget -= Array.from(description).length;
  const fields: { name: string; value: string; inline: boolean }[] = [];
  for (const [rawName, rawValue] of Object.entries(event.facts).slice(0, DISCORD_LIMITS.fields)) {
    const name = truncate(rawName || '—', DISCORD_LIMITS.fieldName);
    const value = truncate(rawValue === null ? '—' : String(rawValue) || '—', DISCORD_LIMITS.fieldValue);
    const cost = Array.from(name).length + Array.from(value).length;
    if (cost > budget) break;
    budget -= cost;
    fields.push({ name, value, inline: true });
  }
  const url = absoluteUrl(event.url);
  return {
    allowed_mentions: { parse: [] },
    embeds: [
      {
        title,
        description,
        ...(url ? { url } : {}),
        color: COLOUR[event.severity],
        fields,
        timestamp: event.occurredAt.toISOString(),
        footer: { text: footer },
      },
    ],
  };
}

/** Discord's 429 carries `retry_after` (seconds) in its JSON body as well as the header. */
function discordRetryAfter(body: string): number | undefined {
  try {
    const seconds = (JSON.parse(body) as { retry_after?: unknown }).retry_after;
    return typeof seconds === 'number' && seconds >= 0 ? Math.round(seconds * 1000) : undefined;
  } catch {
    return undefined;
  }
}

export const discord: Channel = {
  kind: 'discord',
  dedupes: false,
  async check(destination, { outbound }) {
    const url = outbound.checkUrl(destination.target);
    await outbound.checkResolved(destination.target);
    return { targetHint: urlHint(url), secretHint: null, secret: undefined };
  },
  async send(event, destination, { outbound }) {
    try {
      // wait=true: Discord answers 200 with the message once it is stored, rather than 204 on receipt.
      const url = new URL(destination.target);
      url.searchParams.set('wait', 'true');
      const response = await outbound.request(url.toString(), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(discordPayload(event)),
      });
      return httpResult(response, response.status === 429 ? discordRetryAfter(response.body) : undefined);
    } catch (error) {
      if (error instanceof OutboundRefusedError)
        return { ok: false, retryable: false, status: null, error: error.message };
      return networkFailure(error);
    }
  },
};
