import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketStart } from '../src/metrics/activity.ts';
import { getData, testServer } from './helpers/api.ts';
import { databaseTargets, type TestDatabase } from './helpers/db.ts';
import { convertedNdjson, importSharedData } from './helpers/fixtures.ts';

// What each DAO's data spans, read from the shared exports as converted (not from the database).
interface Spans {
  votes: number[];
  starts: number[];
  ends: number[];
  treasury: Set<string>;
}
const spans = new Map<string, Spans>();
for (const name of ['decentraland', 'tokenomics'] as const) {
  for (const line of convertedNdjson(name).split('\n')) {
    if (!line) continue;
    const r = JSON.parse(line) as Record<string, string>;
    if (r.type === 'dao') spans.set(r.slug!, { votes: [], starts: [], ends: [], treasury: new Set() });
    const s = spans.get(r.dao ?? '');
    if (!s) continue;
    if (r.type === 'vote') s.votes.push(Date.parse(r.created!));
    if (r.type === 'proposal') {
      s.starts.push(Date.parse(r.start!));
      s.ends.push(Date.parse(r.end!));
    }
    if (r.type === 'treasury_balance') s.treasury.add(monthOf(Date.parse(r.timestamp!)));
  }
}
function monthOf(t: number) {
  return bucketStart(new Date(t), 'month').toISOString();
}
const minMax = (xs: number[]) => (xs.length ? { from: monthOf(Math.min(...xs)), to: monthOf(Math.max(...xs)) } : null);
const inside = (t: string, span: { from: string; to: string } | null) => !!span && t >= span.from && t <= span.to;

const AS_OF = '2026-12-01T00:00:00Z';
type Point = Record<string, unknown> & { t: string };

describe.each(databaseTargets())('series coverage on $kind', (target) => {
  let database: TestDatabase;
  let app: FastifyInstance;
  beforeAll(async () => {
    database = await target.open();
    await importSharedData(database);
    app = await testServer(database, { rateLimitPerMinute: 100_000 });
  }, 300_000);
  afterAll(async () => {
    await app?.close();
    await database?.destroy();
  });

  const series = async (type: string, slug: string, from?: string) =>
    (
      await getData(
        app,
        `/api/v1/metrics/enhanced?type=${type}&bucket=month&period=all&as_of=${AS_OF}&dao_ids=${slug}${from ? `&from=${from}` : ''}`,
      )
    ).series[0].points as Point[];

  it('every DAO of the shared data is imported', () => {
    expect([...spans.keys()].sort().length).toBeGreaterThan(10);
  });

  it.each([...spans.keys()])('%s: vote, proposal and outcome buckets outside the data are null', async (slug) => {
    const s = spans.get(slug)!;
    const votes = minMax(s.votes);
    const starts = minMax(s.starts);
    const ends = minMax(s.ends.filter((e) => e <= Date.parse(AS_OF)));
    // From 2020 on, so a DAO whose data starts later has buckets before its data too.
    const activity = await series('activity', slug, '2020-01-01T00:00:00Z');
    expect(activity.length).toBeGreaterThan(0);
    for (const p of activity) {
      for (const k of ['votes', 'voters', 'new_voters', 'returning_voters'])
        if (inside(p.t, votes)) expect(typeof p[k], `${slug} ${p.t} ${k}`).toBe('number');
        else expect(p[k], `${slug} ${p.t} ${k}`).toBeNull();
      if (!inside(p.t, votes)) expect(p.retention).toBeNull();
      if (inside(p.t, starts)) expect(typeof p.proposals).toBe('number');
      else expect(p.proposals, `${slug} ${p.t} proposals`).toBeNull();
    }
    for (const p of await series('participation', slug, '2020-01-01T00:00:00Z'))
      if (!inside(p.t, votes))
        for (const k of ['vp_cast', 'turnout_vp', 'median_voters_per_proposal', 'mean_voters_per_proposal'])
          expect(p[k], `${slug} ${p.t} ${k}`).toBeNull();
    for (const p of await series('delegates', slug, '2020-01-01T00:00:00Z'))
      if (!inside(p.t, votes)) expect([p.active_delegates, p.votes_cast], `${slug} ${p.t}`).toEqual([null, null]);
    for (const p of await series('outcomes', slug, '2020-01-01T00:00:00Z'))
      if (!inside(p.t, ends)) expect([p.closed, p.passed, p.pass_rate], `${slug} ${p.t}`).toEqual([null, null, null]);
    for (const p of await series('concentration', slug, '2020-01-01T00:00:00Z'))
      if (!inside(p.t, votes)) expect(p.gini, `${slug} ${p.t}`).toBeNull();
  });

  it.each([...spans.keys()])('%s: no treasury value for a month without a snapshot', async (slug) => {
    const months = spans.get(slug)!.treasury;
    const points = await series('treasury', slug, '2020-01-01T00:00:00Z');
    for (const p of points) {
      if (months.has(p.t)) expect(typeof p.total_usd, `${slug} ${p.t}`).toBe('number');
      else expect([p.total_usd, p.by_token], `${slug} ${p.t}`).toEqual([null, {}]);
    }
  });

  it('Decentraland: no votes are drawn after the votes file ends (2022-05) nor before it starts', async () => {
    const activity = await series('activity', 'decentraland', '2021-01-01T00:00:00Z');
    const at = (t: string) => activity.find((p) => p.t === t);
    expect(at('2022-05-01T00:00:00.000Z')?.votes).toBeGreaterThan(0);
    expect(at('2022-06-01T00:00:00.000Z')?.votes).toBeNull();
    expect(at('2021-04-01T00:00:00.000Z')?.votes).toBeNull();
    expect(at('2021-05-01T00:00:00.000Z')?.votes).toBeGreaterThan(0);
    // Proposals are known to 2026-04 (proposals.csv): those months count 0 or more, never null.
    expect(typeof at('2024-01-01T00:00:00.000Z')?.proposals).toBe('number');
  });

  it('Arbitrum: nothing before its data starts (2025) in a shared axis', async () => {
    const activity = await series('activity', 'arbitrum', '2024-01-01T00:00:00Z');
    expect(activity[0]!.t).toBe('2024-01-01T00:00:00.000Z');
    expect(activity.filter((p) => p.t < '2025-01-01').every((p) => p.votes === null && p.proposals === null)).toBe(
      true,
    );
  });
});
