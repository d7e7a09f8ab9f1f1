import { createHash } from 'node:crypto';
import { Value } from '@sinclair/typebox/value';
import { Queue, Worker } from 'bullmq';
import type { Database } from '../db/index.ts';
import {
  type AnalysisRow,
  addUsage,
  createJob,
  findAnalysis,
  insertAnalysis,
  type JobRow,
  latestAnalysis,
  latestJob,
  proposalAnalysisInput,
  updateJob,
} from '../db/queries/ai.ts';
import { type Logger, redisWarnings } from '../logger/index.ts';
import { closeWorker } from '../queue/close-worker.ts';
import type { Registry } from './registry.ts';
import { ProposalAnalysis } from './schema.ts';
import type { AiProvider, AnalysisAnswer, Priority, ProposalSubject, ProviderName } from './types.ts';

export { PRIORITIES, type Priority } from './types.ts';

/**
 * Proposal analyses: which provider runs (the configured one, then offline), the stored result
 * reused when the same input was analysed by the same provider, model and prompt version, and
 * the jobs the API queues. Proposal text and reasons are data all the way: they are hashed, handed
 * to the provider as the subject, and the answer is checked against the schema before it is kept.
 */
export const PROMPT_VERSIONS = { 'proposal-summary': 'proposal-summary/1' } as const;

export interface AnalysisOptions {
  priority?: Priority | undefined;
  provider?: ProviderName | undefined;
}

export interface AnalysisOutcome {
  analysis: AnalysisRow;
  /** Whether a stored analysis was reused instead of calling the provider. */
  reused: boolean;
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

  /** The providers to try, in order: the one asked for (or configured), then offline. */
  route(options: AnalysisOptions = {}): AiProvider[] {
    const order: ProviderName[] = [options.provider ?? this.registry.primary, 'offline'];
    const out: AiProvider[] = [];
    for (const name of order) {
      const p = this.registry.get(name);
      if (p && !out.includes(p)) out.push(p);
    }
    return out;
  }

  /** Analyses a proposal now (or reuses the stored analysis of the same input). */
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
    const reasons: string[] = [];
    for (const provider of this.route(options)) {
      const model =
        provider.name === this.registry.primary
          ? (this.registry.model ?? provider.defaultModel)
          : provider.defaultModel;
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
      const problems = provider.validateConfig();
      if (problems.length > 0) {
        reasons.push(`${provider.name}: ${problems[0]!.message}`);
        continue;
      }
      let answer: AnalysisAnswer;
      try {
        answer = await provider.analyze({ kind: 'proposal-summary', subject, model });
        if (!Value.Check(ProposalAnalysis, answer.result))
          throw new Error('the answer does not match the analysis schema');
      } catch (error) {
        reasons.push(`${provider.name}: ${(error as Error).message}`);
        await addUsage(db, usageOf(provider.name, model, input.daoId, undefined));
        continue;
      }
      await addUsage(db, usageOf(provider.name, answer.model, input.daoId, answer));
      const analysis = await insertAnalysis(db, {
        ...key,
        model: answer.model,
        daoId: input.daoId,
        result: answer.result,
        fallbackReason: reasons.length > 0 ? reasons.join('; ') : null,
        inputTokens: answer.usage.inputTokens,
        outputTokens: answer.usage.outputTokens,
      });
      return { analysis, reused: false };
    }
    throw new Error(`no provider could analyse proposal ${proposalId}: ${reasons.join('; ')}`);
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

function usageOf(provider: string, model: string, daoId: number, answer: AnalysisAnswer | undefined) {
  return {
    day: today(),
    provider,
    model,
    daoId,
    calls: 1,
    errors: answer ? 0 : 1,
    inputTokens: answer?.usage.inputTokens ?? 0,
    outputTokens: answer?.usage.outputTokens ?? 0,
    costUsd: '0',
  };
}
