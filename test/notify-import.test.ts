import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/index.ts';
import type { NotificationEvent } from '../src/db/notification-event.ts';
import { daoIdBySlug, listEvents } from '../src/db/queries/notifications.ts';
import { createLogger } from '../src/logger/index.ts';
import { GovernanceNotifier } from '../src/notify/governance-notifier.ts';
import type { NotificationSink } from '../src/notify/sink.ts';
import { databaseTargets, type TestDatabase } from './helpers/db.ts';
import { convertedNdjson, importText } from './helpers/fixtures.ts';
import { watchAddresses } from './helpers/notify.ts';

// Expectations straight from the canonical records of the Decentraland export (not from the database).
// biome-ignore lint/suspicious/noExplicitAny: canonical records as parsed JSON, read field by field
type Rec = Record<string, any>;
const records: Rec[] = convertedNdjson('decentraland')
  .trimEnd()
  .split('\n')
  .map((l) => JSON.parse(l));
const proposals = records.filter((r) => r.type === 'proposal');
const votes = records.filter((r) => r.type === 'vote');
const votersOf = new Map<string, Set<string>>();
for (const v of votes) votersOf.set(v.proposal, (votersOf.get(v.proposal) ?? new Set()).add(v.voter));
const ms = (t: string | number) => (typeof t === 'number' ? t * 1000 : Date.parse(t));
const HOUR = 3600_000;

// The proposal the clock is set on: far from its quorum (by its final Snapshot score), with votes.
const target = proposals
  .filter(
    (p) =>
      Number(p.quorum) > 0 &&
      p.scores_total !== undefined &&
      Number(p.scores_total) / Number(p.quorum) < 0.3 &&
      (votersOf.get(p.id)?.size ?? 0) >= 5,
  )
  .sort((a, b) => ms(b.end) - ms(a.end))[0]!;
const start = ms(target.start);
const end = ms(target.end);
// 90% of its window gone.
const clock = new Date(start + 0.9 * (end - start));
const leftHours = (end - clock.getTime()) / HOUR;
const env = {
  PUBLIC_URL: 'https://portal.example.org',
  NOTIFY_ENDING_HOURS: String(Math.ceil(leftHours) + 1),
  NOTIFY_NOT_VOTED_HOURS: String(Math.ceil(leftHours) + 1),
  NOTIFY_LOOKBACK_HOURS: '72',
};
const config = loadConfig(env);
const voted = [...votersOf.get(target.id)!][0]!;
// Someone who voted elsewhere in the DAO but not on the target.
const absent = votes.find((v) => !votersOf.get(target.id)!.has(v.voter))!.voter as string;

