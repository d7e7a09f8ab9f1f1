import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { getDao } from '../../db/queries/daos.ts';
import {
  listProposals,
  listVotes,
  PROPOSAL_SORTS,
  type ProposalSort,
  VOTE_SORTS,
  type VoteRow,
  type VoteSort,
} from '../../db/queries/governance.ts';

import { PROPOSAL_STATES } from '../../metrics/proposal-states.ts';
import { CachedJson } from '../cached-json.ts';
import { type ApiContext, readDb, readSource } from '../context.ts';
import { isExport, keysetRows, mapRows, sendExport } from '../export.ts';
import { ProposalDetailCache } from '../proposal-detail-cache.ts';
import { proposalPage, votePage, votesRefOf, voteToApi } from '../reads/proposals.ts';
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
import { proposalToApi } from '../serialize.ts';

const EXPORT_BATCH = 5000;
const PROPOSAL_COLUMNS = Object.keys(ProposalSummary.properties);
const VOTE_COLUMNS = Object.keys(Vote.properties);

export const proposalRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app, { database }) => {
  // Details kept per row versions, and their response bodies serialized once.
  const details = new ProposalDetailCache();
  const detailBodies = new CachedJson();
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
      return {
        status: 'success' as const,
        ...(await proposalPage(db, dao, { ...q, sort: q.sort as ProposalSort })),
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
    async (request, reply) => {
      const db = readDb(database, request);
      const { detail, kept } = await details.get(db, request.params.id, readSource(database, db));
      const answer = { status: 'success' as const, data: detail };
      return kept ? detailBodies.send(reply, detail, () => answer) : answer;
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
      const proposal = await votesRefOf(db, request.params.id);
      const q = request.query;
      const sort = q.sort as VoteSort;
      const filter = { choice: q.choice, voter: q.voter };
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
      return {
        status: 'success' as const,
        ...(await votePage(db, proposal, { ...q, sort })),
      };
    },
  );
};
