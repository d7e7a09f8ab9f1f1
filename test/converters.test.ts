/**
 * Converters of the real exports in ../shared/data (read in place, never copied into the repo).
 * Expected values are computed here straight from the raw CSV text with csv-parse, independently
 * of the converters' own CSV helper.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type CanonicalRecord,
  converterDescriptions,
  converters,
  type HolderRecord,
  type ProposalRecord,
  type VoteRecord,
} from '../src/import/converters/index.js';
import { parseChoice } from '../src/import/converters/tokenomics.js';

/** Converters emit times and decimals as text, never numbers, so nothing is rounded on the way. */
const matches = (re: RegExp, value: unknown) => typeof value === 'string' && re.test(value);

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dataRoot = path.resolve(repoRoot, '../shared/data');
const dclDir = path.join(dataRoot, 'decentraland');
const tokDir = path.join(dataRoot, 'tokenomics');

type Row = Record<string, string>;
function csv(file: string): Row[] {
  return parse(readFileSync(file), { columns: true, bom: true, skip_empty_lines: true }) as Row[];
}
function col(row: Row, name: string): string {
  const v = row[name];
  if (v === undefined) throw new Error(`no column ${name}`);
  return v;
}

const ADDRESS = /^0x[0-9a-f]{40}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const DECIMAL = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;

function countByType(records: CanonicalRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of records) counts[r.type] = (counts[r.type] ?? 0) + 1;
  return counts;
}

function byType<T extends CanonicalRecord['type']>(records: CanonicalRecord[], type: T) {
  return records.filter((r): r is Extract<CanonicalRecord, { type: T }> => r.type === type);
}

function choiceIndexes(choice: VoteRecord['choice']): number[] {
  if (typeof choice === 'number') return [choice];
  if (Array.isArray(choice)) return choice;
  return Object.keys(choice).map(Number);
}

/**
 * Structural checks every converter output must pass. Problems are collected and asserted once
 * (an expect() per field of ~50k records is far too slow).
 */
function streamProblems(records: CanonicalRecord[]): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, what: string, r: CanonicalRecord) => {
    if (!ok && problems.length < 20) problems.push(`${what}: ${JSON.stringify(r).slice(0, 200)}`);
  };
  const phase = { dao: 0, proposal: 1, vote: 2, treasury_balance: 3, holder: 3 } as const;
  const daos = new Set<string>();
  const proposals = new Map<string, ProposalRecord>();
  const votes = new Set<string>();
  let last = 0;
  for (const r of records) {
    check(phase[r.type] >= last, 'out of order', r);
    last = phase[r.type];
    for (const [k, v] of Object.entries(r)) check(!(v === null || v === '' || v === undefined), `empty ${k}`, r);
    if (r.type === 'dao') {
      check(/^[a-z0-9-]+$/.test(r.slug), 'bad slug', r);
      check(!daos.has(r.slug), 'duplicate dao', r);
      daos.add(r.slug);
      for (const a of r.treasury_addresses ?? []) check(matches(ADDRESS, a), 'treasury address', r);
      if (r.token_address !== undefined) check(matches(ADDRESS, r.token_address), 'token_address', r);
      continue;
    }
    check(daos.has(r.dao), 'dao not emitted earlier', r);
    switch (r.type) {
      case 'proposal': {
        const key = `${r.dao}|${r.id}`;
        check(!proposals.has(key), 'duplicate proposal', r);
        proposals.set(key, r);
        check(matches(ISO, r.start) && matches(ISO, r.end), 'start/end', r);
        check(r.title.trim() !== '', 'title', r);
        if (r.author !== undefined) check(matches(ADDRESS, r.author), 'author', r);
        for (const v of [r.quorum, r.scores_total]) if (v !== undefined) check(matches(DECIMAL, v), 'decimal', r);
        break;
      }
      case 'vote': {
        const p = proposals.get(`${r.dao}|${r.proposal}`);
        check(p !== undefined, 'proposal not emitted earlier', r);
        check(matches(ADDRESS, r.voter), 'voter', r);
        check(matches(ISO, r.created), 'created', r);
        check(typeof r.voting_power === 'string' && matches(DECIMAL, r.voting_power), 'voting_power', r);
        const n = p?.choices.length ?? 0;
        check(
          choiceIndexes(r.choice).every((c) => Number.isInteger(c) && c >= 1 && c <= n),
          'choice out of range',
          r,
        );
        const key = `${r.dao}|${r.proposal}|${r.voter}`;
        check(!votes.has(key), 'duplicate (proposal, voter)', r);
        votes.add(key);
        break;
      }
      case 'treasury_balance':
        check(matches(ISO, r.timestamp), 'timestamp', r);
        if (r.wallet !== undefined) check(matches(ADDRESS, r.wallet), 'wallet', r);
        if (r.token_address !== undefined) check(matches(ADDRESS, r.token_address), 'token_address', r);
        check(matches(DECIMAL, r.amount), 'amount', r);
        if (r.usd_value !== undefined) check(matches(DECIMAL, r.usd_value), 'usd_value', r);
        break;
      case 'holder':
        check(matches(ADDRESS, r.address), 'address', r);
        if (r.delegate !== undefined) check(matches(ADDRESS, r.delegate), 'delegate', r);
        check(matches(DECIMAL, r.balance), 'balance', r);
        if (r.voting_power !== undefined) check(matches(DECIMAL, r.voting_power), 'voting_power', r);
        check(matches(ISO, r.as_of), 'as_of', r);
        break;
    }
  }
  return problems;
}

