import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';

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

/**
 * Secrets kept at rest (webhook URLs with their tokens, SMTP passwords, bot tokens, HMAC secrets):
 * AES-256-GCM under a key derived (HKDF-SHA256) from SECRETS_KEY, a random 96-bit IV per value.
 * Sealed text is `v1.<key id>.<iv>.<tag>.<ciphertext>` (base64url); the key id (8 hex of the key's
 * hash) says which key sealed it, so a changed SECRETS_KEY fails with a clear message instead of
 * garbage.
 */
export class SecretBox {
  private readonly key: Buffer;
  readonly keyId: string;

  constructor(secret: string) {
    this.key = Buffer.from(hkdfSync('sha256', secret, 'dao-portal', 'secrets at rest v1', 32));
    this.keyId = createHash('sha256').update(this.key).digest('hex').slice(0, 8);
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const b = (x: Buffer) => x.toString('base64url');
    return ['v1', this.keyId, b(iv), b(cipher.getAuthTag()), b(ciphertext)].join('.');
  }

  open(sealed: string): string {
    const [version, keyId, iv, tag, ciphertext] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || ciphertext === undefined) throw new Error('not a sealed secret');
    if (keyId !== this.keyId)
      throw new Error(`sealed under another SECRETS_KEY (key id ${keyId}, this process has ${this.keyId})`);
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  }
}
