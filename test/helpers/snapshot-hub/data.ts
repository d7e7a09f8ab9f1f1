import { createHash } from 'node:crypto';
import path from 'node:path';
import { readCsv } from '../../../src/import/converters/csv.ts';

/**
 * The stand-in hub's rows, built from the shared real exports the way the recorded hub's database
 * was (shared/data/snapshot-hub/README.md, "Which stored values are real and which are filler"):
 * Decentraland's 2022-05-15 proposals with the votes on them as space snapshot.dcl.eth, and the
 * Tokenomics proposals and votes per space. Values keep the source's text case; numbers are the
 * doubles the hub prints.
 */
export interface HubSpaceRow {
  id: string;
  name: string;
  symbol: string;
}

export interface HubProposalRow {
  id: string;
  space: string;
  title: string;
  body: string;
  discussion: string;
  author: string;
  type: string;
  choices: string[];
  start: number;
  end: number;
  created: number;
  quorum: number;
  scores: number[];
  scores_total: number;
  votes: number;
}

export interface HubVoteRow {
  id: string;
  space: string;
  proposal: string;
  voter: string;
  created: number;
  choice: unknown;
  vp: number;
  reason: string;
}

const seconds = (iso: string) => Math.floor(Date.parse(iso.length === 10 ? `${iso}T00:00:00Z` : iso) / 1000);
/** The recorded hub's filler vote id: 0x + sha256(space|proposal|voter). */
export const voteId = (space: string, proposal: string, voter: string) =>
  `0x${createHash('sha256').update(`${space}|${proposal}|${voter}`).digest('hex')}`;

export class HubData {
  readonly spaces = new Map<string, HubSpaceRow>();
  readonly proposals = new Map<string, HubProposalRow>();
  /** By vote id; one vote per (space, proposal, voter), as the id is derived from them. */
  readonly votes = new Map<string, HubVoteRow>();
  /** The server clock used for proposal state; tests move it. */
  now: () => number = () => Math.floor(Date.now() / 1000);

  stateOf(p: HubProposalRow): 'pending' | 'active' | 'closed' {
    const now = this.now();
    return p.start > now ? 'pending' : p.end > now ? 'active' : 'closed';
  }

  private readonly byProposal = new Map<string, Set<string>>();
  /** Bumped on every vote change; keys the resolvers' sorted-list cache. */
  version = 0;

  votesOf(proposal: string): HubVoteRow[] {
    return [...(this.byProposal.get(proposal) ?? [])].map((id) => this.votes.get(id)!);
  }

  /** Stores a vote row, replacing the one with the same id (a replaced vote moves to its new `created`). */
  putVote(row: HubVoteRow): void {
    this.version++;
    this.votes.delete(row.id);
    this.votes.set(row.id, row);
    const ids = this.byProposal.get(row.proposal) ?? new Set<string>();
    ids.add(row.id);
    this.byProposal.set(row.proposal, ids);
  }

  deleteVote(id: string): void {
    const row = this.votes.get(id);
    if (!row) return;
    this.version++;
    this.votes.delete(id);
    this.byProposal.get(row.proposal)?.delete(id);
  }

  /** Casts (or replaces) a voter's vote, as a voter changing their vote on Snapshot does, and rescores. */
  castVote(vote: Omit<HubVoteRow, 'id' | 'space' | 'reason'> & { reason?: string }): HubVoteRow {
    const proposal = this.proposals.get(vote.proposal);
    if (!proposal) throw new Error(`unknown proposal ${vote.proposal}`);
    const row: HubVoteRow = {
      reason: '',
      ...vote,
      space: proposal.space,
      id: voteId(proposal.space, vote.proposal, vote.voter),
    };
    this.putVote(row);
    this.rescore(proposal);
    return row;
  }

  /** Recomputes scores the recorded way: vp per choice; weighted votes split vp by their weights. */
  rescore(p: HubProposalRow): void {
    const votes = this.votesOf(p.id);
    if (votes.length === 0) return;
    let highest = p.choices.length;
    for (const v of votes) {
      for (const index of choiceIndexes(v.choice)) highest = Math.max(highest, index);
    }
    while (p.choices.length < highest)
      p.choices.push(
        p.space === 'snapshot.dcl.eth' ? `(choice ${p.choices.length + 1})` : `choice ${p.choices.length + 1}`,
      );
    const scores = p.choices.map(() => 0);
    for (const v of votes) {
      if (typeof v.choice === 'number') scores[v.choice - 1]! += v.vp;
      else if (Array.isArray(v.choice)) for (const c of v.choice as number[]) scores[c - 1]! += v.vp / v.choice.length;
      else {
        const weights = Object.entries(v.choice as Record<string, number>);
        const total = weights.reduce((s, [, w]) => s + w, 0);
        for (const [k, w] of weights) if (total > 0) scores[Number(k) - 1]! += (v.vp * w) / total;
      }
    }
    p.scores = scores;
    p.scores_total = scores.reduce((s, x) => s + x, 0);
    p.votes = votes.length;
  }
}

function choiceIndexes(choice: unknown): number[] {
  if (typeof choice === 'number') return [choice];
  if (Array.isArray(choice)) return choice as number[];
  if (choice && typeof choice === 'object') return Object.keys(choice).map(Number);
  return [];
}

export interface LoadOptions {
  /** Keep only these spaces (all 7 when absent). */
  spaces?: string[];
  /** Keep at most this many proposals per space (newest first), for fast subsets. */
  proposalsPerSpace?: number;
}

