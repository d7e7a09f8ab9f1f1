import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { getDao } from '../../db/queries/daos.ts';
import { listImportRuns } from '../../db/queries/import-runs.ts';
import { listSyncStates } from '../../db/queries/sync-state.ts';
import { runNow, syncTargets } from '../../sync/jobs.ts';
import { type ApiContext, readDb } from '../context.ts';
import { errorResponses, success, TextParam } from '../schemas/common.ts';
import { SourceName, SYNC_STATES, SyncOutcome, SyncStatus } from '../schemas/sync.ts';
import { requestMeta } from '../security.ts';

const STATES = new Set<string>(SYNC_STATES);

export const syncRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app, { database, sync, accounts }) => {
  app.get(
    '/sync/status',
    {
      config: { permission: 'read' },
      schema: {
        tags: ['sync'],
        summary: 'Sync state of every (DAO, source), and the last file import of each DAO (source `import`)',
        querystring: Type.Object(
          { dao: Type.Optional(TextParam({ minLength: 1, maxLength: 200, description: 'DAO id or slug' })) },
          { additionalProperties: false },
        ),
        response: { 200: success(Type.Array(SyncStatus)), ...errorResponses },
      },
    },
    async (request) => {
      const db = readDb(database, request);
      const dao = request.query.dao ? await getDao(db, request.query.dao) : undefined;
      const rows = await listSyncStates(db, dao?.id);
      // A run whose process died (SIGKILL, power loss) left 'running' behind; its free lock shows it.
      const interrupted = new Set<string>();
      for (const { dao: ref, state: s } of rows.filter((r) => r.state.status === 'running')) {
        if ((await sync.deps.locks.tryRun(ref.id, s.source, async () => true)).ran)
          interrupted.add(`${ref.id}:${s.source}`);
      }
      const data = rows.map(({ dao: ref, state: s }) => ({
        dao: ref,
        source: s.source,
        ...(interrupted.has(`${ref.id}:${s.source}`)
          ? { state: 'failed' as const, last_error: 'interrupted: the process running it stopped' }
          : { state: (STATES.has(s.status) ? s.status : 'idle') as 'idle', last_error: s.lastError }),
        last_success: s.lastSuccessAt?.toISOString() ?? null,
        started_at: s.startedAt?.toISOString() ?? null,
        cursor: s.cursor,
        lag: s.lag,
        details: s.details,
      }));
      // A (DAO, source) that applies but has not run yet: a runner will pick it up.
      const seen = new Set(rows.map((r) => `${r.dao.id}:${r.state.source}`));
      for (const target of await syncTargets(sync.deps, dao ? { dao: String(dao.id) } : {})) {
        if (seen.has(`${target.dao.id}:${target.source.name}`)) continue;
        data.push({
          dao: { id: target.dao.id, slug: target.dao.slug, name: target.dao.name },
          source: target.source.name,
          state: (sync.runner ? 'scheduled' : 'idle') as 'idle',
          last_success: null,
          started_at: null,
          cursor: {},
          lag: null,
          last_error: null,
          details: {},
        });
      }
      // File imports are a source too: the last one of each DAO, after the syncs.
      for (const { dao: ref, run } of await listImportRuns(db, dao?.id)) {
        data.push({
          dao: ref,
          source: 'import',
          state: 'idle' as const,
          last_success: run.finishedAt.toISOString(),
          started_at: new Date(run.finishedAt.getTime() - Math.round(run.seconds * 1000)).toISOString(),
          cursor: {},
          lag: null,
          last_error:
            run.rejected > 0
              ? `${run.rejected} of ${run.records} records were rejected; the others were stored (the import's report lists each with its reason)`
              : null,
          details: {
            file: run.source,
            records: run.records,
            inserted: run.inserted,
            updated: run.updated,
            unchanged: run.unchanged,
            rejected: run.rejected,
            duration_ms: Math.round(run.seconds * 1000),
          },
        });
      }
      return { status: 'success' as const, data };
    },
  );

  app.post(
    '/sync/run',
    {
      config: { permission: 'write', requestTimeout: false },
      schema: {
        tags: ['sync'],
        summary:
          'Sync now and wait for the outcome (what `dao-portal sync` uses while the server holds the embedded database)',
        body: Type.Object(
          { dao: Type.Optional(TextParam({ minLength: 1, maxLength: 200 })), source: Type.Optional(SourceName) },
          { additionalProperties: false },
        ),
        response: { 200: success(Type.Array(SyncOutcome)), ...errorResponses },
      },
    },
    async (request, reply) => {
      const abort = new AbortController();
      // A client that gives up stops the run at its next safe point.
      reply.raw.once('close', () => reply.raw.writableFinished || abort.abort());
      await accounts.audit(request.identity, requestMeta(request), 'sync.run', {
        resource: request.body.dao ? `dao:${request.body.dao}` : null,
        details: { ...request.body },
      });
      const outcomes = await runNow(sync.deps, request.body, { signal: abort.signal });
      const failed = outcomes.filter((o) => o.status === 'failed').length;
      return {
        status: 'success' as const,
        data: outcomes,
        message: failed ? `${failed} of ${outcomes.length} syncs failed` : `${outcomes.length} syncs ran`,
      };
    },
  );
};
