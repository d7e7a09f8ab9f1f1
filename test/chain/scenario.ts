import { type Address, encodeFunctionData, keccak256, parseEther, toHex } from 'viem';
import { propose, type TestDao, TIMELOCK_DELAY, VOTING_DELAY, VOTING_PERIOD } from './deploy.ts';

/**
 * A governance lifecycle on the test DAO: tokens handed out, delegation (self, to others, and
 * moved by a later transfer), four proposals — one passed, queued and executed (a treasury
 * transfer of GOV and ETH from the timelock), one defeated, one canceled, one still active — with
 * For/Against/Abstain votes, reasons and a VoteCastWithParams.
 */
export interface CastVote {
  proposal: bigint;
  voter: Address;
  support: number;
  reason: string;
}

export interface Scenario {
  proposals: { executed: bigint; defeated: bigint; canceled: bigint; active: bigint };
  votes: CastVote[];
}

export async function runLifecycle(dao: TestDao): Promise<Scenario> {
  const { artifacts, accounts, token, timelock, governor } = dao;
  const [deployer, alice, bob, carol, dave, eve] = accounts as [Address, Address, Address, Address, Address, Address];
  const tokenAbi = artifacts.GovToken!.abi;
  const govAbi = artifacts.TestGovernor!.abi;

  const grants: Array<[Address, string]> = [
    [alice, '300000'],
    [bob, '200000'],
    [carol, '100000'],
    [dave, '50000'],
    [eve, '40000'],
    [timelock, '100000'],
  ];
  for (const [to, amount] of grants) await dao.send(deployer, token, tokenAbi, 'transfer', [to, parseEther(amount)]);
  await dao.wallet.sendTransaction({ account: deployer, to: timelock, value: parseEther('10'), chain: null });
  const delegations: Array<[Address, Address]> = [
    [deployer, deployer],
    [alice, alice],
    [bob, bob],
    [carol, alice],
    [dave, bob],
    [eve, eve],
  ];
  for (const [from, to] of delegations) await dao.send(from, token, tokenAbi, 'delegate', [to]);
  // Moves voting power from bob (dave's delegate) to alice (carol's delegate).
  await dao.send(dave, token, tokenAbi, 'transfer', [carol, parseEther('10000')]);

  const pay = {
    targets: [token, carol],
    values: [0n, parseEther('1')],
    calldatas: [
      encodeFunctionData({ abi: tokenAbi, functionName: 'transfer', args: [dave, parseEther('1000')] }),
      '0x' as const,
    ],
    description: '# Pay dave\n\nA grant of 1000 GOV to dave and 1 ETH to carol from the treasury.',
  };
  const executed = await propose(dao, alice, pay);
  const defeatedActions = {
    targets: [token],
    values: [0n],
    calldatas: [encodeFunctionData({ abi: tokenAbi, functionName: 'transfer', args: [bob, 1n] })],
    description: '# Defeat me\nbob wants a token',
  };
  const defeated = await propose(dao, eve, defeatedActions);
  const cancelActions = { ...defeatedActions, description: '## Cancel me\nwithdrawn by its author' };
  const canceled = await propose(dao, bob, cancelActions);
  await dao.send(bob, governor, govAbi, 'cancel', [
    cancelActions.targets,
    cancelActions.values,
    cancelActions.calldatas,
    keccak256(toHex(cancelActions.description)),
  ]);

  await dao.mine(VOTING_DELAY + 1);
  const votes: CastVote[] = [
    { proposal: executed, voter: alice, support: 1, reason: 'I support this grant' },
    { proposal: executed, voter: bob, support: 0, reason: 'too expensive' },
    { proposal: executed, voter: deployer, support: 1, reason: '' },
    { proposal: executed, voter: eve, support: 2, reason: 'abstaining, with params' },
    { proposal: defeated, voter: bob, support: 0, reason: 'no' },
    { proposal: defeated, voter: eve, support: 1, reason: '' },
  ];
  for (const v of votes) {
    if (v.voter === eve && v.proposal === executed) {
      await dao.send(v.voter, governor, govAbi, 'castVoteWithReasonAndParams', [
        v.proposal,
        v.support,
        v.reason,
        '0x1234',
      ]);
    } else if (v.reason) {
      await dao.send(v.voter, governor, govAbi, 'castVoteWithReason', [v.proposal, v.support, v.reason]);
    } else {
      await dao.send(v.voter, governor, govAbi, 'castVote', [v.proposal, v.support]);
    }
  }
  await dao.mine(VOTING_PERIOD);
  const hash = keccak256(toHex(pay.description));
  await dao.send(carol, governor, govAbi, 'queue', [pay.targets, pay.values, pay.calldatas, hash]);
  await dao.warp(TIMELOCK_DELAY + 1);
  await dao.send(carol, governor, govAbi, 'execute', [pay.targets, pay.values, pay.calldatas, hash]);

  const active = await propose(dao, alice, { ...defeatedActions, description: '# Still open\nvoting goes on' });
  await dao.mine(VOTING_DELAY + 1);
  const open = { proposal: active, voter: alice, support: 1, reason: 'yes' };
  await dao.send(alice, governor, govAbi, 'castVoteWithReason', [open.proposal, open.support, open.reason]);
  votes.push(open);
  return { proposals: { executed, defeated, canceled, active }, votes };
}
