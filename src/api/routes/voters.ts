import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { type ApiContext, readDb } from '../context.ts';
import { voterProfile } from '../reads/voters.ts';
import { errorResponses, PageQuery, successPage, TextParam } from '../schemas/common.ts';
import { VoterParam, VoterProfile } from '../schemas/voters.ts';

export const voterRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app, { database, ens }) => {
  app.get(
    '/voters/:address',
    {
      config: { permission: 'read' },
      schema: {
        tags: ['voters'],
        summary:
          'A voter or delegate across every DAO: its votes (newest first, paged), how often it voted with the outcome, its delegators and delegated power',
        params: VoterParam,
        querystring: Type.Object(
          {
            ...PageQuery(100),
            dao: Type.Optional(
              TextParam({ minLength: 1, maxLength: 200, description: 'only votes in this DAO (id or slug)' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: successPage(VoterProfile), ...errorResponses },
      },
    },
    async (request) => ({
      status: 'success' as const,
      ...(await voterProfile(readDb(database, request), request.params.address, request.query, ens)),
    }),
  );
};
