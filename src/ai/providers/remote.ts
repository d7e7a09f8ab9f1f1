import type { TSchema } from '@sinclair/typebox';
import { ProviderError } from '../../errors.ts';
import { exhaustedForMs } from '../failure.ts';
import {
  type ChatMessage,
  completeAnalysis,
  countMessageTokens,
  countTextTokens,
  ModelAnswer,
  parseModelAnswer,
  proposalMessages,
} from '../prompt.ts';
import { parseReportAnswer, reportMessages } from '../report/prompt.ts';
import { ReportNarrative } from '../report/schema.ts';
import type {
  AiProvider,
  AnalysisAnswer,
  AnalysisRequest,
  ConfigProblem,
  ModelInfo,
  ProviderName,
  ReportRequest,
} from '../types.ts';

/** What one chat call of a provider's client returns. */
export interface ChatReply {
  text: string;
  /** Token counts as the provider reported them, undefined when it did not. */
  inputTokens?: number | undefined;
  outputTokens?: number | undefined;
  headers?: Headers | undefined;
}

export interface RemoteClient {
  name: ProviderName;
  paid: boolean;
  defaultModel: string;
  /** `schema`: the JSON schema the answer must match (for servers that hold the model to one). */
  chat(messages: ChatMessage[], model: string, signal: AbortSignal | undefined, schema: TSchema): Promise<ChatReply>;
  models(signal: AbortSignal | undefined): Promise<string[]>;
  problems(): ConfigProblem[];
}

/**
 * A remote provider from its client: the one prompt (src/ai/prompt.ts), the answer checked
 * against the narrative schema (an answer that is not is an `invalid-output` failure, so the
 * router falls back), usage as reported or else counted with the GPT tokenizer.
 */
export function remoteProvider(client: RemoteClient): AiProvider {
  /** One chat call: the answer read by `parse`, usage as reported or else counted. */
  async function ask<R>(
    messages: ChatMessage[],
    request: { model?: string | undefined; signal?: AbortSignal | undefined },
    schema: TSchema,
    parse: (text: string) => R,
  ): Promise<AnalysisAnswer<R>> {
    const model = request.model ?? client.defaultModel;
    const reply = await client.chat(messages, model, request.signal, schema);
    const usage = {
      inputTokens: reply.inputTokens ?? (await countMessageTokens(messages)),
      outputTokens: reply.outputTokens ?? (await countTextTokens(reply.text)),
    };
    let result: R;
    try {
      result = parse(reply.text);
    } catch (error) {
      const refused = new ProviderError(client.name, 'invalid-output', (error as Error).message);
      refused.usage = usage;
      throw refused;
    }
    const reported = reply.inputTokens !== undefined && reply.outputTokens !== undefined;
    return { result, model, usage: { ...usage, reported }, exhaustedForMs: exhaustedForMs(reply.headers) };
  }
  return {
    name: client.name,
    paid: client.paid,
    defaultModel: client.defaultModel,
    async analyze(request: AnalysisRequest): Promise<AnalysisAnswer> {
      const answer = await ask(proposalMessages(request.subject), request, ModelAnswer, parseModelAnswer);
      return { ...answer, result: completeAnalysis(answer.result, request.subject) };
    },
    report: (request: ReportRequest): Promise<AnalysisAnswer<ReportNarrative>> =>
      ask(reportMessages(request.figures), request, ReportNarrative, parseReportAnswer),
    async listModels(signal?: AbortSignal): Promise<ModelInfo[]> {
      const ids = await client.models(signal);
      return ids.map((id) => ({ provider: client.name, id, default: id === client.defaultModel }));
    },
    validateConfig: () => client.problems(),
  };
}
