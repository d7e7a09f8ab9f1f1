import type { ChoiceSentiment, MoneyRequest, ProposalAnalysis } from '../schema.ts';
import type { ProposalSubject, VoteReasonInput } from '../types.ts';
import { ADDRESS, extractEntities } from './extract.ts';
import { nlp } from './nlp.ts';
import { type Sentence, sentences } from './text.ts';
import { byRank, textRank } from './textrank.ts';

/**
 * The offline analysis: extractive, deterministic and local. The TL;DR and key points are the
 * top TextRank sentences; what changes, who is affected, risks and money requested are the
 * best-ranked sentences that speak of them; open questions are the author's own questions;
 * vote reasons get a sentiment score from the packaged wink model and their most frequent
 * content words as themes.
 */
const KEY_POINTS = 5;
const PER_TOPIC = 3;

const CHANGE =
  /\b(increase|decrease|reduce|raise|lower|set|sets|update|adjust|add|adding|list|listing|onboard|remove|deprecate|offboard|freeze|enable|disable|replace|migrate|upgrade|transfer|change|introduce|activate|launch)/i;
const AFFECTED =
  /\b(users?|holders?|suppliers?|borrowers?|depositors?|stakers?|delegates?|voters?|liquidity providers?|LPs|community|treasury|service providers?|lenders?|protocols?|integrat)/i;
const RISK =
  /\b(risks?|risky|liquidat|exploit|vulnerab|oracle|volatil|attack|bad debt|depeg|concern|manipulat|insolven|loss|losses|uncertain|exposure|downside)/i;
const MONEY =
  /\b(request|requests|requesting|fund|funding|grant|budget|transfer|pay|payment|allocate|allocation|compensat|reimburse|stream|spend|award)/i;

function topMatching(
  list: Sentence[],
  order: number[],
  pattern: RegExp,
  exclude: Set<number>,
  count: number,
): string[] {
  const out: number[] = [];
  for (const i of order) {
    if (out.length >= count) break;
    if (exclude.has(i) || !pattern.test(list[i]!.text)) continue;
    out.push(i);
  }
  return out.sort((a, b) => a - b).map((i) => list[i]!.text);
}

function moneyRequested(list: Sentence[]): MoneyRequest[] {
  const out: MoneyRequest[] = [];
  const seen = new Set<string>();
  for (const s of list) {
    if (!MONEY.test(s.text)) continue;
    const { amounts } = extractEntities(s.text);
    const recipient = s.text.match(ADDRESS)?.[0] ?? null;
    for (const a of amounts) {
      if (a.unit === null || a.unit === '%' || a.unit === 'bps') continue;
      const key = `${a.text}|${recipient ?? ''}`;
      if (seen.has(key) || out.length >= 50) continue;
      seen.add(key);
      out.push({ amount: a.text, token: a.unit, recipient });
    }
  }
  return out;
}

/** Sentiment above/below this counts as positive/negative. */
const NEUTRAL_BAND = 0.05;
const THEMES = 5;

export function voteReasonSentiment(
  reasons: readonly VoteReasonInput[],
  choices: readonly string[],
): ChoiceSentiment[] {
  const its = nlp().its;
  const byChoice = new Map<string, { scores: number[]; words: Map<string, number> }>();
  for (const c of choices) byChoice.set(c, { scores: [], words: new Map() });
  for (const r of reasons) {
    if (r.reason.trim() === '') continue;
    let entry = byChoice.get(r.choice);
    if (!entry) {
      entry = { scores: [], words: new Map() };
      byChoice.set(r.choice, entry);
    }
    const doc = nlp().readDoc(r.reason);
    entry.scores.push(doc.out(its.sentiment) as unknown as number);
    const types = doc.tokens().out(its.type) as string[];
    const normals = doc.tokens().out(its.normal) as string[];
    const stops = doc.tokens().out(its.stopWordFlag) as unknown as boolean[];
    const inReason = new Set<string>();
    for (let i = 0; i < types.length; i++)
      if (types[i] === 'word' && !stops[i] && normals[i]!.length > 3) inReason.add(normals[i]!);
    for (const w of inReason) entry.words.set(w, (entry.words.get(w) ?? 0) + 1);
  }
  const out: ChoiceSentiment[] = [];
  for (const [choice, { scores, words }] of byChoice) {
    if (scores.length === 0) continue;
    const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
    const themes = [...words.entries()]
      .filter(([, n]) => n > 1 || scores.length === 1)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, THEMES)
      .map(([w]) => w);
    out.push({
      choice,
      reasons: scores.length,
      sentiment: Math.max(-1, Math.min(1, Math.round(mean * 1000) / 1000)),
      positive: scores.filter((s) => s > NEUTRAL_BAND).length,
      negative: scores.filter((s) => s < -NEUTRAL_BAND).length,
      neutral: scores.filter((s) => Math.abs(s) <= NEUTRAL_BAND).length,
      themes,
    });
  }
  return out;
}

export function analyzeOffline(subject: ProposalSubject): ProposalAnalysis {
  const list = sentences(subject.body);
  const order = byRank(textRank(list));
  const tldrIndex = order[0];
  const keyIdx = order.slice(1, 1 + KEY_POINTS).sort((a, b) => a - b);
  const used = new Set<number>(tldrIndex === undefined ? [] : [tldrIndex]);
  const entities = extractEntities(subject.body);
  const reasons = subject.reasons.filter((r) => r.reason.trim() !== '');
  return {
    tldr: tldrIndex === undefined ? '' : list[tldrIndex]!.text,
    key_points: keyIdx.map((i) => list[i]!.text),
    what_changes: topMatching(list, order, CHANGE, used, PER_TOPIC),
    who_is_affected: topMatching(list, order, AFFECTED, used, PER_TOPIC),
    money: moneyRequested(list),
    risks: topMatching(list, order, RISK, used, PER_TOPIC),
    open_questions: list
      .filter((s) => s.text.endsWith('?'))
      .slice(0, 5)
      .map((s) => s.text),
    entities,
    vote_reasons:
      reasons.length === 0
        ? null
        : { reasons: reasons.length, by_choice: voteReasonSentiment(reasons, subject.choices) },
  };
}
