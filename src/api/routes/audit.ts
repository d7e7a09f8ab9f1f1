import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { type AuditFilter, type AuditRow, countAudit, listAudit } from '../../db/queries/audit.ts';
import type { ApiContext } from '../context.ts';
import { isExport, keysetRows, sendExport } from '../export.ts';
import { TimeParam, timeRange } from '../params.ts';
import { AuditEntry } from '../schemas/accounts.ts';
import { errorResponses, FormatQuery, PageQuery, successPage, TextParam } from '../schemas/common.ts';
import { paginate } from '../serialize.ts';

const EXPORT_BATCH = 5000;
const COLUMNS = Object.keys(AuditEntry.properties);

/** The audit log (admins): who did what to which resource, newest first; filterable, paginated, exportable. */
export const auditRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app, { database }) => {
  app.get(
    '/audit',
    {
      config: { permission: 'admin' },
      schema: {
        tags: ['auth'],
        summary: 'The audit log, newest first (sign-ins, keys, users, DAO changes, imports, syncs)',
        querystring: Type.Object(
          {
            ...PageQuery(1000),
            actor: Type.Optional(
              Type.Integer({ minimum: 1, maximum: 2 ** 31 - 1, description: 'User id of the actor' }),
            ),
            action: Type.Optional(
              TextParam({ minLength: 1, maxLength: 100, description: 'e.g. auth.login, dao.update, key.create' }),
            ),
            resource: Type.Optional(
              TextParam({ minLength: 1, maxLength: 200, description: 'e.g. dao:3, user:1, key:7' }),
            ),
            from: TimeParam('Start (inclusive)'),
            to: TimeParam('End (exclusive)'),
            ...FormatQuery,
          },
          { additionalProperties: false },
        ),
        response: { 200: successPage(Type.Array(AuditEntry)), ...errorResponses },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const filter: AuditFilter = { actorUserId: q.actor, action: q.action, resource: q.resource, ...timeRange(q) };
      if (isExport(q.format)) {
        const rows = keysetRows<AuditRow>(EXPORT_BATCH, (after) =>
          listAudit(database.db, filter, { limit: EXPORT_BATCH, ...(after ? { beforeId: after.id } : {}) }),
        );
        return sendExport(reply, q.format, 'audit', COLUMNS, rows as AsyncIterable<Record<string, unknown>>);
      }
      const [rows, total] = await Promise.all([
        listAudit(database.db, filter, { limit: q.per_page, offset: (q.page - 1) * q.per_page }),
        countAudit(database.db, filter),
      ]);
      return { status: 'success' as const, data: rows, pagination: paginate(q.page, q.per_page, total) };
    },
  );
};
