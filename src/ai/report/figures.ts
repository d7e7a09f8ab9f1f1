import { type Static, Type } from '@sinclair/typebox';
import type { daoSummary } from '../../db/queries/metrics.ts';

/**
 * The figures a DAO governance report is written from: the portal's own summary of the window
 * (activity, outcomes, participation, concentration, treasury), exactly as GET
 * /daos/{id}/metrics/summary computes them (src/db/queries/metrics.ts), without the Lorenz curves
 * and raw power totals a narrative has no use for. Outcomes are split as the outcomes series does:
 * failed = decided − passed, undecided = closed − decided. A figure the data does not know is null.
 */
const N = Type.Union([Type.Number(), Type.Null()]);
const I = Type.Union([Type.Integer(), Type.Null()]);

const ConcentrationFigures = Type.Union([
  Type.Object(
    {
      count: Type.Integer(),
      gini: Type.Number(),
      hhi: Type.Number(),
      nakamoto: Type.Integer(),
      top1_share: Type.Number(),
      top5_share: Type.Number(),
      top10_share: Type.Number(),
    },
    { additionalProperties: false },
  ),
  Type.Null(),
]);

export const ReportFigures = Type.Object(
  {
    dao: Type.Object({ id: Type.Integer(), slug: Type.String(), name: Type.String() }, { additionalProperties: false }),
    window: Type.Object(
      {
        from: Type.String({ format: 'date-time' }),
        /** Exclusive end, a UTC day start. */
        to: Type.String({ format: 'date-time' }),
        days: Type.Integer({ minimum: 0 }),
      },
      { additionalProperties: false },
    ),
    summary: Type.Object(
      { proposals: Type.Integer(), votes: I, voters: I, new_voters: I, returning_voters: I, retention: N },
      { additionalProperties: false },
    ),
    outcomes: Type.Object(
      {
        closed: Type.Integer(),
        decided: Type.Integer(),
        passed: Type.Integer(),
        failed: Type.Integer(),
        undecided: Type.Integer(),
        pass_rate: N,
        avg_margin: N,
        contested: Type.Integer(),
      },
      { additionalProperties: false },
    ),
    participation: Type.Object(
      {
        closed_proposals: Type.Integer(),
        mean_voters_per_proposal: N,
        median_voters_per_proposal: N,
        participation_rate: N,
        turnout_vp: N,
        turnout_basis: Type.Union([Type.String(), Type.Null()]),
        voter_holder_ratio: N,
        holders: I,
        voting_holders: I,
      },
      { additionalProperties: false },
    ),
    concentration: Type.Object(
      { voters: ConcentrationFigures, holders: ConcentrationFigures, delegates: ConcentrationFigures },
      { additionalProperties: false },
    ),
    treasury: Type.Object(
      { total_usd: N, change_usd: N, change_pct: N, runway_months: N },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type ReportFigures = Static<typeof ReportFigures>;

type Summary = Awaited<ReturnType<typeof daoSummary>>;
type Concentration = Summary['concentration']['voters'];

const concentrationOf = (c: Concentration): Static<typeof ConcentrationFigures> =>
  c
    ? {
        count: c.count,
        gini: c.gini,
        hhi: c.hhi,
        nakamoto: c.nakamoto,
        top1_share: c.top1_share,
        top5_share: c.top5_share,
        top10_share: c.top10_share,
      }
    : null;

/**
 * The report's figures from a DAO summary of a bounded window. `hasVotes` is whether any vote of
 * the DAO is stored: without one, vote counts are unknown (null), not 0.
 */
export function reportFigures(summary: Summary, hasVotes: boolean): ReportFigures {
  const { activity: a, outcomes: o, participation: p, treasury: t } = summary;
  const from = summary.from!;
  const to = summary.to!;
  const known = <T>(v: T) => (hasVotes ? v : null);
  return {
    dao: { ...summary.dao },
    window: { from, to, days: Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000) },
    summary: {
      proposals: a.proposals,
      votes: known(a.votes),
      voters: known(a.voters),
      new_voters: known(a.new_voters),
      returning_voters: known(a.returning_voters),
      retention: a.retention,
    },
    outcomes: {
      closed: o.closed,
      decided: o.decided,
      passed: o.passed,
      failed: o.decided - o.passed,
      undecided: o.closed - o.decided,
      pass_rate: o.pass_rate,
      avg_margin: o.avg_margin === null ? null : Number(o.avg_margin),
      contested: o.contested,
    },
    participation: {
      closed_proposals: p.closed_proposals,
      mean_voters_per_proposal: p.mean_voters_per_proposal,
      median_voters_per_proposal: p.median_voters_per_proposal,
      participation_rate: p.participation_rate,
      turnout_vp: p.turnout_vp,
      turnout_basis: p.turnout_basis,
      voter_holder_ratio: p.voter_holder_ratio,
      holders: p.holders,
      voting_holders: p.voting_holders,
    },
    concentration: {
      voters: concentrationOf(summary.concentration.voters),
      holders: concentrationOf(summary.concentration.holders),
      delegates: concentrationOf(summary.concentration.delegates),
    },
    treasury: {
      total_usd: t.total_usd,
      change_usd: t.change_usd,
      change_pct: t.change_pct,
      runway_months: t.runway_months,
    },
  };
}
