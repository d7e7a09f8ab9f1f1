import { Type } from '@sinclair/typebox';
import { DecimalString, Nullable, StringEnum, Timestamp } from './common.ts';

/**
 * A voter or delegate across every DAO: its votes (Snapshot, imports and on-chain in one list),
 * how often it sided with the outcome, and who delegates to it.
 */

/** An EVM address (20 bytes) or a 32-byte account (Starknet voters on Snapshot), any case. */
export const ADDRESS_PATTERN = '^0x(?:[0-9a-fA-F]{40}|[0-9a-fA-F]{64})$';

export const VoterParam = Type.Object({
  address: Type.String({
    pattern: ADDRESS_PATTERN,
    maxLength: 66,
    description: 'The voter address, 0x and 40 (or 64) hex digits, any case',
    errorMessage: { pattern: 'must be 0x followed by 40 (or 64) hex digits' },
  }),
});

export const VoterVote = Type.Object({
  id: Type.Integer(),
  proposal_id: Type.Integer(),
  proposal_external_id: Type.String({ description: "the proposal's id at its source" }),
  proposal_title: Type.String(),
  proposal_source: Type.String({ description: 'import, snapshot or governor' }),
  proposal_state: Type.String({ description: 'the stored state' }),
  dao_id: Type.Integer(),
  dao_slug: Type.String(),
  dao_name: Type.String(),
  choice: Type.Unknown({ description: '1-based index, or Snapshot encoding: [1,3] approval/ranked, {"2":1} weighted' }),
  choice_label: Nullable(Type.String({ description: 'the label of a single choice; null for multi-choice votes' })),
  voting_power: DecimalString,
  reason: Nullable(Type.String()),
  created: Timestamp,
  outcome: Nullable(StringEnum(['passed', 'failed'], { description: "the proposal's outcome; null when not known" })),
  with_outcome: Nullable(
    Type.Boolean({ description: 'For on a passed or Against on a failed proposal; null when either is not known' }),
  ),
});

export const VoterDao = Type.Object({
  dao_id: Type.Integer(),
  dao_slug: Type.String(),
  dao_name: Type.String(),
  votes: Type.Integer(),
  voting_power_total: DecimalString,
  first_vote: Timestamp,
  last_vote: Timestamp,
});

export const Delegation = Type.Object({
  dao_id: Type.Integer(),
  dao_slug: Type.String(),
  source: StringEnum(['holders', 'chain'], {
    description: 'holders: the latest imported holder snapshot; chain: token accounts from indexed logs',
  }),
  as_of: Nullable(Timestamp),
  delegators: Type.Integer(),
  delegated_balance: DecimalString,
  voting_power: Nullable(DecimalString),
  delegate: Nullable(Type.String({ description: 'whom this address itself delegates to' })),
});

export const Delegator = Type.Object({
  dao_slug: Type.String(),
  source: StringEnum(['holders', 'chain']),
  address: Type.String(),
  balance: DecimalString,
});

export const PowerPoint = Type.Object({
  dao_slug: Type.String(),
  time: Timestamp,
  block: Type.Integer(),
  voting_power: DecimalString,
});

export const EnsName = Type.Object(
  {
    name: Type.String({
      description: 'primary name (ENSIP-19 reverse record, normalised) that resolves back to the address',
    }),
    avatar: Nullable(
      Type.String({
        description:
          'https or data:image URL of its avatar record (IPFS and Arweave through https gateways); null when none is safe to show',
      }),
    ),
  },
  {
    description:
      'ENS name and avatar; null when the address has none, it is not known yet, or no Ethereum RPC is configured',
  },
);

export const VoterProfile = Type.Object({
  address: Type.String({ description: 'lowercase' }),
  ens: Nullable(EnsName),
  votes_total: Type.Integer(),
  first_vote: Nullable(Timestamp),
  last_vote: Nullable(Timestamp),
  daos: Type.Array(VoterDao),
  alignment: Type.Object(
    {
      counted: Type.Integer({
        description: 'votes on proposals whose outcome is known and whose choice is For or Against',
      }),
      with_outcome: Type.Integer(),
      rate: Nullable(Type.Number({ description: 'with_outcome ÷ counted; null when nothing is counted' })),
    },
    { description: 'How often the address voted with the outcome (docs/METRICS.md, "Voter alignment")' },
  ),
  delegations: Type.Array(Delegation),
  delegators: Type.Array(Delegator, { description: 'the 100 largest delegators per DAO and source' }),
  power_history: Type.Array(PowerPoint, {
    description: 'delegated voting power after each DelegateVotesChanged log indexed for this address',
  }),
  votes: Type.Array(VoterVote, { description: 'newest first, one page' }),
});
