import { hash, verify } from '@node-rs/argon2';
import commonPasswords from 'fxa-common-password-list';
import { ValidationError } from '../errors.ts';

/**
 * Passwords: argon2id with the library's defaults (OWASP's recommended minimum: 19 MiB, 2
 * passes), a minimum length, and a check against a list of common passwords (Firefox Accounts'
 * list), since length alone lets "password1234" through.
 */
export const MIN_PASSWORD_LENGTH = 10;
const MAX_PASSWORD_LENGTH = 1024;

/** Throws a ValidationError naming what is wrong with a new password. */
export function checkNewPassword(password: string, email?: string): void {
  const problem = (message: string) =>
    new ValidationError(`password ${message}`, [{ in: 'body', parameter: 'password', message }]);
  if ([...password].length < MIN_PASSWORD_LENGTH) throw problem(`must be at least ${MIN_PASSWORD_LENGTH} characters`);
  if (password.length > MAX_PASSWORD_LENGTH) throw problem(`must be at most ${MAX_PASSWORD_LENGTH} characters`);
  if (commonPasswords.test(password) || commonPasswords.test(password.toLowerCase()))
    throw problem('is a commonly used password');
  if (
    email &&
    password.toLowerCase().includes(email.toLowerCase().split('@')[0]!) &&
    email.split('@')[0]!.length >= 4
  ) {
    throw problem('must not contain the email address');
  }
}

export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  if (password.length > MAX_PASSWORD_LENGTH) return false;
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** A hash to verify against when the account does not exist, so timing does not tell which emails are registered. */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hash('decoy password that matches nothing');
  return decoy;
}
