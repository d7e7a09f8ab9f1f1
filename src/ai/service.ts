import { createHash } from 'node:crypto';
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { Queue, Worker } from 'bullmq';
import type { Database } from '../db/index.ts';
import {
  type AnalysisRow,
  addUsage,
  costOfDay,
  createJob,
  findAnalysis,
  insertAnalysis,
  type JobRow,
  latestAnalysis,
  latestAnalysisOfInput,
  latestJob,
  proposalAnalysisInput,
  updateJob,
} from '../db/queries/ai.ts';
import type { DaoRow } from '../db/queries/daos.ts';
import { daoSummary, type MetricWindow } from '../db/queries/metrics.ts';
import { ProviderError } from '../errors.ts';
import { type Logger, redisWarnings } from '../logger/index.ts';
import { closeWorker } from '../queue/close-worker.ts';
import { picoToUsd, usdToPico } from './cost.ts';
import { countMessageTokens, proposalMessages } from './prompt.ts';
import type { Registry, ResolvedStep } from './registry.ts';
import { checkCitations } from './report/citations.ts';
import { reportFigures } from './report/figures.ts';
import { narrativeText, reportMessages } from './report/prompt.ts';
import { type DaoReport, ReportNarrative } from './report/schema.ts';
import { ProposalAnalysis } from './schema.ts';
import type { AiProvider, AnalysisAnswer, Priority, ProposalSubject, ProviderName } from './types.ts';

export { PRIORITIES, type Priority } from './types.ts';

/**
 * Proposal analyses: which provider runs (the configured one, then offline), the stored result
 * reused when the same input was analysed by the same provider, model and prompt version, and
 * the jobs the API queues. Proposal text and reasons are data all the way: they are hashed, handed
 * to the provider as the subject, and the answer is checked against the schema before it is kept.
 */
export const PROMPT_VERSIONS = { 'proposal-summary': 'proposal-summary/1', 'dao-report': 'dao-report/1' } as const;

export interface AnalysisOptions {
  priority?: Priority | undefined;
  provider?: ProviderName | undefined;
}

export interface AnalysisOutcome {
  analysis: AnalysisRow;
  /** Whether a stored analysis was reused instead of calling the provider. */
  reused: boolean;
}

export interface ReportOptions extends AnalysisOptions {
  /**
   * 'route': a report no one made yet of these figures is written along the route (the configured
   * provider, its fallbacks, offline last); 'offline': by the offline provider only (free and local).
   */
  mode: 'route' | 'offline';
  /** Walk the route even when a report of the same figures is stored (each step still reuses its own). */
  fresh?: boolean | undefined;
}

export function inputHash(promptVersion: string, subject: ProposalSubject): string {
  return createHash('sha256')
    .update(JSON.stringify([promptVersion, subject.title, subject.body, subject.choices, subject.reasons]))
    .digest('hex');
}

const today = () => new Date().toISOString().slice(0, 10);

export interface AiQueueOptions {
  /** With Redis, jobs go through BullMQ (retried, shared by every process on the same prefix); without, they run in this process. */
  redisUrl?: string | undefined;
  /** Redis key prefix (installations and test files sharing a Redis use different ones). */
  prefix?: string | undefined;
  /** Whether this process works queued jobs (default true). */
  work?: boolean | undefined;
  /** Jobs run at once in this process (default 2). */
  concurrency?: number | undefined;
}

interface QueuedJob {
  id: number;
  options: AnalysisOptions;
}

const QUEUE = 'ai-analysis';

export class AiService {
  private readonly queue: QueuedJob[] = [];
  private running = 0;
  private readonly idle = new Set<() => void>();
  private closed = false;
  private readonly concurrency: number;
  private readonly bull: Queue | undefined;
  private readonly worker: Worker | undefined;

