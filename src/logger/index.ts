import pino, { type Logger } from 'pino';
import type { LogLevel } from '../config/index.ts';

export type { Logger };

/** The one logger: structured JSON lines on stderr, so stdout stays free for command output. */
export function createLogger(level: LogLevel): Logger {
  return pino({ level, base: { service: 'dao-portal' } }, pino.destination(2));
}
