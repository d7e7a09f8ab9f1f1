import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { ApiContext } from '../context.ts';
import { AiServiceHealth } from '../schemas/ai.ts';
import { success } from '../schemas/common.ts';

const LIST_TIMEOUT_MS = 5000;

/** `/health/ai-services`: each provider available, degraded or unavailable, with latency and the reason. */
export const aiHealthRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app, { ai }) => {
  app.get(
    '/health/ai-services',
    {
      schema: {
        tags: ['health'],
        summary: 'Each AI provider: available, degraded or unavailable, with latency and the reason',
        response: { 200: success(Type.Array(AiServiceHealth)) },
      },
    },
    async () => {
      const data = [];
      const budget = await ai.budgetState();
      for (const provider of ai.registry.all()) {
        const primary = provider.name === ai.registry.primary;
        const problems = provider.validateConfig();
        if (problems.length > 0) {
          data.push({
            provider: provider.name,
            status: 'unavailable' as const,
            primary,
            latency_ms: null,
            reason: problems.map((p) => `${p.variable}: ${p.message}`).join('; '),
          });
          continue;
        }
        const started = performance.now();
        try {
          await provider.listModels(AbortSignal.timeout(LIST_TIMEOUT_MS));
          const latency = Math.round((performance.now() - started) * 10) / 10;
          // Up, but the router skips it for now: its circuit is open, or its calls are over today's budget.
          const circuit = ai.registry.gate(provider.name)?.circuit ?? 'closed';
          const degraded =
            circuit !== 'closed'
              ? `circuit ${circuit} after repeated failures`
              : provider.paid && budget.exhausted
                ? `AI_DAILY_BUDGET_USD ${budget.budgetUsd} is spent for ${budget.day} (${budget.costUsd} USD): paid calls wait for tomorrow`
                : null;
          data.push({
            provider: provider.name,
            status: degraded ? ('degraded' as const) : ('available' as const),
            primary,
            latency_ms: latency,
            reason: degraded,
          });
        } catch (error) {
          data.push({
            provider: provider.name,
            status: 'unavailable' as const,
            primary,
            latency_ms: Math.round(performance.now() - started),
            reason: (error as Error).message.slice(0, 500),
          });
        }
      }
      return { status: 'success' as const, data };
    },
  );
};
