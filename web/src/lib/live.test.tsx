// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LiveEvent } from '../api/types.ts';
import { useLiveEvents } from './live.ts';

function Probe({ onEvent }: { onEvent: (e: LiveEvent) => void }) {
  const status = useLiveEvents('dcl', onEvent);
  return <span data-testid="status">{status}</span>;
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('useLiveEvents', () => {
  it('delivers the events of an open stream', async () => {
    let push!: (text: string) => void;
    const body = new ReadableStream<Uint8Array>({
      start: (c) => (push = (t) => c.enqueue(new TextEncoder().encode(t))),
    });
    const fetch = vi.fn(
      async (_url: string) => new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } }),
    );
    vi.stubGlobal('fetch', fetch);
    const events: LiveEvent[] = [];
    render(<Probe onEvent={(e) => events.push(e)} />);
    await screen.findByText('live');
    await act(async () => {
      push(
        ': heartbeat\n\nevent: vote.cast\ndata: {"type":"vote.cast","dao":"dcl","proposal":"p1","voter":"0x1","choice":1,"voting_power":"5"}\n\n',
      );
      await new Promise((r) => setTimeout(r, 20));
    });
    expect(events).toEqual([
      { type: 'vote.cast', dao: 'dcl', proposal: 'p1', voter: '0x1', choice: 1, voting_power: '5' },
    ]);
    expect(String(fetch.mock.calls[0]![0])).toBe('/api/v1/stream?dao=dcl');
  });

  it('gives up when the server refuses the stream (a client error) instead of retrying', async () => {
    const fetch = vi.fn(async () => new Response('{"status":"error"}', { status: 404 }));
    vi.stubGlobal('fetch', fetch);
    render(<Probe onEvent={() => undefined} />);
    await screen.findByText('refused');
    await new Promise((r) => setTimeout(r, 1200));
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('reconnects after a server error', async () => {
    const fetch = vi.fn(async () => new Response('{"status":"error"}', { status: 503 }));
    vi.stubGlobal('fetch', fetch);
    render(<Probe onEvent={() => undefined} />);
    await screen.findByText('offline');
    // The first retry comes after a second's backoff.
    await vi.waitFor(() => expect(fetch).toHaveBeenCalledTimes(2), { timeout: 2500, interval: 50 });
  });
});
