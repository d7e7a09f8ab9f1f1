import { describe, expect, it } from 'vitest';
import type { Dao, Summary } from '../api/types.ts';
import { compareRows } from './compare.ts';
import { parseSse } from './live.ts';
import {
  lorenzCurve,
  monthly,
  normalize,
  ownTokenShare,
  quorumProgress,
  rank,
  stackByToken,
  topSlices,
} from './shape.ts';
import { renderSnippet } from './snippet.ts';

describe('chart data shaping', () => {
  it('closes and orders a Lorenz curve', () => {
    expect(
      lorenzCurve([
        [0.5, 0.1],
        [0.9, 0.4],
      ]),
    ).toEqual([
      [0, 0],
      [0.5, 0.1],
      [0.9, 0.4],
      [1, 1],
    ]);
    expect(
      lorenzCurve([
        [0, 0],
        [1, 1],
      ]),
    ).toEqual([
      [0, 0],
      [1, 1],
    ]);
    expect(lorenzCurve([[1.2, -0.1]])).toEqual([
      [0, 0],
      [1, 0],
      [1, 1],
    ]);
    expect(lorenzCurve(null)).toEqual([]);
  });

  it('folds small slices into Other with shares', () => {
    const slices = topSlices(
      [
        { name: 'MANA', value: '60' },
        { name: 'ETH', value: 20 },
        { name: 'MANA', value: 10 },
        { name: 'DAI', value: 5 },
        { name: 'USDC', value: 5 },
        { name: 'DUST', value: null },
        { name: 'NEG', value: -3 },
      ],
      2,
    );
    expect(slices).toEqual([
      { name: 'MANA', value: 70, share: 0.7 },
      { name: 'ETH', value: 20, share: 0.2 },
      { name: 'Other', value: 10, share: 0.1 },
    ]);
  });

  it('computes the own-token share of a treasury', () => {
    const latest = [
      { token_symbol: 'MANA', usd_value: '75' },
      { token_symbol: 'ETH', usd_value: '25' },
      { token_symbol: 'X', usd_value: null },
    ];
    expect(ownTokenShare(latest, 'mana')).toBe(0.75);
    expect(ownTokenShare(latest, null)).toBeNull();
    expect(ownTokenShare([], 'MANA')).toBeNull();
  });

  it('stacks treasury value by token with aligned, zero-filled series', () => {
    const stacked = stackByToken(
      [
        { t: '2024-02-01', by_token: { ETH: 5, MANA: 10, DAI: 1 } },
        { t: '2024-01-01', by_token: { MANA: 8, DAI: 2 } },
      ],
      2,
    );
    expect(stacked.times).toEqual(['2024-01-01', '2024-02-01']);
    expect(stacked.series).toEqual([
      { name: 'MANA', data: [8, 10] },
      { name: 'ETH', data: [0, 5] },
      { name: 'Other', data: [2, 1] },
    ]);
  });

  it('ranks with ties and direction, skipping nulls', () => {
    expect(rank([10, 30, 30, null])).toEqual([3, 1, 1, null]);
    expect(rank([0.2, 0.5, 0.1], false)).toEqual([2, 3, 1]);
  });

  it('normalizes each metric to the best DAO', () => {
    expect(
      normalize([
        [10, 0.5, null],
        [20, 0.25, null],
      ]),
    ).toEqual([
      [0.5, 1, 0],
      [1, 0.5, 0],
    ]);
  });

  it('buckets by UTC month', () => {
    const items = [
      { t: '2024-01-31T23:00:00Z', v: 2 },
      { t: '2024-01-01T00:00:00Z', v: 3 },
      { t: '2024-03-05T00:00:00Z', v: 1 },
      { t: 'bad', v: 9 },
    ];
    expect(
      monthly(
        items,
        (i) => i.t,
        (i) => i.v,
      ),
    ).toEqual([
      { t: '2024-01-01T00:00:00.000Z', count: 2, sum: 5 },
      { t: '2024-03-01T00:00:00.000Z', count: 1, sum: 1 },
    ]);
  });

  it('measures quorum progress', () => {
    expect(quorumProgress('50', '200')).toBe(0.25);
    expect(quorumProgress(500, 200)).toBe(1);
    expect(quorumProgress(5, null)).toBeNull();
    expect(quorumProgress(5, '0')).toBeNull();
  });
});

