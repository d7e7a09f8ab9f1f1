import { useEffect, useRef, useState } from 'react';
import { apiUrl } from '../api/client.ts';
import type { LiveEvent } from '../api/types.ts';

/**
 * connecting, live; offline: the connection failed or dropped and is retried with backoff;
 * refused: the server rejected this stream (a client error such as an unknown DAO), not retried;
 * off: not subscribed.
 */
export type LiveStatus = 'connecting' | 'live' | 'offline' | 'refused' | 'off';

/** Splits an SSE text stream into events; returns the unparsed remainder. */
export function parseSse(buffer: string, onEvent: (type: string, data: string) => void): string {
  const blocks = buffer.split(/\r?\n\r?\n/);
  const rest = blocks.pop() ?? '';
  for (const block of blocks) {
    let type = 'message';
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (!line || line.startsWith(':')) continue; // heartbeat comment
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') type = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length) onEvent(type, data.join('\n'));
  }
  return rest;
}

/**
 * Subscribes to /api/v1/stream (server-sent events). Read with fetch rather than EventSource so a
 * refused request (4xx) is detected once and not retried, while a failed or dropped connection
 * reconnects with backoff.
 */
export function useLiveEvents(
  dao: string | undefined,
  onEvent: (event: LiveEvent) => void,
  enabled = true,
): LiveStatus {
  const [status, setStatus] = useState<LiveStatus>('connecting');
  const handler = useRef(onEvent);
  handler.current = onEvent;

  useEffect(() => {
    if (!enabled) return;
    const controller = new AbortController();
    let delay = 1000;
    let timer: ReturnType<typeof setTimeout> | undefined;

    const connect = async () => {
      setStatus('connecting');
      try {
        const response = await fetch(apiUrl('/stream', { dao }), {
          headers: { accept: 'text/event-stream' },
          signal: controller.signal,
        });
        // A client error (e.g. the DAO no longer exists) will not change on retry.
        if (response.status >= 400 && response.status < 500) {
          setStatus('refused');
          return;
        }
        if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`);
        setStatus('live');
        delay = 1000;
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer = parseSse(buffer + value, (_type, data) => {
            try {
              handler.current(JSON.parse(data) as LiveEvent);
            } catch {
              // a malformed event is skipped; the next one may be fine
            }
          });
        }
      } catch {
        if (controller.signal.aborted) return;
      }
      if (controller.signal.aborted) return;
      setStatus('offline');
      timer = setTimeout(() => void connect(), delay);
      delay = Math.min(delay * 2, 30_000);
    };
    void connect();
    return () => {
      controller.abort();
      if (timer) clearTimeout(timer);
    };
  }, [dao, enabled]);

  return enabled ? status : 'off';
}
