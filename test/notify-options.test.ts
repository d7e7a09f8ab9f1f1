import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/index.ts';
import { createDao } from '../src/db/queries/daos.ts';
import {
  listDeliveries,
  listEvents,
  subscribedOptionValues,
  watchedAddresses,
} from '../src/db/queries/notifications.ts';
import { createLogger } from '../src/logger/index.ts';
import { outboxSink } from '../src/notify/delivery.ts';
import { GovernanceNotifier } from '../src/notify/governance-notifier.ts';
import { databaseTargets, type TestDatabase } from './helpers/db.ts';
import { subscribe, watchAddresses } from './helpers/notify.ts';

/**
 * Per-subscription options decide what a subscription is told: `hours` of proposal.ending and
 * delegate.not_voted, `threshold` of treasury.outflow. Each distinct value is detected once per
 * DAO and delivered only to the subscriptions with it; a subscription that sets none gets the
 * configured default (24 h, 24 h, $100,000 here) under the keys the default always had.
 */
const HOUR = 3600_000;
const X = `0x${'c3'.repeat(20)}`;
const Y = `0x${'d4'.repeat(20)}`;
const END = new Date('2026-12-10T12:00:00Z');
const config = loadConfig({ PUBLIC_URL: 'https://portal.example.org' });
const logger = createLogger('silent');

