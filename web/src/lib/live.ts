import { useEffect, useRef, useState } from 'react';
import { apiUrl } from '../api/client.ts';
import type { LiveEvent } from '../api/types.ts';

export type LiveStatus = 'connecting' | 'live' | 'unavailable' | 'offline';

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
 * server without the stream (404) is detected once and not retried, while a dropped connection
 * reconnects with backoff.
 */
export function useLiveEvents(dao: string | undefined, onEvent: (event: LiveEvent) => void, enabled = true): LiveStatus {
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
        const response = await fetch(apiUrl('/stream', { dao }), { headers: { accept: 'text/event-stream' }, signal: controller.signal });
        // A client error will not change on retry (no stream on this server, or not for this view).
        if ((response.status >= 400 && response.status < 500) || response.status === 501) {
          setStatus('unavailable');
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

  return enabled ? status : 'unavailable';
}
