import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { getDao } from '../../db/queries/daos.ts';
import {
  countedTallies,
  countFilteredVotes,
  getProposal,
  listProposals,
  listVotes,
  PROPOSAL_SORTS,
  type ProposalSort,
  proposalVotesRef,
  storedTallies,
  VOTE_SORTS,
  type VoteRow,
  type VoteSort,
} from '../../db/queries/governance.ts';
import { ValidationError } from '../../errors.ts';
import { PROPOSAL_STATES } from '../../metrics/proposal-states.ts';
import { type ApiContext, readDb } from '../context.ts';
import { isExport, keysetRows, mapRows, sendExport } from '../export.ts';
import { proposalSourceUrl } from '../proposal-links.ts';
import {
  errorResponses,
  FormatQuery,
  IdParam,
  Order,
  PageQuery,
  StringEnum,
  success,
  successPage,
  TextParam,
} from '../schemas/common.ts';
import { ProposalDetail, ProposalSummary, Vote } from '../schemas/proposals.ts';
import { paginate, proposalToApi } from '../serialize.ts';

function encodeCursor(value: string, id: number) {
  return Buffer.from(JSON.stringify([value, id])).toString('base64url');
}
function decodeCursor(cursor: string): { value: string; id: number } {
  try {
    const [value, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof value === 'string' && Number.isInteger(id)) return { value, id: id as number };
  } catch {
    // reported below
  }
  throw new ValidationError('cursor is not a cursor returned by this endpoint', [
    { in: 'query', parameter: 'cursor', message: 'is malformed' },
  ]);
}

const EXPORT_BATCH = 5000;
const PROPOSAL_COLUMNS = Object.keys(ProposalSummary.properties);
const VOTE_COLUMNS = Object.keys(Vote.properties);

const voteToApi = (v: VoteRow) => ({
  id: v.id,
  proposal_id: v.proposalId,
  voter: v.voter,
  choice: v.choice,
  voting_power: v.votingPower,
  reason: v.reason,
  created: v.created.toISOString(),
  created_precision: v.dateOnly ? ('day' as const) : ('second' as const),
});

