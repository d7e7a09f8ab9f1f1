// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setSignedInHint } from '../api/account.ts';
import { setCsrfToken } from '../api/client.ts';
import { meOf, stubApi } from '../test/api-stub.ts';
import { channel, subscription } from '../test/notify-fixtures.ts';
import { renderInApp } from '../test/render.tsx';
import { NotifyMe } from './NotifyMe.tsx';

function renderButton(routes: Record<string, unknown>, signedIn = true) {
  if (signedIn) setSignedInHint(true);
  const calls = stubApi({ 'GET /auth/me': meOf('viewer'), ...routes });
  renderInApp(<NotifyMe dao={{ slug: 'ens', name: 'ENS' }} />, '/daos/ens');
  return calls;
}

beforeEach(() => {
  setCsrfToken(null);
  localStorage.clear();
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('Notify me', () => {
  it('offers an anonymous reader a sign-in back to this page', async () => {
    const calls = renderButton({}, false);
    const link = await screen.findByRole('link', { name: 'Sign in' });
    expect(link.getAttribute('href')).toBe('/signin?next=%2Fdaos%2Fens');
    expect(screen.getByTestId('notify-me').textContent).toContain('to be notified about ENS');
    expect(calls).toEqual([]);
  });

  it('sends a user without a channel to create one first', async () => {
    renderButton({ 'GET /notifications/channels': [channel({ operator: true, owner_id: null })] });
    fireEvent.click(await screen.findByRole('button', { name: /Notify me/ }));
    const dialog = await screen.findByRole('dialog');
    const link = await within(dialog).findByRole('link', { name: 'Create a channel first' });
    expect(link.getAttribute('href')).toBe('/notifications');
  });

  it("subscribes the DAO to the chosen events on one of the user's channels", async () => {
    let sent: unknown;
    renderButton({
      'GET /notifications/channels': [channel(), channel({ id: 4, name: 'Mail', kind: 'email' })],
      'POST /notifications/subscriptions': ({ body }: { body: unknown }) => {
        sent = body;
        return { status: 201, body: { status: 'success', data: subscription({ events: ['quorum.at_risk'] }) } };
      },
    });
    fireEvent.click(await screen.findByRole('button', { name: /Notify me/ }));
    const dialog = await screen.findByRole('dialog');
    const form = await within(dialog).findByRole('form', { name: 'Subscribe to a DAO' });
    fireEvent.change(within(form).getByLabelText('Channel'), { target: { value: '4' } });
    fireEvent.click(within(form).getByLabelText(/New proposal/));
    fireEvent.click(within(form).getByLabelText(/Ending soon/));
    fireEvent.click(within(form).getByLabelText(/Quorum at risk/));
    fireEvent.submit(form);
    await within(dialog).findByText('Subscribed to 1 event of ENS.');
    expect(sent).toEqual({ dao: 'ens', channel_id: 4, events: ['quorum.at_risk'] });
  });
});
