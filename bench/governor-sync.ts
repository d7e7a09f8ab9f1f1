/**
 * Throughput of the on-chain Governor source: builds a Hardhat chain with many holders,
 * delegations, proposals and votes plus a run of empty blocks, then syncs it from scratch on
 * PGlite and, when TEST_DATABASE_URL is set, on a scratch PostgreSQL database (created and dropped
 * like the tests'), printing blocks/s and logs/s.
 *
 *   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx bench/governor-sync.ts
 *
 * Sizes: BENCH_HOLDERS (default 200), BENCH_PROPOSALS (5), BENCH_EMPTY_BLOCKS (20000).
 */
import { type Address, encodeFunctionData, parseEther, toHex } from 'viem';
import { createGovernorSource } from '../src/sources/governor/source.ts';
import { compileContracts } from '../test/chain/compile.ts';
import { deployDao, propose, VOTING_DELAY } from '../test/chain/deploy.ts';
import { startChain } from '../test/chain/hardhat.ts';
import { addDao, sync } from '../test/chain/sync.ts';
import { databaseTargets, type TestDatabase } from '../test/helpers/db.ts';

const HOLDERS = Number(process.env.BENCH_HOLDERS ?? 200);
const PROPOSALS = Number(process.env.BENCH_PROPOSALS ?? 5);
const EMPTY_BLOCKS = Number(process.env.BENCH_EMPTY_BLOCKS ?? 20_000);

const chain = await startChain();
const dao = await deployDao(chain, await compileContracts(), { votingPeriod: 10_000 });
const rpc = (method: string, params: unknown[] = []) =>
  dao.client.request({ method: method as never, params: params as never });
const tokenAbi = dao.artifacts.GovToken!.abi;
const govAbi = dao.artifacts.TestGovernor!.abi;
const deployer = dao.accounts[0]!;

/** Sends transactions without waiting for each, and mines them 100 to a block. */
async function burst(txs: Array<{ from: Address; data: `0x${string}`; to: Address }>) {
  await rpc('evm_setAutomine', [false]);
  for (let i = 0; i < txs.length; i += 100) {
    await Promise.all(txs.slice(i, i + 100).map((tx) => rpc('eth_sendTransaction', [{ ...tx, gas: toHex(500_000) }])));
    await rpc('evm_mine');
  }
  await rpc('evm_setAutomine', [true]);
}

const started = Date.now();
const holders = Array.from(
  { length: HOLDERS },
  (_, i) => `0x${(0x1000 + i).toString(16).padStart(40, '0')}` as Address,
);
for (const holder of holders) {
  await rpc('hardhat_impersonateAccount', [holder]);
  await rpc('hardhat_setBalance', [holder, toHex(parseEther('10'))]);
}
await burst(
  holders.map((h, i) => ({
    from: deployer,
    to: dao.token,
    data: encodeFunctionData({ abi: tokenAbi, functionName: 'transfer', args: [h, parseEther(String(100 + i))] }),
  })),
);
await burst(
  holders.map((h) => ({
    from: h,
    to: dao.token,
    data: encodeFunctionData({ abi: tokenAbi, functionName: 'delegate', args: [h] }),
  })),
);
const ids: bigint[] = [];
for (let p = 0; p < PROPOSALS; p++) {
  ids.push(
    await propose(dao, holders[p]!, {
      targets: [dao.token],
      values: [0n],
      calldatas: [encodeFunctionData({ abi: tokenAbi, functionName: 'transfer', args: [deployer, 1n] })],
      description: `# Bench proposal ${p}`,
    }),
  );
}
await dao.mine(VOTING_DELAY + 1);
await burst(
  ids.flatMap((id) =>
    holders.map((h, i) => ({
      from: h,
      to: dao.governor,
      data: encodeFunctionData({ abi: govAbi, functionName: 'castVoteWithReason', args: [id, i % 3, `vote ${i}`] }),
    })),
  ),
);
await dao.mine(EMPTY_BLOCKS);
const head = Number(await dao.client.getBlockNumber());
console.log(
  `chain: ${head} blocks, ${HOLDERS} holders, ${PROPOSALS} proposals, ${HOLDERS * PROPOSALS} votes (built in ${((Date.now() - started) / 1000).toFixed(1)} s)`,
);

async function measure(label: string, database: TestDatabase) {
  const row = await addDao(database, { governor: dao.governor, token: dao.token });
  const source = createGovernorSource({
    rpcUrls: { [chain.chainId]: chain.url },
    confirmations: 12,
    rpc: { maxSpan: 100_000 },
    // Hardhat answers eth_getCode with '0x' inside blocks made by hardhat_mine, which would mislead
    // the deployment-block bisection; the whole chain is scanned instead.
    startBlock: 0,
  });
  const t0 = process.hrtime.bigint();
  const outcome = await sync(database, row, source);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const blocks = head + 1;
  console.log(
    `${label}: ${blocks} blocks, ${outcome.read} logs, ${outcome.written} rows in ${seconds.toFixed(2)} s -> ` +
      `${Math.round(blocks / seconds)} blocks/s, ${Math.round(outcome.read / seconds)} logs/s, ${(outcome.details as { requests: number }).requests} HTTP requests`,
  );
  await database.destroy();
}

for (const target of databaseTargets()) await measure(target.kind, await target.open());
await chain.close();
