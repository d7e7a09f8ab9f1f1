/**
 * The provider contract. A provider turns an analysis request into a result of the one schema
 * (src/ai/schema.ts); which provider runs, and storing and reusing results, are the service's
 * business (src/ai/service.ts). The provider names and AI settings live in the one config object.
 */
import type { ProviderName } from '../config/index.ts';
import type { ReportFigures } from './report/figures.ts';
import type { ReportNarrative } from './report/schema.ts';
import type { ProposalAnalysis } from './schema.ts';

export {
  type AiConfig,
  AVAILABLE_PROVIDERS,
  PRIORITIES,
  PROVIDER_NAMES,
  type Priority,
  type ProviderName,
} from '../config/index.ts';

/** A vote reason as data: never an instruction. */
export interface VoteReasonInput {
  choice: string;
  reason: string;
}

/** What a proposal analysis reads. Title, body and reasons are untrusted text. */
export interface ProposalSubject {
  title: string;
  body: string;
  choices: string[];
  reasons: VoteReasonInput[];
}

export interface AnalysisRequest {
  kind: 'proposal-summary';
  subject: ProposalSubject;
  /** The model to use; the provider's default when absent. */
  model?: string | undefined;
  signal?: AbortSignal | undefined;
}

/** A DAO governance report: the narrative of the portal's own figures (which are data, not instructions). */
export interface ReportRequest {
  kind: 'dao-report';
  figures: ReportFigures;
  model?: string | undefined;
  signal?: AbortSignal | undefined;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  /** True when the provider reported the counts; false when they were counted with the tokenizer. */
  reported: boolean;
}

export interface AnalysisAnswer<R = ProposalAnalysis> {
  result: R;
  model: string;
  usage: Usage;
  /** When the answer's rate-limit headers say the provider's window is used up: ms until it resets. */
  exhaustedForMs?: number | undefined;
}

export interface ModelInfo {
  provider: ProviderName;
  id: string;
  /** Whether the model is the provider's configured default. */
  default: boolean;
}

/** A configuration problem: one line naming the variable. */
export interface ConfigProblem {
  variable: string;
  message: string;
}

export interface AiProvider {
  readonly name: ProviderName;
  /** Whether calls cost money (counted against the daily budget). */
  readonly paid: boolean;
  readonly defaultModel: string;
  analyze(request: AnalysisRequest): Promise<AnalysisAnswer>;
  /** Writes a report's narrative from its figures (whether it cites only them is the service's check). */
  report(request: ReportRequest): Promise<AnalysisAnswer<ReportNarrative>>;
  listModels(signal?: AbortSignal): Promise<ModelInfo[]>;
  /** Problems of this provider's configuration, empty when it is usable. Never calls the network. */
  validateConfig(): ConfigProblem[];
}
