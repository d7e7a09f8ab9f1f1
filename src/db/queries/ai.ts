import { and, asc, desc, eq, gte, lte, sql } from 'drizzle-orm';
import { NotFoundError } from '../../errors.ts';
import type { Db } from '../client.ts';
import { aiAnalyses, aiJobs, aiUsage, proposals, votes } from '../schema/index.ts';

/**
 * AI analyses (stored per subject, provider, model, prompt version and input hash, and reused),
 * the jobs that make them, and usage per day, provider, model and DAO.
 */
export type AnalysisRow = typeof aiAnalyses.$inferSelect;
export type AnalysisKey = Pick<
  AnalysisRow,
  'subjectType' | 'subjectId' | 'provider' | 'model' | 'promptVersion' | 'inputHash'
>;
export type JobRow = typeof aiJobs.$inferSelect;

/** Most vote reasons an analysis reads: the heaviest voters' first. */
export const MAX_REASONS = 500;

/** What a proposal analysis reads: the text and the reasons voters gave, with their choice's label. */
export async function proposalAnalysisInput(db: Db, proposalId: number) {
  const [p] = await db
    .select({
      id: proposals.id,
      daoId: proposals.daoId,
      title: proposals.title,
      body: proposals.body,
      choices: proposals.choices,
    })
    .from(proposals)
    .where(eq(proposals.id, proposalId));
  if (!p) throw new NotFoundError('Proposal', proposalId);
  const rows = await db
    .select({ choice: votes.choice, reason: votes.reason })
    .from(votes)
    .where(and(eq(votes.proposalId, proposalId), sql`coalesce(btrim(${votes.reason}), '') <> ''`))
    .orderBy(desc(votes.votingPower), asc(votes.id))
    .limit(MAX_REASONS);
  const reasons = rows.map((r) => ({
    // A single choice is its label; ranked, approval and weighted ballots are read by their first choice.
    choice: labelOf(p.choices, r.choice),
    reason: r.reason ?? '',
  }));
  return { ...p, reasons };
}

function labelOf(choices: string[], choice: unknown): string {
  let index: number | undefined;
  if (typeof choice === 'number') index = choice;
  else if (Array.isArray(choice) && typeof choice[0] === 'number') index = choice[0];
  else if (choice && typeof choice === 'object') {
    const top = Object.entries(choice as Record<string, number>).sort((a, b) => b[1] - a[1])[0];
    if (top) index = Number(top[0]);
  }
  return index !== undefined ? (choices[index - 1] ?? `Choice ${index}`) : 'Other';
}

export async function findAnalysis(db: Db, key: AnalysisKey): Promise<AnalysisRow | undefined> {
  const [row] = await db
    .select()
    .from(aiAnalyses)
    .where(
      and(
        eq(aiAnalyses.subjectType, key.subjectType),
        eq(aiAnalyses.subjectId, key.subjectId),
        eq(aiAnalyses.provider, key.provider),
        eq(aiAnalyses.model, key.model),
        eq(aiAnalyses.promptVersion, key.promptVersion),
        eq(aiAnalyses.inputHash, key.inputHash),
      ),
    );
  return row;
}

/** Stores an analysis; a concurrent one of the same key wins and is returned instead. */
export async function insertAnalysis(db: Db, row: typeof aiAnalyses.$inferInsert): Promise<AnalysisRow> {
  const [inserted] = await db.insert(aiAnalyses).values(row).onConflictDoNothing().returning();
  if (inserted) return inserted;
  const existing = await findAnalysis(db, row);
  if (!existing) throw new Error('analysis vanished after a conflicting insert');
  return existing;
}

/** The newest analysis of a subject (any provider), if any. */
export async function latestAnalysis(db: Db, subjectType: string, subjectId: number): Promise<AnalysisRow | undefined> {
  const [row] = await db
    .select()
    .from(aiAnalyses)
    .where(and(eq(aiAnalyses.subjectType, subjectType), eq(aiAnalyses.subjectId, subjectId)))
    .orderBy(desc(aiAnalyses.createdAt), desc(aiAnalyses.id))
    .limit(1);
  return row;
}