  constructor(
    readonly registry: Registry,
    private readonly database: Database,
    private readonly logger: Logger,
    queue: AiQueueOptions = {},
  ) {
    this.concurrency = queue.concurrency ?? 2;
    if (queue.redisUrl) {
      const connection = { url: queue.redisUrl };
      const prefix = queue.prefix ?? 'dao-portal';
      this.bull = new Queue(QUEUE, { connection, prefix });
      this.bull.on('error', redisWarnings(logger, 'the AI queue').failed);
      if (queue.work !== false) {
        this.worker = new Worker(
          QUEUE,
          async (job) => {
            const data = job.data as QueuedJob;
            await this.runJob(data.id, data.options);
          },
          { connection, prefix, concurrency: this.concurrency },
        );
        this.worker.on('error', redisWarnings(logger, 'the AI worker').failed);
      }
    }
  }

  /** 'bullmq' when jobs go through Redis, 'in-process' otherwise. */
  get queueKind(): 'bullmq' | 'in-process' {
    return this.bull ? 'bullmq' : 'in-process';
  }

  /** The providers and models to try, in order, for these options (offline last). */
  route(options: AnalysisOptions = {}): ResolvedStep[] {
    return this.registry.route(options.priority ?? 'balanced', options.provider);
  }

  /** Picodollars reserved by paid calls in flight in this process (counted against the budget until they settle). */
  private reservedPico = 0n;

  /**
   * Analyses a proposal now (or reuses the stored analysis of the same input), walking the route:
   * a step is skipped, and the reason kept, when its provider is misconfigured, over the daily
   * budget, rate-limited beyond the wait allowed, its circuit open, or it fails or answers off-schema.
   */
  async analyzeProposal(proposalId: number, options: AnalysisOptions = {}): Promise<AnalysisOutcome> {
    const { db } = this.database;
    const input = await proposalAnalysisInput(db, proposalId);
    const subject: ProposalSubject = {
      title: input.title,
      body: input.body,
      choices: input.choices,
      reasons: input.reasons,
    };
    const promptVersion = PROMPT_VERSIONS['proposal-summary'];
    const hash = inputHash(promptVersion, subject);
    const priority = options.priority ?? 'balanced';
    const reasons: string[] = [];
    let estimate: number | undefined;
    for (const { provider, model } of this.route(options)) {
      const key = {
        subjectType: 'proposal',
        subjectId: proposalId,
        provider: provider.name,
        model,
        promptVersion,
        inputHash: hash,
      };
      const stored = await findAnalysis(db, key);
      if (stored) return { analysis: stored, reused: true };
      estimate ??= (await countMessageTokens(proposalMessages(subject))) + this.registry.config.limits.maxOutputTokens;
      let called: Awaited<ReturnType<typeof this.callStep<ProposalAnalysis>>>;
      try {
        called = await this.callStep(
          { provider, model },
          input.daoId,
          estimate,
          (signal) => provider.analyze({ kind: 'proposal-summary', subject, model, signal }),
          ProposalAnalysis,
        );
      } catch (error) {
        reasons.push((error as Error).message);
        continue;
      }
      const { answer, cost } = called;
      const analysis = await insertAnalysis(db, {
        ...key,
        model: answer.model,
        daoId: input.daoId,
        result: answer.result,
        priority,
        fallbackReason: reasons.length > 0 ? reasons.join('; ') : null,
        inputTokens: answer.usage.inputTokens,
        outputTokens: answer.usage.outputTokens,
        costUsd: cost,
      });
      return { analysis, reused: false };
    }
    throw new Error(`no provider could analyse proposal ${proposalId}: ${reasons.join('; ')}`);
  }

