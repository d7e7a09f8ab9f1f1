import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDao } from '../src/db/queries/daos.ts';
import {
  deleteSubscription,
  insertSubscription,
  listDeliveries,
  recordNotifications,
  watchedAddresses,
} from '../src/db/queries/notifications.ts';
import { databaseTargets, type TestDatabase } from './helpers/db.ts';
import { testEvent, watchAddresses } from './helpers/notify.ts';

/**
 * Watched addresses are kept in one place, the `addresses` option of a subscription to
 * delegate.not_voted: the detector watches what the subscriptions name, and a "has not voted"
 * about an address reaches only the subscriptions that name it.
 */
const A = `0x${'a1'.repeat(20)}`;
const B = `0x${'b2'.repeat(20)}`;

describe.each(databaseTargets())('watched addresses from the subscriptions ($kind)', (target) => {
  let database: TestDatabase;
  let daoId: number;
  let other: number;

  beforeAll(async () => {
    database = await target.open();
    daoId = (await createDao(database.db, { slug: 'watched', name: 'Watched DAO', chain: 'ethereum' })).id;
    other = (await createDao(database.db, { slug: 'elsewhere', name: 'Elsewhere', chain: 'ethereum' })).id;
  });
  afterAll(async () => database?.destroy());

  it('are the union of the live subscriptions naming them, per DAO, each once', async () => {
    const first = await watchAddresses(database, daoId, [A, B]);
    await watchAddresses(database, daoId, [A]);
    await watchAddresses(database, other, [B]);
    expect(await watchedAddresses(database.db, [daoId])).toEqual([
      { daoId, address: A },
      { daoId, address: B },
    ]);
    expect(await watchedAddresses(database.db, [other])).toEqual([{ daoId: other, address: B }]);

    // A subscription that names addresses but does not ask for delegate.not_voted watches nobody.
    await insertSubscription(database.db, {
      userId: first.userId,
      daoId: other,
      channelId: first.channelId,
      events: ['proposal.created'],
      options: { addresses: [A] },
    });
    expect(await watchedAddresses(database.db, [other])).toEqual([{ daoId: other, address: B }]);

    // Ending the subscription that alone names B in this DAO stops watching B there.
    await deleteSubscription(database.db, first.id);
    expect(await watchedAddresses(database.db, [daoId])).toEqual([{ daoId, address: A }]);
  });

  it("tell a subscriber only of the addresses they watch, never of another's", async () => {
    const watchesA = await watchAddresses(database, other, [A]);
    const watchedThere = (await watchedAddresses(database.db, [other])).map((w) => w.address);
    expect(watchedThere).toEqual([A, B].sort());
    // A subscriber to delegate.not_voted who names no address watches nobody.
    const none = await insertSubscription(database.db, {
      userId: watchesA.userId,
      daoId: other,
      channelId: watchesA.channelId,
      events: ['delegate.not_voted'],
      options: {},
    });
    const event = testEvent({
      kind: 'delegate.not_voted',
      daoId: other,
      key: `proposal:1:not_voted:${A}:24h`,
      facts: { address: A },
    });
    const queued = await database.db.transaction((tx) => recordNotifications(tx, [event]));
    expect(queued).toBe(1);
    const rows = await listDeliveries(database.db, { userId: undefined, limit: 50 });
    expect(rows.filter((r) => r.eventKey === event.key).map((r) => r.subscriptionId)).toEqual([watchesA.id]);
    expect(rows.some((r) => r.subscriptionId === none.id)).toBe(false);
  });
});
