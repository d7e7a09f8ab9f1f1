import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry } from '../src/ai/registry.ts';
import { AiService } from '../src/ai/service.ts';
import { loadConfig } from '../src/config/index.ts';
import { latestJob } from '../src/db/queries/ai.ts';
import { getProposal } from '../src/db/queries/governance.ts';
import { createLogger } from '../src/logger/index.ts';
import { databaseTargets, type TestDatabase } from './helpers/db.ts';
import { importText } from './helpers/fixtures.ts';

const redisUrl = process.env.REDIS_URL;

describe.runIf(redisUrl).each(databaseTargets())('AI analysis jobs on BullMQ ($kind)', (target) => {
  let database: TestDatabase;
  let producer: AiService;
  let worker: AiService;
  const prefix = `dp-ai-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  beforeAll(async () => {
    database = await target.open();
    const records = [
      { type: 'dao', slug: 'q', name: 'Q', chain: 'ethereum' },
      {
        type: 'proposal',
        dao: 'q',
        id: 'p1',
        title: 'Fund the grants programme',
        body: 'This proposal requests 50,000 USDC for the grants programme over 6 months. The committee reports to the DAO every month on what the grants achieved.',
        choices: ['For', 'Against'],
        start: '2025-01-01T00:00:00Z',
        end: '2025-01-08T00:00:00Z',
      },
    ];
    await importText(database, records.map((r) => JSON.stringify(r)).join('\n'));
    const registry = createRegistry(loadConfig({}).ai);
    const logger = createLogger('silent');
    // One process only queues (an API-only server), another works the queue.
    producer = new AiService(registry, database, logger, { redisUrl, prefix, work: false });
    worker = new AiService(registry, database, logger, { redisUrl, prefix });
  }, 120_000);

  afterAll(async () => {
    await producer?.close();
    await worker?.close();
    await database?.destroy();
  });

  it('a job queued by one process is worked by another through Redis', async () => {
    expect(producer.queueKind).toBe('bullmq');
    const proposal = await getProposal(database.db, 'p1');
    const job = await producer.enqueue(proposal.id, { priority: 'accuracy' }, null);
    expect(job.status).toBe('queued');
    const deadline = Date.now() + 30_000;
    let seen = job;
    while (seen.status !== 'done' && seen.status !== 'failed' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      seen = (await latestJob(database.db, 'proposal', proposal.id))!;
    }
    expect(seen).toMatchObject({ id: job.id, status: 'done', provider: 'offline', priority: 'accuracy' });
    expect(seen.analysisId).not.toBeNull();
    const { analysis } = await worker.currentAnalysis(proposal.id);
    expect(analysis.id).toBe(seen.analysisId);
    expect((analysis.result as { money: unknown[] }).money).toEqual([
      { amount: '50,000 USDC', token: 'USDC', recipient: null },
    ]);
  });
});
