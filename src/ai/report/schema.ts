import { type Static, Type } from '@sinclair/typebox';
import { ReportFigures } from './figures.ts';

/** The narrative a provider writes for a DAO governance report, and the report as stored and served. */
export const ReportNarrative = Type.Object(
  {
    headline: Type.String({ maxLength: 300 }),
    paragraphs: Type.Array(Type.String({ maxLength: 2000 }), { maxItems: 8 }),
  },
  { additionalProperties: false },
);
export type ReportNarrative = Static<typeof ReportNarrative>;

/** What is stored and served: the narrative and the figures it was written from. */
export const DaoReport = Type.Object(
  {
    headline: ReportNarrative.properties.headline,
    paragraphs: ReportNarrative.properties.paragraphs,
    figures: ReportFigures,
  },
  { additionalProperties: false },
);
export type DaoReport = Static<typeof DaoReport>;
