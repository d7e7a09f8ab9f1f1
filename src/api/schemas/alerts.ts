import { Type } from '@sinclair/typebox';
import { Nullable, StringEnum, Timestamp } from './common.ts';

export const ALERT_STATUSES = ['firing', 'resolved'] as const;

export const OperatorAlert = Type.Object({
  rule: Type.String({
    description:
      'error_rate, latency_p95, memory, db_pool, disk_free, database_unreachable, source_sync or backup (README "Alerts")',
  }),
  subject: Type.String({ description: 'What it is about: http, process, database, a disk path, dao/source, backup' }),
  status: StringEnum(ALERT_STATUSES),
  level: StringEnum(['ok', 'warning', 'critical'] as const, { description: 'ok once resolved' }),
  summary: Type.String({ description: 'The figure and the threshold, as last measured' }),
  facts: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Null()])),
  episode: Type.Integer({ description: 'How many times this alert has started firing' }),
  started_at: Timestamp,
  changed_at: Timestamp,
  resolved_at: Nullable(Timestamp),
  notified_level: Nullable(StringEnum(['ok', 'warning', 'critical'] as const)),
  notified_at: Nullable(Timestamp),
});
