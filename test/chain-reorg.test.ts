import { type Address, encodeFunctionData, parseEther } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGovernorSource } from '../src/sources/governor/source.ts';
import type { SyncSource } from '../src/sync/types.ts';
import { compileContracts } from './chain/compile.ts';
import { deployDao, propose, type TestDao, VOTING_DELAY } from './chain/deploy.ts';
import { type Chain, startChain } from './chain/hardhat.ts';
import { type RpcProxy, startProxy } from './chain/proxy.ts';
import { runLifecycle, type Scenario } from './chain/scenario.ts';
import { addDao, dumpDao, sync } from './chain/sync.ts';
import { databaseTargets, type TestDatabase } from './helpers/db.ts';

/**
 * Reorgs on the Hardhat chain: evm_snapshot, a fork A the source indexes, evm_revert and a
 * longer fork B with different transfers, delegations, proposals and votes. After the next run
 * the stored rows must be exactly those of a clean run over fork B — also for a source reading
 * through a proxy that fails 5% of the requests and refuses wide log ranges.
 */
let chain: Chain;
let dao: TestDao;
let scenario: Scenario;
let proxy: RpcProxy;

beforeAll(async () => {
  chain = await startChain();
  dao = await deployDao(chain, await compileContracts());
  scenario = await runLifecycle(dao);
  proxy = await startProxy(chain.url, { faultRate: 0.05, maxRange: 16, seed: 7 });
});
afterAll(async () => {
  await proxy?.close();
  await chain?.close();
});

const rpc = (method: string, params: unknown[] = []) =>
  dao.client.request({ method: method as never, params: params as never });

/** Activity on one fork: a transfer, a delegation change, a vote on the open proposal and a new proposal with a vote. */
async function fork(variant: 'A' | 'B') {
  const [deployer, alice, bob, carol, dave, eve] = dao.accounts as [
    Address,
    Address,
    Address,
    Address,
    Address,
    Address,
  ];
  const tokenAbi = dao.artifacts.GovToken!.abi;
  const govAbi = dao.artifacts.TestGovernor!.abi;
  if (variant === 'A') {
    await dao.send(deployer, dao.token, tokenAbi, 'transfer', [dave, parseEther('5000')]);
    await dao.send(carol, dao.token, tokenAbi, 'delegate', [carol]);
    await dao.send(bob, dao.governor, govAbi, 'castVoteWithReason', [scenario.proposals.active, 0, 'fork A says no']);
  } else {
    await dao.send(alice, dao.token, tokenAbi, 'transfer', [eve, parseEther('7000')]);
    await dao.send(dave, dao.token, tokenAbi, 'delegate', [eve]);
    await dao.send(eve, dao.governor, govAbi, 'castVote', [scenario.proposals.active, 2]);
  }
  const id = await propose(dao, variant === 'A' ? alice : bob, {
    targets: [dao.token],
    values: [0n],
    calldatas: [encodeFunctionData({ abi: tokenAbi, functionName: 'transfer', args: [carol, 1n] })],
    description: `# Fork ${variant} proposal`,
  });
  await dao.mine(VOTING_DELAY + 1);
  await dao.send(variant === 'A' ? alice : deployer, dao.governor, govAbi, 'castVote', [id, 1]);
  await dao.mine(variant === 'A' ? 3 : 9);
  return id;
}

describe.each(databaseTargets())('reorgs and faults on $kind', (target) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await target.open();
  });
  afterAll(async () => database?.destroy());

  const direct = () => createGovernorSource({ rpcUrls: { [chain.chainId]: chain.url }, confirmations: 64 });
  const faulty = () =>
    createGovernorSource({
      rpcUrls: { [chain.chainId]: proxy.url },
      confirmations: 64,
      rpc: { baseDelayMs: 2, maxDelayMs: 20, initialSpan: 64 },
    });
  /** Runs like a job runner would: a failed run is retried (each run resumes from its committed cursor). */
  async function syncUntilDone(row: Awaited<ReturnType<typeof addDao>>, source: SyncSource) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await sync(database, row, source);
      } catch (error) {
        if (attempt >= 5) throw error;
      }
    }
  }

  it('rolls back to the common ancestor and ends with the rows of a clean run over the new chain, also under 5% RPC faults', async () => {
    // The chain goes back to this point afterwards, so each database kind sees the same history.
    const base = await rpc('evm_snapshot');
    const snapshot = await rpc('evm_snapshot');
    const onA = await addDao(database, { governor: dao.governor, token: dao.token });
    const faultyDao = await addDao(database, { governor: dao.governor, token: dao.token });
    const forkA = await fork('A');
    await sync(database, onA, direct());
    await syncUntilDone(faultyDao, faulty());
    const before = await dumpDao(database, onA.id);
    expect(before.proposals.map((p) => p.external_id)).toContain(String(forkA));
    expect(await dumpDao(database, faultyDao.id)).toEqual(before);

    expect(await rpc('evm_revert', [snapshot])).toBe(true);
    const forkB = await fork('B');
    const afterReorg = await sync(database, onA, direct());
    expect(afterReorg.written).toBeGreaterThan(0);
    await syncUntilDone(faultyDao, faulty());

    const clean = await addDao(database, { governor: dao.governor, token: dao.token });
    await sync(database, clean, direct());
    const expected = await dumpDao(database, clean.id);
    expect(expected.proposals.map((p) => p.external_id)).toContain(String(forkB));
    expect(expected.proposals.map((p) => p.external_id)).not.toContain(String(forkA));
    const head = await dao.client.getBlock();
    expect(expected.events.every((e) => Number(e.block_number) <= Number(head.number))).toBe(true);

    const reorged = await dumpDao(database, onA.id);
    for (const table of ['proposals', 'votes', 'accounts', 'events'] as const) {
      expect(reorged[table], table).toEqual(expected[table]);
      expect((await dumpDao(database, faultyDao.id))[table], `${table} (faulty RPC)`).toEqual(expected[table]);
    }
    expect(proxy.stats.faults).toBeGreaterThan(0);
    expect(proxy.stats.rejectedRanges).toBeGreaterThan(0);
    // Nothing of fork A survives: the last block of every stored log is on the current chain.
    for (const e of reorged.events) {
      const block = await dao.client.getBlock({ blockNumber: BigInt(e.block_number as number) });
      expect(e.block_hash).toBe(block.hash);
    }
    expect(await rpc('evm_revert', [base])).toBe(true);
  });
});
