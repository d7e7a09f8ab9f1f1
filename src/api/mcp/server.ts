import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { AiService } from '../../ai/service.ts';
import type { Db } from '../../db/index.ts';
import { DAO_SORTS, type DaoSort, getDao } from '../../db/queries/daos.ts';
import {
  getProposal,
  PROPOSAL_SORTS,
  type ProposalSort,
  VOTE_SORTS,
  type VoteSort,
} from '../../db/queries/governance.ts';
import { search } from '../../db/queries/search.ts';
import type { EnsNames } from '../../ens/names.ts';
import { AppError } from '../../errors.ts';
import { PROPOSAL_STATES } from '../../metrics/proposal-states.ts';
import { VERSION } from '../../version.ts';
import { daoDetail, daoPage } from '../reads/daos.ts';
import { boards, leaderboardPage } from '../reads/leaderboards.ts';
import type { MetricReads } from '../reads/metrics.ts';
import { proposalDetail, proposalPage, votePage } from '../reads/proposals.ts';
import { treasuryOf } from '../reads/treasury.ts';
import { voterProfile } from '../reads/voters.ts';
import { analysisToApi, jobToApi } from '../serialize.ts';

/** What the tools read: the database handle, the metric reads (with their cache) and the AI service. */
export interface McpContext {
  db: () => Db;
  metrics: MetricReads;
  ai: AiService;
  /** ENS names for the voter profile; absent (the stdio server), every `ens` is null. */
  ens?: EnsNames | undefined;
}

const id = (what: string) => z.string().min(1).max(200).describe(`${what} id or slug`);
const page = z.number().int().min(1).max(100_000).default(1).describe('Page number');
const perPage = (max: number) =>
  z.number().int().min(1).max(max).default(20).describe(`Items per page (at most ${max})`);
const order = z.enum(['asc', 'desc']).default('desc');
const time = (what: string) => z.string().max(40).optional().describe(`${what} (ISO 8601 time or day)`);
const keys = (o: object) => Object.keys(o) as [string, ...string[]];

/** The REST answer's envelope as the tool's text; an AppError as the API's error envelope, marked isError. */
async function answer(work: () => Promise<{ data: unknown; pagination?: unknown }>): Promise<CallToolResult> {
  try {
    const result = await work();
    return { content: [{ type: 'text', text: JSON.stringify({ status: 'success', ...result }) }] };
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    const envelope = { status: 'error', error: { code: error.code, message: error.message, details: error.details } };
    return { isError: true, content: [{ type: 'text', text: JSON.stringify(envelope) }] };
  }
}

