import type { NotificationEvent } from '../../db/notification-event.ts';
import { OutboundRefusedError } from '../../errors.ts';
import { absoluteUrl, type Channel, httpResult, networkFailure, SEVERITY_LABEL, truncate, urlHint } from './types.ts';

/** Slack's documented limits: header text 150, section text 3,000, 10 fields of 2,000, 50 blocks. */
export const SLACK_LIMITS = { header: 150, section: 3000, fields: 10, field: 2000, fallback: 4000 } as const;

/** Slack mrkdwn: &, < and > are control characters and must be escaped. */
const escapeText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The Block Kit message of an incoming webhook: header, body, fields, a link, and `text` as the notification fallback. */
export function slackPayload(event: NotificationEvent): Record<string, unknown> {
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(event.title, SLACK_LIMITS.header), emoji: false } },
  ];
  if (event.body)
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: truncate(escapeText(event.body), SLACK_LIMITS.section) },
    });
  const facts = Object.entries(event.facts).slice(0, SLACK_LIMITS.fields);
  if (facts.length) {
    blocks.push({
      type: 'section',
      fields: facts.map(([name, value]) => ({
        type: 'mrkdwn',
        text: truncate(
          `*${escapeText(name)}*\n${escapeText(value === null ? '—' : String(value))}`,
          SLACK_LIMITS.field,
        ),
      })),
    });
  }
  const link = absoluteUrl(event.url);
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: `${SEVERITY_LABEL[event.severity]} · ${event.kind}${link ? ` · <${link}|Open in DAO Portal>` : ''}`,
      },
    ],
  });
  return { text: truncate(`${event.title}: ${event.body}`, SLACK_LIMITS.fallback), blocks };
}

export const slack: Channel = {
  kind: 'slack',
  dedupes: false,
  async check(destination, { outbound }) {
    const url = outbound.checkUrl(destination.target);
    await outbound.checkResolved(destination.target);
    return { targetHint: urlHint(url), secretHint: null, secret: undefined };
  },
  async send(event, destination, { outbound }) {
    try {
      const response = await outbound.request(destination.target, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(slackPayload(event)),
      });
      return httpResult(response);
    } catch (error) {
      if (error instanceof OutboundRefusedError)
        return { ok: false, retryable: false, status: null, error: error.message };
      return networkFailure(error);
    }
  },
};