  /**
   * One call of one route step: refused (with the reason as the error's message) when the provider
   * is misconfigured, over the daily budget, rate-limited beyond the wait allowed or its circuit is
   * open; else made within the provider's limits, the answer checked against `schema` and then by
   * `accept` (which names what is wrong, or returns undefined). Every call made is counted in the
   * usage, with the tokens (and cost) of a refused answer too.
   */
  private async callStep<R>(
    { provider, model }: ResolvedStep,
    daoId: number,
    estimate: number,
    run: (signal: AbortSignal | undefined) => Promise<AnalysisAnswer<R>>,
    schema: TSchema,
    accept?: (result: R) => string | undefined,
  ): Promise<{ answer: AnalysisAnswer<R>; cost: string | null }> {
    const { db } = this.database;
    const problems = provider.validateConfig();
    if (problems.length > 0)
      throw new ProviderError(provider.name, 'misconfigured', `${problems[0]!.variable} ${problems[0]!.message}`);
    const gate = this.registry.gate(provider.name);
    let reserved = 0n;
    let answer: AnalysisAnswer<R>;
    try {
      // A priced model costs money wherever it runs (a proxy to a hosted API behind OPENAI_BASE_URL too).
      if (provider.paid || this.registry.prices.price(provider.name, model))
        reserved = await this.reserveBudget(provider.name, model, estimate);
      answer = gate
        ? await gate.run({
            tokens: estimate,
            run,
            used: (a) => a.usage.inputTokens + a.usage.outputTokens,
            exhaustedForMs: (a) => a.exhaustedForMs,
          })
        : await run(undefined);
      if (!Value.Check(schema, answer.result))
        throw new ProviderError(provider.name, 'invalid-output', 'the answer does not match the analysis schema');
      const problem = accept?.(answer.result);
      if (problem) {
        const refused = new ProviderError(provider.name, 'invalid-output', problem);
        refused.usage = answer.usage;
        throw refused;
      }
    } catch (error) {
      const failure = error instanceof ProviderError ? error : undefined;
      // Calls refused before they were made (budget, circuit, limits) are not calls of the provider.
      const made =
        !failure ||
        !['over-budget', 'circuit-open', 'rate-limited', 'misconfigured'].includes(failure.kind) ||
        failure.status !== undefined;
      if (made) {
        // An answer refused as off-schema still used (and cost) its tokens.
        const used = failure?.usage;
        const cost = used ? this.costOf(provider, model, used) : '0';
        await addUsage(db, {
          ...usageOf(provider.name, model, daoId, undefined, cost),
          inputTokens: used?.inputTokens ?? 0,
          outputTokens: used?.outputTokens ?? 0,
          unpricedCalls: used && cost === null ? 1 : 0,
        });
      }
      if (failure) throw failure;
      throw new Error(`${provider.name}: ${(error as Error).message}`);
    } finally {
      this.reservedPico -= reserved;
    }
    const cost = this.costOf(provider, answer.model, answer.usage);
    await addUsage(db, usageOf(provider.name, answer.model, daoId, answer, cost));
    return { answer, cost };
  }

