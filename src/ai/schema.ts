import { type Static, Type } from '@sinclair/typebox';

/**
 * The one shape of an analysis, whoever produced it: the offline provider builds it, a model's
 * JSON answer is validated against it (src/ai/validate.ts) before it is stored, and the API
 * publishes it. Every string in it is plain text drawn from or about untrusted proposal text:
 * the dashboard renders it sanitized.
 */
const Line = Type.String({ maxLength: 2000 });
const Lines = (max: number) => Type.Array(Line, { maxItems: max });

export const ExtractedAmount = Type.Object(
  {
    /** The amount as written in the text, e.g. "1,500,000 USDC" or "$2.5M" or "25%". */
    text: Type.String({ maxLength: 200 }),
    /** Its numeric value (suffixes k/M/B applied), null when the text cannot be read as one. */
    value: Type.Union([Type.Number(), Type.Null()]),
    /** Token symbol, "USD", "%" or "bps"; null for a bare number. */
    unit: Type.Union([Type.String({ maxLength: 50 }), Type.Null()]),
  },
  { additionalProperties: false },
);

export const MoneyRequest = Type.Object(
  {
    amount: Type.String({ maxLength: 200 }),
    token: Type.Union([Type.String({ maxLength: 50 }), Type.Null()]),
    /** An address or name the text sends it to, null when the text names none. */
    recipient: Type.Union([Type.String({ maxLength: 200 }), Type.Null()]),
  },
  { additionalProperties: false },
);

export const ChoiceSentiment = Type.Object(
  {
    choice: Type.String({ maxLength: 1000 }),
    reasons: Type.Integer({ minimum: 0 }),
    /** Mean sentiment of the reasons, -1 (negative) .. 1 (positive). */
    sentiment: Type.Number({ minimum: -1, maximum: 1 }),
    positive: Type.Integer({ minimum: 0 }),
    negative: Type.Integer({ minimum: 0 }),
    neutral: Type.Integer({ minimum: 0 }),
    themes: Type.Array(Type.String({ maxLength: 100 }), { maxItems: 10 }),
  },
  { additionalProperties: false },
);

export const ProposalAnalysis = Type.Object(
  {
    tldr: Type.String({ maxLength: 4000 }),
    key_points: Lines(10),
    what_changes: Lines(10),
    who_is_affected: Lines(10),
    money: Type.Array(MoneyRequest, { maxItems: 50 }),
    risks: Lines(10),
    open_questions: Lines(10),
    entities: Type.Object(
      {
        amounts: Type.Array(ExtractedAmount, { maxItems: 200 }),
        tokens: Type.Array(Type.String({ maxLength: 50 }), { maxItems: 200 }),
        addresses: Type.Array(Type.String({ pattern: '^0x[0-9a-fA-F]{40}$' }), { maxItems: 200 }),
        durations: Type.Array(Type.String({ maxLength: 100 }), { maxItems: 100 }),
      },
      { additionalProperties: false },
    ),
    vote_reasons: Type.Union([
      Type.Object(
        { reasons: Type.Integer({ minimum: 0 }), by_choice: Type.Array(ChoiceSentiment, { maxItems: 1000 }) },
        { additionalProperties: false },
      ),
      Type.Null(),
    ]),
  },
  { additionalProperties: false },
);
export type ProposalAnalysis = Static<typeof ProposalAnalysis>;
export type ExtractedAmount = Static<typeof ExtractedAmount>;
export type MoneyRequest = Static<typeof MoneyRequest>;
export type ChoiceSentiment = Static<typeof ChoiceSentiment>;
