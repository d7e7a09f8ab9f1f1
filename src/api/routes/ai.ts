import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { PRIORITIES } from '../../ai/types.ts';
import { roleOf } from '../../auth/accounts.ts';
import { allows } from '../../auth/roles.ts';
import { usageByDay, usageByDayAndDao } from '../../db/queries/ai.ts';
import { getDao } from '../../db/queries/daos.ts';
import { getProposal } from '../../db/queries/governance.ts';
import { snapWindow } from '../../db/queries/metrics.ts';
import { ForbiddenError, UnauthenticatedError, ValidationError } from '../../errors.ts';
import type { ApiContext } from '../context.ts';
import { TimeParam, timeRange } from '../params.ts';
import {
  AiModel,
  AiUsageRow,
  AnalysisJob,
  AnalysisRequestBody,
  DaoReportResponse,
  ProposalAnalysisResponse,
  ProviderNameSchema,
} from '../schemas/ai.ts';
import { errorResponses, IdParam, StringEnum, success } from '../schemas/common.ts';
import { analysisToApi, jobToApi, reportToApi } from '../serialize.ts';

const MODELS_TIMEOUT_MS = 5000;
/** The report's window when from is not given: the 90 whole UTC days up to `to` (default now). */
export const REPORT_DEFAULT_DAYS = 90;

const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** A calendar day from 1970-01-01 to 2999-12-31, as the API's other times. */
function day(value: string, parameter: string): string {
  const t = Date.parse(`${value}T00:00:00Z`);
  if (
    Number.isNaN(t) ||
    value < '1970-01-01' ||
    value > '2999-12-31' ||
    new Date(t).toISOString().slice(0, 10) !== value
  )
    throw new ValidationError(`${parameter} must be a day from 1970-01-01 to 2999-12-31`, [
      { in: 'query', parameter, message: 'must be a day from 1970-01-01 to 2999-12-31' },
    ]);
  return value;
}

