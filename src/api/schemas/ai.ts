import { Type } from '@sinclair/typebox';
import { ReportFigures } from '../../ai/report/figures.ts';
import { ProposalAnalysis } from '../../ai/schema.ts';
import { PRIORITIES, PROVIDER_NAMES } from '../../ai/types.ts';
import { DecimalString, Nullable, StringEnum, Timestamp } from './common.ts';

export const ProviderNameSchema = StringEnum(PROVIDER_NAMES, { description: 'An AI provider' });

export const AnalysisRequestBody = Type.Object(
  {
    priority: Type.Optional(StringEnum(PRIORITIES, { description: 'speed, accuracy or balanced (default)' })),
    provider: Type.Optional(ProviderNameSchema),
  },
  { additionalProperties: false },
);

export const AnalysisJob = Type.Object({
  id: Type.Integer(),
  proposal_id: Type.Integer(),
  status: StringEnum(['queued', 'running', 'done', 'failed']),
  priority: Type.String(),
  provider: Nullable(Type.String()),
  analysis_id: Nullable(Type.Integer()),
  error: Nullable(Type.String()),
  created_at: Timestamp,
  updated_at: Timestamp,
});

export const Analysis = Type.Object({
  id: Type.Integer(),
  proposal_id: Type.Integer(),
  provider: Type.String(),
  model: Type.String(),
  prompt_version: Type.String(),
  input_hash: Type.String(),
  /** The priority the router followed; null for analyses made before routing existed. */
  priority: Nullable(Type.String()),
  /** Why the first provider of the route did not answer, null when it did. */
  fallback_reason: Nullable(Type.String()),
  input_tokens: Type.Integer(),
  output_tokens: Type.Integer(),
  /** From the reported usage and the price table; null when the model has no price. */
  cost_usd: Nullable(DecimalString),
  created_at: Timestamp,
  result: ProposalAnalysis,
});

export const ProposalAnalysisResponse = Type.Object({
  analysis: Analysis,
  /** The latest analysis job of the proposal, null when none was requested. */
  job: Nullable(AnalysisJob),
});

export const AiModel = Type.Object({
  provider: Type.String(),
  id: Type.String(),
  default: Type.Boolean(),
  /** USD per million input/output tokens from the price table, null when it has none. */
  price: Nullable(Type.Object({ input_usd_per_million: DecimalString, output_usd_per_million: DecimalString })),
  /** The priorities whose route uses this model. */
  routes: Type.Array(Type.String()),
});

export const AiUsageRow = Type.Object({
  day: Type.String({ format: 'date' }),
  provider: Type.String(),
  /** With `by=dao`: the DAO's id (null for calls of no DAO); absent otherwise. */
  dao_id: Type.Optional(Nullable(Type.Integer())),
  calls: Type.Integer(),
  errors: Type.Integer(),
  input_tokens: Type.Integer(),
  output_tokens: Type.Integer(),
  /** Null when some of the calls were of a model without a price (see unpriced_calls). */
  cost_usd: Nullable(DecimalString),
  unpriced_calls: Type.Integer(),
});

export const AiServiceHealth = Type.Object({
  provider: Type.String(),
  status: StringEnum(['available', 'degraded', 'unavailable']),
  primary: Type.Boolean(),
  latency_ms: Nullable(Type.Number()),
  reason: Nullable(Type.String()),
});

export const DaoReportResponse = Type.Object({
  id: Type.Integer(),
  dao_id: Type.Integer(),
  provider: Type.String(),
  model: Type.String(),
  prompt_version: Type.String(),
  /** SHA-256 of the prompt version and the figures: the same figures reuse the stored report. */
  input_hash: Type.String(),
  priority: Nullable(Type.String()),
  /** Why the route's first provider did not write it (a failure, or a report citing numbers not in the figures). */
  fallback_reason: Nullable(Type.String()),
  input_tokens: Type.Integer(),
  output_tokens: Type.Integer(),
  cost_usd: Nullable(DecimalString),
  created_at: Timestamp,
  /** The narrative: plain text quoting the figures; rendered sanitized. */
  headline: Type.String(),
  paragraphs: Type.Array(Type.String()),
  /** The portal's figures of the window the narrative was written from; null where the data does not know. */
  figures: ReportFigures,
});
