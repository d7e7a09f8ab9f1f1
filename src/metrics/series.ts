/** The metric families charted over time, one point per bucket (GET /api/v1/metrics/enhanced; docs/METRICS.md). */
export const SERIES_TYPES = [
  'activity',
  'participation',
  'outcomes',
  'concentration',
  'delegates',
  'treasury',
] as const;
export type SeriesType = (typeof SERIES_TYPES)[number];
