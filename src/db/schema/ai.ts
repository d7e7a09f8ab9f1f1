import {
  bigint,
  bigserial,
  date,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { daos } from './core.ts';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** AI analyses, their jobs and usage (migrations 0060 and 0076). */
export const aiAnalyses = pgTable(
  'ai_analyses',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    subjectType: text('subject_type').notNull(),
    subjectId: bigint('subject_id', { mode: 'number' }).notNull(),
    daoId: integer('dao_id').references(() => daos.id, { onDelete: 'cascade' }),
    provider: text('provider').notNull(),
    model: text('model').notNull(),
    promptVersion: text('prompt_version').notNull(),
    inputHash: text('input_hash').notNull(),
    result: jsonb('result').$type<unknown>().notNull(),
    fallbackReason: text('fallback_reason'),
    inputTokens: integer('input_tokens').notNull().default(0),
    outputTokens: integer('output_tokens').notNull().default(0),
    /** Null when the model has no price (migration 0076). */
    costUsd: numeric('cost_usd'),
    /** The priority the router followed (migration 0076); null for analyses made before it. */
    priority: text('priority'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('ai_analyses_key').on(t.subjectType, t.subjectId, t.provider, t.model, t.promptVersion, t.inputHash),
    index('ai_analyses_subject_idx').on(t.subjectType, t.subjectId, t.createdAt, t.id),
  ],
);

export const aiJobs = pgTable(
  'ai_jobs',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    subjectType: text('subject_type').notNull(),
    subjectId: bigint('subject_id', { mode: 'number' }).notNull(),
    status: text('status').notNull().default('queued'),
    priority: text('priority').notNull().default('balanced'),
    provider: text('provider'),
    analysisId: bigint('analysis_id', { mode: 'number' }).references(() => aiAnalyses.id, { onDelete: 'set null' }),
    error: text('error'),
    /** References users (id) in the SQL; the accounts tables are read with plain SQL, not declared here. */
    requestedBy: integer('requested_by'),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [index('ai_jobs_subject_idx').on(t.subjectType, t.subjectId, t.id)],
);

export const aiUsage = pgTable(
  'ai_usage',
  {
    day: date('day', { mode: 'string' }).notNull(),
    provider: text('provider').notNull(),
    model: text('model').notNull(),
    daoId: integer('dao_id').notNull().default(0),
    calls: integer('calls').notNull().default(0),
    errors: integer('errors').notNull().default(0),
    inputTokens: bigint('input_tokens', { mode: 'number' }).notNull().default(0),
    outputTokens: bigint('output_tokens', { mode: 'number' }).notNull().default(0),
    costUsd: numeric('cost_usd').notNull().default('0'),
    /** Calls of a model without a price: their cost is not in cost_usd (migration 0076). */
    unpricedCalls: integer('unpriced_calls').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.day, t.provider, t.model, t.daoId] })],
);
