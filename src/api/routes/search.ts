import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { search } from '../../db/queries/search.ts';
import { type ApiContext, readDb } from '../context.ts';
import { errorResponses, success, TextParam } from '../schemas/common.ts';
import { SearchHit } from '../schemas/search.ts';

export const searchRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app, { database }) => {
  app.get(
    '/search',
    {
      config: { permission: 'read' },
      schema: {
        tags: ['daos', 'proposals'],
        summary: 'Full-text search over DAO names and descriptions and proposal titles and bodies, best matches first',
        querystring: Type.Object(
          {
            q: TextParam({
              minLength: 1,
              maxLength: 500,
              description: 'Words, "quoted phrases", OR, -excluded (web search syntax)',
            }),
            limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: success(Type.Array(SearchHit)), ...errorResponses },
      },
    },
    async (request) => ({
      status: 'success' as const,
      data: await search(readDb(database, request), request.query.q, request.query.limit),
    }),
  );
};
