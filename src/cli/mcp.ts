import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createRegistry } from '../ai/registry.ts';
import { AiService } from '../ai/service.ts';
import { MetricReads } from '../api/reads/metrics.ts';
import { createMcpServer } from '../mcp/server.ts';
import { commandContext, openConfiguredDatabase } from './context.ts';

/** `dao-portal mcp`: the MCP server on stdin/stdout, as the local operator, until the client closes it. */
export async function mcpCommand(): Promise<void> {
  const { config, logger } = commandContext();
  const database = await openConfiguredDatabase(config);
  await database.migrate();
  const ai = new AiService(createRegistry(config.ai), database, logger, { prefix: config.sync.queuePrefix });
  const server = createMcpServer({ db: () => database.reader, metrics: new MetricReads(), ai });
  const closed = new Promise<void>((resolve) => {
    server.server.onclose = () => resolve();
  });
  await server.connect(new StdioServerTransport());
  process.stdin.once('end', () => void server.close());
  await closed;
  await ai.close();
  await database.close();
}
