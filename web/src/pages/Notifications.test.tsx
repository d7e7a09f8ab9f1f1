// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setSignedInHint } from '../api/account.ts';
import { setCsrfToken } from '../api/client.ts';
import { meOf, stubApi } from '../test/api-stub.ts';
import { channel, delivery, refused, subscription } from '../test/notify-fixtures.ts';
import { renderInApp } from '../test/render.tsx';
import Notifications from './Notifications.tsx';

const daosPage = {
  status: 'success',
  data: [{ id: 1, slug: 'ens', name: 'ENS' }],
  pagination: { page: 1, per_page: 100, total: 1, pages: 1 },
};

function renderPage(routes: Record<string, unknown>, signedIn = true) {
  if (signedIn) setSignedInHint(true);
  const calls = stubApi({
    'GET /auth/me': meOf('viewer'),
    'GET /daos': () => ({ body: daosPage }),
    'GET /notifications/subscriptions': [],
    'GET /notifications/deliveries': [],
    ...routes,
  });
  renderInApp(<Notifications />, '/notifications');
  return calls;
}

const change = (label: RegExp | string, value: string) =>
  fireEvent.change(screen.getByLabelText(label), { target: { value } });

beforeEach(() => {
  setCsrfToken(null);
  localStorage.clear();
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('the Notifications page', () => {
  it('asks a signed-out reader to sign in, without asking the API', async () => {
    const calls = renderPage({}, false);
    await screen.findByText('Sign in to see your notifications');
    expect(calls.filter((c) => c.path.startsWith('/notifications'))).toEqual([]);
  });

  it('lists channels, subscriptions with their options, and the delivery history', async () => {
    renderPage({
      'GET /notifications/channels': [channel()],
      'GET /notifications/subscriptions': [
        subscription({ events: ['proposal.ending', 'delegate.not_voted'], options: { hours: 12, addresses: ['0xa'] } }),
      ],
      'GET /notifications/deliveries': [
        delivery(),
        delivery({ id: 40, status: 'failed', attempts: 8, last_status: 404, last_error: 'unknown webhook' }),
      ],
    });
    const channels = await screen.findByRole('table', { name: 'Channels' });
    expect(within(channels).getByText('Ops hook')).toBeTruthy();
    expect(within(channels).getByText('https://hooks.example.org/… · secret …a1b2')).toBeTruthy();
    const subs = await screen.findByRole('table', { name: 'Subscriptions' });
    expect(within(subs).getByText('Ending soon')).toBeTruthy();
    expect(within(subs).getByText('12 h before the end · watching 1')).toBeTruthy();
    const history = await screen.findByRole('table', { name: 'Deliveries' });
    const failed = within(history).getAllByRole('row')[2]!;
    expect(within(failed).getByText('failed')).toBeTruthy();
    expect(within(failed).getByText('8')).toBeTruthy();
    expect(within(failed).getByText('HTTP 404: unknown webhook')).toBeTruthy();
  });

  it('creates a webhook channel and shows its generated secret once', async () => {
    let sent: unknown;
    const calls = renderPage({
      'GET /notifications/channels': [],
      'POST /notifications/channels': ({ body }: { body: unknown }) => {
        sent = body;
        return { status: 201, body: { status: 'success', data: { channel: channel(), secret: 'whsec_shown_once' } } };
      },
    });
    const form = await screen.findByRole('form', { name: 'Add a channel' });
    change('Name', 'Ops hook');
    change('Kind', 'webhook');
    change('URL', 'https://hooks.example.org/dao');
    fireEvent.submit(form);
    expect((await screen.findByTestId('new-channel-secret')).textContent).toBe('whsec_shown_once');
    expect(sent).toEqual({ name: 'Ops hook', kind: 'webhook', target: 'https://hooks.example.org/dao' });
    // The write carries the session's CSRF token.
    const post = calls.find((c) => c.method === 'POST')!;
    expect(post.headers['x-csrf-token']).toBe('csrf-of-this-session');
  });

  it('shows a 400 naming target next to the target field', async () => {
    renderPage({
      'GET /notifications/channels': [],
      'POST /notifications/channels': () => refused('target', 'resolves to 127.0.0.1, a loopback address'),
    });
    const form = await screen.findByRole('form', { name: 'Add a channel' });
    change('Name', 'Local');
    change('URL', 'http://localtest.me/hook');
    fireEvent.submit(form);
    const note = await screen.findByText('resolves to 127.0.0.1, a loopback address');
    expect(note.getAttribute('data-field-error')).toBe('target');
    const target = screen.getByLabelText(/^URL/);
    expect(target.getAttribute('aria-invalid')).toBe('true');
    expect(target.getAttribute('aria-describedby')).toBe(note.id);
    // Once, next to the field: not repeated under the form.
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('sends a test through a channel and shows its result', async () => {
    renderPage({
      'GET /notifications/channels': [channel()],
      'POST /notifications/channels/3/test': delivery({
        status: 'pending',
        last_status: 503,
        last_error: 'HTTP 503',
        next_attempt_at: '2026-11-01T10:01:00.000Z',
      }),
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Send a test through Ops hook' }));
    const result = await screen.findByTestId('test-result');
    expect(result.textContent).toContain('pending');
    expect(result.textContent).toContain('HTTP 503');
  });

  it('subscribes a channel to a DAO with the options of the chosen events', async () => {
    let sent: unknown;
    renderPage({
      'GET /notifications/channels': [channel()],
      'POST /notifications/subscriptions': ({ body }: { body: unknown }) => {
        sent = body;
        return { status: 201, body: { status: 'success', data: subscription() } };
      },
    });
    const form = await screen.findByRole('form', { name: 'Subscribe to a DAO' });
    await screen.findByRole('option', { name: 'ENS' });
    change('DAO', 'ens');
    fireEvent.click(within(form).getByLabelText(/Watched delegate has not voted/));
    fireEvent.click(within(form).getByLabelText(/Treasury outflow/));
    change(/Hours before the end/, '6');
    // A wrong address is caught before anything is sent.
    change(/Watched addresses/, '0x1234');
    fireEvent.submit(form);
    expect(await screen.findByText('0x1234 is not an address (0x and 40 hex digits).')).toBeTruthy();
    change(/Watched addresses/, `0x${'ab'.repeat(20)}`);
    change(/Treasury outflow threshold/, '250,000');
    fireEvent.submit(form);
    await screen.findByText('Subscribed Ops hook to ens.');
    expect(sent).toEqual({
      dao: 'ens',
      channel_id: 3,
      events: ['proposal.created', 'proposal.ending', 'delegate.not_voted', 'treasury.outflow'],
      options: { hours: 6, addresses: [`0x${'ab'.repeat(20)}`], threshold: '250000' },
    });
  });

  it('pages the delivery history by the oldest id shown', async () => {
    const pages: (string | null)[] = [];
    renderPage({
      'GET /notifications/channels': [channel()],
      'GET /notifications/deliveries': ({ url }: { url: URL }) => {
        pages.push(url.searchParams.get('before'));
        const top = url.searchParams.get('before') ? 80 : 100;
        return {
          body: { status: 'success', data: Array.from({ length: 20 }, (_, i) => delivery({ id: top - i })) },
        };
      },
    });
    await screen.findByRole('table', { name: 'Deliveries' });
    await waitFor(() => expect(screen.getByRole('button', { name: 'Older' }).hasAttribute('disabled')).toBe(false));
    fireEvent.click(screen.getByRole('button', { name: 'Older' }));
    await waitFor(() => expect(pages).toEqual([null, '81']));
    expect(screen.getByRole('button', { name: 'Newer' }).hasAttribute('disabled')).toBe(false);
  });
});