  /**
   * The governance report of a DAO over a window: the portal's figures (src/ai/report/figures.ts)
   * and a narrative that may cite only them. The newest stored report of the same figures is
   * returned unless `fresh`; otherwise the route is walked as for proposal summaries (stored results
   * of each step reused, limits, budget and cost the same). A narrative citing a number not in the
   * figures (src/ai/report/citations.ts) is refused and asked for once more; refused again, the
   * route goes straight to the offline report, with the reasons stored.
   */
  async daoReport(dao: DaoRow, window: MetricWindow, options: ReportOptions): Promise<AnalysisOutcome> {
    const { db } = this.database;
    const figures = reportFigures(await daoSummary(db, dao, window), dao.totalVotes > 0);
    const promptVersion = PROMPT_VERSIONS['dao-report'];
    const hash = createHash('sha256')
      .update(JSON.stringify([promptVersion, figures]))
      .digest('hex');
    const input = { subjectType: 'dao-report', subjectId: dao.id, promptVersion, inputHash: hash };
    if (!options.fresh) {
      const stored = await latestAnalysisOfInput(db, input);
      if (stored) return { analysis: stored, reused: true };
    }
    const steps = options.mode === 'offline' ? this.route({ provider: 'offline' }) : this.route(options);
    const estimate = (await countMessageTokens(reportMessages(figures))) + this.registry.config.limits.maxOutputTokens;
    const reasons: string[] = [];
    let inventedTwice = false;
    for (const step of steps) {
      const { provider, model } = step;
      if (inventedTwice && provider.name !== 'offline') continue;
      const key = { ...input, provider: provider.name, model };
      const stored = await findAnalysis(db, key);
      if (stored) return { analysis: stored, reused: true };
      let called: Awaited<ReturnType<typeof this.callStep<ReportNarrative>>> | undefined;
      for (let attempt = 1; attempt <= 2 && !called; attempt++) {
        let invented = false;
        try {
          called = await this.callStep(
            step,
            dao.id,
            estimate,
            (signal) => provider.report({ kind: 'dao-report', figures, model, signal }),
            ReportNarrative,
            (narrative) => {
              const check = checkCitations(narrativeText(narrative), figures);
              if (check.ok) return undefined;
              invented = true;
              return `the report cites numbers not in its figures (${check.invented.slice(0, 10).join(', ')}), attempt ${attempt}`;
            },
          );
        } catch (error) {
          reasons.push((error as Error).message);
          if (!invented) break;
          if (attempt === 2) inventedTwice = true;
        }
      }
      if (!called) continue;
      const { answer, cost } = called;
      const result: DaoReport = { ...answer.result, figures };
      const analysis = await insertAnalysis(db, {
        ...key,
        model: answer.model,
        daoId: dao.id,
        result,
        priority: options.mode === 'offline' ? null : (options.priority ?? 'balanced'),
        fallbackReason: reasons.length > 0 ? reasons.join('; ') : null,
        inputTokens: answer.usage.inputTokens,
        outputTokens: answer.usage.outputTokens,
        costUsd: cost,
      });
      return { analysis, reused: false };
    }
    throw new Error(`no provider could write the report of DAO ${dao.id}: ${reasons.join('; ')}`);
  }

  /** A call's cost: from the price table; a free provider's unpriced call costs 0, a paid one's is unknown (null). */
  private costOf(
    provider: AiProvider,
    model: string,
    usage: { inputTokens: number; outputTokens: number },
  ): string | null {
    const cost = this.registry.prices.cost(provider.name, model, usage.inputTokens, usage.outputTokens);
    return cost ?? (provider.paid ? null : '0');
  }

  /**
   * Holds a paid call's estimated cost against AI_DAILY_BUDGET_USD: today's stored cost plus the
   * calls in flight plus this one must stay within it, else the step fails as over-budget (and the
   * route goes on, at worst to offline). The check and the reservation happen in one turn of the
   * event loop, so concurrent calls in this process cannot all pass on the same room.
   */
  private async reserveBudget(provider: ProviderName, model: string, tokens: number): Promise<bigint> {
    const budget = this.registry.dailyBudgetPico;
    if (budget === undefined) return 0n;
    const spent = usdToPico(await costOfDay(this.database.db, today()));
    const price = this.registry.prices.price(provider, model);
    // The whole allowance is reserved: input and output are priced at the dearer rate.
    const estimate = price ? this.registry.prices.costPico(provider, model, 0, tokens)! : 0n;
    if (spent + this.reservedPico + estimate > budget)
      throw new ProviderError(
        provider,
        'over-budget',
        `today's cost ${picoToUsd(spent)} USD (${picoToUsd(this.reservedPico)} in flight) leaves no room for this call's up to ${picoToUsd(estimate)} USD within AI_DAILY_BUDGET_USD ${picoToUsd(budget)}`,
      );
    this.reservedPico += estimate;
    return estimate;
  }

