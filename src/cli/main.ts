import { once } from 'node:events';
import fs from 'node:fs';
import { Command } from 'commander';
import { DatabaseBusyError, ValidationError } from '../errors.ts';
import { type ConverterName, converterDescriptions, converters } from '../import/converters/index.ts';
import { VERSION } from '../version.ts';
import { commandContext, openConfiguredDatabase, run } from './context.ts';

// Each command's module is imported when that command runs: the server alone loads a few thousand
// modules, and `--help`, `user list` or `import` should not wait for them.
const backupCommands = () => import('./backup.ts');
const userCommands = () => import('./user.ts');

const program = new Command('dao-portal')
  .description('DAO Portal: self-hostable governance and treasury analytics for DAOs')
  .version(VERSION)
  .addHelpText(
    'after',
    `
Configuration comes from the environment: PORT (8000), HOST (0.0.0.0), DATABASE_URL (unset: embedded
database in DATA_DIR, default ./data), LOG_LEVEL (info), REDIS_URL, CORS_ORIGINS, SYNC_INTERVAL_SECONDS (300),
SYNC_CONCURRENCY (2), SYNC_ATTEMPTS (5), SYNC_BACKOFF_SECONDS (10), SYNC_WORKER (true), SYNC_QUEUE_PREFIX, SYNC_STALLED_SECONDS (30),
BACKUP_DIR, BACKUP_SCHEDULE (off), BACKUP_KEEP_DAILY (30), BACKUP_KEEP_WEEKLY (12), BACKUP_KEEP_MONTHLY (12). See README.md.

Exit status: 0 on success; 2 when the command's input was wrong (an argument, a file, a record),
named in one line; 1 when something it depends on failed (configuration, database, a service).`,
  );

program
  .command('serve')
  .description('Start the API server (migrates the database first)')
  .action(() => run(async () => (await import('./serve.ts')).serve()));

program
  .command('migrate')
  .description('Apply pending database migrations and exit')
  .action(() =>
    run(async () => {
      const { config } = commandContext();
      try {
        const database = await openConfiguredDatabase(config);
        try {
          await database.migrate();
          process.stdout.write(`Database at ${database.location} is up to date.\n`);
        } finally {
          await database.close();
        }
      } catch (error) {
        // The running server migrated the embedded database when it started.
        if (error instanceof DatabaseBusyError && error.holder?.url) {
          process.stdout.write(
            `The server at ${error.holder.url} holds the database and applied every migration when it started.\n`,
          );
          return 0;
        }
        throw error;
      }
    }),
  );

program
  .command('sync')
  .description('Sync DAOs from their sources now, with a progress bar (items/s, ETA)')
  .option('--dao <slug>', 'only this DAO (slug or id)')
  .option('--source <name>', 'only this source: snapshot, governor or treasury')
  .option('--server <url>', 'run the sync in a running DAO Portal server instead of this process')
  .addHelpText(
    'after',
    `
Exit status: 0 when every sync finished (or another process was already running it), 1 when one
failed or nothing applied, 2 when --dao or --source names no such DAO or source. While a server holds the embedded database, the sync runs in that server.`,
  )
  .action((options: { dao?: string; source?: string; server?: string }) =>
    run(async () => (await import('./sync.ts')).syncCommand(options)),
  );

program
  .command('mcp')
  .description('Serve the read API as MCP tools on stdin/stdout (for an MCP client; logs go to stderr)')
  .action(() => run(async () => (await import('./mcp.ts')).mcpCommand()));

program
  .command('worker')
  .description('Work sync jobs from the Redis queue (REDIS_URL) until stopped; run as many as you like')
  .action(() => run(async () => (await import('./worker.ts')).workerCommand()));

program
  .command('import')
  .description('Import canonical records (NDJSON or a JSON array) from files, or stdin with "-" or no file')
  .argument('[files...]', 'files to import, in order')
  .option('--batch-size <n>', 'records per transaction', '2000')
  .option('--server <url>', 'send the records to a running DAO Portal server instead of opening the database')
  .addHelpText(
    'after',
    `
Exit status: 0 when every record was accepted, 2 when any was rejected (each is reported with its
file, line, field and reason), 1 on failure. Re-importing the same records changes nothing.
While a server holds the embedded database, the records go through that server's API.`,
  )
  .action((files: string[], options: { batchSize: string; server?: string }) =>
    run(async () => (await import('./import.ts')).importCommand(files, options)),
  );

program
  .command('recompute')
  .description('Rebuild DAO figures and metric rollups from the stored votes, proposals and balances')
  .option('--dao <slug>', 'only this DAO (id or slug)')
  .option('--jobs <n>', 'DAOs rebuilt at once on PostgreSQL (default: one per CPU; the embedded database: 1)')
  .action((options: { dao?: string; jobs?: string }) =>
    run(async () => (await import('./recompute.ts')).recomputeCommand(options)),
  );

