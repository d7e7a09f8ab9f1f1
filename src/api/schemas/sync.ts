import { Type } from '@sinclair/typebox';
import { SOURCE_NAMES } from '../../sync/live-event.ts';
import { Nullable, StringEnum } from './common.ts';
import { DaoRef } from './daos.ts';

export const SourceName = StringEnum(SOURCE_NAMES);

export const SYNC_STATES = ['idle', 'running', 'failed', 'scheduled'] as const;

export const SyncStatus = Type.Object({
  dao: DaoRef,
  source: Type.String(),
  state: StringEnum(SYNC_STATES),
  last_success: Nullable(Type.String({ format: 'date-time' })),
  started_at: Nullable(Type.String({ format: 'date-time' })),
  cursor: Type.Record(Type.String(), Type.Unknown(), { description: "The source's resume point (its own format)" }),
  lag: Nullable(
    Type.Number({
      description: 'How far behind the remote head (seconds or blocks, per source) the last run left the DAO',
    }),
  ),
  last_error: Nullable(Type.String()),
  details: Type.Record(Type.String(), Type.Unknown()),
});

export const SyncOutcome = Type.Object({
  dao: Type.String(),
  source: Type.String(),
  status: StringEnum(['done', 'busy', 'skipped', 'failed'], {
    description: 'busy: another worker is syncing this (DAO, source) right now',
  }),
  error: Type.Optional(Type.String()),
  written: Type.Integer(),
  read: Type.Integer(),
  lag: Nullable(Type.Number()),
  duration_ms: Type.Integer(),
});