  /** Today's cost and whether the budget is spent (for /health/ai-services and GET /ai/usage). */
  async budgetState(): Promise<{ day: string; costUsd: string; budgetUsd: string | null; exhausted: boolean }> {
    const day = today();
    const cost = usdToPico(await costOfDay(this.database.db, day));
    const budget = this.registry.dailyBudgetPico;
    return {
      day,
      costUsd: picoToUsd(cost),
      budgetUsd: budget === undefined ? null : picoToUsd(budget),
      exhausted: budget !== undefined && cost >= budget,
    };
  }

  /**
   * The analysis to show: the newest stored one; when there is none yet, the offline analysis is
   * made and stored (it is free and local, so every proposal page has a summary without any AI
   * configuration).
   */
  async currentAnalysis(proposalId: number): Promise<{ analysis: AnalysisRow; job: JobRow | undefined }> {
    const { db } = this.database;
    const stored = await latestAnalysis(db, 'proposal', proposalId);
    const job = await latestJob(db, 'proposal', proposalId);
    if (stored) return { analysis: stored, job };
    const { analysis } = await this.analyzeProposal(proposalId, { provider: 'offline' });
    return { analysis, job };
  }

  /** Queues an analysis job (run in this process, `concurrency` at a time) and returns it. */
  async enqueue(proposalId: number, options: AnalysisOptions, requestedBy: number | null): Promise<JobRow> {
    const { db } = this.database;
    await proposalAnalysisInput(db, proposalId); // 404 before a job exists
    const job = await createJob(db, {
      subjectType: 'proposal',
      subjectId: proposalId,
      priority: options.priority ?? 'balanced',
      provider: options.provider ?? null,
      requestedBy,
    });
    if (this.bull) {
      await this.bull.add('analysis', { id: job.id, options } satisfies QueuedJob, {
        jobId: `job-${job.id}`,
        removeOnComplete: 200,
        removeOnFail: 500,
      });
      return job;
    }
    this.queue.push({ id: job.id, options });
    this.pump();
    return job;
  }

  private pump(): void {
    while (!this.closed && this.running < this.concurrency && this.queue.length > 0) {
      const { id, options } = this.queue.shift()!;
      this.running++;
      this.runJob(id, options)
        .catch((error) => this.logger.error({ err: error, job: id }, 'AI job could not be recorded'))
        .finally(() => {
          this.running--;
          this.pump();
          if (this.running === 0 && this.queue.length === 0) for (const done of this.idle) done();
        });
    }
  }

  private async runJob(id: number, options: AnalysisOptions): Promise<void> {
    const { db } = this.database;
    const job = await updateJob(db, id, { status: 'running' });
    try {
      const { analysis } = await this.analyzeProposal(job.subjectId, options);
      await updateJob(db, id, { status: 'done', analysisId: analysis.id, provider: analysis.provider });
    } catch (error) {
      this.logger.warn({ err: error, job: id }, 'AI analysis job failed');
      await updateJob(db, id, { status: 'failed', error: (error as Error).message.slice(0, 1000) });
    }
  }

  /** Resolves when no job is queued or running (tests, shutdown). */
  whenIdle(): Promise<void> {
    if (this.running === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.idle.delete(done);
        resolve();
      };
      this.idle.add(done);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.queue.length = 0;
    await this.whenIdle();
    if (this.worker) await closeWorker(this.worker);
    await this.bull?.close();
  }
}

function usageOf(
  provider: string,
  model: string,
  daoId: number,
  answer: AnalysisAnswer<unknown> | undefined,
  cost: string | null,
) {
  return {
    day: today(),
    provider,
    model,
    daoId,
    calls: 1,
    errors: answer ? 0 : 1,
    inputTokens: answer?.usage.inputTokens ?? 0,
    outputTokens: answer?.usage.outputTokens ?? 0,
    costUsd: cost ?? '0',
    unpricedCalls: answer && cost === null ? 1 : 0,
  };
}