/** The newest analysis of one input (a subject's prompt version and input hash), whichever provider made it. */
export async function latestAnalysisOfInput(
  db: Db,
  key: Pick<AnalysisKey, 'subjectType' | 'subjectId' | 'promptVersion' | 'inputHash'>,
): Promise<AnalysisRow | undefined> {
  const [row] = await db
    .select()
    .from(aiAnalyses)
    .where(
      and(
        eq(aiAnalyses.subjectType, key.subjectType),
        eq(aiAnalyses.subjectId, key.subjectId),
        eq(aiAnalyses.promptVersion, key.promptVersion),
        eq(aiAnalyses.inputHash, key.inputHash),
      ),
    )
    .orderBy(desc(aiAnalyses.createdAt), desc(aiAnalyses.id))
    .limit(1);
  return row;
}

export async function createJob(db: Db, row: typeof aiJobs.$inferInsert): Promise<JobRow> {
  const [job] = await db.insert(aiJobs).values(row).returning();
  return job!;
}

export async function updateJob(
  db: Db,
  id: number,
  values: Partial<Pick<JobRow, 'status' | 'provider' | 'analysisId' | 'error'>>,
): Promise<JobRow> {
  const [job] = await db
    .update(aiJobs)
    .set({ ...values, updatedAt: new Date() })
    .where(eq(aiJobs.id, id))
    .returning();
  if (!job) throw new NotFoundError('Analysis job', id);
  return job;
}

export async function latestJob(db: Db, subjectType: string, subjectId: number): Promise<JobRow | undefined> {
  const [row] = await db
    .select()
    .from(aiJobs)
    .where(and(eq(aiJobs.subjectType, subjectType), eq(aiJobs.subjectId, subjectId)))
    .orderBy(desc(aiJobs.id))
    .limit(1);
  return row;
}

export interface UsageDelta {
  day: string;
  provider: string;
  model: string;
  daoId: number;
  calls: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: string;
  unpricedCalls?: number;
}

export async function addUsage(db: Db, d: UsageDelta): Promise<void> {
  await db
    .insert(aiUsage)
    .values(d)
    .onConflictDoUpdate({
      target: [aiUsage.day, aiUsage.provider, aiUsage.model, aiUsage.daoId],
      set: {
        calls: sql`${aiUsage.calls} + excluded.calls`,
        errors: sql`${aiUsage.errors} + excluded.errors`,
        inputTokens: sql`${aiUsage.inputTokens} + excluded.input_tokens`,
        outputTokens: sql`${aiUsage.outputTokens} + excluded.output_tokens`,
        costUsd: sql`${aiUsage.costUsd} + excluded.cost_usd`,
        unpricedCalls: sql`${aiUsage.unpricedCalls} + excluded.unpriced_calls`,
      },
    });
}

/** The figures a usage report sums over its groups (shared by the by-provider and by-DAO reports). */
const usageSums = {
  calls: sql<number>`sum(${aiUsage.calls})::int`,
  errors: sql<number>`sum(${aiUsage.errors})::int`,
  inputTokens: sql<number>`sum(${aiUsage.inputTokens})::int8`,
  outputTokens: sql<number>`sum(${aiUsage.outputTokens})::int8`,
  costUsd: sql<string>`sum(${aiUsage.costUsd})::text`,
  unpricedCalls: sql<number>`sum(${aiUsage.unpricedCalls})::int`,
};

/** Usage per day and provider (models and DAOs summed), oldest day first. */
export async function usageByDay(db: Db, from: string, to: string) {
  return db
    .select({
      day: aiUsage.day,
      provider: aiUsage.provider,
      ...usageSums,
    })
    .from(aiUsage)
    .where(and(gte(aiUsage.day, from), lte(aiUsage.day, to)))
    .groupBy(aiUsage.day, aiUsage.provider)
    .orderBy(asc(aiUsage.day), asc(aiUsage.provider));
}

/** Usage per day, provider and DAO (models summed), oldest day first. */
export async function usageByDayAndDao(db: Db, from: string, to: string) {
  return db
    .select({
      day: aiUsage.day,
      provider: aiUsage.provider,
      daoId: aiUsage.daoId,
      ...usageSums,
    })
    .from(aiUsage)
    .where(and(gte(aiUsage.day, from), lte(aiUsage.day, to)))
    .groupBy(aiUsage.day, aiUsage.provider, aiUsage.daoId)
    .orderBy(asc(aiUsage.day), asc(aiUsage.provider), asc(aiUsage.daoId));
}

/** What the day's calls cost so far, over every provider and DAO (the daily budget's measure). */
export async function costOfDay(db: Db, day: string): Promise<string> {
  const [row] = await db
    .select({ cost: sql<string>`coalesce(sum(${aiUsage.costUsd}), 0)::text` })
    .from(aiUsage)
    .where(eq(aiUsage.day, day));
  return row?.cost ?? '0';
}