describe('converter registry', () => {
  it('lists both converters with a description', () => {
    expect(Object.keys(converters).sort()).toEqual(['aave', 'decentraland', 'tokenomics']);
    for (const name of Object.keys(converters) as (keyof typeof converters)[]) {
      expect(converterDescriptions[name]).toMatch(/\S/);
      expect(converterDescriptions[name]).not.toContain('\n');
    }
  });
});

describe('decentraland converter', () => {
  let records: CanonicalRecord[];
  const warnings: string[] = [];
  const raw = {
    proposals: [] as Row[],
    proposals2022: [] as Row[],
    votes: [] as Row[],
    balances: [] as Row[],
    members: [] as Row[],
  };

  beforeAll(() => {
    records = [...converters.decentraland(dclDir, { onWarning: (m) => warnings.push(m) })];
    raw.proposals = csv(path.join(dclDir, 'proposals.csv'));
    raw.proposals2022 = csv(path.join(dclDir, 'proposals_2022-05-15.csv'));
    raw.votes = csv(path.join(dclDir, 'votes_2022-05-15.csv'));
    raw.balances = csv(path.join(dclDir, 'balances_monthly_history.csv'));
    raw.members = csv(path.join(dclDir, 'members.csv'));
  }, 60_000);

  it('emits the expected number of records per type', () => {
    const ids = new Set([
      ...raw.proposals.map((r) => col(r, 'Snapshot ID')),
      ...raw.proposals2022.map((r) => col(r, 'Snapshot ID')),
      ...raw.votes.map((r) => col(r, 'Proposal ID')),
    ]);
    const treasuryKeys = new Set(
      raw.balances.map((r) => {
        const ts = col(r, '_commit_date');
        return [
          new Date(ts).toISOString(),
          col(r, 'Address').toLowerCase(),
          col(r, 'Network').toLowerCase(),
          col(r, 'Symbol'),
          col(r, 'Token').toLowerCase(),
        ].join('|');
      }),
    );
    const expected = {
      dao: 1,
      proposal: ids.size,
      vote: raw.votes.length,
      treasury_balance: treasuryKeys.size,
      holder: raw.members.length,
    };
    expect(countByType(records)).toEqual(expected);
    // The figures of shared/data/README.md and of the data check done when this was written.
    expect(expected).toEqual({ dao: 1, proposal: 2667 + 1 + 108, vote: 19409, treasury_balance: 816, holder: 4811 });
  });

  it('produces a well-formed, referentially complete stream', () => {
    expect(streamProblems(records)).toEqual([]);
  });

  it('emits the DAO with the distinct treasury wallets', () => {
    const wallets = [...new Set(raw.balances.map((r) => col(r, 'Address').toLowerCase()))];
    expect(records[0]).toEqual({
      type: 'dao',
      slug: 'decentraland',
      name: 'Decentraland DAO',
      description: expect.stringContaining('Apache-2.0'),
      chain: 'ethereum',
      token_symbol: 'MANA',
      governance_token: 'MANA',
      snapshot_space: 'snapshot.dcl.eth',
      token_address: '0x0f5d2fb29fb7d3cfee444a200298f468908cc942',
      treasury_addresses: wallets,
    });
    expect(wallets).toHaveLength(3);
  });

  it('converts a proposal of the 2026 export', () => {
    const p = byType(records, 'proposal').find(
      (r) => r.id === '0x969677c0497ff85158b9f9b3f27db3a3a1d99bfce7c680837608a1be470ecc08',
    );
    expect(p).toEqual({
      type: 'proposal',
      dao: 'decentraland',
      id: '0x969677c0497ff85158b9f9b3f27db3a3a1d99bfce7c680837608a1be470ecc08',
      source: 'snapshot',
      voting_type: 'single-choice',
      title: 'Decentraland DAO: 2030 Transition Plan',
      body: expect.stringContaining('https://forum.decentraland.org/t/25181'),
      author: '0x7bbea9c18cd0541acab8c19da2b11d0c03faef1c',
      choices: [],
      start: '2026-04-23T04:03:00.296Z',
      end: '2026-04-30T04:03:00.295Z',
      state: 'active',
      quorum: '1000000',
      scores_total: '1694263.29911499',
      votes_count: 25,
      discussion: 'https://forum.decentraland.org/t/25181',
    });
    expect(p?.body).toContain('`draft`');
    expect(p?.body).toContain('909002be-99b5-4445-a7e0-9f06217f2a34');
  });

  it('takes choice labels from the votes file and the only-2022 proposal from the 2022 export', () => {
    const p = byType(records, 'proposal').find((r) => r.id === 'QmZHDgrX1jsXF5JXeTrrNhBGWSCdsdrQGf9cHeH4LnQpcB');
    expect(p).toMatchObject({
      title: 'Add the location 85,-139 to the Points of Interest',
      author: '0x7c7c618e50f1dd195d6b6c3bd8169331ed97d770',
      choices: ['yes', 'no'],
      start: '2022-05-14T08:34:00.213Z',
      end: '2022-05-21T08:34:00.211Z',
      state: 'active',
      quorum: '500000',
      scores_total: '1104165.229962308',
    });
    // Labels match the votes file exactly; unused indexes below the max are "Choice N".
    const labels = new Map<string, Map<number, string>>();
    for (const v of raw.votes) {
      const m = labels.get(col(v, 'Proposal ID')) ?? new Map<number, string>();
      m.set(Number(col(v, 'Choice #')), col(v, 'Choice'));
      labels.set(col(v, 'Proposal ID'), m);
    }
    for (const prop of byType(records, 'proposal')) {
      const m = labels.get(prop.id);
      if (m === undefined) {
        expect(prop.choices).toEqual([]);
        continue;
      }
      const max = Math.max(...m.keys());
      expect(prop.choices).toEqual(Array.from({ length: max }, (_, i) => m.get(i + 1) ?? `Choice ${i + 1}`));
    }
  });

  it('reconstructs proposals known only from the votes file', () => {
    const known = new Set([...raw.proposals, ...raw.proposals2022].map((r) => col(r, 'Snapshot ID')));
    const orphanVotes = raw.votes.filter((v) => !known.has(col(v, 'Proposal ID')));
    const orphanIds = new Set(orphanVotes.map((v) => col(v, 'Proposal ID')));
    expect(orphanVotes).toHaveLength(320); // README: 320 votes point at missing proposals
    expect(orphanIds.size).toBe(108);

    const rebuilt = byType(records, 'proposal').filter((p) => orphanIds.has(p.id));
    expect(rebuilt).toHaveLength(108);
    for (const p of rebuilt) {
      const times = orphanVotes
        .filter((v) => col(v, 'Proposal ID') === p.id)
        .map((v) => new Date(col(v, 'Created')).toISOString())
        .sort();
      expect(p.start).toBe(times[0]);
      expect(p.end).toBe(times[times.length - 1]);
      expect(p.state).toBe('closed');
      expect(p.source).toBe('snapshot');
      expect(p.body).toMatch(/reconstructed from the votes export/i);
      expect(p.author).toBeUndefined();
    }
    expect(rebuilt.find((p) => p.id === 'QmW7GM8pfneNtYvzyzHBA8XeSBCKyChLNeoda2desCetUW')).toEqual({
      type: 'proposal',
      dao: 'decentraland',
      id: 'QmW7GM8pfneNtYvzyzHBA8XeSBCKyChLNeoda2desCetUW',
      source: 'snapshot',
      voting_type: 'single-choice',
      title: 'Creation of a Community plot for advertising and showcasing projects of creators',
      body: expect.stringContaining('first and last vote'),
      choices: ['yes', 'no'],
      start: '2022-04-09T04:47:30.000Z',
      end: '2022-04-21T14:16:53.000Z',
      state: 'closed',
    });
  });

  it('converts every vote in file order with verbatim voting power', () => {
    const votes = byType(records, 'vote');
    expect(votes[0]).toEqual({
      type: 'vote',
      dao: 'decentraland',
      proposal: 'QmWaFXcqDR1BjtrCe51if5GxggcFLnUytoaeH2skPMCWqg',
      voter: '0x7e49bbc73e724a759bf83957fba077a99c893fe2',
      choice: 1,
      voting_power: '116.48963677055151',
      created: '2022-05-15T05:14:33.000Z',
    });
    const mismatches = votes.filter((v, i) => {
      const r = raw.votes[i] as Row;
      return (
        v.proposal !== col(r, 'Proposal ID') ||
        v.voting_power !== col(r, 'VP') ||
        v.voter !== col(r, 'Member').toLowerCase() ||
        v.choice !== Number(col(r, 'Choice #')) ||
        v.created !== new Date(col(r, 'Created')).toISOString()
      );
    });
    expect(mismatches).toEqual([]);
  });

  it('converts treasury balances as one snapshot per monthly export (_commit_date)', () => {
    const tb = byType(records, 'treasury_balance');
    expect(tb[0]).toEqual({
      type: 'treasury_balance',
      dao: 'decentraland',
      timestamp: '2022-01-31T00:00:00.000Z',
      wallet: '0x9a6ebe7e2a7722f8200d0ffb63a1f6406a0d7dce',
      chain: 'ethereum',
      token_symbol: 'MANA',
      token_address: '0x0f5d2fb29fb7d3cfee444a200298f468908cc942',
      amount: '31526742.75392818',
      usd_value: '88113560',
    });
    // One point per export: 52 monthly exports, every row kept at its export date.
    const dates = [...new Set(raw.balances.map((r) => col(r, '_commit_date')))].sort();
    expect(dates).toHaveLength(52);
    expect([...new Set(tb.map((t) => t.timestamp))].sort()).toEqual(dates.map((d) => `${d}T00:00:00.000Z`));
    // A stale balance (its Timestamp stays 2022-07-21 in 20 exports) now appears in each of those
    // exports, valued as that export valued it.
    const repeated = raw.balances.filter(
      (r) => col(r, 'Timestamp') === '2022-07-21T15:27:33Z' && col(r, 'Symbol') === 'DAI',
    );
    expect(repeated).toHaveLength(20);
    expect(
      tb
        .filter((t) => t.token_symbol === 'DAI' && t.chain === 'polygon' && t.amount === col(repeated[0]!, 'Balance'))
        .map((t) => [t.timestamp, t.usd_value]),
    ).toEqual(
      expect.arrayContaining(repeated.map((r) => [`${col(r, '_commit_date')}T00:00:00.000Z`, col(r, 'USD Balance')])),
    );
    // The row without Timestamp needs no fallback any more.
    expect(tb.find((t) => t.token_symbol === 'MATIC' && t.amount === '42.61365619738083')).toMatchObject({
      timestamp: '2023-01-31T00:00:00.000Z',
      chain: 'polygon',
    });
    expect(new Set(tb.map((t) => t.chain))).toEqual(new Set(['ethereum', 'polygon']));
    expect(warnings.filter((w) => w.includes('duplicate') || w.includes('Timestamp'))).toEqual([]);
  });

  it('converts members to holders', () => {
    const holders = byType(records, 'holder');
    expect(holders[0]).toEqual({
      type: 'holder',
      dao: 'decentraland',
      address: '0x30b1f4bd5476906f38385b891f2c09973196b742',
      balance: '1026',
      delegate: '0x0f051a642a1c4b2c268c7d6a83186159b149021b',
      voting_power: '1026',
      as_of: '2026-04-27T00:00:00.000Z',
    });
    const mismatches = holders.filter((h: HolderRecord, i) => {
      const r = raw.members[i] as Row;
      return (
        h.address !== col(r, 'Member').toLowerCase() ||
        h.balance !== col(r, 'Total VP') ||
        h.voting_power !== col(r, 'Total VP') ||
        h.delegate !== (col(r, 'Delegate') === '' ? undefined : col(r, 'Delegate').toLowerCase())
      );
    });
    expect(mismatches).toEqual([]);
    expect(holders.filter((h) => h.delegate !== undefined)).toHaveLength(
      raw.members.filter((r) => col(r, 'Delegate') !== '').length,
    );
  });
});

