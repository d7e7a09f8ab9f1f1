import { analyzeOffline } from '../offline/analyze.ts';
import { offlineReport } from '../report/offline.ts';
import type { ReportNarrative } from '../report/schema.ts';
import type { AiProvider, AnalysisAnswer, AnalysisRequest, ModelInfo, ReportRequest } from '../types.ts';

/**
 * The offline provider: no network, no key, no cost. The default when nothing is configured and
 * the last fallback of every route. Its one model is the extractive analysis of src/ai/offline.
 */
export const OFFLINE_MODEL = 'textrank-wink-1';

export function offlineProvider(): AiProvider {
  return {
    name: 'offline',
    paid: false,
    defaultModel: OFFLINE_MODEL,
    async analyze(request: AnalysisRequest): Promise<AnalysisAnswer> {
      request.signal?.throwIfAborted();
      return {
        result: analyzeOffline(request.subject),
        model: OFFLINE_MODEL,
        usage: { inputTokens: 0, outputTokens: 0, reported: true },
      };
    },
    async report(request: ReportRequest): Promise<AnalysisAnswer<ReportNarrative>> {
      request.signal?.throwIfAborted();
      return {
        result: offlineReport(request.figures),
        model: OFFLINE_MODEL,
        usage: { inputTokens: 0, outputTokens: 0, reported: true },
      };
    },
    async listModels(): Promise<ModelInfo[]> {
      return [{ provider: 'offline', id: OFFLINE_MODEL, default: true }];
    },
    validateConfig: () => [],
  };
}
