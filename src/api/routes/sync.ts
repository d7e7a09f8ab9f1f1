import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { getDao } from '../../db/queries/daos.ts';
import { listSyncStates } from '../../db/queries/sync-state.ts';
import { runNow, syncTargets } from '../../sync/jobs.ts';
import { SOURCE_NAMES } from '../../sync/live-event.ts';
import { errorResponses, success } from '../schemas.ts';
import type { ApiContext } from '../context.ts';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const SourceName = Type.Union(SOURCE_NAMES.map((name) => Type.Literal(name)));
const DaoRef = Type.Object({ id: Type.Integer(), slug: Type.String(), name: Type.String() });

export const SyncStatus = Type.Object({
  dao: DaoRef,
  source: Type.String(),
  state: Type.Union([Type.Literal('idle'), Type.Literal('running'), Type.Literal('failed'), Type.Literal('scheduled')]),
  last_success: Nullable(Type.String({ format: 'date-time' })),
  started_at: Nullable(Type.String({ format: 'date-time' })),
  cursor: Type.Record(Type.String(), Type.Unknown(), { description: "The source's resume point (its own format)" }),
  lag: Nullable(Type.Number({ description: 'How far behind the remote head (seconds or blocks, per source) the last run left the DAO' })),
  last_error: Nullable(Type.String()),
  details: Type.Record(Type.String(), Type.Unknown()),
});

export const SyncOutcome = Type.Object({
  dao: Type.String(),
  source: Type.String(),
  status: Type.Union([Type.Literal('done'), Type.Literal('busy'), Type.Literal('skipped'), Type.Literal('failed')], {
    description: 'busy: another worker is syncing this (DAO, source) right now',
  }),
  error: Type.Optional(Type.String()),
  written: Type.Integer(),
  read: Type.Integer(),
  lag: Nullable(Type.Number()),
  duration_ms: Type.Integer(),
});

const STATES = new Set(['idle', 'running', 'failed', 'scheduled']);

export const syncRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app, { database, sync }) => {
  app.get('/sync/status', {
    schema: {
      tags: ['sync'],
      summary: 'Sync state of every (DAO, source)',
      querystring: Type.Object({ dao: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'DAO id or slug' })) }, { additionalProperties: false }),
      response: { 200: success(Type.Array(SyncStatus)), ...errorResponses },
    },
  }, async (request) => {
    const dao = request.query.dao ? await getDao(database.db, request.query.dao) : undefined;
    const rows = await listSyncStates(database.db, dao?.id);
    // A run whose process died (SIGKILL, power loss) left 'running' behind; its free lock shows it.
    const interrupted = new Set<string>();
    for (const { dao: ref, state: s } of rows.filter((r) => r.state.status === 'running')) {
      if ((await sync.deps.locks.tryRun(ref.id, s.source, async () => true)).ran) interrupted.add(`${ref.id}:${s.source}`);
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
        dao: { id: target.dao.id, slug: target.dao.slug, name: target.dao.name }, source: target.source.name,
        state: (sync.runner ? 'scheduled' : 'idle') as 'idle', last_success: null, started_at: null, cursor: {}, lag: null, last_error: null, details: {},
      });
    }
    return { status: 'success' as const, data };
  });

  app.post('/sync/run', {
    schema: {
      tags: ['sync'],
      summary: 'Sync now and wait for the outcome (what `dao-portal sync` uses while the server holds the embedded database)',
      body: Type.Object({ dao: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), source: Type.Optional(SourceName) }, { additionalProperties: false }),
      response: { 200: success(Type.Array(SyncOutcome)), ...errorResponses },
    },
  }, async (request, reply) => {
    const abort = new AbortController();
    // A client that gives up stops the run at its next safe point.
    reply.raw.once('close', () => reply.raw.writableFinished || abort.abort());
    const outcomes = await runNow(sync.deps, request.body, { signal: abort.signal });
    const failed = outcomes.filter((o) => o.status === 'failed').length;
    return { status: 'success' as const, data: outcomes, message: failed ? `${failed} of ${outcomes.length} syncs failed` : `${outcomes.length} syncs ran` };
  });
};