const backup = program
  .command('backup')
  .description(
    'Write a consistent, verified backup of the database (and its manifest) into --out, BACKUP_DIR or ./backups',
  )
  .option('--out <dir>', 'directory to write the backup to')
  .option('--no-verify', 'skip restoring it into a scratch database to check it')
  .addHelpText(
    'after',
    `
The embedded database is backed up through the running server when one holds it (DAO_PORTAL_API_KEY:
an admin's key), directly when it is stopped; PostgreSQL with pg_dump -Fc (postgresql-client).
Each backup FILE has FILE.manifest.json beside it: time, version, migrations, per-table row counts
and checksums, and the file's SHA-256. See docs/OPERATIONS.md.`,
  )
  .action((options: { out?: string; verify?: boolean }) =>
    run(async () => (await backupCommands()).backupCommand(options)),
  );
backup
  .command('verify')
  .description('Check a backup: its SHA-256, then restore it into a scratch database and compare every table')
  .argument('<file>', 'the backup file (its manifest is FILE.manifest.json)')
  .action((file: string) => run(async () => (await backupCommands()).verifyCommand(file)));

program
  .command('restore')
  .description('Restore a backup into the configured database (DATABASE_URL or DATA_DIR)')
  .argument('<file>', 'the backup file (its manifest is FILE.manifest.json)')
  .option('--force', 'replace a database that holds data (it is kept under another name)')
  .addHelpText(
    'after',
    `
Nothing changes before the file matches its manifest. The backup is restored into a new database
(or directory), checked table by table, and only then swapped in. Stop the server first.`,
  )
  .action((file: string, options: { force?: boolean }) =>
    run(async () => (await backupCommands()).restoreCommand(file, options)),
  );

program
  .command('maintenance')
  .description('Apply pending rollup changes, drop old change rows and expired sessions, vacuum, analyze, reindex')
  .action(() => run(async () => (await backupCommands()).maintenanceCommand()));

const user = program
  .command('user')
  .description('Manage accounts: the first admin, roles, disabled users, forgotten passwords');
user
  .command('create')
  .description('Create a user (the password is read from standard input)')
  .requiredOption('--email <email>', 'sign-in email')
  .requiredOption('--role <role>', 'admin, editor or viewer')
  .option('--name <name>', 'display name')
  .option('--password-stdin', 'read the password from standard input (required)')
  .action((options: { email: string; role: string; name?: string; passwordStdin?: boolean }) =>
    run(async () => (await userCommands()).userCreate(options)),
  );
user
  .command('list')
  .description('List users with their role, last sign-in and flags')
  .action(() => run(async () => (await userCommands()).userList()));
user
  .command('disable')
  .description('Disable a user and end their sessions')
  .requiredOption('--email <email>', 'the user')
  .action((options: { email: string }) => run(async () => (await userCommands()).userSetDisabled(options, true)));
user
  .command('enable')
  .description('Enable a disabled user again')
  .requiredOption('--email <email>', 'the user')
  .action((options: { email: string }) => run(async () => (await userCommands()).userSetDisabled(options, false)));
user
  .command('reset-password')
  .description("Set a user's password (read from standard input) and end their sessions")
  .requiredOption('--email <email>', 'the user')
  .option('--password-stdin', 'read the password from standard input (required)')
  .action((options: { email: string; passwordStdin?: boolean }) =>
    run(async () => (await userCommands()).userResetPassword(options)),
  );

program
  .command('convert')
  .description('Convert a known data export into canonical NDJSON records')
  .argument('<format>', `one of: ${Object.keys(converters).join(', ')}`)
  .argument('<dir>', 'the export directory, e.g. ../shared/data/decentraland')
  .option('-o, --output <file>', 'write to a file instead of stdout')
  .addHelpText(
    'after',
    '\n' +
      Object.entries(converterDescriptions)
        .map(([k, v]) => `  ${k}: ${v}`)
        .join('\n'),
  )
  .action((format: string, dir: string, options: { output?: string }) =>
    run(async () => {
      const convert = converters[format as ConverterName];
      if (!convert)
        throw new ValidationError(`unknown format '${format}'; expected one of ${Object.keys(converters).join(', ')}`);
      const out: NodeJS.WritableStream = options.output ? openOutput(options.output) : process.stdout;
      let count = 0;
      for (const record of convert(dir, { onWarning: (m) => process.stderr.write(`warning: ${m}\n`) })) {
        if (!out.write(JSON.stringify(record) + '\n')) await once(out, 'drain');
        count++;
      }
      if (options.output) await new Promise<void>((resolve) => out.end(() => resolve()));
      process.stderr.write(`${count} records written${options.output ? ` to ${options.output}` : ''}\n`);
    }),
  );

/** The output file, opened now so that an unwritable path is reported as the user's input, not a crash. */
function openOutput(file: string): fs.WriteStream {
  let fd: number;
  try {
    fd = fs.openSync(file, 'w');
  } catch (error) {
    throw new ValidationError(
      `cannot write ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such directory' : (error as Error).message}`,
    );
  }
  return fs.createWriteStream(file, { fd });
}

await program.parseAsync();