/** Loads the shared real data (read in place) into a fresh HubData. */
export function loadHubData(dataDir: string, options: LoadOptions = {}): HubData {
  const data = new HubData();
  const wanted = (space: string) => !options.spaces || options.spaces.includes(space);
  if (wanted('snapshot.dcl.eth')) loadDecentraland(data, path.join(dataDir, 'decentraland'));
  loadTokenomics(data, path.join(dataDir, 'tokenomics'), wanted);
  if (options.proposalsPerSpace !== undefined) {
    const bySpace = new Map<string, HubProposalRow[]>();
    for (const p of data.proposals.values()) bySpace.set(p.space, [...(bySpace.get(p.space) ?? []), p]);
    for (const list of bySpace.values()) {
      list.sort((a, b) => b.created - a.created || (a.id < b.id ? -1 : 1));
      for (const dropped of list.slice(options.proposalsPerSpace)) data.proposals.delete(dropped.id);
    }
    for (const [id, v] of data.votes) if (!data.proposals.has(v.proposal)) data.deleteVote(id);
  }
  return data;
}

function loadDecentraland(data: HubData, dir: string) {
  const space = 'snapshot.dcl.eth';
  data.spaces.set(space, { id: space, name: 'Decentraland', symbol: 'VP' });
  for (const row of readCsv(path.join(dir, 'proposals_2022-05-15.csv'))) {
    const start = seconds(row.req('Started'));
    const topic = row.opt('Forum Topic');
    data.proposals.set(row.req('Snapshot ID'), {
      id: row.req('Snapshot ID'),
      space,
      title: row.req('Title'),
      body: '',
      discussion: topic ? `https://forum.decentraland.org/t/${topic.trim()}` : '',
      author: row.req('Author'),
      type: 'single-choice',
      choices: [],
      start,
      end: seconds(row.req('Ended')),
      created: start,
      quorum: Number(row.opt('Threshold') ?? 0),
      scores: [],
      scores_total: 0,
      votes: 0,
    });
  }
  const labels = new Map<string, Map<number, string>>();
  for (const row of readCsv(path.join(dir, 'votes_2022-05-15.csv'))) {
    const proposal = row.req('Proposal ID');
    if (!data.proposals.has(proposal)) continue; // the hub held only the 961 proposals of that export
    const choice = Number(row.req('Choice #'));
    const voter = row.req('Member');
    data.putVote({
      id: voteId(space, proposal, voter),
      space,
      proposal,
      voter,
      created: seconds(row.req('Created')),
      choice,
      vp: Number(row.req('VP')),
      reason: '',
    });
    const map = labels.get(proposal) ?? new Map<number, string>();
    map.set(choice, row.get('Choice'));
    labels.set(proposal, map);
  }
  for (const p of [...data.proposals.values()].filter((p) => p.space === space)) {
    const map = labels.get(p.id);
    const max = map ? Math.max(...map.keys()) : 0;
    p.choices = Array.from({ length: max }, (_, i) => map!.get(i + 1) ?? `(choice ${i + 1})`);
    data.rescore(p);
  }
}

function loadTokenomics(data: HubData, dir: string, wanted: (space: string) => boolean) {
  const spaceOf = new Map<string, string>();
  const exported = new Map<string, { scoresTotal: number; votes: number }>();
  for (const row of readCsv(path.join(dir, 'snapshot_proposals.csv'))) {
    const space = row.req('space_id');
    if (!wanted(space)) continue;
    if (!data.spaces.has(space)) data.spaces.set(space, { id: space, name: space, symbol: row.req('symbol') });
    const id = row.req('proposal_id');
    const start = seconds(row.req('start'));
    spaceOf.set(id, space);
    exported.set(id, { scoresTotal: Number(row.opt('scores_total') ?? 0), votes: Number(row.opt('votes') ?? 0) });
    data.proposals.set(id, {
      id,
      space,
      title: row.req('title'),
      body: '',
      discussion: '',
      author: row.req('author'),
      type: row.req('type'),
      choices: ['choice 1', 'choice 2', 'choice 3'],
      start,
      end: seconds(row.req('end')),
      created: start,
      quorum: Number(row.opt('quorum') ?? 0),
      scores: [],
      scores_total: 0,
      votes: 0,
    });
  }
  for (const row of readCsv(path.join(dir, 'snapshot_votes.csv'))) {
    const proposal = row.req('proposal_id');
    const space = spaceOf.get(proposal);
    if (!space) continue;
    const raw = row.req('choice');
    // comp-vote.eth weighted choices are Python dict reprs in the export; the hub stores JSON objects.
    const choice = /^\d+$/.test(raw) ? Number(raw) : JSON.parse(raw.replaceAll("'", '"'));
    const voter = row.req('voter');
    data.putVote({
      id: voteId(space, proposal, voter),
      space,
      proposal,
      voter,
      created: seconds(row.req('created')),
      choice,
      vp: Number(row.req('voting_power')),
      reason: '',
    });
  }
  for (const [id, p] of data.proposals) {
    if (!spaceOf.has(id)) continue;
    const { scoresTotal, votes } = exported.get(id)!;
    if (data.votesOf(id).length === 0) {
      p.scores = p.choices.map((_, i) => (i === 0 ? scoresTotal : 0));
      p.scores_total = scoresTotal;
      p.votes = votes;
    } else {
      data.rescore(p);
      p.scores_total = scoresTotal; // the export's own total is real
      p.votes = votes;
    }
  }
}
