import { randomBytes } from 'node:crypto';
import { type Config, loadConfig } from '../config/index.ts';
import { type Database, openDatabase, redactUrl } from '../db/index.ts';
import { proofOf, readLockHolder } from '../db/lock.ts';
import { AppError, ConfigError, UnavailableError } from '../errors.ts';
import { createLogger, type Logger } from '../logger/index.ts';
import { withTimeout } from '../monitoring/probes.ts';

export interface CommandContext {
  config: Config;
  logger: Logger;
}

export function commandContext(): CommandContext {
  const config = loadConfig();
  return { config, logger: createLogger(config.logLevel) };
}

/**
 * Opens the configured database and proves it answers, so a wrong setting stops a command with
 * one line naming the variable (DATABASE_URL or DATA_DIR) and the cause, not a stack.
 */
export async function openConfiguredDatabase(config: Config): Promise<Database> {
  let database: Database;
  try {
    database = await openDatabase({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      readUrl: config.database.readUrl,
      poolSize: config.database.poolSize,
      statementTimeoutMs: config.database.statementTimeoutMs,
    });
  } catch (error) {
    throw startupError(config, error);
  }
  if (database.kind === 'postgres') {
    try {
      await withTimeout(database.query('select 1'), 15_000, 'the server');
    } catch (error) {
      await database.close().catch(() => {});
      throw startupError(config, error);
    }
  }
  return database;
}

/** Why the database could not be opened, as an AppError naming the variable; AppErrors pass through. */
function startupError(config: Config, error: unknown): unknown {
  if (error instanceof AppError) return error;
  const e = error as NodeJS.ErrnoException & { code?: string; path?: string };
  const message = e.message || String(error);
  const cause = e.code && !message.startsWith(e.code) ? `${e.code}: ${message}` : message;
  if (config.databaseUrl) {
    const where = redactUrl(config.databaseUrl);
    const hint: Record<string, string> = {
      ECONNREFUSED: 'nothing listens there; is PostgreSQL running?',
      ENOTFOUND: 'no such host',
      EAI_AGAIN: 'the host name does not resolve',
      ETIMEDOUT: 'the server did not answer in time',
      '28P01': 'wrong user name or password',
      '28000': 'the server refuses this user',
      '3D000': 'no such database; create it first',
    };
    return new UnavailableError(
      `DATABASE_URL: cannot connect to ${where}: ${(e.code && hint[e.code]) || cause}`.replace(/\s+/g, ' '),
    );
  }
  if (e.code && /^E[A-Z]+$/.test(e.code)) {
    return new ConfigError(
      `DATA_DIR: cannot use ${config.dataDir} for the embedded database (${cause.replace(/\s+/g, ' ')}); point DATA_DIR at a writable directory`,
    );
  }
  return error;
}

/**
 * Runs a command. Every failure a user can cause is an AppError and prints as one line: exit 2
 * when the command's own input was wrong (arguments, files, records: the errors the API answers
 * with a 4xx), exit 1 when something it depends on failed (configuration, the database, a
 * service). Anything else is a bug: "unexpected error" with the stack, exit 1.
 */
export async function run(action: () => Promise<number | void>): Promise<void> {
  try {
    const code = await action();
    process.exitCode = code ?? 0;
  } catch (error) {
    if (error instanceof AppError) {
      process.stderr.write(`dao-portal: ${error.message}\n`);
      process.exitCode = error.httpStatus < 500 ? 2 : 1;
    } else {
      process.stderr.write(`dao-portal: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = 1;
    }
  }
}

/** The Authorization header for a running server's write routes (DAO_PORTAL_API_KEY), when set. */
export function serverAuth(apiKey: string | undefined): Record<string, string> {
  return apiKey ? { authorization: `Bearer ${apiKey}` } : {};
}

/** What to tell the user when a running server refuses the CLI's credentials. */
export const API_KEY_HINT =
  'set DAO_PORTAL_API_KEY to an API key of an editor or admin (create one in the dashboard under API keys, or POST /api/v1/keys)';

/**
 * The running server a command should send its work to: `--server` when given, else the server
 * the embedded database's lock names, once it has proved it holds that lock (a loopback address,
 * and the right answer to a challenge only the lock's secret gives). Undefined: open the database.
 */
export async function runningServer(config: Config, explicit?: string): Promise<string | undefined> {
  if (explicit) return explicit;
  if (config.databaseUrl) return undefined;
  const holder = await readLockHolder(config.dataDir);
  if (!holder?.url) return undefined;
  const url = new URL(holder.url);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) {
    throw new UnavailableError(
      `the database lock names ${holder.url}, which is not a loopback address: nothing is sent there`,
    );
  }
  const nonce = randomBytes(24).toString('base64url');
  let proof: string | undefined;
  try {
    const response = await fetch(`${url.origin}/health/lock?nonce=${nonce}`, { signal: AbortSignal.timeout(10_000) });
    proof = ((await response.json()) as { data?: { proof?: string } }).data?.proof;
  } catch (error) {
    throw new UnavailableError(
      `the server at ${holder.url} holds the database but did not answer (${(error as Error).message}); is it still running?`,
    );
  }
  if (!holder.secret || proof !== proofOf(holder.secret, nonce)) {
    throw new UnavailableError(
      `the process at ${holder.url} could not prove it holds the database lock in ${config.dataDir}: nothing is sent to it`,
    );
  }
  return holder.url;
}
