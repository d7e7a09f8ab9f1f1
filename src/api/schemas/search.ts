import { Type } from '@sinclair/typebox';
import { Nullable, StringEnum, Timestamp } from './common.ts';

export const SearchHit = Type.Object({
  kind: StringEnum(['dao', 'proposal']),
  id: Type.Integer(),
  dao_slug: Type.String(),
  dao_name: Type.String(),
  date: Nullable(Timestamp),
  title: Type.String(),
  snippet: Type.String({ description: 'HTML: the text escaped, matches in <mark> (no other tags)' }),
  rank: Type.Number(),
});
