import { Accounts } from '../auth/accounts.ts';
import type { Role } from '../auth/roles.ts';
import { ROLES } from '../auth/roles.ts';
import { ValidationError } from '../errors.ts';
import { commandContext, openConfiguredDatabase } from './context.ts';

/**
 * `dao-portal user create|list|disable|enable|reset-password`: account administration from the
 * shell, for the first admin and for when nobody can sign in. Passwords come from standard input
 * (`--password-stdin`), never from an argument, so they stay out of shell history and `ps`.
 */
async function withAccounts<T>(fn: (accounts: Accounts) => Promise<T>): Promise<T> {
  const { config, logger } = commandContext();
  const database = await openConfiguredDatabase(config);
  try {
    await database.migrate();
    return await fn(await Accounts.open(database, config.auth, logger));
  } finally {
    await database.close();
  }
}

async function readPassword(passwordStdin: boolean | undefined): Promise<string> {
  if (!passwordStdin)
    throw new ValidationError(
      '--password-stdin is required: pipe the password in (printf %s "$PASSWORD" | dao-portal …)',
    );
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  // One trailing newline is the shell's, not the password's.
  return text.replace(/\r?\n$/, '');
}

function role(value: string): Role {
  if (!(ROLES as readonly string[]).includes(value))
    throw new ValidationError(`--role must be one of ${ROLES.join(', ')}, got '${value}'`);
  return value as Role;
}

export async function userCreate(options: {
  email: string;
  role: string;
  name?: string;
  passwordStdin?: boolean;
}): Promise<number> {
  const password = await readPassword(options.passwordStdin);
  const wanted = role(options.role);
  const user = await withAccounts((accounts) =>
    accounts.createUser({ email: options.email, displayName: options.name, role: wanted, password }),
  );
  process.stdout.write(`Created ${user.role} ${user.email} (id ${user.id}).\n`);
  return 0;
}

export async function userList(): Promise<number> {
  const users = await withAccounts((accounts) => accounts.listUsers());
  if (users.length === 0) process.stdout.write('No users yet.\n');
  for (const u of users) {
    const flags = [u.disabled ? 'disabled' : '', u.totpSecret ? '2fa' : ''].filter(Boolean).join(', ');
    process.stdout.write(
      `${String(u.id).padStart(4)}  ${u.email.padEnd(32)} ${u.role.padEnd(7)} last login ${u.lastLoginAt?.toISOString() ?? 'never'}${flags ? `  (${flags})` : ''}\n`,
    );
  }
  return 0;
}

export async function userSetDisabled(options: { email: string }, disabled: boolean): Promise<number> {
  await withAccounts(async (accounts) => {
    const user = await accounts.userByEmail(options.email);
    await accounts.updateUser(user.id, { disabled }, { kind: 'anonymous' }, { ip: null, userAgent: 'dao-portal cli' });
  });
  process.stdout.write(
    `${disabled ? 'Disabled' : 'Enabled'} ${options.email}${disabled ? ' and ended their sessions' : ''}.\n`,
  );
  return 0;
}

export async function userResetPassword(options: { email: string; passwordStdin?: boolean }): Promise<number> {
  const password = await readPassword(options.passwordStdin);
  await withAccounts(async (accounts) => {
    const user = await accounts.userByEmail(options.email);
    await accounts.setPassword(user.id, password, { kind: 'anonymous' }, { ip: null, userAgent: 'dao-portal cli' });
  });
  process.stdout.write(`Set a new password for ${options.email} and ended their sessions.\n`);
  return 0;
}
