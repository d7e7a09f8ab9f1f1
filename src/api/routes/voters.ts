import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { getDao } from '../../db/queries/daos.ts';
import {
  voterDaos,
  voterDelegations,
  voterDelegators,
  voterOutcomeInputs,
  voterPowerLogs,
  voterVotes,
} from '../../db/queries/voters.ts';
import { choiceLabel, summarizeAlignment, voteAlignment } from '../../metrics/voter-alignment.ts';
import { type ApiContext, readDb } from '../context.ts';
import { errorResponses, PageQuery, successPage, TextParam } from '../schemas/common.ts';
import { VoterParam, VoterProfile } from '../schemas/voters.ts';
import { paginate } from '../serialize.ts';

export const voterRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app, { database }) => {
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
    async (request) => {
      const db = readDb(database, request);
      const address = request.params.address.toLowerCase();
      const q = request.query;
      const dao = q.dao === undefined ? undefined : await getDao(db, q.dao);
      const [daos, outcomes, page, delegations, delegators, power] = await Promise.all([
        voterDaos(db, address),
        voterOutcomeInputs(db, address),
        voterVotes(db, address, { page: q.page, perPage: q.per_page, daoId: dao?.id }),
        voterDelegations(db, address),
        voterDelegators(db, address),
        voterPowerLogs(db, address),
      ]);
      const byVote = new Map(outcomes.map((o) => [o.vote_id, o]));
      const votesTotal = daos.reduce((n, d) => n + d.votes, 0);
      const listed = dao ? (daos.find((d) => d.dao_id === dao.id)?.votes ?? 0) : votesTotal;
      const firsts = daos.map((d) => d.first_vote).sort();
      const lasts = daos.map((d) => d.last_vote).sort();
      return {
        status: 'success' as const,
        data: {
          address,
          votes_total: votesTotal,
          first_vote: firsts[0] ?? null,
          last_vote: lasts.at(-1) ?? null,
          daos,
          alignment: summarizeAlignment(outcomes),
          delegations,
          delegators,
          power_history: power,
          votes: page.map((v) => {
            const input = byVote.get(v.id);
            const aligned = input ? voteAlignment(input) : { outcome: null, withOutcome: null };
            return {
              id: v.id,
              proposal_id: v.proposal_id,
              proposal_external_id: v.proposal_external_id,
              proposal_title: v.proposal_title,
              proposal_source: v.proposal_source,
              proposal_state: v.proposal_state,
              dao_id: v.dao_id,
              dao_slug: v.dao_slug,
              dao_name: v.dao_name,
              choice: v.choice,
              choice_label: choiceLabel(v.choice, v.choices),
              voting_power: v.voting_power,
              reason: v.reason,
              created: v.created,
              outcome: aligned.outcome,
              with_outcome: aligned.withOutcome,
            };
          }),
        },
        pagination: paginate(q.page, q.per_page, listed),
      };
    },
  );
};
