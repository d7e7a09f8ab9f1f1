import { generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';
import { randomToken, sha256 } from './secrets.ts';

/**
 * Two-factor sign-in with TOTP (RFC 6238: 6 digits, 30 s steps, SHA-1 as every authenticator
 * app expects) and ten one-time recovery codes, stored as SHA-256 hashes.
 */
export const RECOVERY_CODES = 10;

export function newTotpSecret(): string {
  return generateSecret();
}

/** The otpauth:// URI and a QR code of it (an SVG) for an authenticator app. */
export async function enrolment(secret: string, email: string): Promise<{ uri: string; qr_svg: string }> {
  const uri = generateURI({ issuer: 'DAO Portal', label: email, secret });
  return { uri, qr_svg: await QRCode.toString(uri, { type: 'svg', margin: 1 }) };
}

/** Whether `code` is the current code (one step either side is accepted, for clock drift). */
export async function checkTotp(secret: string, code: string): Promise<boolean> {
  if (!/^\d{6}$/.test(code)) return false;
  try {
    return (await verify({ secret, token: code, epochTolerance: 30 })).valid;
  } catch {
    return false;
  }
}

export function newRecoveryCodes(): { codes: string[]; hashes: string[] } {
  const codes = Array.from({ length: RECOVERY_CODES }, () => {
    const raw = randomToken(8).replace(/[-_]/g, '').slice(0, 10).toLowerCase();
    return `${raw.slice(0, 5)}-${raw.slice(5, 10)}`;
  });
  return { codes, hashes: codes.map(recoveryCodeHash) };
}

export const recoveryCodeHash = (code: string) => sha256(code.trim().toLowerCase());
