import { useState } from 'react';
import { Link } from 'react-router-dom';
import type { LiveEvent } from '../api/types.ts';
import { formatNumber } from '../lib/format.ts';
import { useLiveEvents } from '../lib/live.ts';
import { AddressLink } from './AddressLink.tsx';
import { Badge, EmptyState } from './ui.tsx';

interface Item {
  at: string;
  event: LiveEvent;
}

function describe(event: LiveEvent) {
  switch (event.type) {
    case 'vote.cast':
      return (
        <>
          <AddressLink address={event.voter} /> voted with {formatNumber(event.voting_power)} VP on{' '}
          <Link className="text-accent underline" to={`/proposals/${encodeURIComponent(event.proposal)}`}>
            a proposal
          </Link>
        </>
      );
    case 'proposal.created':
      return (
        <>
          New proposal in{' '}
          <Link className="text-accent underline" to={`/daos/${event.dao}`}>
            {event.dao}
          </Link>
        </>
      );
    case 'proposal.updated':
      return (
        <>
          Proposal in {event.dao} is now {event.state ?? 'updated'}
        </>
      );
    case 'sync.finished':
      return (
        <>
          {event.source} sync of {event.dao} finished
        </>
      );
    case 'sync.failed':
      return (
        <>
          {event.source} sync of {event.dao} failed{event.message ? `: ${event.message}` : ''}
        </>
      );
  }
}

/** The newest 30 events of the live stream, newest first. */
export function LiveFeed({ dao }: { dao?: string }) {
  const [items, setItems] = useState<Item[]>([]);
  const status = useLiveEvents(dao, (event) =>
    setItems((list) => [{ at: new Date().toISOString(), event }, ...list].slice(0, 30)),
  );
  return (
    <div data-testid="live-feed">
      <div className="mb-3 flex items-center gap-2 text-xs text-muted">
        <span
          aria-hidden="true"
          className={`size-2 rounded-full ${status === 'live' ? 'bg-success' : status === 'connecting' ? 'bg-warning' : 'bg-line'}`}
        />
        {status === 'live'
          ? 'Live'
          : status === 'connecting'
            ? 'Connecting…'
            : status === 'offline'
              ? 'Reconnecting…'
              : 'Live updates stopped'}
      </div>
      {items.length === 0 ? (
        <EmptyState title={status === 'live' ? 'Waiting for activity' : 'No live activity'} icon="◎">
          {status === 'refused'
            ? 'The server refused the live stream; reload the page to try again.'
            : 'New votes, proposals and sync runs appear here as they happen.'}
        </EmptyState>
      ) : (
        <ul className="space-y-2 text-sm">
          {items.map((item, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: live events carry no id; arrival time plus position is unique and the rows hold no state.
            <li key={`${item.at}-${i}`} className="flex items-start gap-2">
              <Badge tone={item.event.type === 'sync.failed' ? 'failed' : 'idle'}>{item.event.type}</Badge>
              <span className="min-w-0 flex-1 break-words">{describe(item.event)}</span>
              <time className="shrink-0 text-xs text-muted" dateTime={item.at}>
                {new Date(item.at).toLocaleTimeString()}
              </time>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
