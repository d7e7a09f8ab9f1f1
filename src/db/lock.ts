import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { DatabaseBusyError } from '../errors.ts';

/**
 * PGlite admits one process per data directory; a second one would corrupt it. The lock file
 * records who holds the directory and, for a server, where it listens, so CLI commands can send
 * their work to it instead. It is readable by its owner only (0600) and carries a random secret,
 * so a process that answers at the recorded address can prove it is the holder (`prove`), and a
 * CLI never uploads to whatever the file names.
 *
 * A holder is alive when its pid runs and is the same process: the lock records the kernel's boot
 * id and the process's start time (Linux /proc), so a pid reused after a crash, a reboot, or a
 * container whose server ran as PID 1 and came back as PID 1 does not keep the directory locked.
 */
export interface DataDirLock {
  /** Records where the holding server listens, once it knows its port. */
  announce(url: string): Promise<void>;
  /** The holder's answer to a challenge: HMAC-SHA256 of `nonce` under the lock's secret. */
  prove(nonce: string): string;
  release(): Promise<void>;
}

export interface LockHolder {
  pid: number;
  url?: string;
  since: string;
  /** Random, per lock: the holder proves it knows it (see `proofOf`). */
  secret?: string;
  bootId?: string;
  /** The process's start time in clock ticks since boot (field 22 of /proc/<pid>/stat). */
  startTime?: string;
}

export const LOCK_FILE = 'dao-portal.lock';

/** Directories this process holds now (a second open in the same process is refused too). */
const heldHere = new Set<string>();

const readOr = (file: string) => {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
};

const bootId = () => readOr('/proc/sys/kernel/random/boot_id');

function startTimeOf(pid: number): string | undefined {
  const stat = readOr(`/proc/${pid}/stat`);
  // The command name (field 2) is in parentheses and may contain spaces: count fields after it.
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the process that wrote `holder` still runs (not merely a process with its pid). */
function isHolderAlive(holder: LockHolder): boolean {
  if (!Number.isInteger(holder.pid) || !isAlive(holder.pid)) return false;
  if (holder.bootId && bootId() && holder.bootId !== bootId()) return false;
  // This process did not write it unless it holds the directory now: an earlier incarnation did.
  if (holder.pid === process.pid) return false;
  if (holder.startTime && startTimeOf(holder.pid) && holder.startTime !== startTimeOf(holder.pid)) return false;
  return true;
}

export function proofOf(secret: string, nonce: string): string {
  return createHmac('sha256', secret).update(`dao-portal lock:${nonce}`).digest('base64url');
}

export async function readLockHolder(dataDir: string): Promise<LockHolder | undefined> {
  try {
    const holder = JSON.parse(await fs.readFile(path.join(dataDir, LOCK_FILE), 'utf8')) as LockHolder;
    const ours = holder.pid === process.pid && heldHere.has(path.resolve(dataDir));
    return ours || isHolderAlive(holder) ? holder : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `mkdir -p`, one level at a time: Node's recursive mkdir never returns for a path the kernel
 * refuses with ENOENT although its parent exists (`/proc/x`), so that case fails here instead.
 */
export async function makeDirectory(dir: string): Promise<void> {
  try {
    await fs.mkdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      if ((await fs.stat(dir)).isDirectory()) return;
      throw error;
    }
    const parent = path.dirname(dir);
    if (code !== 'ENOENT' || parent === dir) throw error;
    // The parent exists, so the file system itself refuses the directory.
    if (
      await fs.stat(parent).then(
        (s) => s.isDirectory(),
        () => false,
      )
    )
      throw error;
    await makeDirectory(parent);
    await fs.mkdir(dir).catch((again: NodeJS.ErrnoException) => {
      if (again.code !== 'EEXIST') throw again;
    });
  }
}

export async function acquireDataDirLock(dataDir: string): Promise<DataDirLock> {
  await makeDirectory(path.resolve(dataDir));
  const file = path.join(dataDir, LOCK_FILE);
  const key = path.resolve(dataDir);
  const holder: LockHolder = {
    pid: process.pid,
    since: new Date().toISOString(),
    secret: randomBytes(32).toString('base64url'),
    ...(bootId() ? { bootId: bootId() } : {}),
    ...(startTimeOf(process.pid) ? { startTime: startTimeOf(process.pid) } : {}),
  };
  for (let attempt = 0; attempt < 2; attempt++) {
    if (heldHere.has(key)) break;
    try {
      await fs.writeFile(file, JSON.stringify(holder), { flag: 'wx', mode: 0o600 });
      heldHere.add(key);
      return {
        async announce(url: string) {
          await fs.writeFile(file, JSON.stringify({ ...holder, url }), { mode: 0o600 });
        },
        prove: (nonce) => proofOf(holder.secret!, nonce),
        async release() {
          heldHere.delete(key);
          await fs.rm(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const current = await readLockHolder(dataDir);
      if (current) {
        const where = current.url ? `the DAO Portal server at ${current.url}` : 'another dao-portal process';
        throw new DatabaseBusyError(
          `The embedded database in ${dataDir} is in use by ${where} (pid ${current.pid}). ` +
            'Stop it first, or point this command at a PostgreSQL server with DATABASE_URL.',
          current,
        );
      }
      // The holder died without releasing (crash, SIGKILL, a reboot): the directory is free again.
      await fs.rm(file, { force: true });
    }
  }
  throw new DatabaseBusyError(
    heldHere.has(key)
      ? `The embedded database in ${dataDir} is already open in this process.`
      : `Could not lock the embedded database in ${dataDir}; try again.`,
  );
}
