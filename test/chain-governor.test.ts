import { sql } from 'drizzle-orm';
import { type Address, formatEther } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../src/db/index.ts';
import { PROPOSAL_STATES } from '../src/sources/governor/abi.ts';
import { createGovernorSource } from '../src/sources/governor/source.ts';
import { runSync } from '../src/sync/run.ts';
import type { LiveEvent } from '../src/sync/types.ts';
import { compileContracts } from './chain/compile.ts';
import { deployDao, type TestDao } from './chain/deploy.ts';
import { type Chain, startChain } from './chain/hardhat.ts';
import { startProxy } from './chain/proxy.ts';
import { runLifecycle, type Scenario } from './chain/scenario.ts';
import { addDao, dumpDao, logger, sync } from './chain/sync.ts';
import { databaseTargets, type TestDatabase } from './helpers/db.ts';

const ZERO = '0x0000000000000000000000000000000000000000';
let chain: Chain;
let dao: TestDao;
let scenario: Scenario;

beforeAll(async () => {
  chain = await startChain();
  dao = await deployDao(chain, await compileContracts());
  scenario = await runLifecycle(dao);
});
afterAll(async () => chain?.close());

const choiceOf: Record<number, number> = { 1: 1, 0: 2, 2: 3 };

describe.each(databaseTargets())('on-chain Governor source on $kind', (target) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await target.open();
  });
  afterAll(async () => database?.destroy());

  const source = () => createGovernorSource({ rpcUrls: { [chain.chainId]: chain.url }, confirmations: 12 });

  it('stores proposals, votes, tallies, states, quorum and token accounts exactly as the contracts report', async () => {
    const row = await addDao(database, { governor: dao.governor, token: dao.token });
    const live: LiveEvent[] = [];
    const outcome = await sync(database, row, source(), live);
    const head = await dao.client.getBlockNumber();
    expect(outcome.details).toMatchObject({ lastBlock: Number(head) });
    expect(outcome.lag).toBe(0);
    expect(outcome.read).toBeGreaterThan(30);

    const govAbi = dao.artifacts.TestGovernor!.abi;
    const tokenAbi = dao.artifacts.GovToken!.abi;
    const { proposals, votes, accounts } = await dumpDao(database, row.id);
    const ids = Object.values(scenario.proposals).map(String).sort();
    expect(proposals.map((p) => p.external_id)).toEqual(ids);
    expect(Object.fromEntries(proposals.map((p) => [p.external_id, p.state]))).toEqual({
      [String(scenario.proposals.executed)]: 'executed',
      [String(scenario.proposals.defeated)]: 'defeated',
      [String(scenario.proposals.canceled)]: 'canceled',
      [String(scenario.proposals.active)]: 'active',
    });
    for (const p of proposals as Array<Record<string, unknown>>) {
      const id = BigInt(p.external_id as string);
      const state = await dao.read<number>(dao.governor, govAbi, 'state', [id]);
      const [against, forVotes, abstain] = await dao.read<[bigint, bigint, bigint]>(
        dao.governor,
        govAbi,
        'proposalVotes',
        [id],
      );
      const snapshot = await dao.read<bigint>(dao.governor, govAbi, 'proposalSnapshot', [id]);
      const deadline = await dao.read<bigint>(dao.governor, govAbi, 'proposalDeadline', [id]);
      const quorum = await dao.read<bigint>(dao.governor, govAbi, 'quorum', [snapshot]);
      expect(p.state).toBe(PROPOSAL_STATES[state]);
      expect(p.scores).toEqual([forVotes, against, abstain].map((v) => formatEther(v)));
      expect(p.scores_total).toBe(formatEther(forVotes + against + abstain));
      expect(p.quorum).toBe(formatEther(quorum));
      expect(Number(p.snapshot_block)).toBe(Number(snapshot));
      expect(p.voting_type).toBe('basic');
      expect(p.choices).toEqual(['For', 'Against', 'Abstain']);
      if (deadline <= head) {
        const end = await dao.client.getBlock({ blockNumber: deadline });
        expect(new Date(p.end as string).getTime()).toBe(Number(end.timestamp) * 1000);
      } else {
        // Not mined yet: estimated from the average block time, so after the head's time.
        const top = await dao.client.getBlock({ blockNumber: head });
        expect(new Date(p.end as string).getTime()).toBeGreaterThan(Number(top.timestamp) * 1000);
      }
    }
    const executed = proposals.find((p) => p.external_id === String(scenario.proposals.executed))!;
    expect(executed).toMatchObject({ title: 'Pay dave', author: dao.accounts[1], votes_count: 4 });

    expect(votes).toHaveLength(scenario.votes.length);
    for (const v of scenario.votes) {
      const stored = votes.find((s) => s.external_id === String(v.proposal) && s.voter === v.voter)!;
      const snapshot = await dao.read<bigint>(dao.governor, govAbi, 'proposalSnapshot', [v.proposal]);
      const weight = await dao.read<bigint>(dao.governor, govAbi, 'getVotes', [v.voter, snapshot]);
      expect(stored).toMatchObject({
        choice: choiceOf[v.support],
        voting_power: formatEther(weight),
        reason: v.reason || null,
      });
    }

    // Every account the token ever touched, with the token's own figures.
    const expected = [...dao.accounts.slice(0, 6), dao.timelock].map((a) => a.toLowerCase()).sort();
    expect(accounts.map((a) => a.address)).toEqual(expected);
    const delegateOf = new Map<string, string>();
    for (const a of expected)
      delegateOf.set(a, (await dao.read<Address>(dao.token, tokenAbi, 'delegates', [a])).toLowerCase());
    for (const account of accounts as Array<Record<string, unknown>>) {
      const address = account.address as Address;
      const delegate = delegateOf.get(address)!;
      expect(account).toMatchObject({
        balance: formatEther(await dao.read<bigint>(dao.token, tokenAbi, 'balanceOf', [address])),
        voting_power: formatEther(await dao.read<bigint>(dao.token, tokenAbi, 'getVotes', [address])),
        delegate: delegate === ZERO ? null : delegate,
        delegators: [...delegateOf.values()].filter((d) => d === address).length,
      });
    }
    // The executed proposal moved 1000 GOV from the timelock to dave.
    expect(accounts.find((a) => a.address === dao.timelock)).toMatchObject({ balance: '99000' });

    expect(live.filter((e) => e.type === 'proposal.created')).toHaveLength(4);
    expect(live.filter((e) => e.type === 'vote.cast')).toHaveLength(scenario.votes.length);
    const [state] = await rowsOf<{ status: string; cursor: { block: number; hash: string } }>(
      database.db,
      sql`
      select status, cursor from sync_state where dao_id = ${row.id} and source = 'governor'`,
    );
    expect(state).toMatchObject({ status: 'idle', cursor: { block: Number(head) } });

    // The API figures follow: DAO aggregates see the on-chain votes.
    const [aggregate] = await rowsOf<{ total_votes: number; total_proposals: number }>(
      database.db,
      sql`
      select total_votes, total_proposals from daos where id = ${row.id}`,
    );
    expect(aggregate).toEqual({ total_votes: scenario.votes.length, total_proposals: 4 });

    // Replays change nothing: a second run, and a run that lost its cursor and reads everything again.
    expect((await sync(database, row, source())).written).toBe(0);
    await database.db.execute(sql`update sync_state set cursor = '{}' where dao_id = ${row.id}`);
    const replay = await sync(database, row, source());
    expect(replay.written).toBe(0);
    expect(replay.read).toBe(outcome.read);
  });

  it('splits log ranges a provider refuses and ends with the same rows', async () => {
    const reference = await addDao(database, { governor: dao.governor, token: dao.token });
    await sync(database, reference, source());
    const proxy = await startProxy(chain.url, { maxRange: 7 });
    try {
      const row = await addDao(database, { governor: dao.governor, token: dao.token });
      const outcome = await sync(
        database,
        row,
        createGovernorSource({
          rpcUrls: { [chain.chainId]: proxy.url },
          confirmations: 12,
          rpc: { initialSpan: 1000 },
        }),
      );
      expect(proxy.stats.rejectedRanges).toBeGreaterThan(0);
      expect(outcome.details).toMatchObject({ span: expect.any(Number) });
      expect((outcome.details as { span: number }).span).toBeLessThanOrEqual(7);
      expect(await dumpDao(database, row.id)).toEqual(await dumpDao(database, reference.id));
    } finally {
      await proxy.close();
    }
  });

  it('resumes a run stopped between ranges from its committed cursor, without gaps or duplicates', async () => {
    const reference = await addDao(database, { governor: dao.governor, token: dao.token });
    await sync(database, reference, source());
    const row = await addDao(database, { governor: dao.governor, token: dao.token });
    const small = () =>
      createGovernorSource({
        rpcUrls: { [chain.chainId]: chain.url },
        confirmations: 12,
        rpc: { initialSpan: 4, maxSpan: 4 },
      });
    // Stop after the third committed range, as a shutdown or a killed job would.
    const controller = new AbortController();
    let ranges = 0;
    await expect(
      runSync({
        database,
        dao: row,
        source: small(),
        logger,
        signal: controller.signal,
        progress: () => void (++ranges === 3 && controller.abort(new Error('stopped'))),
      }),
    ).rejects.toThrow('stopped');
    const [state] = await rowsOf<{ status: string; cursor: { block: number } }>(
      database.db,
      sql`
      select status, cursor from sync_state where dao_id = ${row.id} and source = 'governor'`,
    );
    expect(state!.status).toBe('failed');
    expect(state!.cursor.block).toBeLessThan(Number(await dao.client.getBlockNumber()));
    const resumed = await sync(database, row, small());
    expect(resumed.written).toBeGreaterThan(0);
    expect(await dumpDao(database, row.id)).toEqual(await dumpDao(database, reference.id));
  });
});
