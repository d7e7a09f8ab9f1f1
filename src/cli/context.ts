import { loadConfig, type Config } from '../config/index.ts';
import { openDatabase, type Database } from '../db/index.ts';
import { AppError } from '../errors.ts';
import { createLogger, type Logger } from '../logger/index.ts';

export interface CommandContext {
  config: Config;
  logger: Logger;
}

export function commandContext(): CommandContext {
  const config = loadConfig();
  return { config, logger: createLogger(config.logLevel) };
}

export async function openConfiguredDatabase(config: Config): Promise<Database> {
  return openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
}

/** Runs a command: user-facing failures print one clear line and exit 1; bugs print the stack. */
export async function run(action: () => Promise<number | void>): Promise<void> {
  try {
    const code = await action();
    process.exitCode = code ?? 0;
  } catch (error) {
    if (error instanceof AppError) process.stderr.write(`dao-portal: ${error.message}\n`);
    else process.stderr.write(`dao-portal: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  }
}
