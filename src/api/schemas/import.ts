import { Type } from '@sinclair/typebox';

const ImportCounts = Type.Object({
  inserted: Type.Integer(),
  updated: Type.Integer(),
  unchanged: Type.Integer(),
  rejected: Type.Integer(),
});

export const ImportResult = Type.Object({
  records: Type.Integer(),
  ...ImportCounts.properties,
  seconds: Type.Number(),
  by_type: Type.Record(Type.String(), ImportCounts),
  rejections: Type.Array(
    Type.Object({
      source: Type.Optional(Type.String()),
      line: Type.Integer(),
      type: Type.Optional(Type.String()),
      field: Type.String(),
      reason: Type.String(),
    }),
    { description: 'The first 1000 rejected records' },
  ),
});
