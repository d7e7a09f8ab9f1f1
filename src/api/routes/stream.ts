import type { ServerResponse } from 'node:http';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { getDao } from '../../db/queries/daos.ts';
import { UnavailableError } from '../../errors.ts';
import type { ApiContext } from '../context.ts';
import { TextParam } from '../schemas/common.ts';

/** A client that stops reading is dropped rather than buffered without bound. */
const MAX_BUFFERED = 1 << 20;

/**
 * Open streams allowed, in all and per client address. Each holds a socket, a subscription and
 * a heartbeat timer for as long as the client likes, so without a cap one client could hold
 * every file descriptor. 20 per address is a dashboard in many tabs; 1,000 in all stays well
 * under the usual 1,024-descriptor default with room for ordinary requests. Behind a reverse
 * proxy every client has the proxy's address, so the per-address cap applies to the proxy.
 */
export const STREAM_LIMITS = { total: 1000, perClient: 20 };

/**
 * Server-Sent Events: every live event (`event: <type>`, `data: <JSON>`) as it is stored, for
 * one DAO or all; a comment line every heartbeat keeps proxies from closing an idle stream.
 */
export const streamRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (
  app,
  { database, sync, streamHeartbeatMs, streamLimits = STREAM_LIMITS },
) => {
  const open = new Set<ServerResponse>();
  const perClient = new Map<string, number>();
  // Streams never end by themselves: close them so the server can shut down.
  app.addHook('preClose', async () => {
    for (const response of open) response.end();
  });

  app.get(
    '/stream',
    {
      config: { permission: 'read', requestTimeout: false },
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
      // From the checks to counting the stream nothing awaits, so concurrent requests cannot overshoot.
      const client = request.ip;
      if (open.size >= streamLimits.total) {
        reply.header('retry-after', '60');
        throw new UnavailableError(
          `The server has ${streamLimits.total} live streams open, its limit: try again later`,
        );
      }
      if ((perClient.get(client) ?? 0) >= streamLimits.perClient) {
        reply.header('retry-after', '60');
        throw new UnavailableError(
          `This address has ${streamLimits.perClient} live streams open, the limit per client: close one first`,
        );
      }
      perClient.set(client, (perClient.get(client) ?? 0) + 1);
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
        const left = (perClient.get(client) ?? 1) - 1;
        if (left > 0) perClient.set(client, left);
        else perClient.delete(client);
      });
    },
  );
};
