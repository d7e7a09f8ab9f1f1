import { Type, type TSchema } from '@sinclair/typebox';
import { DecimalString, Timestamp } from './schemas.ts';

/** Response schemas of the metric endpoints (contract in docs/METRICS.md and the brief). */
const N = <T extends TSchema>(s: T) => Type.Union([s, Type.Null()]);
const Num = Type.Number();
const Ratio = N(Type.Number({ minimum: 0, maximum: 1 }));
const Int = Type.Integer();

export const DaoRef = Type.Object({ id: Int, slug: Type.String(), name: Type.String() });

const concentrationFields = {
  count: Int, total: Num, gini: Num, hhi: Num, nakamoto: Int, top1_share: Num, top5_share: Num, top10_share: Num,
};
const Concentration = Type.Object({ ...concentrationFields, lorenz: Type.Array(Type.Tuple([Num, Num]), { maxItems: 101 }) });
const ConcentrationNoLorenz = Type.Object(concentrationFields);

const summaryFields = (c: TSchema) => ({
  activity: Type.Object({ proposals: Int, votes: Int, voters: Int, new_voters: Int, returning_voters: Int, retention: Ratio }),
  participation: Type.Object({
    closed_proposals: Int, mean_voters_per_proposal: N(Num), participation_rate: N(Num), vp_cast: Num, turnout_vp: Ratio,
  }),
  outcomes: Type.Object({ closed: Int, decided: Int, passed: Int, pass_rate: Ratio, avg_margin: Ratio, contested: Int }),
  concentration: Type.Object({ voters: N(c), holders: N(c), delegates: N(c) }),
  delegates: Type.Object({ count: Int, with_votes: Int }),
  treasury: Type.Object({
    total_usd: N(Num), change_usd: N(Num), change_pct: N(Num), own_token_share: Ratio, stablecoin_share: Ratio,
    monthly_net_outflow: N(Num), runway_months: N(Num),
    composition: Type.Array(Type.Object({ token: Type.String(), chain: Type.String(), usd: Num, share: Ratio })),
    as_of: N(Timestamp),
  }),
});

export const Summary = Type.Object({ dao: DaoRef, from: N(Timestamp), to: N(Timestamp), ...summaryFields(Concentration) });
const SummaryNoLorenz = Type.Object({ dao: DaoRef, from: N(Timestamp), to: N(Timestamp), ...summaryFields(ConcentrationNoLorenz) });

export const Comparison = Type.Object({
  metrics: Type.Array(Type.String()),
  daos: Type.Array(Type.Object({ dao: DaoRef, summary: SummaryNoLorenz, ranks: Type.Record(Type.String(), N(Int)) })),
  median: Type.Record(Type.String(), N(Num)),
});

export const Enhanced = Type.Object({
  type: Type.String(), bucket: Type.String(), from: N(Timestamp), to: Timestamp,
  series: Type.Array(Type.Object({
    dao: DaoRef,
    points: Type.Array(Type.Object({ t: Timestamp }, { additionalProperties: Type.Union([Num, Type.Null(), Type.Record(Type.String(), Num)]) })),
  })),
});

export const VoterEntry = Type.Object({
  voter: Type.String(), votes: Int, voting_power: DecimalString, share: Ratio, first_vote: Timestamp, last_vote: Timestamp,
});

export const DelegateEntry = Type.Object({
  address: Type.String(), voting_power: DecimalString, delegators: Int, votes_cast: Int, participation: Ratio,
  for: Int, against: Int, abstain: Int,
});

export const SearchHit = Type.Object({
  kind: Type.Union([Type.Literal('dao'), Type.Literal('proposal')]), id: Int, dao_slug: Type.String(), title: Type.String(),
  snippet: Type.String({ description: 'HTML: the text escaped, matches in <mark> (no other tags)' }), rank: Num,
});
