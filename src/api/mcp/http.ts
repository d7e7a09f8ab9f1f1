import type { FastifyPluginAsync } from 'fastify';
import type { ApiContext } from '../context.ts';
import { readDb } from '../context.ts';
import { MetricReads } from '../reads/metrics.ts';

// The MCP SDK and its schemas are loaded by the first MCP call, not when the server starts.
const loadMcp = () =>
  Promise.all([import('@modelcontextprotocol/sdk/server/streamableHttp.js'), import('./server.ts')]);

/**
 * POST /mcp: the MCP server over Streamable HTTP, stateless (a server and transport per request).
 * The route declares the `read` permission, so the API's one security hook identifies the caller
 * (Authorization: Bearer <API key>) and refuses an anonymous call when PUBLIC_READ=false; the
 * API's rate limit counts it like any API request.
 */
export const mcpRoutes: FastifyPluginAsync<ApiContext> = async (app, { database, ai, ens }) => {
  const metrics = new MetricReads();
  app.post('/mcp', { config: { permission: 'read' }, schema: { hide: true } }, async (request, reply) => {
    const [{ StreamableHTTPServerTransport }, { createMcpServer }] = await loadMcp();
    const server = createMcpServer({ db: () => readDb(database, request), metrics, ai, ens });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    reply.hijack();
    reply.raw.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(request.raw, reply.raw, request.body);
  });
};
