import type { Sentence } from './text.ts';

/**
 * TextRank (Mihalcea & Tarau, 2004) over sentences: a graph whose edge weights are the content
 * words two sentences share, normalised by their lengths, ranked by PageRank. The teleport vector
 * is biased towards the summary section and the start of the text, where proposal authors state
 * their point (a "position prior", as in PositionRank). Deterministic: ties go to the earlier
 * sentence.
 */
const DAMPING = 0.85;
const ITERATIONS = 40;
/** Longer documents are ranked on their first sentences only: the graph is quadratic. */
export const MAX_SENTENCES = 250;

function prior(s: Sentence): number {
  let weight = 1 / (1 + s.index / 10);
  if (/summary|abstract|tl;?dr|overview/.test(s.section)) weight *= 8;
  else if (/motivation|rationale|background/.test(s.section)) weight *= 1.5;
  else if (/specification|changes|proposal/.test(s.section)) weight *= 1.3;
  return weight;
}

/** Scores per sentence (same order as the input). */
export function textRank(input: readonly Sentence[]): number[] {
  const list = input.slice(0, MAX_SENTENCES);
  const n = list.length;
  if (n === 0) return [];
  const sets = list.map((s) => new Set(s.words));
  // Inverted index: sentences per word, so only sentences sharing a word are compared.
  const postings = new Map<string, number[]>();
  sets.forEach((set, i) => {
    for (const w of set) {
      const p = postings.get(w);
      if (p) p.push(i);
      else postings.set(w, [i]);
    }
  });
  const edges: Map<number, number>[] = list.map(() => new Map());
  for (const ids of postings.values()) {
    for (let a = 0; a < ids.length; a++)
      for (let b = a + 1; b < ids.length; b++) {
        const i = ids[a]!;
        const j = ids[b]!;
        edges[i]!.set(j, (edges[i]!.get(j) ?? 0) + 1);
      }
  }
  const weights: Map<number, number>[] = list.map(() => new Map());
  for (let i = 0; i < n; i++)
    for (const [j, shared] of edges[i]!) {
      const norm = Math.log(sets[i]!.size + 1) + Math.log(sets[j]!.size + 1);
      const w = norm > 0 ? shared / norm : 0;
      if (w <= 0) continue;
      weights[i]!.set(j, w);
      weights[j]!.set(i, w);
    }
  const outSum = weights.map((m) => [...m.values()].reduce((a, b) => a + b, 0));
  const priors = list.map(prior);
  const priorSum = priors.reduce((a, b) => a + b, 0);
  const teleport = priors.map((p) => p / priorSum);
  let rank = teleport.slice();
  for (let it = 0; it < ITERATIONS; it++) {
    const next = teleport.map((t) => (1 - DAMPING) * t);
    let dangling = 0;
    for (let i = 0; i < n; i++) {
      if (outSum[i] === 0) {
        dangling += rank[i]!;
        continue;
      }
      for (const [j, w] of weights[i]!) next[j]! += (DAMPING * rank[i]! * w) / outSum[i]!;
    }
    for (let i = 0; i < n; i++) next[i]! += DAMPING * dangling * teleport[i]!;
    rank = next;
  }
  return input.map((_, i) => (i < n ? rank[i]! : 0));
}

/** Sentence indexes by descending score, ties by position. */
export function byRank(scores: readonly number[]): number[] {
  return scores.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
}