describe('comparison rows', () => {
  const dao = (slug: string, members: number, treasury: string) =>
    ({
      slug,
      total_members: members,
      total_proposals: 1,
      total_votes: 1,
      participation_rate: '0.5',
      treasury_value: treasury,
    }) as Dao;

  it('ranks DAO figures when the comparison service is absent', () => {
    const rows = compareRows([dao('a', 10, '0'), dao('b', 30, '100')], [undefined, undefined]);
    const members = rows.find((r) => r.metric.label === 'Members')!;
    expect(members.values).toEqual([10, 30]);
    expect(members.ranks).toEqual([2, 1]);
    expect(rows.find((r) => r.metric.label === 'Treasury')!.values).toEqual([null, 100]);
    expect(rows.some((r) => r.metric.label === 'Pass rate')).toBe(false);
  });

  it('prefers summary values and server ranks', () => {
    const summary = { outcomes: { pass_rate: 0.8 }, activity: { voters: 99 } } as unknown as Summary;
    const rows = compareRows([dao('a', 10, '0')], [summary], [{ 'outcomes.pass_rate': 4 }]);
    expect(rows.find((r) => r.metric.label === 'Pass rate')).toMatchObject({ values: [0.8], ranks: [4] });
    expect(rows.find((r) => r.metric.label === 'Members')!.values).toEqual([99]);
  });

  it('shows unknown figures of a holder-only DAO as unknown and never ranks them', () => {
    const holderOnly = { ...dao('h', 0, '0'), total_votes: 0, total_proposals: 0, turnout_vp: null } as Dao;
    const voting = { ...dao('v', 40, '0'), turnout_vp: '0.12', turnout_basis: 'holders' } as Dao;
    const rows = compareRows([holderOnly, voting], [undefined, undefined]);
    expect(rows.find((r) => r.metric.label === 'Members')).toMatchObject({ values: [null, 40], ranks: [null, 1] });
    expect(rows.find((r) => r.metric.label === 'VP turnout')).toMatchObject({
      values: [null, 0.12],
      ranks: [null, 1],
      bases: [null, "of listed holders' balance"],
    });
    expect(rows.some((r) => r.metric.label === 'Participation')).toBe(false);
  });

  it('stacks treasury tokens with gaps for months without a snapshot', () => {
    const stacked = stackByToken([
      { t: '2024-01-01', by_token: { MANA: 8 } },
      { t: '2024-02-01', by_token: {}, known: false },
      { t: '2024-03-01', by_token: { MANA: 9, DAI: 1 } },
    ]);
    expect(stacked.series).toEqual([
      { name: 'MANA', data: [8, null, 9] },
      { name: 'DAI', data: [0, null, 1] },
    ]);
  });
});

describe('stream and snippets', () => {
  it('parses server-sent events across chunks and skips heartbeats', () => {
    const events: [string, string][] = [];
    let rest = parseSse(': heartbeat\n\nevent: vote.cast\ndata: {"a":', (t, d) => events.push([t, d]));
    rest = parseSse(`${rest}1}\n\nevent: sync.finished\ndata: {}\n\n`, (t, d) => events.push([t, d]));
    expect(events).toEqual([
      ['vote.cast', '{"a":1}'],
      ['sync.finished', '{}'],
    ]);
    expect(rest).toBe('');
  });

  it('lets only <mark> through in search snippets', () => {
    expect(renderSnippet('a <mark>grant</mark> &amp; <img src=x onerror=alert(1)> "q"')).toBe(
      'a <mark>grant</mark> &amp; &lt;img src=x onerror=alert(1)&gt; &quot;q&quot;',
    );
  });
});

describe('add-DAO form', async () => {
  const { daoForm, slugify } = await import('./dao-form.ts');
  const base = {
    name: 'ENS DAO',
    slug: '',
    chain: 'ethereum',
    kind: 'snapshot',
    source: 'ens.eth',
    token_symbol: 'ens',
    treasury: '',
  };

  it('builds the POST /daos body with a derived slug', () => {
    expect(slugify('Ünïcode  DAO_2!')).toBe('unicode-dao-2');
    expect(daoForm(base)).toEqual({
      body: { name: 'ENS DAO', slug: 'ens-dao', chain: 'ethereum', snapshot_space: 'ens.eth', token_symbol: 'ENS' },
      errors: {},
    });
    const governor = daoForm({
      ...base,
      kind: 'governor',
      source: '0x323A76393544d5ecca80cd6ef2A560C6a395b7E3',
      treasury: '0x0000000000000000000000000000000000000001, 0x0000000000000000000000000000000000000002',
    });
    expect(governor.body).toMatchObject({
      governor_address: '0x323A76393544d5ecca80cd6ef2A560C6a395b7E3',
      treasury_addresses: ['0x0000000000000000000000000000000000000001', '0x0000000000000000000000000000000000000002'],
    });
  });

  it('names each field to fix', () => {
    const { errors } = daoForm({
      ...base,
      name: ' ',
      kind: 'governor',
      source: '0x12',
      treasury: 'nope',
      slug: 'Bad Slug',
    });
    expect(Object.keys(errors).sort()).toEqual(['name', 'slug', 'source', 'treasury']);
  });
});
