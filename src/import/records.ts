import { type Static, type StringOptions, type TSchema, Type } from '@sinclair/typebox';

/**
 * The canonical interchange format: one JSON object per record. These schemas are the single
 * description of it, used by the importer and published in the OpenAPI document.
 */
const DECIMAL = '^-?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?$';

/**
 * Text PostgreSQL stores as sent: no NUL (a text column refuses it; a DAO named with one was a
 * 500 through the API) and no unpaired UTF-16 surrogate (UTF-8 has no form for one, so the
 * driver would store U+FFFD instead). Line breaks, tabs and the rest stay: bodies are prose.
 * The pattern means the same with the `u` flag (Ajv, for API bodies) and without it (TypeBox's
 * compiler, for imports): a surrogate only matches as half of a pair.
 */
export const STORED_TEXT = '^(?:[^\\u0000\\uD800-\\uDFFF]|[\\uD800-\\uDBFF][\\uDC00-\\uDFFF])*$';
const Text = (options: StringOptions & { maxLength: number }) =>
  Type.String({
    ...options,
    pattern: STORED_TEXT,
    errorMessage: { pattern: 'must not contain NUL or unpaired surrogate characters' },
  });
const ADDRESS_LIKE = Text({ minLength: 1, maxLength: 200 });
/** A contract or wallet the on-chain sources read: 0x and 40 hex digits (any case; stored lowercase). */
const EVM_ADDRESS = Type.String({
  pattern: '^0x[0-9a-fA-F]{40}$',
  errorMessage: 'must be an address: 0x followed by 40 hex digits',
});
/** A chain name (ethereum, arbitrum, …) or a decimal chain id: never a URL or markup. */
const CHAIN = Type.String({
  pattern: '^(?:[A-Za-z][A-Za-z0-9-]{0,49}|[1-9][0-9]{0,15})$',
  errorMessage: 'must be a chain name like ethereum or a decimal chain id',
});

export const DecimalInput = Type.Union([Type.Number(), Type.String({ pattern: DECIMAL })], {
  errorMessage: 'must be a decimal number (a JSON number or a string like "123.45")',
});
export const TimeInput = Type.Union([Type.Number(), Type.String({ minLength: 4 })], {
  errorMessage: 'must be an ISO-8601 time or unix seconds',
});
/** 'day': the source gave a date only (stored as 00:00 UTC, shown as a date); 'second': a full time. */
export const TimePrecisionInput = Type.Union([Type.Literal('day'), Type.Literal('second')], {
  errorMessage: "must be 'day' or 'second'",
});
export const Slug = Type.String({
  pattern: '^[a-z0-9][a-z0-9-]*$',
  maxLength: 100,
  errorMessage: 'must be a lowercase URL-safe slug (a-z, 0-9, -)',
});
export const VOTING_TYPES = ['single-choice', 'approval', 'quadratic', 'ranked-choice', 'weighted', 'basic'] as const;
export const VotingType = Type.Union(
  VOTING_TYPES.map((t) => Type.Literal(t)),
  {
    errorMessage: `must be one of ${VOTING_TYPES.join(', ')}`,
  },
);
export const SOURCES = ['snapshot', 'onchain', 'import'] as const;
export const ChoiceInput = Type.Union(
  [
    Type.Integer({ minimum: 1 }),
    Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1 }),
    Type.Record(Type.String({ pattern: '^[1-9][0-9]*$' }), Type.Number({ minimum: 0 })),
  ],
  { errorMessage: 'must be a 1-based choice index, an array of indexes, or an object of index: weight' },
);

const strict = { additionalProperties: false } as const;

export const DaoFields = {
  slug: Slug,
  name: Text({ minLength: 1, maxLength: 200 }),
  description: Type.Optional(Text({ maxLength: 20_000 })),
  chain: CHAIN,
  token_symbol: Type.Optional(Text({ maxLength: 50 })),
  governance_token: Type.Optional(Text({ maxLength: 200 })),
  snapshot_space: Type.Optional(Text({ minLength: 1, maxLength: 200 })),
  governor_address: Type.Optional(EVM_ADDRESS),
  token_address: Type.Optional(EVM_ADDRESS),
  treasury_addresses: Type.Optional(Type.Array(EVM_ADDRESS, { maxItems: 1000 })),
  treasury_tokens: Type.Optional(Type.Array(EVM_ADDRESS, { maxItems: 1000 })),
};

