import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/index.ts';
import type { NotificationEvent } from '../src/db/notification-event.ts';
import { createLogger } from '../src/logger/index.ts';
import { GovernanceNotifier } from '../src/notify/governance-notifier.ts';
import type { NotificationSink } from '../src/notify/sink.ts';
import { createEventBus } from '../src/sync/events.ts';
import type { LiveEvent } from '../src/sync/types.ts';
import { databaseTargets, sharedData, type TestDatabase } from './helpers/db.ts';
import { type HubData, loadHubData, type SnapshotHubStandIn, startHub } from './helpers/snapshot-hub/index.ts';
import { createSpaceDaos, syncAll } from './helpers/snapshot-sync.ts';

/**
 * A Snapshot proposal that appears on the hub between two syncs is told by the sync that stores it
 * (through the live-event bus), not at the next sweep: the notifier's sweep is set to an hour.
 */
describe.each(databaseTargets())('a new Snapshot proposal through the live events on $kind', (target) => {
  let database: TestDatabase;
  let hub: SnapshotHubStandIn;
  let data: HubData;
  beforeAll(async () => {
    database = await target.open();
    data = loadHubData(sharedData, { spaces: ['comp-vote.eth'] });
    hub = await startHub(data, { rateLimit: { max: 100, windowMs: 1000 } });
  });
  afterAll(async () => {
    await hub?.close();
    await database?.destroy();
  });

  it('is told once, within the sync that stored it, with its link', async () => {
    const rows = [...data.proposals.values()].sort((a, b) => a.created - b.created);
    const held = rows.at(-1)!;
    data.proposals.delete(held.id);
    const now = Math.max(...rows.map((p) => p.end)) + 3600;
    data.now = () => now;
    const [dao] = await createSpaceDaos(database, ['comp-vote.eth']);

    const handed: NotificationEvent[] = [];
    const sink: NotificationSink = async (_tx, events) => void handed.push(...events);
    const bus = createEventBus({ logger: createLogger('silent') });
    const notifier = new GovernanceNotifier({
      database,
      sink,
      config: loadConfig({ NOTIFY_SWEEP_SECONDS: '3600', PUBLIC_URL: 'https://portal.example.org' }),
      logger: createLogger('silent'),
      now: () => new Date(now * 1000),
      debounceMs: 10,
    });
    notifier.start(bus);
    const publish = (events: LiveEvent[]) => {
      for (const e of events) bus.publish(e);
    };

    const before: LiveEvent[] = [];
    await syncAll(database, [dao!], { url: hub.url, events: before });
    publish(before);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await notifier.detect([]); // waits for what the events started
    expect(handed.filter((e) => e.kind === 'proposal.created')).toEqual([]);

    // It appears on the hub, open now.
    data.proposals.set(held.id, { ...held, created: now - 60, start: now - 60, end: now + 3 * 86400 });
    const after: LiveEvent[] = [];
    await syncAll(database, [dao!], { url: hub.url, events: after });
    expect(after.some((e) => e.type === 'proposal.created' && e.proposal === held.id)).toBe(true);
    publish(after);
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && !handed.some((e) => e.kind === 'proposal.created'))
      await new Promise((resolve) => setTimeout(resolve, 50));
    await notifier.stop();
    await bus.close();
    const created = handed.filter((e) => e.kind === 'proposal.created');
    expect(created.map((e) => e.facts.proposal_source_id)).toEqual([held.id]);
    expect(created[0]!.url).toBe(`https://portal.example.org/proposals/${created[0]!.facts.proposal}`);
    expect(created[0]!.title).toBe(`New proposal in ${dao!.name}: ${held.title}`);
  }, 60_000);
});
