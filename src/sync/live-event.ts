/**
 * The names and events the sync engine shares with everything above it: the sources it runs, and
 * the live events it publishes (the API streams them, the dashboard shows them). Plain types with
 * no imports, so the dashboard can import them (type-only) as part of the API contract.
 */
export const SOURCE_NAMES = ['snapshot', 'governor', 'treasury'] as const;
export type SourceName = (typeof SOURCE_NAMES)[number];

export type LiveEvent =
  | { type: 'proposal.created' | 'proposal.updated'; dao: string; proposal: string; state?: string }
  | { type: 'vote.cast'; dao: string; proposal: string; voter: string; choice: unknown; voting_power: string }
  | { type: 'sync.finished' | 'sync.failed'; dao: string; source: SourceName; message?: string };
