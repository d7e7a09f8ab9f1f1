import { spawn } from 'node:child_process';
import { UnavailableError } from '../errors.ts';

/**
 * `pg_dump` and `pg_restore` of Debian's postgresql-client. The password never goes on the
 * command line (other users see it in `ps`): it is handed over in PGPASSWORD.
 */
function connection(url: string): { dbname: string; env: NodeJS.ProcessEnv } {
  const u = new URL(url);
  const password = decodeURIComponent(u.password);
  u.password = '';
  return { dbname: u.toString(), env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) } };
}

function runTool(tool: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    const child = spawn(tool, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 4000) stderr += d;
    });
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(
        new UnavailableError(
          error.code === 'ENOENT'
            ? `${tool} is not installed: install PostgreSQL's client tools (Debian: apt-get install postgresql-client)`
            : `${tool} did not start: ${error.message}`,
        ),
      ),
    );
    child.on('close', (code) => {
      if (code === 0) resolve();
      else {
        const first = stderr.trim().split('\n').slice(0, 3).join(' / ');
        reject(new UnavailableError(`${tool} failed (exit ${code}): ${first || 'no message'}`));
      }
    });
  });
}

/** `pg_dump -Fc` of the database at `url` into `file`, reading the exported snapshot `snapshot` when given. */
export async function pgDump(url: string, file: string, snapshot?: string): Promise<void> {
  const { dbname, env } = connection(url);
  await runTool(
    'pg_dump',
    [
      '--format=custom',
      '--no-owner',
      '--no-acl',
      `--file=${file}`,
      ...(snapshot ? [`--snapshot=${snapshot}`] : []),
      `--dbname=${dbname}`,
    ],
    env,
  );
}

/** `pg_restore` of a `pg_dump -Fc` file into the (empty) database at `url`, all or nothing. */
export async function pgRestore(url: string, file: string): Promise<void> {
  const { dbname, env } = connection(url);
  await runTool(
    'pg_restore',
    ['--no-owner', '--no-acl', '--exit-on-error', '--single-transaction', `--dbname=${dbname}`, file],
    env,
  );
}
