import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Random tokens, their hashes, and constant-time comparison: the primitives the rest of src/auth uses. */
export const randomToken = (bytes = 32) => randomBytes(bytes).toString('base64url');
export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
export const hmac = (key: Uint8Array, text: string) => createHmac('sha256', key).update(text).digest('base64url');

export function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** API keys: `dp_` and 32 random bytes; stored as SHA-256 (a random secret needs no slow hash), shown by prefix. */
export const API_KEY_PREFIX = 'dp_';
export function newApiKey(): { secret: string; prefix: string; hash: string } {
  const secret = `${API_KEY_PREFIX}${randomToken(32)}`;
  return { secret, prefix: secret.slice(0, 10), hash: sha256(secret) };
}
export const isApiKey = (token: string) => token.startsWith(API_KEY_PREFIX) && /^dp_[A-Za-z0-9_-]{43}$/.test(token);