describe.each(databaseTargets())('per-subscription notification options ($kind)', (target) => {
  let database: TestDatabase;
  let daoId: number;
  let proposalId: number;
  const notifier = (now: Date) =>
    new GovernanceNotifier({ database, sink: outboxSink(logger), config, logger, now: () => now });

  /** Per subscription id: the event keys queued for it, of one kind. */
  async function keysBySubscription(kind: string): Promise<Map<number, string[]>> {
    const rows = await listDeliveries(database.db, { userId: undefined, limit: 500 });
    const map = new Map<number, string[]>();
    for (const r of rows.filter((d) => d.kind === kind).reverse())
      map.set(r.subscriptionId!, [...(map.get(r.subscriptionId!) ?? []), r.eventKey]);
    return map;
  }

  beforeAll(async () => {
    database = await target.open();
    daoId = (await createDao(database.db, { slug: 'opts', name: 'Options DAO', chain: 'ethereum' })).id;
    const [row] = await database.query<{ id: number }>(
      `insert into proposals (dao_id, external_id, source, title, choices, start, "end", state)
       values ($1, 'p-1', 'snapshot', 'Fund the options council', '["For","Against"]'::jsonb, $2, $3, 'active')
       returning id`,
      [daoId, new Date(END.getTime() - 7 * 24 * HOUR).toISOString(), END.toISOString()],
    );
    proposalId = Number(row!.id);
  });
  afterAll(async () => database?.destroy());

  it('proposal.ending and delegate.not_voted: each subscription is told at its own hours, once', async () => {
    const ending24 = await subscribe(database, daoId, ['proposal.ending'], { hours: 24 });
    const ending72 = await subscribe(database, daoId, ['proposal.ending'], { hours: 72 });
    const endingDefault = await subscribe(database, daoId, ['proposal.ending']);
    const watch72 = await watchAddresses(database, daoId, [X], { hours: 72 });
    const watchDefault = await watchAddresses(database, daoId, [X]);
    const watchY24 = await watchAddresses(database, daoId, [Y], { hours: 24 });

    // One query each returns the distinct values asked for (24 equals the default: detected once).
    expect(await subscribedOptionValues(database.db, [daoId])).toEqual([
      { daoId, kind: 'proposal.ending', value: '24' },
      { daoId, kind: 'proposal.ending', value: '72' },
    ]);
    expect(await watchedAddresses(database.db, [daoId])).toEqual([
      { daoId, address: X },
      { daoId, address: X, hours: 72 },
      { daoId, address: Y, hours: 24 },
    ]);

    // 48 h before the end: only the 72-hour subscriptions are told.
    await notifier(new Date(END.getTime() - 48 * HOUR)).detect([daoId]);
    expect(await keysBySubscription('proposal.ending')).toEqual(
      new Map([[ending72.id, [`proposal:${proposalId}:ending:72h`]]]),
    );
    expect(await keysBySubscription('delegate.not_voted')).toEqual(
      new Map([[watch72.id, [`proposal:${proposalId}:not_voted:${X}:72h`]]]),
    );
    // Y is watched at 24 h only: nothing was decided about it at 72 h.
    expect((await listEvents(database.db, { daoId })).some((e) => e.key.includes(`${Y}:72h`))).toBe(false);

    // 20 h before the end: the 24-hour and default subscriptions get the default key; the 72-hour ones nothing new.
    const at20 = notifier(new Date(END.getTime() - 20 * HOUR));
    await at20.detect([daoId]);
    expect(await at20.detect([daoId])).toEqual([]);
    expect(await keysBySubscription('proposal.ending')).toEqual(
      new Map([
        [ending72.id, [`proposal:${proposalId}:ending:72h`]],
        [ending24.id, [`proposal:${proposalId}:ending:24h`]],
        [endingDefault.id, [`proposal:${proposalId}:ending:24h`]],
      ]),
    );
    expect(await keysBySubscription('delegate.not_voted')).toEqual(
      new Map([
        [watch72.id, [`proposal:${proposalId}:not_voted:${X}:72h`]],
        [watchDefault.id, [`proposal:${proposalId}:not_voted:${X}:24h`]],
        [watchY24.id, [`proposal:${proposalId}:not_voted:${Y}:24h`]],
      ]),
    );
    const endingKeys = (await listEvents(database.db, { daoId, kind: 'proposal.ending' })).map((e) => e.key);
    expect(endingKeys.sort()).toEqual([`proposal:${proposalId}:ending:24h`, `proposal:${proposalId}:ending:72h`]);
  });

  it('treasury.outflow: an outflow between two thresholds reaches only the lower one (and the default below it)', async () => {
    const low = await subscribe(database, daoId, ['treasury.outflow'], { threshold: '50000.0' });
    const high = await subscribe(database, daoId, ['treasury.outflow'], { threshold: '200000' });
    const byDefault = await subscribe(database, daoId, ['treasury.outflow']);
    const now = new Date(END.getTime() - 100 * HOUR);
    // $150,000 of USDC left within the 24-hour window.
    for (const [hoursAgo, amount] of [
      [30, 300_000],
      [1, 150_000],
    ] as const)
      await database.db.execute(sql`insert into treasury_balances (dao_id, timestamp, wallet, chain, token_symbol, amount, usd_value)
        values (${daoId}, ${new Date(now.getTime() - hoursAgo * HOUR).toISOString()}::timestamptz, '0xtreasury', 'ethereum', 'USDC', ${amount}, ${amount})`);

    const told = (await notifier(now).detect([daoId])).filter((e) => e.kind === 'treasury.outflow');
    const bucket = Math.floor((now.getTime() - HOUR) / (24 * HOUR));
    const defaultKey = `dao:${daoId}:treasury_outflow:24h:${bucket}`;
    // Decided for the default and for 50,000 (written 50000.0: the same value); not for 200,000.
    expect(told.map((e) => [e.key, e.facts.threshold_usd]).sort()).toEqual([
      [defaultKey, 100_000],
      [`${defaultKey}:over:50000`, 50_000],
    ]);
    expect(await keysBySubscription('treasury.outflow')).toEqual(
      new Map([
        [low.id, [`${defaultKey}:over:50000`]],
        [byDefault.id, [defaultKey]],
      ]),
    );
    expect((await keysBySubscription('treasury.outflow')).has(high.id)).toBe(false);
    expect(await notifier(new Date(now.getTime() + HOUR)).detect([daoId])).toEqual([]);
  });
});
