import { Type } from '@sinclair/typebox';
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
  /** Why the first provider of the route did not answer, null when it did. */
  fallback_reason: Nullable(Type.String()),
  input_tokens: Type.Integer(),
  output_tokens: Type.Integer(),
  cost_usd: DecimalString,
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
});

export const AiUsageRow = Type.Object({
  day: Type.String({ format: 'date' }),
  provider: Type.String(),
  calls: Type.Integer(),
  errors: Type.Integer(),
  input_tokens: Type.Integer(),
  output_tokens: Type.Integer(),
  cost_usd: DecimalString,
});

export const AiServiceHealth = Type.Object({
  provider: Type.String(),
  status: StringEnum(['available', 'degraded', 'unavailable']),
  primary: Type.Boolean(),
  latency_ms: Nullable(Type.Number()),
  reason: Nullable(Type.String()),
});
