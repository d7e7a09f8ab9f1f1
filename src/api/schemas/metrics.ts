import { type TSchema, Type } from '@sinclair/typebox';
import { BUCKETS } from '../../metrics/activity.ts';
import { SERIES_TYPES } from '../../metrics/series.ts';
import { DecimalString, Nullable, StringEnum, Timestamp } from './common.ts';
import { DaoRef } from './daos.ts';

/** Response schemas of the metric endpoints (definitions in docs/METRICS.md). */
const Num = Type.Number();
const Ratio = Nullable(Type.Number({ minimum: 0, maximum: 1 }));
const Int = Type.Integer();

/** A stored metric time series point (dao_metrics). */
export const Metric = Type.Object({
  metric_type: Type.String(),
  value: DecimalString,
  timestamp: Timestamp,
  metadata: Type.Record(Type.String(), Type.Unknown()),
});

const concentrationFields = {
  count: Int,
  total: Num,
  gini: Num,
  hhi: Num,
  nakamoto: Int,
  top1_share: Num,
  top5_share: Num,
  top10_share: Num,
};
export const Concentration = Type.Object({
  ...concentrationFields,
  lorenz: Type.Array(Type.Tuple([Num, Num]), { maxItems: 101 }),
});
const ConcentrationNoLorenz = Type.Object(concentrationFields);

const summaryFields = <C extends TSchema>(c: C) => ({
  activity: Type.Object({
    proposals: Int,
    votes: Int,
    voters: Int,
    new_voters: Int,
    returning_voters: Int,
    retention: Ratio,
  }),
  participation: Type.Object({
    closed_proposals: Int,
    mean_voters_per_proposal: Nullable(Num),
    median_voters_per_proposal: Nullable(Num),
    participation_rate: Nullable(Num),
    vp_cast: Num,
    turnout_vp: Ratio,
    turnout_proposals: Int,
    turnout_basis: Nullable(StringEnum(['token_supply', 'holders'])),
    voter_holder_ratio: Ratio,
    holders: Nullable(Int),
    voting_holders: Nullable(Int),
  }),
  outcomes: Type.Object({
    closed: Int,
    decided: Int,
    passed: Int,
    pass_rate: Ratio,
    avg_margin: Ratio,
    contested: Int,
  }),
  concentration: Type.Object({ voters: Nullable(c), holders: Nullable(c), delegates: Nullable(c) }),
  delegates: Type.Object({ count: Int, with_votes: Int }),
  treasury: Type.Object({
    total_usd: Nullable(Num),
    change_usd: Nullable(Num),
    change_pct: Nullable(Num),
    own_token_share: Ratio,
    stablecoin_share: Ratio,
    monthly_net_outflow: Nullable(Num),
    runway_months: Nullable(Num),
    composition: Type.Array(Type.Object({ token: Type.String(), chain: Type.String(), usd: Num, share: Ratio })),
    as_of: Nullable(Timestamp),
  }),
});

export const Summary = Type.Object({
  dao: DaoRef,
  from: Nullable(Timestamp),
  to: Nullable(Timestamp),
  ...summaryFields(Concentration),
});
/** A summary as the comparison lists it: without Lorenz curves. */
export const ComparedSummary = Type.Object({
  dao: DaoRef,
  from: Nullable(Timestamp),
  to: Nullable(Timestamp),
  ...summaryFields(ConcentrationNoLorenz),
});

export const Comparison = Type.Object({
  metrics: Type.Array(Type.String()),
  daos: Type.Array(
    Type.Object({ dao: DaoRef, summary: ComparedSummary, ranks: Type.Record(Type.String(), Nullable(Int)) }),
  ),
  median: Type.Record(Type.String(), Nullable(Num)),
});

/** The series /metrics/enhanced serves (src/db/queries/enhanced.ts computes each; the route checks the lists agree). */
export const EnhancedType = StringEnum(SERIES_TYPES);
export const Bucket = StringEnum(BUCKETS);

/** One figure of a point: a number, null (nothing to measure), or USD by token (treasury). */
export const EnhancedFigure = Type.Union([Num, Type.Null(), Type.Record(Type.String(), Num)]);
/** One bucket of a series: its start `t` and the figures of the series type. */
export const EnhancedPoint = Type.Object({ t: Timestamp }, { additionalProperties: EnhancedFigure });

export const Enhanced = Type.Object({
  type: EnhancedType,
  bucket: Bucket,
  from: Nullable(Timestamp),
  to: Timestamp,
  series: Type.Array(Type.Object({ dao: DaoRef, points: Type.Array(EnhancedPoint) })),
});

export const VoterEntry = Type.Object({
  voter: Type.String(),
  votes: Int,
  voting_power: DecimalString,
  share: Ratio,
  first_vote: Timestamp,
  last_vote: Timestamp,
});

export const HolderEntry = Type.Object({
  address: Type.String(),
  balance: DecimalString,
  share: Ratio,
});

export const DelegateEntry = Type.Object({
  address: Type.String(),
  voting_power: DecimalString,
  delegators: Int,
  votes_cast: Int,
  participation: Ratio,
  for: Int,
  against: Int,
  abstain: Int,
});
