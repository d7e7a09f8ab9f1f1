import {
  type Abi,
  type Address,
  createPublicClient,
  createWalletClient,
  encodeFunctionData,
  type Hex,
  http,
  keccak256,
  type PublicClient,
  parseEther,
  toHex,
  type WalletClient,
} from 'viem';
import type { Artifacts } from './compile.ts';
import type { Chain } from './hardhat.ts';

/**
 * A DAO on the test chain: GovToken (ERC20Votes), a TimelockController holding the treasury
 * (ETH and GOV) and a Governor proposing through it, plus helpers to drive proposals. Hardhat's
 * default accounts are unlocked, so transactions are sent with eth_sendTransaction.
 */
export interface TestDao {
  chain: Chain;
  artifacts: Artifacts;
  client: PublicClient;
  wallet: WalletClient;
  accounts: Address[];
  token: Address;
  timelock: Address;
  governor: Address;
  /** Sends a transaction from `from` and returns its receipt (automine: mined at once). */
  send(
    from: Address,
    to: Address,
    abi: Abi,
    functionName: string,
    args?: unknown[],
    value?: bigint,
  ): Promise<{ blockNumber: bigint }>;
  read<T>(address: Address, abi: Abi, functionName: string, args?: unknown[], blockNumber?: bigint): Promise<T>;
  mine(blocks: number): Promise<void>;
  /** Moves time forward (seconds) and mines a block. */
  warp(seconds: number): Promise<void>;
}

export const VOTING_DELAY = 2;
export const VOTING_PERIOD = 20;
export const TIMELOCK_DELAY = 60;

export async function deployDao(
  chain: Chain,
  artifacts: Artifacts,
  options: { votingPeriod?: number } = {},
): Promise<TestDao> {
  const client = createPublicClient({ transport: http(chain.url), pollingInterval: 20 }) as PublicClient;
  const wallet = createWalletClient({ transport: http(chain.url) });
  const accounts = (await wallet.getAddresses()).map((a) => a.toLowerCase() as Address);
  const deployer = accounts[0]!;

  const receipt = async (hash: Hex) => {
    const r = await client.waitForTransactionReceipt({ hash, pollingInterval: 20 });
    if (r.status !== 'success') throw new Error(`transaction ${hash} reverted`);
    return r;
  };
  const deploy = async (name: string, args: unknown[]): Promise<Address> => {
    const { abi, bytecode } = artifacts[name]!;
    const hash = await wallet.deployContract({ abi, bytecode, args, account: deployer, chain: null });
    return (await receipt(hash)).contractAddress!.toLowerCase() as Address;
  };
  const send: TestDao['send'] = async (from, to, abi, functionName, args = [], value) => {
    const data = encodeFunctionData({ abi, functionName, args } as never);
    const hash = await wallet.sendTransaction({ account: from, to, data, value, chain: null } as never);
    return receipt(hash);
  };
  const read: TestDao['read'] = (address, abi, functionName, args = [], blockNumber) =>
    client.readContract({ address, abi, functionName, args, blockNumber } as never) as never;

  const token = await deploy('GovToken', [parseEther('1000000')]);
  const timelock = await deploy('Timelock', [
    BigInt(TIMELOCK_DELAY),
    [],
    ['0x0000000000000000000000000000000000000000'],
    deployer,
  ]);
  const governor = await deploy('TestGovernor', [
    token,
    timelock,
    VOTING_DELAY,
    options.votingPeriod ?? VOTING_PERIOD,
    4n,
  ]);
  const timelockAbi = artifacts.Timelock!.abi;
  for (const role of ['PROPOSER_ROLE', 'CANCELLER_ROLE']) {
    await send(deployer, timelock, timelockAbi, 'grantRole', [keccak256(toHex(role)), governor]);
  }

  return {
    chain,
    artifacts,
    client,
    wallet,
    accounts,
    token,
    timelock,
    governor,
    send,
    read,
    // One evm_mine per block: blocks made by hardhat_mine answer eth_getCode with '0x', which
    // would mislead the source's bisection for the token's deployment block.
    async mine(blocks) {
      for (let i = 0; i < blocks; i++) await client.request({ method: 'evm_mine' as never, params: [] as never });
    },
    async warp(seconds) {
      await client.request({ method: 'evm_increaseTime' as never, params: [seconds] as never });
      await client.request({ method: 'evm_mine' as never, params: [] as never });
    },
  };
}

/** Proposal id and arguments of a proposal with the given actions. */
export interface ProposalActions {
  targets: Address[];
  values: bigint[];
  calldatas: Hex[];
  description: string;
}

export async function propose(dao: TestDao, from: Address, actions: ProposalActions): Promise<bigint> {
  const abi = dao.artifacts.TestGovernor!.abi;
  const { targets, values, calldatas, description } = actions;
  await dao.send(from, dao.governor, abi, 'propose', [targets, values, calldatas, description]);
  return dao.read<bigint>(dao.governor, abi, 'hashProposal', [
    targets,
    values,
    calldatas,
    keccak256(toHex(description)),
  ]);
}