describe.each(databaseTargets())('governance notifications on the imported Decentraland data on $kind', (db) => {
  let database: TestDatabase;
  let daoId: number;
  const handed: NotificationEvent[] = [];
  const sink: NotificationSink = async (_tx, events) => void handed.push(...events);
  const notifier = (now: Date, cfg = config) =>
    new GovernanceNotifier({ database, sink, config: cfg, logger: createLogger('silent'), now: () => now });

  beforeAll(async () => {
    database = await db.open();
    const { rejections } = await importText(database, convertedNdjson('decentraland'), { source: 'decentraland' });
    expect(rejections).toEqual([]);
    daoId = (await daoIdBySlug(database.db, 'decentraland'))!;
    await watchAddresses(database, daoId, [voted, absent]);
  }, 180_000);
  afterAll(async () => database?.destroy());

  it('each fact at the clock is told exactly once, with a link to its page', async () => {
    const t = clock.getTime();
    const first = await notifier(clock).detect();
    // Deciding again, from a second notifier (another process), and for the one DAO only: nothing new.
    expect(await notifier(clock).detect()).toEqual([]);
    expect(await notifier(clock).detect([daoId])).toEqual([]);
    expect(handed).toEqual(first);
    const keys = first.map((e) => e.key);
    expect(new Set(keys).size).toBe(keys.length);
    const ledger = await listEvents(database.db, { daoId });
    expect(ledger.map((e) => e.key).sort()).toEqual([...keys].sort());

    const live = proposals.filter((p) => p.state !== 'canceled');
    const idOf = new Map<string, number>();
    for (const e of first)
      if (typeof e.facts.proposal_source_id === 'string')
        idOf.set(e.facts.proposal_source_id, e.facts.proposal as number);
    const of = (kind: string) =>
      first
        .filter((e) => e.kind === kind)
        .map((e) => e.facts.proposal_source_id)
        .sort();

    const open = live.filter((p) => ms(p.end) > t && (ms(p.start) <= t || ['pending', 'active'].includes(p.state)));
    expect(of('proposal.created')).toEqual(open.map((p) => p.id).sort());
    const active = live.filter((p) => ms(p.start) <= t && t < ms(p.end));
    const endingSoon = active.filter((p) => ms(p.end) - t <= config.governanceNotify.endingHours * HOUR);
    expect(of('proposal.ending')).toEqual(endingSoon.map((p) => p.id).sort());
    expect(of('proposal.ending')).toContain(target.id);
    const ended = live.filter((p) => ms(p.end) <= t && t - ms(p.end) <= 72 * HOUR);
    expect(of('proposal.outcome')).toEqual(ended.map((p) => p.id).sort());
    // The clock is where things happen: several of each.
    expect([open.length, endingSoon.length, ended.length].every((n) => n > 0)).toBe(true);

    // Not voted: the absent address on every proposal ending within the hours, the voter not on the target.
    const notVoted = first.filter((e) => e.kind === 'delegate.not_voted');
    const expected = endingSoon.flatMap((p) =>
      [voted, absent].filter((a) => !votersOf.get(p.id)?.has(a)).map((a) => `${p.id}:${a}`),
    );
    expect(notVoted.map((e) => `${e.facts.proposal_source_id}:${e.facts.address}`).sort()).toEqual(expected.sort());
    expect(notVoted.some((e) => e.facts.address === voted && e.facts.proposal_source_id === target.id)).toBe(false);
    expect(notVoted.some((e) => e.facts.address === absent && e.facts.proposal_source_id === target.id)).toBe(true);

    // Quorum at risk on the target, stating the projection; never on a proposal past its quorum.
    const atRisk = first.filter((e) => e.kind === 'quorum.at_risk');
    const mine = atRisk.filter((e) => e.facts.proposal_source_id === target.id);
    expect(mine).toHaveLength(1);
    const f = mine[0]!.facts as Record<string, number | string>;
    expect(f.current).toBeCloseTo(Number(target.scores_total), 6);
    expect(f.quorum).toBe(Number(target.quorum));
    expect(f.elapsed).toBeCloseTo(0.9, 3);
    expect(Number(f.projected) * Number(f.share_by_now)).toBeCloseTo(Number(f.current), 0);
    expect(Number(f.projected)).toBeLessThan(Number(f.quorum));
    expect(mine[0]!.body).toContain('Projected final');
    expect(mine[0]!.body).toMatch(/late-vote curve|evenly/);
    for (const e of atRisk) {
      const p = proposals.find((x) => x.id === e.facts.proposal_source_id)!;
      expect(Number(p.scores_total)).toBeLessThan(Number(p.quorum));
    }

    for (const e of first) {
      if (e.kind === 'treasury.outflow') continue;
      expect(e.url).toBe(`https://portal.example.org/proposals/${idOf.get(e.facts.proposal_source_id as string)}`);
      expect(e.daoId).toBe(daoId);
    }
  }, 60_000);

  it('a later clock tells only what became true since (ending → outcome), once', async () => {
    const after = new Date(end + HOUR);
    const later = await notifier(after).detect();
    expect(later.filter((e) => e.facts.proposal_source_id === target.id).map((e) => e.kind)).toEqual([
      'proposal.outcome',
    ]);
    const outcome = later.find((e) => e.facts.proposal_source_id === target.id)!;
    expect(outcome.facts.outcome).toBe(target.state === 'rejected' ? 'failed' : 'passed');
    expect(await notifier(after).detect()).toEqual([]);
  }, 60_000);

  it('a treasury outflow above the threshold within the window is told once', async () => {
    // The newest month in the export with an outflow, computed from the balance records.
    const balances = records.filter((r) => r.type === 'treasury_balance');
    const times = [...new Set(balances.map((b) => ms(b.timestamp)))].sort((a, b) => a - b);
    const keyOf = (b: Rec) => `${b.wallet ?? ''}|${b.chain}|${b.token_symbol}|${b.token_address ?? ''}`;
    const at = (time: number) => {
      const map = new Map<string, Rec>();
      for (const b of balances) {
        if (ms(b.timestamp) > time) continue;
        const k = keyOf(b);
        if (!map.has(k) || ms(map.get(k)!.timestamp) < ms(b.timestamp)) map.set(k, b);
      }
      return map;
    };
    let found: { time: number; usd: number } | undefined;
    for (let i = times.length - 1; i > 0 && !found; i--) {
      const now = at(times[i]!);
      const before = at(times[i - 1]!);
      let usd = 0;
      for (const [k, b] of now) {
        const prev = before.get(k);
        if (!prev || ms(b.timestamp) <= times[i - 1]!) continue;
        const out = Number(prev.amount) - Number(b.amount);
        const price =
          b.usd_value !== undefined && Number(b.amount) > 0
            ? Number(b.usd_value) / Number(b.amount)
            : prev.usd_value !== undefined && Number(prev.amount) > 0
              ? Number(prev.usd_value) / Number(prev.amount)
              : null;
        if (out > 0 && price !== null) usd += out * price;
      }
      if (usd > 1000) found = { time: times[i]!, usd };
    }
    expect(found).toBeDefined();
    const windowHours = (found!.time - times[times.indexOf(found!.time) - 1]!) / HOUR;
    const cfg = loadConfig({
      ...env,
      NOTIFY_OUTFLOW_USD: String(Math.floor(found!.usd / 2)),
      NOTIFY_OUTFLOW_WINDOW_HOURS: String(windowHours),
    });
    const now = new Date(found!.time);
    const told = (await notifier(now, cfg).detect([daoId])).filter((e) => e.kind === 'treasury.outflow');
    expect(told).toHaveLength(1);
    expect(told[0]!.facts.outflow_usd).toBeCloseTo(found!.usd, 0);
    expect(told[0]!.url).toBe('https://portal.example.org/daos/decentraland');
    expect(
      (await notifier(new Date(found!.time + HOUR), cfg).detect([daoId])).filter((e) => e.kind === 'treasury.outflow'),
    ).toEqual([]);
  }, 60_000);
});
