import { type Address, encodeFunctionData } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/index.ts';
import type { NotificationEvent } from '../src/db/notification-event.ts';
import { listEvents, proposalsForNotice } from '../src/db/queries/notifications.ts';
import { createLogger } from '../src/logger/index.ts';
import { GovernanceNotifier } from '../src/notify/governance-notifier.ts';
import type { NotificationSink } from '../src/notify/sink.ts';
import { createGovernorSource } from '../src/sources/governor/source.ts';
import type { LiveEvent } from '../src/sync/types.ts';
import { compileContracts } from './chain/compile.ts';
import { deployDao, propose, type TestDao, VOTING_DELAY } from './chain/deploy.ts';
import { type Chain, startChain } from './chain/hardhat.ts';
import { runLifecycle, type Scenario } from './chain/scenario.ts';
import { addDao, sync } from './chain/sync.ts';
import { databaseTargets, type TestDatabase } from './helpers/db.ts';
import { watchAddresses } from './helpers/notify.ts';

let chain: Chain;
let dao: TestDao;
let scenario: Scenario;
/** A proposal nobody has voted on yet: its quorum (4% of the supply) is at risk. */
let quiet: bigint;

beforeAll(async () => {
  chain = await startChain();
}, 240_000);
afterAll(async () => chain?.close());

/** A DAO of its own for each database (the test votes on the chain, which the next one must not see). */
async function deployScenario() {
  dao = await deployDao(chain, await compileContracts());
  scenario = await runLifecycle(dao);
  const tokenAbi = dao.artifacts.GovToken!.abi;
  quiet = await propose(dao, dao.accounts[1] as Address, {
    targets: [dao.token],
    values: [0n],
    calldatas: [encodeFunctionData({ abi: tokenAbi, functionName: 'transfer', args: [dao.accounts[2], 1n] })],
    description: '# Nobody looks\nwill it reach quorum?',
  });
  await dao.mine(VOTING_DELAY + 1);
}

const config = loadConfig({ NOTIFY_NOT_VOTED_HOURS: '1000', NOTIFY_ENDING_HOURS: '1', NOTIFY_LOOKBACK_HOURS: '72' });

describe.each(databaseTargets())('governance notifications from the Governor source on $kind', (target) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await target.open();
    await deployScenario();
  }, 240_000);
  afterAll(async () => database?.destroy());

  it('a new Governor proposal, a delegate not voting and quorum at risk are each told once, from the live events', async () => {
    const row = await addDao(database, { governor: dao.governor, token: dao.token });
    const [, alice, bob] = dao.accounts as Address[];
    await watchAddresses(database, row.id, [alice!, bob!]);
    const source = createGovernorSource({ rpcUrls: { [chain.chainId]: chain.url }, confirmations: 12 });
    const live: LiveEvent[] = [];
    await sync(database, row, source, live);

    // The clock: 60% into the quiet proposal's window (as the source stored it).
    const stored = await proposalsForNotice(database.db, new Date(0), 1e6, [row.id]);
    const q = stored.find((p) => p.externalId === String(quiet))!;
    const open = stored.find((p) => p.externalId === String(scenario.proposals.active))!;
    expect(q.quorum).toBe('40000');
    const now = new Date(q.start.getTime() + 0.6 * (q.end.getTime() - q.start.getTime()));
    expect(open.start.getTime()).toBeLessThanOrEqual(now.getTime());
    expect(open.end.getTime()).toBeGreaterThan(now.getTime());

    const handed: NotificationEvent[] = [];
    const sink: NotificationSink = async (_tx, events) => void handed.push(...events);
    const notifier = new GovernanceNotifier({
      database,
      sink,
      config,
      logger: createLogger('silent'),
      now: () => now,
      debounceMs: 10,
    });
    // The live path: the sync's events trigger detection for the DAO.
    expect(live.filter((e) => e.type === 'proposal.created')).toHaveLength(5);
    for (const event of live) notifier.onLiveEvent(event);
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && (await listEvents(database.db, { daoId: row.id })).length === 0)
      await new Promise((resolve) => setTimeout(resolve, 50));
    await notifier.stop();
    const first = [...handed];
    const told = (kind: string) =>
      first
        .filter((e) => e.kind === kind)
        .map((e) => `${e.facts.proposal_source_id}${e.facts.address ? `:${e.facts.address}` : ''}`)
        .sort();
    const [active, quietId, executed, defeated] = [
      scenario.proposals.active,
      quiet,
      scenario.proposals.executed,
      scenario.proposals.defeated,
    ].map(String);
    expect(told('proposal.created')).toEqual([active, quietId].sort());
    // bob voted on neither open proposal; alice voted on the scenario's, not on the quiet one.
    expect(told('delegate.not_voted')).toEqual([`${active}:${bob}`, `${quietId}:${alice}`, `${quietId}:${bob}`].sort());
    // Alice's For vote put the other one far past its quorum.
    expect(told('quorum.at_risk')).toEqual([quietId]);
    expect(told('proposal.outcome')).toEqual([executed, defeated].sort());
    const risk = first.find((e) => e.kind === 'quorum.at_risk')!;
    expect(risk.facts).toMatchObject({ current: 0, quorum: 40000, projected: 0, method: 'curve', curve_proposals: 2 });
    expect(risk.body).toContain('late-vote curve (median of its 2 newest ended proposals)');
    expect(risk.url).toBe(`/proposals/${q.id}`);
    const outcome = first.find((e) => e.kind === 'proposal.outcome' && e.facts.proposal_source_id === defeated)!;
    expect(outcome.facts.outcome).toBe('failed');

    // bob votes on the quiet proposal: a new sync and a sweep tell nothing already told, nothing about bob there.
    await dao.send(bob!, dao.governor, dao.artifacts.TestGovernor!.abi, 'castVote', [quiet, 1]);
    await sync(database, row, source);
    const again = new GovernanceNotifier({ database, sink, config, logger: createLogger('silent'), now: () => now });
    expect(await again.detect()).toEqual([]);
    const ledger = await listEvents(database.db, { daoId: row.id });
    expect(ledger.map((e) => e.key).sort()).toEqual(first.map((e) => e.key).sort());
  }, 120_000);
});