export const proposalRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app, { database }) => {
  app.get(
    '/daos/:id/proposals',
    {
      config: { permission: 'read' },
      schema: {
        tags: ['proposals'],
        summary: "A DAO's proposals",
        params: IdParam,
        querystring: Type.Object(
          {
            ...PageQuery(100),
            state: Type.Optional(
              StringEnum(PROPOSAL_STATES, { description: 'The derived state (see the state field of a proposal)' }),
            ),
            sort: StringEnum(Object.keys(PROPOSAL_SORTS), { default: 'start' }),
            order: Order,
            ...FormatQuery,
          },
          { additionalProperties: false },
        ),
        response: { 200: successPage(Type.Array(ProposalSummary)), ...errorResponses },
      },
    },
    async (request, reply) => {
      const db = readDb(database, request);
      const dao = await getDao(db, request.params.id);
      const q = request.query;
      if (isExport(q.format)) {
        const base = { page: 1, perPage: EXPORT_BATCH, sort: q.sort as ProposalSort, order: q.order, state: q.state };
        const rows = keysetRows(
          EXPORT_BATCH,
          async (after: Awaited<ReturnType<typeof listProposals>>['rows'][number] | undefined) =>
            (await listProposals(db, dao.id, { ...base, after })).rows,
        );
        return sendExport(
          reply,
          q.format,
          `${dao.slug}-proposals`,
          PROPOSAL_COLUMNS,
          mapRows(rows, (r) => proposalToApi(r)),
        );
      }
      const { rows, total } = await listProposals(db, dao.id, {
        page: q.page,
        perPage: q.per_page,
        sort: q.sort as ProposalSort,
        order: q.order,
        state: q.state,
      });
      return {
        status: 'success' as const,
        data: rows.map((r) => proposalToApi(r)),
        pagination: paginate(q.page, q.per_page, total),
      };
    },
  );

  app.get(
    '/proposals/:id',
    {
      config: { permission: 'read' },
      schema: {
        tags: ['proposals'],
        summary: 'One proposal with per-choice tallies of the stored votes',
        params: IdParam,
        response: { 200: success(ProposalDetail), ...errorResponses },
      },
    },
    async (request) => {
      const db = readDb(database, request);
      const row = await getProposal(db, request.params.id);
      // The rollups' tallies; counted from the votes only before the first refresh that covers the proposal.
      const [counted, sourceUrl] = await Promise.all([
        storedTallies(db, row).then((stored) => stored ?? countedTallies(db, row)),
        proposalSourceUrl(db, row),
      ]);
      const { tallies: stored, ...totals } = counted;
      const summary = proposalToApi(row, row.votesStored > 0 ? stored.map((t) => Number(t.voting_power)) : undefined);
      // With fewer votes stored than the source counted, its own scores are the tally (when it has them).
      const tallies =
        summary.tally_source === 'source_scores'
          ? (row.scores ?? []).map((power, i) => ({
              choice: i + 1,
              label: row.choices[i] ?? null,
              voting_power: power,
              votes: null,
            }))
          : stored;
      return {
        status: 'success' as const,
        data: {
          ...summary,
          body: row.body,
          tallies,
          voters: totals.voters,
          voting_power_total: totals.votingPower,
          source_url: sourceUrl,
        },
      };
    },
  );

  app.get(
    '/proposals/:id/votes',
    {
      config: { permission: 'read' },
      schema: {
        tags: ['proposals'],
        summary: "A proposal's votes; pass `cursor` from the previous page for fast deep paging",
        params: IdParam,
        querystring: Type.Object(
          {
            ...PageQuery(1000),
            sort: StringEnum(Object.keys(VOTE_SORTS), { default: 'voting_power' }),
            order: Order,
            cursor: Type.Optional(TextParam({ maxLength: 500 })),
            choice: Type.Optional(
              Type.Integer({
                minimum: 1,
                maximum: 1000,
                description: 'only votes for this 1-based choice (also within multi-choice votes)',
              }),
            ),
            voter: Type.Optional(
              Type.String({
                minLength: 1,
                maxLength: 66,
                pattern: '^(?:0x)?[0-9a-fA-F]*$',
                description: 'only voters whose address contains this hex fragment, any case',
                errorMessage: { pattern: 'must be hex digits, optionally after 0x' },
              }),
            ),
            ...FormatQuery,
          },
          { additionalProperties: false },
        ),
        response: { 200: successPage(Type.Array(Vote)), ...errorResponses },
      },
    },
    async (request, reply) => {
      const db = readDb(database, request);
      const proposal = await proposalVotesRef(db, request.params.id);
      const q = request.query;
      const sort = q.sort as VoteSort;
      const filter = { choice: q.choice, voter: q.voter };
      const filtered = q.choice !== undefined || q.voter !== undefined;
      if (isExport(q.format)) {
        const rows = keysetRows(EXPORT_BATCH, (after: VoteRow | undefined) =>
          listVotes(db, proposal.id, {
            page: 1,
            perPage: EXPORT_BATCH,
            sort,
            order: q.order,
            ...filter,
            cursor: after && { value: sort === 'created' ? after.createdText : after.votingPower, id: after.id },
          }),
        );
        return sendExport(reply, q.format, `proposal-${proposal.id}-votes`, VOTE_COLUMNS, mapRows(rows, voteToApi));
      }
      const rows = await listVotes(db, proposal.id, {
        page: q.page,
        perPage: q.per_page,
        sort,
        order: q.order,
        ...filter,
        cursor: q.cursor ? decodeCursor(q.cursor) : undefined,
      });
      // The pages cover the stored votes (votesCount may be the source's larger count).
      const total = filtered ? await countFilteredVotes(db, proposal.id, filter) : proposal.votesStored;
      const last = rows.at(-1);
      const nextCursor =
        last && rows.length === q.per_page
          ? encodeCursor(sort === 'created' ? last.createdText : last.votingPower, last.id)
          : null;
      return {
        status: 'success' as const,
        data: rows.map(voteToApi),
        pagination: { ...paginate(q.page, q.per_page, total), next_cursor: nextCursor },
      };
    },
  );
};
