// Small crypto helpers (random ids, PKCE, at_hash). Signing keys live in keys.ts.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export function randomId(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

export function randomDigits(length: number): string {
  let s = '';
  const bytes = randomBytes(length);
  for (const b of bytes) s += String(b % 10);
  return s.replace(/^0/, '1');
}

export function sha256base64url(input: string): string {
  return createHash('sha256').update(input, 'ascii').digest('base64url');
}

/** OIDC at_hash for RS256: left half of SHA-256 of the access token, base64url. */
export function atHash(accessToken: string): string {
  return createHash('sha256').update(accessToken, 'ascii').digest().subarray(0, 16).toString('base64url');
}

export function safeEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}

/** RFC 7636 check: S256 compares BASE64URL(SHA256(verifier)), plain compares as is. */
export function checkPkce(verifier: string, challenge: string, method: 'S256' | 'plain'): boolean {
  if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier)) return false;
  return safeEqual(method === 'S256' ? sha256base64url(verifier) : verifier, challenge);
}