export const DaoRecord = Type.Object({ type: Type.Literal('dao'), ...DaoFields }, strict);

export const ProposalRecord = Type.Object(
  {
    type: Type.Literal('proposal'),
    dao: Slug,
    id: Text({ minLength: 1, maxLength: 200 }),
    source: Type.Optional(
      Type.Union(
        SOURCES.map((s) => Type.Literal(s)),
        { errorMessage: `must be one of ${SOURCES.join(', ')}` },
      ),
    ),
    voting_type: Type.Optional(VotingType),
    title: Text({ minLength: 1, maxLength: 1000 }),
    body: Type.Optional(Text({ maxLength: 1_000_000 })),
    author: Type.Optional(ADDRESS_LIKE),
    choices: Type.Array(Text({ maxLength: 1000 }), { maxItems: 1000 }),
    start: TimeInput,
    end: TimeInput,
    /** Precision of start and end; default: 'day' when both are written as a date alone, else 'second'. */
    time_precision: Type.Optional(TimePrecisionInput),
    state: Type.Optional(Text({ minLength: 1, maxLength: 50 })),
    quorum: Type.Optional(DecimalInput),
    snapshot_block: Type.Optional(
      Type.Union([Type.Integer({ minimum: 0 }), Type.String({ pattern: '^[0-9]+$' })], {
        errorMessage: 'must be a block number',
      }),
    ),
    scores: Type.Optional(Type.Array(DecimalInput, { maxItems: 1000 })),
    scores_total: Type.Optional(DecimalInput),
    votes_count: Type.Optional(
      Type.Integer({
        minimum: 0,
        description: "The source's own vote count, which can exceed the votes imported with it",
        errorMessage: 'must be a whole number of votes, 0 or more',
      }),
    ),
    discussion: Type.Optional(
      Type.String({
        pattern: '^https?://[^\\s]+$',
        maxLength: 2000,
        errorMessage: 'must be an http(s) URL',
      }),
    ),
  },
  strict,
);

export const VoteRecord = Type.Object(
  {
    type: Type.Literal('vote'),
    dao: Slug,
    proposal: Text({ minLength: 1, maxLength: 200 }),
    voter: ADDRESS_LIKE,
    choice: ChoiceInput,
    voting_power: DecimalInput,
    created: TimeInput,
    /** Default: 'day' when `created` is written as a date alone (YYYY-MM-DD), else 'second'. */
    created_precision: Type.Optional(TimePrecisionInput),
    reason: Type.Optional(Text({ maxLength: 100_000 })),
  },
  strict,
);

export const TreasuryBalanceRecord = Type.Object(
  {
    type: Type.Literal('treasury_balance'),
    dao: Slug,
    timestamp: TimeInput,
    wallet: Type.Optional(ADDRESS_LIKE),
    chain: CHAIN,
    token_symbol: Text({ minLength: 1, maxLength: 50 }),
    token_address: Type.Optional(ADDRESS_LIKE),
    amount: DecimalInput,
    usd_value: Type.Optional(DecimalInput),
  },
  strict,
);

export const HolderRecord = Type.Object(
  {
    type: Type.Literal('holder'),
    dao: Slug,
    address: ADDRESS_LIKE,
    balance: DecimalInput,
    delegate: Type.Optional(ADDRESS_LIKE),
    voting_power: Type.Optional(DecimalInput),
    as_of: TimeInput,
  },
  strict,
);

export const RECORD_SCHEMAS = {
  dao: DaoRecord,
  proposal: ProposalRecord,
  vote: VoteRecord,
  treasury_balance: TreasuryBalanceRecord,
  holder: HolderRecord,
} satisfies Record<string, TSchema>;

export type RecordType = keyof typeof RECORD_SCHEMAS;
export const RECORD_TYPES = Object.keys(RECORD_SCHEMAS) as RecordType[];
export type DaoInput = Static<typeof DaoRecord>;
export type ProposalInput = Static<typeof ProposalRecord>;
export type VoteInput = Static<typeof VoteRecord>;
export type TreasuryBalanceInput = Static<typeof TreasuryBalanceRecord>;
export type HolderInput = Static<typeof HolderRecord>;
export type CanonicalRecord = DaoInput | ProposalInput | VoteInput | TreasuryBalanceInput | HolderInput;
