import type { ServerResponse } from 'node:http';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { getDao } from '../../db/queries/daos.ts';
import type { ApiContext } from '../context.ts';
import { TextParam } from '../schemas/common.ts';

/** A client that stops reading is dropped rather than buffered without bound. */
const MAX_BUFFERED = 1 << 20;

/**
 * Server-Sent Events: every live event (`event: <type>`, `data: <JSON>`) as it is stored, for
 * one DAO or all; a comment line every heartbeat keeps proxies from closing an idle stream.
 */
export const streamRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (
  app,
  { database, sync, streamHeartbeatMs },
) => {
  const open = new Set<ServerResponse>();
  // Streams never end by themselves: close them so the server can shut down.
  app.addHook('preClose', async () => {
    for (const response of open) response.end();
  });

  app.get(
    '/stream',
    {
      schema: {
        tags: ['sync'],
        summary:
          'Live events (Server-Sent Events): proposal.created, proposal.updated, vote.cast, sync.finished, sync.failed',
        querystring: Type.Object(
          {
            dao: Type.Optional(TextParam({ minLength: 1, maxLength: 200, description: 'Only this DAO (id or slug)' })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const slug = request.query.dao ? (await getDao(database.db, request.query.dao)).slug : undefined;
      reply.hijack();
      const response = reply.raw;
      response.writeHead(200, {
        ...(reply.getHeaders() as Record<string, string>),
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'x-request-id': request.id,
      });
      response.write(': connected\n\n');
      open.add(response);

      const unsubscribe = sync.events.subscribe((event) => {
        if (slug && event.dao !== slug) return;
        if (response.writableLength > MAX_BUFFERED) return void response.destroy();
        response.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
      });
      const heartbeat = setInterval(() => response.write(': heartbeat\n\n'), streamHeartbeatMs);
      response.once('close', () => {
        clearInterval(heartbeat);
        unsubscribe();
        open.delete(response);
      });
    },
  );
};
