import type { NotificationEvent } from '../../db/notification-event.ts';
import { OutboundRefusedError } from '../../errors.ts';
import {
  absoluteUrl,
  type Channel,
  httpResult,
  networkFailure,
  SEVERITY_LABEL,
  secretHint,
  truncate,
} from './types.ts';

/** sendMessage takes 1 to 4,096 characters of text after entity parsing. */
export const TELEGRAM_TEXT_LIMIT = 4096;

const escapeText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The sendMessage body (HTML parse mode): bold title, body, facts, link; no link preview. */
export function telegramPayload(chatId: string, event: NotificationEvent): Record<string, unknown> {
  // Facts take at most a third of the message; the ones that do not fit are left out.
  const facts: string[] = [];
  let used = 0;
  for (const [k, v] of Object.entries(event.facts).slice(0, 25)) {
    const line = `${escapeText(truncate(k, 100))}: ${escapeText(truncate(v === null ? '—' : String(v), 200))}`;
    if (used + line.length + 1 > TELEGRAM_TEXT_LIMIT / 3) break;
    used += line.length + 1;
    facts.push(line);
  }
  const link = absoluteUrl(event.url);
  const tail = [
    `${SEVERITY_LABEL[event.severity]} · ${event.kind}`,
    ...(link ? [`<a href="${escapeText(link)}">Open in DAO Portal</a>`] : []),
  ];
  // The body is cut to what is left, so the title, the facts and the link survive. Entities
  // (&amp;) and tags count as text here, so the count is an upper bound of what Telegram counts.
  const head = `<b>${escapeText(truncate(event.title, 256))}</b>`;
  const rest = [...facts, '', ...tail].join('\n');
  const room = TELEGRAM_TEXT_LIMIT - Array.from(head).length - Array.from(rest).length - 4;
  let length = Math.max(room, 0);
  let body = escapeText(truncate(event.body, length));
  while (Array.from(body).length > room && length > 0) {
    length = Math.floor(length / 2);
    body = escapeText(truncate(event.body, length));
  }
  return {
    chat_id: /^-?\d+$/.test(chatId) ? Number(chatId) : chatId,
    text: [head, body, '', rest].join('\n'),
    parse_mode: 'HTML',
    link_preview_options: { is_disabled: true },
  };
}

/** A chat id (a number, negative for groups) or a public channel's @username. */
const CHAT_ID = /^(-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{3,31})$/;
const BOT_TOKEN = /^\d{1,20}:[A-Za-z0-9_-]{20,100}$/;

export const telegram: Channel = {
  kind: 'telegram',
  dedupes: false,
  async check(destination, { config }) {
    if (!CHAT_ID.test(destination.target))
      throw new OutboundRefusedError('must be a Telegram chat id (-1001234567890) or @channelname');
    if (destination.secret !== undefined && !BOT_TOKEN.test(destination.secret))
      throw new OutboundRefusedError('must be a bot token like 123456:ABC… from @BotFather', 'secret');
    if (destination.secret === undefined && !config.telegramBotToken)
      throw new OutboundRefusedError(
        'needs a bot token: send secret, or set TELEGRAM_BOT_TOKEN on the server',
        'secret',
      );
    return { targetHint: destination.target, secretHint: secretHint(destination.secret), secret: destination.secret };
  },
  async send(event, destination, { outbound, config }) {
    const token = destination.secret ?? config.telegramBotToken;
    if (!token)
      return { ok: false, retryable: false, status: null, error: 'no bot token (TELEGRAM_BOT_TOKEN is unset)' };
    try {
      // The Bot API's address is the operator's (TELEGRAM_API_URL), not the user's: no address rules.
      const response = await outbound.request(`${config.telegramApiUrl}/bot${token}/sendMessage`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(telegramPayload(destination.target, event)),
        trusted: true,
      });
      let retryAfterMs: number | undefined;
      let description: string | undefined;
      try {
        const answer = JSON.parse(response.body) as {
          ok?: boolean;
          description?: string;
          parameters?: { retry_after?: number };
        };
        description = answer.description;
        if (typeof answer.parameters?.retry_after === 'number') retryAfterMs = answer.parameters.retry_after * 1000;
        if (response.status === 200 && answer.ok !== true)
          return { ok: false, retryable: false, status: 200, error: `Telegram: ${description ?? 'not ok'}` };
      } catch {
        // Not JSON: the status decides.
      }
      const result = httpResult({ ...response, body: description ?? response.body }, retryAfterMs);
      // The bot token is in the path: never in a stored error.
      return result.ok ? result : { ...result, error: result.error.replaceAll(token, '<token>') };
    } catch (error) {
      const failure = networkFailure(error);
      return failure.ok ? failure : { ...failure, error: failure.error.replaceAll(token, '<token>') };
    }
  },
};