describe('tokenomics converter', () => {
  let records: CanonicalRecord[];
  let rawProposals: Row[];
  let rawVotes: Row[];
  let holderFiles: { file: string; rows: Row[] }[];

  beforeAll(() => {
    records = [...converters.tokenomics(tokDir)];
    rawProposals = csv(path.join(tokDir, 'snapshot_proposals.csv'));
    rawVotes = csv(path.join(tokDir, 'snapshot_votes.csv'));
    holderFiles = readdirSync(path.join(tokDir, 'holder_lists'))
      .filter((f) => f.endsWith('_holders.csv'))
      .map((file) => ({ file, rows: csv(path.join(tokDir, 'holder_lists', file)) }));
  }, 60_000);

  it('emits the expected number of records per type', () => {
    const spaces = new Set(rawProposals.map((r) => col(r, 'space_id')));
    const spaceSymbols = new Set(rawProposals.map((r) => col(r, 'symbol')));
    const holderOnly = holderFiles.filter(({ rows }) => !spaceSymbols.has(col(rows[0] as Row, 'token')));
    const expected = {
      dao: spaces.size + holderOnly.length,
      proposal: rawProposals.length,
      vote: rawVotes.length,
      holder: holderFiles.reduce((n, f) => n + f.rows.length, 0),
    };
    expect(countByType(records)).toEqual(expected);
    expect(expected).toEqual({ dao: 6 + 11, proposal: 131, vote: 19970, holder: 13 * 1000 + 993 + 189 });
  });

  it('produces a well-formed, referentially complete stream', () => {
    expect(streamProblems(records)).toEqual([]);
  });

  it('emits one DAO per space and per holder-only token', () => {
    const daos = byType(records, 'dao');
    expect(daos.map((d) => d.slug)).toEqual([
      'arbitrum',
      'uniswap',
      'lido',
      'compound',
      'weatherxm',
      'dimo',
      'aave',
      'balancer',
      'curve',
      'ens',
      'gitcoin',
      'maker',
      'optimism',
      'the-graph',
      'livepeer',
      'rocket-pool',
      'gmx',
    ]);
    expect(daos[0]).toEqual({
      type: 'dao',
      slug: 'arbitrum',
      name: 'Arbitrum DAO',
      description: expect.stringContaining('CC BY 4.0'),
      chain: 'arbitrum',
      token_symbol: 'ARB',
      governance_token: 'ARB',
      snapshot_space: 'arbitrumfoundation.eth',
    });
    expect(daos.find((d) => d.slug === 'optimism')).toMatchObject({
      name: 'Optimism Collective',
      chain: 'optimism',
      token_symbol: 'OP',
    });
    expect(daos.find((d) => d.slug === 'gmx')).toMatchObject({ chain: 'arbitrum' });
    for (const d of daos) expect(d.description).toContain('Zach Zukowski / Tokenization Systems');
    expect(daos.find((d) => d.slug === 'aave')?.snapshot_space).toBeUndefined();
  });

  it('converts proposals; basic has For/Against/Abstain, other choices run up to the highest index voted', () => {
    const maxChoice = new Map<string, number>();
    for (const v of rawVotes) {
      const c = col(v, 'choice');
      const indexes = c.startsWith('{')
        ? Object.keys(JSON.parse(c.replace(/'/g, '"')) as object).map(Number)
        : [Number(c)];
      maxChoice.set(col(v, 'proposal_id'), Math.max(maxChoice.get(col(v, 'proposal_id')) ?? 0, ...indexes));
    }
    const proposals = byType(records, 'proposal');
    proposals.forEach((p, i) => {
      const r = rawProposals[i] as Row;
      const n = maxChoice.get(p.id) ?? 0;
      expect(p).toEqual({
        type: 'proposal',
        dao: p.dao,
        id: col(r, 'proposal_id'),
        source: 'snapshot',
        voting_type: col(r, 'type'),
        title: col(r, 'title'),
        author: col(r, 'author').toLowerCase(),
        choices:
          col(r, 'type') === 'basic'
            ? ['For', 'Against', 'Abstain']
            : Array.from({ length: n }, (_, k) => `Choice ${k + 1}`),
        start: `${col(r, 'start')}T00:00:00.000Z`,
        end: `${col(r, 'end')}T00:00:00.000Z`,
        time_precision: 'day',
        state: col(r, 'state'),
        quorum: col(r, 'quorum'),
        scores_total: col(r, 'scores_total'),
        votes_count: Number(col(r, 'votes')),
      });
    });
    expect(proposals.filter((p) => p.voting_type !== 'basic' && p.choices.length > 0)).toHaveLength(
      new Set(
        rawVotes
          .filter((v) =>
            rawProposals.find(
              (r) => col(r as Row, 'proposal_id') === col(v, 'proposal_id') && col(r as Row, 'type') !== 'basic',
            ),
          )
          .map((v) => col(v, 'proposal_id')),
      ).size,
    ); // README: votes exist for 28 proposals
    expect(proposals[0]).toEqual({
      type: 'proposal',
      dao: 'uniswap',
      id: '0x48e56786fd4ab27c5b089b45be1e914d4a3a0f9d067ac51eff0b26a882e49bde',
      source: 'snapshot',
      voting_type: 'single-choice',
      title: '[RFC] Governance Process Upgrade: Establishing a Statute of Limitations for Temperature Checks',
      author: '0x3fb19771947072629c8eee7995a2ef23b72d4c8a',
      choices: [],
      start: '2026-03-03T00:00:00.000Z',
      end: '2026-03-08T00:00:00.000Z',
      time_precision: 'day',
      state: 'closed',
      quorum: '10000000',
      scores_total: '5753874.4708579285',
      votes_count: 133,
    });
  });

  it('converts votes, including weighted choices and tiny voting powers, verbatim', () => {
    const votes = byType(records, 'vote');
    const mismatches = votes.filter((v, i) => {
      const r = rawVotes[i] as Row;
      return (
        v.proposal !== col(r, 'proposal_id') ||
        v.voting_power !== col(r, 'voting_power') ||
        v.voter !== col(r, 'voter').toLowerCase() ||
        v.created !== `${col(r, 'created')}T00:00:00.000Z` ||
        (/^\d+$/.test(col(r, 'choice')) && v.choice !== Number(col(r, 'choice')))
      );
    });
    expect(mismatches).toEqual([]);
    expect(votes.find((v) => v.voting_power === '2.11e-16')).toEqual({
      type: 'vote',
      dao: 'uniswap',
      proposal: '0x04af1fcb7538cf5458c5c17baa50fe410952d48e98d451a6ca5f7b94fea87ee8',
      voter: '0x772f61bb54dbd1c9cde9f8ba11b02268235a2c25',
      choice: 1,
      voting_power: '2.11e-16',
      created: '2025-03-29T00:00:00.000Z',
      created_precision: 'day',
    });
    expect(
      votes.find(
        (v) =>
          v.proposal === '0x0a898c9a26b02ebd80f9de77c29a5ff5cdaca77b39a3d1ce22c0555be40028ed' &&
          v.voter === '0xb35659cbac913d5e4119f2af47fd490a45e2c826',
      ),
    ).toEqual({
      type: 'vote',
      dao: 'compound',
      proposal: '0x0a898c9a26b02ebd80f9de77c29a5ff5cdaca77b39a3d1ce22c0555be40028ed',
      voter: '0xb35659cbac913d5e4119f2af47fd490a45e2c826',
      choice: { '1': 250, '2': 16350, '3': 27750, '4': 5700 },
      voting_power: '50010.21778840782',
      created: '2025-07-10T00:00:00.000Z',
      created_precision: 'day',
    });
    const weighted = votes.filter((v) => typeof v.choice === 'object');
    expect(weighted).toHaveLength(rawVotes.filter((r) => col(r, 'choice').startsWith('{')).length);
    expect(weighted.length).toBeGreaterThan(0);
  });

  it('converts holder lists into holders of the matching DAO', () => {
    const holders = byType(records, 'holder');
    expect(holders[0]).toEqual({
      type: 'holder',
      dao: 'aave',
      address: '0x4da27a545c0c5b758a6ba100e3a049001de870f5',
      balance: '3005689.0156133473',
      as_of: '2026-04-01T00:00:00.000Z',
    });
    const slugOf: Record<string, string> = {
      AAVE: 'aave',
      ARB: 'arbitrum',
      BAL: 'balancer',
      COMP: 'compound',
      CRV: 'curve',
      ENS: 'ens',
      GMX: 'gmx',
      GRT: 'the-graph',
      GTC: 'gitcoin',
      LDO: 'lido',
      LPT: 'livepeer',
      MKR: 'maker',
      OP: 'optimism',
      RPL: 'rocket-pool',
      UNI: 'uniswap',
    };
    for (const { rows } of holderFiles) {
      const token = col(rows[0] as Row, 'token');
      const mine = holders.filter((h) => h.dao === slugOf[token]);
      expect(mine.map((h) => [h.address, h.balance])).toEqual(
        rows.map((r) => [col(r, 'address').toLowerCase(), col(r, 'balance')]),
      );
    }
    expect(holders.every((h) => h.voting_power === undefined && h.delegate === undefined)).toBe(true);
  });
});

describe('tokenomics choice parsing', () => {
  it('parses the encodings Snapshot exports use', () => {
    expect(parseChoice('2', 'basic', 't')).toBe(2);
    expect(parseChoice("{'1': 250, '4': 5700}", 'weighted', 't')).toEqual({ '1': 250, '4': 5700 });
    expect(parseChoice('{"2": 1.5}', 'quadratic', 't')).toEqual({ '2': 1.5 });
    expect(parseChoice('[1, 3]', 'approval', 't')).toEqual([1, 3]);
    expect(parseChoice('[3,1,2]', 'ranked-choice', 't')).toEqual([3, 1, 2]);
  });

  it('fails loudly on anything else', () => {
    for (const [text, type] of [
      ['0', 'single-choice'],
      ['yes', 'single-choice'],
      ['{}', 'weighted'],
      ["{'a': 1}", 'weighted'],
      ["{'1': 1, '1': 2}", 'weighted'],
      ['{1: 1}', 'weighted'],
      ['[]', 'approval'],
      ['[1, 1]', 'ranked-choice'],
      ['2', 'weighted'],
      ["{'1': 1}", 'single-choice'],
      ['[1]', 'basic'],
    ] as const) {
      expect(() => parseChoice(text, type, 'test'), `${text} (${type})`).toThrow();
    }
  });
});
