import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/api/server.ts';
import { loadConfig } from '../src/config/index.ts';
import { openDatabase } from '../src/db/index.ts';
import { signIn } from './helpers/auth.ts';
import { databaseTargets, repoRoot, type TestDatabase } from './helpers/db.ts';
import { convertedNdjson, importText } from './helpers/fixtures.ts';

const DELEGATE = '0x9dab43bc15bd29cfe3030ca1b7edb3eeb9f3b6c1';

type Tool = { name: string; args: Record<string, unknown>; rest: string };

async function connectHttp(url: string, headers: Record<string, string> = {}) {
  const client = new Client({ name: 'mcp-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
}

const text = (result: object) => (result as { content: Array<{ text: string }> }).content[0]!.text;

describe.each(databaseTargets())('MCP server on $kind', (target) => {
  let database: TestDatabase;
  let dataDir: string | undefined;
  let app: FastifyInstance;
  let url: string;
  let tools: Tool[];

  beforeAll(async () => {
    if (target.kind === 'pglite') {
      // A data directory of its own, so the stdio child can open it once this process closes it.
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-mcp-'));
      const opened = await openDatabase({ dataDir });
      await opened.migrate();
      database = Object.assign(opened, { destroy: () => opened.close() });
    } else database = await target.open();
    await importText(database, convertedNdjson('decentraland'), { source: 'decentraland' });
    const auth = { ...loadConfig({}).auth, rateLimitPerMinute: 10_000 };
    app = await buildServer({ config: { corsOrigins: [], bodyLimit: 1 << 20, auth }, database, logger: false });
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    const dao = (await (await fetch(`${url}/api/v1/daos`)).json()).data[0];
    const proposal = (await (await fetch(`${url}/api/v1/daos/${dao.slug}/proposals?sort=votes`)).json()).data[0];
    tools = [
      { name: 'search', args: { q: 'grant', limit: 5 }, rest: '/api/v1/search?q=grant&limit=5' },
      { name: 'list_daos', args: {}, rest: '/api/v1/daos' },
      { name: 'get_dao', args: { id: dao.slug }, rest: `/api/v1/daos/${dao.slug}` },
      { name: 'dao_summary', args: { id: dao.slug }, rest: `/api/v1/daos/${dao.slug}/metrics/summary` },
      { name: 'compare_daos', args: { dao_ids: dao.slug }, rest: `/api/v1/metrics/comparison?dao_ids=${dao.slug}` },
      {
        name: 'list_proposals',
        args: { dao: dao.slug, per_page: 5 },
        rest: `/api/v1/daos/${dao.slug}/proposals?per_page=5`,
      },
      { name: 'get_proposal', args: { id: String(proposal.id) }, rest: `/api/v1/proposals/${proposal.id}` },
      {
        name: 'proposal_votes',
        args: { id: String(proposal.id), per_page: 10 },
        rest: `/api/v1/proposals/${proposal.id}/votes?per_page=10`,
      },
      { name: 'dao_voters', args: { dao: dao.slug }, rest: `/api/v1/daos/${dao.slug}/voters` },
      { name: 'dao_delegates', args: { dao: dao.slug }, rest: `/api/v1/daos/${dao.slug}/delegates` },
      { name: 'voter_profile', args: { address: DELEGATE }, rest: `/api/v1/voters/${DELEGATE}` },
      { name: 'treasury', args: { dao: dao.slug }, rest: `/api/v1/daos/${dao.slug}/treasury` },
      {
        name: 'proposal_analysis',
        args: { id: String(proposal.id) },
        rest: `/api/v1/proposals/${proposal.id}/analysis`,
      },
    ];
  }, 180_000);

  afterAll(async () => {
    await app?.close();
    await database?.destroy().catch(() => {});
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists every tool over HTTP and answers each as its REST route does', async () => {
    const client = await connectHttp(`${url}/mcp`);
    try {
      const listed = (await client.listTools()).tools;
      expect(listed.map((t) => t.name).sort()).toEqual(tools.map((t) => t.name).sort());
      for (const t of listed) expect(t.description, t.name).toMatch(/Returns/);
      for (const tool of tools) {
        const result = await client.callTool({ name: tool.name, arguments: tool.args });
        expect(result.isError, `${tool.name}: ${text(result).slice(0, 300)}`).toBeFalsy();
        const rest = await (await fetch(`${url}${tool.rest}`)).json();
        expect(rest.status, tool.rest).toBe('success');
        expect(JSON.parse(text(result)), tool.name).toEqual(rest);
      }
    } finally {
      await client.close();
    }
  }, 60_000);

  it('names the bad argument in a tool error, and a missing DAO in the error envelope', async () => {
    const client = await connectHttp(`${url}/mcp`);
    try {
      const bad = await client.callTool({ name: 'proposal_votes', arguments: { id: '1', per_page: 5000 } });
      expect(bad.isError).toBe(true);
      expect(text(bad)).toContain('per_page');
      const address = await client.callTool({ name: 'voter_profile', arguments: { address: 'nope' } });
      expect(address.isError).toBe(true);
      expect(text(address)).toContain('address');
      const missing = await client.callTool({ name: 'get_dao', arguments: { id: 'no-such-dao' } });
      expect(missing.isError).toBe(true);
      expect(JSON.parse(text(missing)).error.code).toBe('NOT_FOUND');
    } finally {
      await client.close();
    }
  });

  it('refuses an anonymous HTTP call with 401 when PUBLIC_READ=false and answers with an API key', async () => {
    const auth = { ...loadConfig({}).auth, publicRead: false };
    const closed = await buildServer({
      config: { corsOrigins: [], bodyLimit: 1 << 20, auth },
      database,
      logger: false,
    });
    try {
      await closed.listen({ port: 0, host: '127.0.0.1' });
      const base = `http://127.0.0.1:${(closed.server.address() as { port: number }).port}`;
      const anonymous = await fetch(`${base}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      });
      expect(anonymous.status).toBe(401);
      expect((await anonymous.json()).error.code).toBe('UNAUTHENTICATED');
      await expect(connectHttp(`${base}/mcp`)).rejects.toThrow();
      const { key } = await signIn(closed, database, 'viewer');
      const client = await connectHttp(`${base}/mcp`, key);
      try {
        const result = await client.callTool({ name: 'list_daos', arguments: {} });
        expect(result.isError).toBeFalsy();
        expect(JSON.parse(text(result)).data.length).toBeGreaterThan(0);
      } finally {
        await client.close();
      }
    } finally {
      await closed.close();
    }
  }, 30_000);

  it('serves the same tools over stdio from the real CLI', async () => {
    const expected = await (await fetch(`${url}/api/v1/voters/${DELEGATE}`)).json();
    const daos = await (await fetch(`${url}/api/v1/daos`)).json();
    // PGlite admits one process per data directory: this process lets go of it first.
    if (dataDir) {
      await app.close();
      await database.close();
    }
    const env: Record<string, string> = { PATH: process.env.PATH!, LOG_LEVEL: 'silent' };
    if (dataDir) env.DATA_DIR = dataDir;
    else env.DATABASE_URL = database.url!;
    const client = new Client({ name: 'mcp-test', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({ command: process.execPath, args: ['bin/dao-portal.js', 'mcp'], cwd: repoRoot, env }),
    );
    try {
      const listed = (await client.listTools()).tools;
      expect(listed.length).toBe(tools.length);
      const profile = await client.callTool({ name: 'voter_profile', arguments: { address: DELEGATE } });
      expect(JSON.parse(text(profile))).toEqual(expected);
      const list = await client.callTool({ name: 'list_daos', arguments: {} });
      expect(JSON.parse(text(list))).toEqual(daos);
      const bad = await client.callTool({ name: 'get_dao', arguments: { id: '' } });
      expect(bad.isError).toBe(true);
      expect(text(bad)).toContain('id');
    } finally {
      await client.close();
    }
  }, 60_000);
});