export const aiRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app, { database, ai }) => {
  app.get(
    '/proposals/:id/analysis',
    {
      config: { permission: 'read' },
      schema: {
        tags: ['ai'],
        summary:
          "A proposal's newest analysis (made offline on first read when none is stored) and its latest analysis job",
        params: IdParam,
        response: { 200: success(ProposalAnalysisResponse), ...errorResponses },
      },
    },
    async (request) => {
      const proposal = await getProposal(database.db, request.params.id);
      const { analysis, job } = await ai.currentAnalysis(proposal.id);
      return {
        status: 'success' as const,
        data: { analysis: analysisToApi(analysis), job: job ? jobToApi(job) : null },
      };
    },
  );

  app.post(
    '/proposals/:id/analysis',
    {
      config: { permission: 'write' },
      schema: {
        tags: ['ai'],
        summary: 'Queue a new analysis of a proposal; answers 202 with the job (poll GET …/analysis)',
        params: IdParam,
        body: Type.Optional(AnalysisRequestBody),
        response: { 202: success(AnalysisJob), ...errorResponses },
      },
    },
    async (request, reply) => {
      const proposal = await getProposal(database.db, request.params.id);
      const body = request.body ?? {};
      if (body.provider !== undefined && !ai.registry.get(body.provider))
        throw new ValidationError(`provider '${body.provider}' is not configured`, [
          {
            in: 'body',
            parameter: 'provider',
            message: `is not configured; configured: ${ai.registry
              .all()
              .map((p) => p.name)
              .join(', ')}`,
          },
        ]);
      const identity = request.identity;
      const userId = identity.kind === 'anonymous' ? null : identity.user.id;
      const job = await ai.enqueue(proposal.id, { priority: body.priority, provider: body.provider }, userId);
      return reply.status(202).send({ status: 'success' as const, data: jobToApi(job) });
    },
  );

  app.get(
    '/daos/:id/report',
    {
      config: { permission: 'read' },
      schema: {
        tags: ['ai'],
        summary:
          "A DAO's governance report over [from, to) (whole UTC days; default the last 90 days): the portal's figures and a narrative that cites only them",
        description: [
          'The newest stored report of the same figures is returned to anyone. When none is stored, an editor or admin',
          'gets one written along the AI route (the configured provider, its fallbacks, offline last; limits, budget and',
          'cost as for proposal summaries), anyone else the offline report (free, local, figures only). `priority` or',
          '`provider` (editors and admins) writes a new report along that route even when one is stored (each step',
          'still reuses its own stored report). A narrative citing a number not in the figures is refused, asked for',
          'once more, and then replaced by the offline report; `fallback_reason` says so.',
        ].join(' '),
        params: IdParam,
        querystring: Type.Object(
          {
            from: TimeParam('Window start (inclusive; default 90 days before to)'),
            to: TimeParam('Window end (exclusive; default now)'),
            priority: Type.Optional(
              StringEnum(PRIORITIES, { description: 'Write a new report by this route (editors and admins)' }),
            ),
            provider: Type.Optional(ProviderNameSchema),
          },
          { additionalProperties: false },
        ),
        response: { 200: success(DaoReportResponse), ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const range = timeRange(q);
      const to = range.to ?? new Date();
      // Default: the 90 whole UTC days up to `to` (today included when `to` is now).
      const from =
        range.from ?? new Date(Math.max(0, snapWindow(undefined, to).to!.getTime() - REPORT_DEFAULT_DAYS * 86_400_000));
      if (from > to)
        throw new ValidationError('from must not be after to', [
          { in: 'query', parameter: 'from', message: 'is after to (to defaults to now)' },
        ]);
      const window = snapWindow(from, to);
      // A report of no day at all would have nothing to say (and no date it could cite).
      if (window.from!.getTime() >= window.to!.getTime())
        throw new ValidationError('to must be after from: the window holds no whole day', [
          { in: 'query', parameter: 'to', message: 'leaves an empty window (from and to are the same day start)' },
        ]);
      const dao = await getDao(database.db, request.params.id);
      const role = roleOf(request.identity);
      const editor = allows(role, 'write', false);
      const asked = q.priority !== undefined || q.provider !== undefined;
      if (asked && role === undefined) throw new UnauthenticatedError();
      if (asked && !editor)
        throw new ForbiddenError(
          "writing a new report by priority or provider needs the 'write' permission (editors and admins)",
        );
      if (q.provider !== undefined && !ai.registry.get(q.provider))
        throw new ValidationError(`provider '${q.provider}' is not configured`, [
          { in: 'query', parameter: 'provider', message: 'is not configured' },
        ]);
      const { analysis } = await ai.daoReport(dao, window, {
        mode: editor ? 'route' : 'offline',
        fresh: asked,
        priority: q.priority,
        provider: q.provider,
      });
      return { status: 'success' as const, data: reportToApi(analysis) };
    },
  );

  app.get(
    '/ai/models',
    {
      config: { permission: 'read' },
      schema: {
        tags: ['ai'],
        summary:
          'The models of every configured AI provider, with their price and the routes that use them (a provider that does not answer is left out; see /health/ai-services)',
        response: { 200: success(Type.Array(AiModel)), ...errorResponses },
      },
    },
    async (request) => {
      const routes = new Map<string, string[]>();
      for (const priority of PRIORITIES)
        for (const step of ai.registry.route(priority)) {
          const key = `${step.provider.name}:${step.model}`;
          routes.set(key, [...(routes.get(key) ?? []), priority]);
        }
      const lists = await Promise.all(
        ai.registry.all().map(async (p) => {
          if (p.validateConfig().length > 0) return [];
          try {
            return await p.listModels(AbortSignal.timeout(MODELS_TIMEOUT_MS));
          } catch (error) {
            request.log.warn({ err: error, provider: p.name }, 'AI provider did not list its models');
            return [];
          }
        }),
      );
      const data = lists.flat().map((m) => {
        const price = ai.registry.prices.price(m.provider, m.id);
        return {
          provider: m.provider,
          id: m.id,
          default: m.default,
          price: price ? { input_usd_per_million: price.input, output_usd_per_million: price.output } : null,
          routes: routes.get(`${m.provider}:${m.id}`) ?? [],
        };
      });
      return { status: 'success' as const, data };
    },
  );

  app.get(
    '/ai/usage',
    {
      config: { permission: 'admin' },
      schema: {
        tags: ['ai'],
        summary:
          'AI calls, tokens, cost and errors by day and provider, or also by DAO (admins; default: the last 30 days)',
        querystring: Type.Object(
          {
            from: Type.Optional(Type.String({ pattern: DAY.source, description: 'First day, YYYY-MM-DD' })),
            to: Type.Optional(Type.String({ pattern: DAY.source, description: 'Last day, YYYY-MM-DD' })),
            by: Type.Optional(
              StringEnum(['provider', 'dao'], { description: 'dao: one row per day, provider and DAO' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: success(Type.Array(AiUsageRow)), ...errorResponses },
      },
    },
    async (request) => {
      const to = request.query.to !== undefined ? day(request.query.to, 'to') : new Date().toISOString().slice(0, 10);
      const from =
        request.query.from !== undefined
          ? day(request.query.from, 'from')
          : new Date(Math.max(0, Date.parse(to) - 29 * 86_400_000)).toISOString().slice(0, 10);
      if (from > to)
        throw new ValidationError('from must be a day on or before to', [
          { in: 'query', parameter: 'from', message: 'must be a valid day on or before to' },
        ]);
      const byDao = request.query.by === 'dao';
      const rows: (Awaited<ReturnType<typeof usageByDay>>[number] & { daoId?: number })[] = byDao
        ? await usageByDayAndDao(database.db, from, to)
        : await usageByDay(database.db, from, to);
      return {
        status: 'success' as const,
        data: rows.map((r) => ({
          day: r.day,
          provider: r.provider,
          ...(byDao ? { dao_id: r.daoId || null } : {}),
          calls: r.calls,
          errors: r.errors,
          input_tokens: Number(r.inputTokens),
          output_tokens: Number(r.outputTokens),
          // A total with calls of an unpriced model in it is not known.
          cost_usd: r.unpricedCalls > 0 ? null : r.costUsd,
          unpriced_calls: r.unpricedCalls,
        })),
      };
    },
  );
};
