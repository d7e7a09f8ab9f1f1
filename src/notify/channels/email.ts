import type { Transporter } from 'nodemailer';
import type { NotificationEvent } from '../../db/notification-event.ts';
import { OutboundRefusedError } from '../../errors.ts';
import { absoluteUrl, type Channel, networkFailure, SEVERITY_LABEL, truncate } from './types.ts';

/** One address, no display name, no white space or control characters (as the account emails). */
const ADDRESS = /^[^\s@<>,;"\p{Cc}]{1,64}@[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/iu;

const escapeText = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The message: subject from the title, a text and an HTML part with the facts and the link. */
export function emailMessage(event: NotificationEvent, to: string, from: string, idempotencyKey: string) {
  const facts = Object.entries(event.facts).map(([k, v]) => [k, v === null ? '—' : String(v)] as const);
  const link = absoluteUrl(event.url) ?? event.url;
  const text = [
    event.body,
    '',
    ...facts.map(([k, v]) => `${k}: ${v}`),
    ...(link ? ['', link] : []),
    '',
    `${SEVERITY_LABEL[event.severity]} · ${event.kind} · DAO Portal`,
  ].join('\n');
  const html = [
    `<p>${escapeText(event.body).replace(/\n/g, '<br>')}</p>`,
    facts.length
      ? `<table>${facts.map(([k, v]) => `<tr><th align="left">${escapeText(k)}</th><td>${escapeText(v)}</td></tr>`).join('')}</table>`
      : '',
    link ? `<p><a href="${escapeText(link)}">Open in DAO Portal</a></p>` : '',
    `<p style="color:#666">${SEVERITY_LABEL[event.severity]} · ${escapeText(event.kind)} · DAO Portal</p>`,
  ].join('');
  return {
    from,
    to,
    subject: truncate(event.title.replace(/[\r\n]+/g, ' '), 200),
    text,
    html,
    // The same Message-ID on every retry of one delivery: mail stores that fold duplicates by it can.
    messageId: `<${idempotencyKey}@dao-portal.invalid>`,
    headers: { 'Auto-Submitted': 'auto-generated', 'X-DAO-Portal-Event': event.kind },
  };
}

/** One transport per SMTP URL; nodemailer is loaded by the first email, not when the server starts. */
const transports = new Map<string, Promise<Transporter>>();

function transport(smtpUrl: string, timeoutMs: number): Promise<Transporter> {
  let t = transports.get(smtpUrl);
  if (!t) {
    t = import('nodemailer').then(({ default: nodemailer }) =>
      nodemailer.createTransport({
        url: smtpUrl,
        connectionTimeout: timeoutMs,
        greetingTimeout: timeoutMs,
        socketTimeout: timeoutMs,
      } as Parameters<typeof nodemailer.createTransport>[0]),
    );
    transports.set(smtpUrl, t);
  }
  return t;
}

export const email: Channel = {
  kind: 'email',
  dedupes: false,
  async check(destination, { config }) {
    if (!ADDRESS.test(destination.target))
      throw new OutboundRefusedError('must be one email address like you@example.org');
    if (!config.smtpUrl) throw new OutboundRefusedError('email needs SMTP_URL set on the server');
    const [local, domain] = destination.target.split('@') as [string, string];
    return { targetHint: `${local.slice(0, 1)}…@${domain}`, secretHint: null, secret: undefined };
  },
  async send(event, destination, { config, idempotencyKey }) {
    if (!config.smtpUrl) return { ok: false, retryable: false, status: null, error: 'SMTP_URL is not set' };
    try {
      const info = await (await transport(config.smtpUrl, config.timeoutSeconds * 1000)).sendMail(
        emailMessage(event, destination.target, config.smtpFrom, idempotencyKey),
      );
      if (info.rejected?.length)
        return {
          ok: false,
          retryable: false,
          status: null,
          error: `rejected: ${info.response ?? 'recipient refused'}`,
        };
      return { ok: true, status: Number(/^\d{3}/.exec(info.response ?? '')?.[0] ?? 250) };
    } catch (error) {
      const code = (error as { responseCode?: number }).responseCode;
      // SMTP 5xx is permanent (unknown mailbox, refused); 4xx and connection failures are worth a retry.
      if (typeof code === 'number')
        return {
          ok: false,
          retryable: code < 500,
          status: code,
          error: `SMTP ${code}: ${(error as Error).message}`.slice(0, 500),
        };
      return networkFailure(error);
    }
  },
};
