import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './db.ts';

const run = promisify(execFile);
const script = path.join(repoRoot, 'scripts/test-replica.sh');

export type Replica = { url: string; stop(): Promise<void> } | { url?: undefined; reason: string };

/**
 * A streaming replica of TEST_DATABASE_URL's server: TEST_REPLICA_URL when CI started one
 * (.ci/run), else one started here with scripts/test-replica.sh (pg_basebackup -R into a temp
 * directory, pg_ctl on a free port) and stopped by `stop`. Without PostgreSQL, or when the primary
 * refuses replication, the reason comes back instead.
 */
export async function testReplica(): Promise<Replica> {
  const primary = process.env.TEST_DATABASE_URL;
  if (!primary) return { reason: 'TEST_DATABASE_URL is not set (no PostgreSQL server to replicate)' };
  if (process.env.TEST_REPLICA_URL) return { url: process.env.TEST_REPLICA_URL, stop: async () => {} };
  const { hostname, port } = new URL(primary);
  try {
    const { stdout } = await run(script, ['start', hostname, port || '5432'], { timeout: 120_000 });
    const [dir, url] = stdout.trim().split('\n').slice(-2) as [string, string];
    return {
      url,
      stop: async () => void (await run(script, ['stop', dir], { timeout: 60_000 })),
    };
  } catch (error) {
    const { stderr, message } = error as { stderr?: string; message: string };
    return { reason: (stderr?.trim() || message).split('\n').at(-1)! };
  }
}
