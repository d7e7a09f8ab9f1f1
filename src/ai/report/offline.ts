import type { ReportFigures } from './figures.ts';
import type { ReportNarrative } from './schema.ts';

/**
 * The offline report: deterministic sentences built from the figures alone, written the way the
 * citation check reads numbers (src/ai/report/citations.ts), so it always passes it. It is the
 * report of the offline provider and the fallback when a model's report cites invented numbers.
 */
const count = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 0 });
const decimal = (n: number) => n.toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const pct = (ratio: number) => `${(ratio * 100).toFixed(1)}%`;
const usd = (n: number) => {
  const abs = Math.abs(n);
  const sign = n < 0 ? '-' : '';
  if (abs >= 1e9) return `${sign}$${(abs / 1e9).toFixed(1)}B`;
  if (abs >= 1e6) return `${sign}$${(abs / 1e6).toFixed(1)}M`;
  if (abs >= 1e3) return `${sign}$${(abs / 1e3).toFixed(1)}K`;
  return `${sign}$${count(abs)}`;
};
const plural = (n: number, one: string, many = `${one}s`) => `${count(n)} ${n === 1 ? one : many}`;

function concentrationSentence(who: string, c: ReportFigures['concentration']['voters']): string | null {
  if (!c) return null;
  return `Among ${plural(c.count, who.slice(0, -1), who)}, the Gini coefficient is ${c.gini.toFixed(2)}, the top 10 hold ${pct(c.top10_share)} and the Nakamoto coefficient is ${count(c.nakamoto)}.`;
}

export function offlineReport(f: ReportFigures): ReportNarrative {
  const first = f.window.from.slice(0, 10);
  const last = new Date(Date.parse(f.window.to) - 1).toISOString().slice(0, 10);
  const s = f.summary;
  const o = f.outcomes;
  const p = f.participation;
  const paragraphs: string[] = [];

  paragraphs.push(
    [
      `From ${first} to ${last}, ${plural(s.proposals, 'proposal')} started.`,
      s.votes === null
        ? 'No votes of this DAO are stored, so vote counts are not known.'
        : `${plural(s.votes, 'vote')} were cast by ${plural(s.voters ?? 0, 'voter')}` +
          (s.new_voters === null ? '.' : `, ${count(s.new_voters)} of them voting for the first time.`),
      s.retention === null ? null : `Voter retention was ${pct(s.retention)}.`,
    ]
      .filter(Boolean)
      .join(' '),
  );

  paragraphs.push(
    o.closed === 0
      ? 'No proposal closed in the window.'
      : [
          `${plural(o.closed, 'proposal')} closed: ${count(o.passed)} passed, ${count(o.failed)} failed and ${count(o.undecided)} without a known outcome.`,
          o.pass_rate === null ? null : `The pass rate of decided proposals was ${pct(o.pass_rate)}.`,
          o.avg_margin === null ? null : `The average winning margin was ${pct(o.avg_margin)}.`,
          o.contested > 0 ? `${plural(o.contested, 'proposal was', 'proposals were')} closely contested.` : null,
        ]
          .filter(Boolean)
          .join(' '),
  );

  const participation = [
    p.median_voters_per_proposal === null
      ? null
      : `A closed proposal drew a median of ${decimal(p.median_voters_per_proposal)} voters` +
        (p.mean_voters_per_proposal === null ? '.' : ` (mean ${decimal(p.mean_voters_per_proposal)}).`),
    p.turnout_vp === null
      ? 'Turnout of the votable supply is not known.'
      : `Turnout was ${pct(p.turnout_vp)} of the ${p.turnout_basis === 'holders' ? 'listed holders’ balances' : 'votable supply'}.`,
    p.voter_holder_ratio === null || p.holders === null || p.voting_holders === null
      ? null
      : `${count(p.voting_holders)} of ${plural(p.holders, 'listed holder')} voted (${pct(p.voter_holder_ratio)}).`,
  ].filter(Boolean);
  if (participation.length > 0) paragraphs.push(participation.join(' '));

  const concentration = [
    concentrationSentence('voters', f.concentration.voters),
    concentrationSentence('holders', f.concentration.holders),
    concentrationSentence('delegates', f.concentration.delegates),
  ].filter(Boolean);
  paragraphs.push(concentration.length > 0 ? concentration.join(' ') : 'Concentration is not known for this window.');

  const t = f.treasury;
  if (t.total_usd !== null)
    paragraphs.push(
      `The treasury holds ${usd(t.total_usd)}` +
        (t.change_pct === null ? '.' : `, a change of ${pct(t.change_pct)} over the window.`) +
        (t.runway_months === null ? '' : ` Its runway is ${decimal(t.runway_months)} months.`),
    );

  const headline =
    o.closed === 0
      ? `${plural(s.proposals, 'proposal')} started and none closed from ${first} to ${last}.`
      : `${count(o.passed)} of ${plural(o.closed, 'closed proposal')} passed from ${first} to ${last}.`;
  return { headline, paragraphs };
}
