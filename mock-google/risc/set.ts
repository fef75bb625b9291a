// Building and pushing security event tokens the way Google's transmitter does (RFC 8417 + RFC 8935), and
// the deliberate faults the tests need (wrong aud, bad signature, unknown kid, replay, stale iat…).
import { createHash } from 'node:crypto';
import type { JWTPayload } from 'jose';
import type { MockContext } from '../context.js';
import { randomId } from '../crypto.js';
import type { RiscState } from './state.js';

export const BAD_MODES = [
  'wrong-aud',
  'wrong-iss',
  'wrong-signature',
  'unknown-kid',
  'oidc-key',
  'alg-none',
  'expired-iat',
  'future-iat',
  'no-events',
  'no-jti',
  'replayed-jti',
  'wrong-content-type',
] as const;
export type BadMode = (typeof BAD_MODES)[number];

/** The transmitter's issuer. Like Google's ("https://accounts.google.com/"), it ends with a slash: it is not the OIDC issuer. */
export function riscIssuer(ctx: MockContext): string {
  return `${ctx.issuer()}/`;
}

/** Google's `hash_base64_sha512_sha512`: base64 of SHA-512 over the SHA-512 digest of the token. */
export function doubleHash(token: string): string {
  return createHash('sha512').update(createHash('sha512').update(token, 'utf8').digest()).digest('base64');
}

export interface SetInput {
  aud: string;
  events: Record<string, Record<string, unknown>>;
  bad: BadMode | null;
}

export async function buildSet(
  ctx: MockContext,
  risc: RiscState,
  input: SetInput,
): Promise<{ token: string; jti: string | undefined }> {
  const now = Math.floor(ctx.store.now() / 1000);
  const jti = input.bad === 'no-jti' ? undefined : randomId(16).replace(/[-_]/g, 'x');
  const claims: JWTPayload = {
    iss: input.bad === 'wrong-iss' ? 'https://accounts.evil.example/' : riscIssuer(ctx),
    aud: input.bad === 'wrong-aud' ? 'someone-else.apps.googleusercontent.com' : input.aud,
    iat: input.bad === 'expired-iat' ? now - 60 * 86_400 : input.bad === 'future-iat' ? now + 86_400 : now,
    ...(jti ? { jti } : {}),
    ...(input.bad === 'no-events' ? {} : { events: input.events }),
  };
  switch (input.bad) {
    case 'wrong-signature':
      return { token: await risc.keys.sign(claims, 'bad-signature'), jti };
    case 'unknown-kid':
      return { token: await risc.keys.sign(claims, 'unknown-kid'), jti };
    case 'alg-none':
      return { token: await risc.keys.sign(claims, 'alg-none'), jti };
    case 'oidc-key':
      // Signed by the OIDC key: a receiver that looks in the RISC JWKS does not know it.
      return { token: await ctx.keys.sign(claims), jti };
    default:
      return { token: await risc.keys.sign(claims), jti };
  }
}

export interface PushResult {
  status: number | null;
  body: string;
  error?: string;
}

/** RFC 8935 push: POST the token as application/secevent+jwt and report what the receiver answered. */
export async function pushSet(
  url: string,
  token: string,
  contentType = 'application/secevent+jwt',
): Promise<PushResult> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': contentType, accept: 'application/json' },
      body: token,
      redirect: 'manual',
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    return { status: res.status, body: text.slice(0, 4096) };
  } catch (err) {
    return { status: null, body: '', error: (err as Error).message };
  }
}
