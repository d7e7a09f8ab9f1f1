/**
 * Activity and participation over a window [from, to), defined on raw votes and proposals.
 * These functions are the reference definitions (docs/METRICS.md): the SQL rollups
 * (src/db/rollups.ts) compute the same numbers incrementally and tests hold them equal.
 */
import { ratio } from './outcomes.ts';

export type Bucket = 'day' | 'week' | 'month';
export const BUCKETS: readonly Bucket[] = ['day', 'week', 'month'];

/** Start of the UTC bucket holding t; weeks start on Monday (PostgreSQL's date_trunc). */
export function bucketStart(t: Date, bucket: Bucket): Date {
  const d = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), bucket === 'month' ? 1 : t.getUTCDate()));
  if (bucket === 'week') d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d;
}

/** Start of the bucket after the one starting at t. */
export function nextBucket(t: Date, bucket: Bucket): Date {
  const d = new Date(t);
  if (bucket === 'day') d.setUTCDate(d.getUTCDate() + 1);
  else if (bucket === 'week') d.setUTCDate(d.getUTCDate() + 7);
  else d.setUTCMonth(d.getUTCMonth() + 1);
  return d;
}

/** How many buckets an axis from the one holding `from` up to `to` (exclusive) has, without building it. */
export function bucketCount(from: Date, to: Date, bucket: Bucket): number {
  const start = bucketStart(from, bucket);
  if (to <= start) return 0;
  if (bucket === 'month') {
    const months = (to.getUTCFullYear() - start.getUTCFullYear()) * 12 + to.getUTCMonth() - start.getUTCMonth();
    return bucketStart(to, 'month').getTime() === to.getTime() ? months : months + 1;
  }
  return Math.ceil((to.getTime() - start.getTime()) / ((bucket === 'week' ? 7 : 1) * 86_400_000));
}

export interface Window {
  from: Date | null;
  to: Date | null;
}

export const inWindow = (t: Date, w: Window) => (!w.from || t >= w.from) && (!w.to || t < w.to);

export interface RawVote {
  proposal: string;
  voter: string;
  created: Date;
  votingPower: number;
}

export interface RawProposal {
  id: string;
  start: Date;
  end: Date;
}

export interface Activity {
  proposals: number;
  votes: number;
  voters: number;
  new_voters: number;
  returning_voters: number;
  retention: number | null;
}

/**
 * Activity of a DAO in a window, from all of its votes (earlier ones decide who is new):
 * proposals started in the window; votes cast in it; distinct voters; new voters (first vote ever
 * in the DAO falls in the window); returning voters (the others); retention over the calendar
 * months m with m and m+1 both inside the window: Σ |V(m) ∩ V(m+1)| ÷ Σ |V(m)| (null if none).
 */
export function activityOf(votes: readonly RawVote[], proposals: readonly RawProposal[], w: Window): Activity {
  const first = new Map<string, number>();
  for (const v of votes) {
    const t = v.created.getTime();
    if (!(first.get(v.voter)! <= t)) first.set(v.voter, t);
  }
  const inside = votes.filter((v) => inWindow(v.created, w));
  const voters = new Set(inside.map((v) => v.voter));
  let fresh = 0;
  for (const voter of voters) if (inWindow(new Date(first.get(voter)!), w)) fresh++;
  const byMonth = new Map<number, Set<string>>();
  for (const v of inside) {
    const m = bucketStart(v.created, 'month').getTime();
    let set = byMonth.get(m);
    if (!set) byMonth.set(m, (set = new Set()));
    set.add(v.voter);
  }
  let retained = 0;
  let base = 0;
  for (const [m, set] of byMonth) {
    const start = new Date(m);
    const next = nextBucket(start, 'month');
    if (!monthInside(start, w) || !monthInside(next, w)) continue;
    const following = byMonth.get(next.getTime()) ?? new Set<string>();
    base += set.size;
    for (const voter of set) if (following.has(voter)) retained++;
  }
  return {
    proposals: proposals.filter((p) => inWindow(p.start, w)).length,
    votes: inside.length,
    voters: voters.size,
    new_voters: fresh,
    returning_voters: voters.size - fresh,
    retention: ratio(retained, base),
  };
}

/** The whole calendar month starting at m lies in the window. */
export function monthInside(m: Date, w: Window): boolean {
  return (!w.from || m >= w.from) && (!w.to || nextBucket(m, 'month') <= w.to);
}

export interface Participation {
  closed_proposals: number;
  mean_voters_per_proposal: number | null;
  participation_rate: number | null;
  vp_cast: number;
  turnout_vp: number | null;
}

/**
 * Participation over the proposals that ended in the window (and by `asOf`) and have stored votes:
 * mean distinct voters per such proposal; participation_rate = that mean ÷ distinct voters in the
 * window; vp_cast = power cast on them; turnout_vp = mean of min(1, power cast ÷ supply) when the
 * votable supply is known (> 0), else null.
 */
export function participationOf(
  votes: readonly RawVote[],
  proposals: readonly RawProposal[],
  w: Window,
  asOf: Date,
  supply: number | null,
): Participation {
  const perProposal = new Map<string, { voters: Set<string>; vp: number }>();
  for (const v of votes) {
    let p = perProposal.get(v.proposal);
    if (!p) perProposal.set(v.proposal, (p = { voters: new Set(), vp: 0 }));
    p.voters.add(v.voter);
    p.vp += v.votingPower;
  }
  const closed = proposals.filter((p) => inWindow(p.end, w) && p.end <= asOf && perProposal.has(p.id));
  const windowVoters = new Set(votes.filter((v) => inWindow(v.created, w)).map((v) => v.voter)).size;
  const counts = closed.map((p) => perProposal.get(p.id)!.voters.size);
  const vps = closed.map((p) => perProposal.get(p.id)!.vp);
  const mean = counts.length ? counts.reduce((a, b) => a + b, 0) / counts.length : null;
  return {
    closed_proposals: closed.length,
    mean_voters_per_proposal: mean,
    participation_rate: mean === null || windowVoters === 0 ? null : mean / windowVoters,
    vp_cast: vps.reduce((a, b) => a + b, 0),
    turnout_vp:
      supply && supply > 0 && vps.length ? vps.reduce((a, b) => a + Math.min(1, b / supply), 0) / vps.length : null,
  };
}
