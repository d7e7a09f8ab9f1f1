import { UnavailableError, ValidationError } from '../errors.ts';
import { createSources } from '../sources/index.ts';
import { createSyncEngine } from '../sync/engine.ts';
import { type JobOutcome, runNow } from '../sync/jobs.ts';
import { SOURCE_NAMES } from '../sync/live-event.ts';
import type { SyncSource } from '../sync/types.ts';
import { API_KEY_HINT, commandContext, openConfiguredDatabase, runningServer, serverAuth } from './context.ts';
import { Progress } from './progress.ts';

export interface SyncCommandOptions {
  dao?: string;
  source?: string;
  server?: string;
}

/**
 * `dao-portal sync`: brings the chosen DAOs and sources up to date now, with a progress bar per
 * (DAO, source). While a server holds the embedded database the run happens in that server
 * (POST /api/v1/sync/run), since PGlite admits one process. `extraSources` lets tests inject sources.
 */
export async function syncCommand(options: SyncCommandOptions, extraSources: SyncSource[] = []): Promise<number> {
  const { config, logger } = commandContext();
  if (options.source && !(SOURCE_NAMES as readonly string[]).includes(options.source)) {
    throw new ValidationError(`--source must be one of ${SOURCE_NAMES.join(', ')}, got '${options.source}'`);
  }
  const filter = {
    ...(options.dao ? { dao: options.dao } : {}),
    ...(options.source ? { source: options.source } : {}),
  };

  const serverUrl = await runningServer(config, options.server);
  if (serverUrl) {
    process.stderr.write(
      `The server at ${serverUrl} holds the database: syncing in the server (no progress bar; see its logs).\n`,
    );
    return report(await syncRemote(serverUrl, filter, config.auth.cliApiKey));
  }

  const database = await openConfiguredDatabase(config);
  const abort = new AbortController();
  const interrupt = () => abort.abort();
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  // Events still reach live-stream clients of the servers when Redis carries them.
  const engine = createSyncEngine(config, {
    database,
    logger,
    sources: createSources(config, { logger, extra: extraSources }),
    runner: 'none',
  });
  try {
    await database.migrate();
    let bar: { progress: Progress; done: number } | undefined;
    const finishBar = () => bar?.progress.done(bar.done);
    const outcomes = await runNow(engine.deps, filter, {
      signal: abort.signal,
      onStart(dao, source) {
        finishBar();
        const current = { progress: new Progress(`${dao.slug} ${source.name}`, 'items'), done: 0 };
        bar = current;
        return (done, total) => {
          current.done = done;
          current.progress.update(done, total ? done / total : undefined);
        };
      },
    });
    finishBar();
    return report(outcomes);
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
    await engine.close();
    await database.close();
  }
}

function report(outcomes: JobOutcome[]): number {
  if (outcomes.length === 0) {
    process.stderr.write(
      'Nothing to sync: no configured source applies to the chosen DAOs (a DAO needs a snapshot_space, governor_address or treasury_addresses).\n',
    );
    return 1;
  }
  for (const o of outcomes) {
    const rate = o.read / Math.max(o.duration_ms / 1000, 1e-3);
    const what = {
      done: `${o.read} read, ${o.written} written in ${(o.duration_ms / 1000).toFixed(1)}s (${Math.round(rate)} items/s)${o.lag !== null ? `, lag ${o.lag}` : ''}`,
      busy: 'already being synced by another process; skipped',
      skipped: 'no longer applies; skipped',
      failed: `failed: ${o.error}`,
    }[o.status];
    process.stdout.write(`${o.dao} ${o.source}: ${what}\n`);
  }
  return outcomes.some((o) => o.status === 'failed') ? 1 : 0;
}

async function syncRemote(
  serverUrl: string,
  filter: { dao?: string; source?: string },
  apiKey: string | undefined,
): Promise<JobOutcome[]> {
  let response: Response;
  try {
    response = await fetch(new URL('/api/v1/sync/run', serverUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...serverAuth(apiKey) },
      body: JSON.stringify(filter),
    });
  } catch (error) {
    throw new UnavailableError(
      `the server at ${serverUrl} holds the database but did not answer (${(error as Error).message}); is it still running?`,
    );
  }
  const payload = (await response.json()) as { status: string; data?: JobOutcome[]; error?: { message: string } };
  if (!response.ok || payload.status !== 'success') {
    const hint = response.status === 401 || response.status === 403 ? ` (${API_KEY_HINT})` : '';
    const message = `the server refused the sync: ${payload.error?.message ?? response.statusText}${hint}`;
    // A 4xx is about what was sent (the same error this process would have raised itself).
    throw response.status >= 400 && response.status < 500
      ? new ValidationError(message)
      : new UnavailableError(message);
  }
  return payload.data!;
}
