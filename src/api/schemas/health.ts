import { Type } from '@sinclair/typebox';

export const Health = Type.Object({
  database: Type.Literal('ok'),
  database_kind: Type.String(),
  version: Type.String(),
  uptime_seconds: Type.Number(),
});
