import type { Db } from '../../db/index.ts';
import { getDao } from '../../db/queries/daos.ts';
import {
  voterDaos,
  voterDelegations,
  voterDelegators,
  voterOutcomeInputs,
  voterPowerLogs,
  voterVotes,
} from '../../db/queries/voters.ts';
import type { Ens, EnsNames } from '../../ens/names.ts';
import { choiceLabel, summarizeAlignment, voteAlignment } from '../../metrics/voter-alignment.ts';
import { paginate } from '../serialize.ts';

export interface VoterProfileQuery {
  page: number;
  per_page: number;
  /** Only votes in this DAO (id or slug). */
  dao?: string | undefined;
}

/**
 * A voter or delegate across every DAO, as GET /api/v1/voters/{address} answers it: its votes
 * (newest first, paged), how often it voted with the outcome, its delegators and delegated power,
 * and its ENS name and avatar (null without `ens`, an Ethereum RPC, or a name found in time).
 */
export async function voterProfile(
  db: Db,
  rawAddress: string,
  q: VoterProfileQuery,
  ens?: Pick<EnsNames, 'forProfile'>,
) {
  const address = rawAddress.toLowerCase();
  const dao = q.dao === undefined ? undefined : await getDao(db, q.dao);
  const [daos, outcomes, page, delegations, delegators, power, name] = await Promise.all([
    voterDaos(db, address),
    voterOutcomeInputs(db, address),
    voterVotes(db, address, { page: q.page, perPage: q.per_page, daoId: dao?.id }),
    voterDelegations(db, address),
    voterDelegators(db, address),
    voterPowerLogs(db, address),
    ens ? ens.forProfile(db, address) : Promise.resolve<Ens>(null),
  ]);
  const byVote = new Map(outcomes.map((o) => [o.vote_id, o]));
  const votesTotal = daos.reduce((n, d) => n + d.votes, 0);
  const listed = dao ? (daos.find((d) => d.dao_id === dao.id)?.votes ?? 0) : votesTotal;
  const firsts = daos.map((d) => d.first_vote).sort();
  const lasts = daos.map((d) => d.last_vote).sort();
  return {
    data: {
      address,
      ens: name,
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
}
