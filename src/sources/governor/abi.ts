import { parseAbi } from 'viem';

/**
 * The events and views the on-chain source uses. OpenZeppelin Governor and Compound Governor
 * Bravo emit the same event signatures (Bravo's ProposalQueued carries `eta`, OZ 5's
 * `etaSeconds`: same types, same topic), and COMP/ERC20Votes tokens share the delegation events.
 */
export const governorEvents = parseAbi([
  'event ProposalCreated(uint256 proposalId, address proposer, address[] targets, uint256[] values, string[] signatures, bytes[] calldatas, uint256 voteStart, uint256 voteEnd, string description)',
  'event VoteCast(address indexed voter, uint256 proposalId, uint8 support, uint256 weight, string reason)',
  'event VoteCastWithParams(address indexed voter, uint256 proposalId, uint8 support, uint256 weight, string reason, bytes params)',
  'event ProposalQueued(uint256 proposalId, uint256 etaSeconds)',
  'event ProposalExecuted(uint256 proposalId)',
  'event ProposalCanceled(uint256 proposalId)',
]);

export const tokenEvents = parseAbi([
  'event Transfer(address indexed from, address indexed to, uint256 value)',
  'event DelegateChanged(address indexed delegator, address indexed fromDelegate, address indexed toDelegate)',
  'event DelegateVotesChanged(address indexed delegate, uint256 previousVotes, uint256 newVotes)',
]);

export const governorViews = parseAbi([
  'function state(uint256 proposalId) view returns (uint8)',
  'function quorum(uint256 timepoint) view returns (uint256)',
  'function quorumVotes() view returns (uint256)',
  'function token() view returns (address)',
  'function CLOCK_MODE() view returns (string)',
]);

/** Governor's ProposalState enum order (OpenZeppelin and Bravo agree on it). */
export const PROPOSAL_STATES = [
  'pending',
  'active',
  'canceled',
  'defeated',
  'succeeded',
  'queued',
  'expired',
  'executed',
] as const;
export type ProposalState = (typeof PROPOSAL_STATES)[number];
/** States no later block can change. */
export const FINAL_STATES: readonly ProposalState[] = ['canceled', 'defeated', 'expired', 'executed'];