/** The MCP server over the read API: each tool calls the function its REST route calls. */
export function createMcpServer(context: McpContext): McpServer {
  const server = new McpServer({ name: 'dao-portal', version: VERSION });
  const db = () => context.db();
  const leaderboard = (name: string) => boards.find((b) => b.name === name)!;

  server.registerTool(
    'search',
    {
      description:
        'Full-text search over DAO names and descriptions and proposal titles and bodies, best first. Returns {status, data: [{kind, id, dao_id, title, snippet, rank, ...}]} as GET /api/v1/search.',
      inputSchema: { q: z.string().min(1).max(500), limit: z.number().int().min(1).max(100).default(20) },
    },
    ({ q, limit }) => answer(async () => ({ data: await search(db(), q, limit) })),
  );
  server.registerTool(
    'list_daos',
    {
      description:
        'DAOs with their headline figures, paged. Returns {status, data: [DAO], pagination} as GET /api/v1/daos.',
      inputSchema: {
        page,
        per_page: perPage(100),
        sort: z.enum(keys(DAO_SORTS)).default('total_members'),
        order,
        chain: z.string().max(50).optional(),
        search: z.string().min(1).max(200).optional().describe('Case-insensitive match on the name'),
      },
    },
    (q) => answer(() => daoPage(db(), { ...q, sort: q.sort as DaoSort })),
  );
  server.registerTool(
    'get_dao',
    {
      description:
        'One DAO with what its stored data covers. Returns {status, data: DAO & {coverage}} as GET /api/v1/daos/{id}.',
      inputSchema: { id: id('DAO') },
    },
    ({ id }) => answer(async () => ({ data: await daoDetail(db(), id) })),
  );
  server.registerTool(
    'dao_summary',
    {
      description:
        'Every governance and treasury metric of one DAO over [from, to): activity, participation, outcomes, concentration, delegates, treasury. Returns {status, data: Summary} as GET /api/v1/daos/{id}/metrics/summary.',
      inputSchema: { id: id('DAO'), from: time('Window start'), to: time('Window end') },
    },
    ({ id, from, to }) => answer(async () => ({ data: await context.metrics.summary(db(), id, { from, to }) })),
  );
  server.registerTool(
    'compare_daos',
    {
      description:
        "DAO summaries side by side with each DAO's rank per metric (1 = best) and the peer median. Returns {status, data: {metrics, daos, median}} as GET /api/v1/metrics/comparison.",
      inputSchema: {
        dao_ids: z.string().min(1).max(2000).describe('Comma-separated DAO ids or slugs (at most 50)'),
        from: time('Window start'),
        to: time('Window end'),
      },
    },
    ({ dao_ids, from, to }) =>
      answer(async () => ({ data: await context.metrics.comparison(db(), dao_ids, { from, to }) })),
  );
  server.registerTool(
    'list_proposals',
    {
      description:
        "A DAO's proposals, paged. Returns {status, data: [ProposalSummary], pagination} as GET /api/v1/daos/{id}/proposals.",
      inputSchema: {
        dao: id('DAO'),
        page,
        per_page: perPage(100),
        state: z.enum(PROPOSAL_STATES).optional(),
        sort: z.enum(keys(PROPOSAL_SORTS)).default('start'),
        order,
      },
    },
    ({ dao, ...q }) =>
      answer(async () => proposalPage(db(), await getDao(db(), dao), { ...q, sort: q.sort as ProposalSort })),
  );
  server.registerTool(
    'get_proposal',
    {
      description:
        'One proposal with its body, per-choice tallies, voter count and total voting power. Returns {status, data: ProposalDetail} as GET /api/v1/proposals/{id}.',
      inputSchema: { id: id('Proposal') },
    },
    ({ id }) => answer(async () => ({ data: await proposalDetail(db(), id) })),
  );
  server.registerTool(
    'proposal_votes',
    {
      description:
        "A proposal's stored votes, paged (pass pagination.next_cursor as cursor for the next page). Returns {status, data: [Vote], pagination} as GET /api/v1/proposals/{id}/votes.",
      inputSchema: {
        id: id('Proposal'),
        page,
        per_page: perPage(1000),
        sort: z.enum(keys(VOTE_SORTS)).default('voting_power'),
        order,
        cursor: z.string().max(500).optional(),
        choice: z.number().int().min(1).max(1000).optional(),
        voter: z
          .string()
          .min(1)
          .max(66)
          .regex(/^(?:0x)?[0-9a-fA-F]*$/)
          .optional(),
      },
    },
    ({ id, ...q }) =>
      answer(async () => votePage(db(), await getProposal(db(), id), { ...q, sort: q.sort as VoteSort })),
  );
  for (const name of ['voters', 'delegates'] as const) {
    const board = leaderboard(name);
    server.registerTool(
      `dao_${name}`,
      {
        description: `${board.summary}. Returns {status, data, pagination} as GET /api/v1/daos/{id}/${name}.`,
        inputSchema: {
          dao: id('DAO'),
          page,
          per_page: perPage(1000),
          sort: z.enum(keys(board.sorts)).default(board.defaultSort),
          order,
        },
      },
      ({ dao, ...q }) =>
        answer(async () => leaderboardPage(board, db(), (await getDao(db(), dao)).id, q as typeof q & { sort: never })),
    );
  }
  server.registerTool(
    'voter_profile',
    {
      description:
        'A voter or delegate across every DAO: votes (newest first, paged), alignment with outcomes, delegations, delegators and power history. Returns {status, data: VoterProfile, pagination} as GET /api/v1/voters/{address}.',
      inputSchema: {
        address: z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x address of 40 hex digits'),
        dao: z.string().min(1).max(200).optional().describe('only votes in this DAO (id or slug)'),
        page,
        per_page: perPage(100),
      },
    },
    ({ address, ...q }) => answer(() => voterProfile(db(), address, q, context.ens)),
  );
  server.registerTool(
    'treasury',
    {
      description:
        "A DAO's latest treasury balances by token and its USD value over time. Returns {status, data: {total_usd, as_of, latest, history}} as GET /api/v1/daos/{id}/treasury.",
      inputSchema: { dao: id('DAO'), from: time('History start'), to: time('History end') },
    },
    ({ dao, from, to }) => answer(async () => ({ data: await treasuryOf(db(), dao, { from, to }) })),
  );
  server.registerTool(
    'proposal_analysis',
    {
      description:
        "A proposal's newest stored analysis (TL;DR, key points, amounts, risks, with provider and model; made offline when none is stored) and its latest job. Returns {status, data: {analysis, job}} as GET /api/v1/proposals/{id}/analysis.",
      inputSchema: { id: id('Proposal') },
    },
    ({ id }) =>
      answer(async () => {
        const proposal = await getProposal(db(), id);
        const { analysis, job } = await context.ai.currentAnalysis(proposal.id);
        return { data: { analysis: analysisToApi(analysis), job: job ? jobToApi(job) : null } };
      }),
  );
  return server;
}
