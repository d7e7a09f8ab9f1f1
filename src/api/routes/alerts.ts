import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { listAlerts } from '../../db/queries/alerts.ts';
import type { ApiContext } from '../context.ts';
import { ALERT_STATUSES, OperatorAlert } from '../schemas/alerts.ts';
import { errorResponses, StringEnum, success } from '../schemas/common.ts';

/** Operator alerts (admins): each (rule, subject)'s state, firing ones first. */
export const alertRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app, { database }) => {
  app.get(
    '/alerts',
    {
      config: { permission: 'admin' },
      schema: {
        tags: ['health'],
        summary: 'Operator alerts: firing (critical, then warning) and resolved, newest change first',
        querystring: Type.Object(
          {
            status: Type.Optional(StringEnum(ALERT_STATUSES)),
            limit: Type.Integer({ minimum: 1, maximum: 1000, default: 200 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: success(Type.Array(OperatorAlert)), ...errorResponses },
      },
    },
    async (request) => {
      const rows = await listAlerts(database.db, { status: request.query.status, limit: request.query.limit });
      return {
        status: 'success' as const,
        data: rows.map((r) => ({
          rule: r.rule,
          subject: r.subject,
          status: r.level === 'ok' ? ('resolved' as const) : ('firing' as const),
          level: r.level,
          summary: r.summary,
          facts: r.facts,
          episode: r.episode,
          started_at: r.startedAt.toISOString(),
          changed_at: r.changedAt.toISOString(),
          resolved_at: r.resolvedAt?.toISOString() ?? null,
          notified_level: r.notifiedLevel,
          notified_at: r.notifiedAt?.toISOString() ?? null,
        })),
      };
    },
  );
};
