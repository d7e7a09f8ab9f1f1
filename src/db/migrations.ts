import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Versioned SQL migrations: `migrations/NNNN_name.sql`, applied in name order, each in its own
 * transaction, recorded in `schema_migrations`. Plain SQL files run unchanged on PGlite and on a
 * PostgreSQL server, and any file not yet recorded is applied (so migrations written on
 * parallel branches need no renumbering as long as they are independent).
 */
export interface Migration {
  version: string;
  name: string;
  sql: string;
}

const FOLDER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');
const FILE = /^(\d{4})_([a-z0-9_]+)\.sql$/;

export function loadMigrations(folder = FOLDER): Migration[] {
  return fs
    .readdirSync(folder)
    .filter((f) => FILE.test(f))
    .sort()
    .map((file) => {
      const [, version, name] = FILE.exec(file)!;
      return { version: version!, name: name!, sql: fs.readFileSync(path.join(folder, file), 'utf8') };
    });
}

/** The statements a driver needs: run a multi-statement script, and read rows. */
export interface MigrationTarget {
  exec(sql: string): Promise<void>;
  rows<T>(sql: string): Promise<T[]>;
}

/** Applies pending migrations; returns the versions applied. The caller serialises concurrent runs. */
export async function applyMigrations(target: MigrationTarget, migrations = loadMigrations()): Promise<string[]> {
  await target.exec(`create table if not exists schema_migrations (
    version text primary key, name text not null, applied_at timestamptz not null default now())`);
  const done = new Set(
    (await target.rows<{ version: string }>('select version from schema_migrations')).map((r) => r.version),
  );
  const applied: string[] = [];
  for (const m of migrations) {
    if (done.has(m.version)) continue;
    await target.exec(
      `begin;\n${m.sql}\n;insert into schema_migrations (version, name) values ('${m.version}', '${m.name}');\ncommit;`,
    );
    applied.push(m.version);
  }
  return applied;
}

/** The migrations this build knows and the database has not applied yet (a server started by an older build, say). */
export async function pendingMigrations(
  rows: <T>(sql: string) => Promise<T[]>,
  migrations = loadMigrations(),
): Promise<{ applied: number; pending: string[] }> {
  let done: Set<string>;
  try {
    done = new Set((await rows<{ version: string }>('select version from schema_migrations')).map((r) => r.version));
  } catch (error) {
    // A database never migrated has no table yet: every migration is pending.
    if ((error as { code?: string }).code !== '42P01') throw error;
    done = new Set();
  }
  return {
    applied: migrations.filter((m) => done.has(m.version)).length,
    pending: migrations.filter((m) => !done.has(m.version)).map((m) => `${m.version}_${m.name}`),
  };
}
