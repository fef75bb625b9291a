// The session's identity (who is signed in, and since when), bound to its session id by a MAC: the session store
// holds it in clear, so whoever can write to the store could otherwise copy one user's identity into another
// session (and act as that user, or sign out all their devices). Checked by the session middleware on every
// request; a session whose seal does not verify ends.
//
// The key: HKDF-SHA256 of each SESSION_SECRET, with an info string of this purpose only, so that the MAC key is
// never the cookie's signing key itself. SESSION_SECRET rotation (`new,old`): seals are made with the first
// secret's key and verified with any; one made under an older key is sealed again on use (the middleware saves
// it), so that by the time the old secret is dropped the sessions still in use carry the new seal.
// Kept here, apart from src/tokens/crypto.ts: that module owns TOKEN_KEYS; this is the session secret's.
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { SessionUser } from './types.js';

const VERSION = 'v1';
const INFO = 'scopewise session identity seal v1';
const SALT = 'scopewise';

/** The MAC keys, one per SESSION_SECRET, newest first. Opaque to callers. */
export interface SessionIdentityKeys {
  readonly keys: readonly Buffer[];
}

export function sessionIdentityKeys(secrets: readonly string[]): SessionIdentityKeys {
  if (secrets.length === 0) throw new Error('SESSION_SECRET holds no secret');
  return { keys: secrets.map((s) => Buffer.from(hkdfSync('sha256', s, SALT, INFO, 32))) };
}

/** Every field the app trusts about who this is, in a fixed order, with the session id and sign-in time. */
function message(sid: string, user: SessionUser, signedInAt: number | undefined): string {
  return JSON.stringify([
    VERSION,
    sid,
    user.sub,
    user.iss,
    user.email,
    user.emailVerified,
    user.name,
    user.hd ?? null,
    signedInAt ?? null,
  ]);
}

function mac(key: Buffer, text: string): Buffer {
  return createHmac('sha256', key).update(text).digest();
}

export function sealIdentity(
  keys: SessionIdentityKeys,
  sid: string,
  user: SessionUser,
  signedInAt: number | undefined,
): string {
  return `${VERSION}.${mac(keys.keys[0]!, message(sid, user, signedInAt)).toString('base64url')}`;
}

export type SealCheck = 'valid' | 'valid-older-key' | 'invalid';

export function verifyIdentity(
  keys: SessionIdentityKeys,
  sid: string,
  user: SessionUser,
  signedInAt: number | undefined,
  seal: string | undefined,
): SealCheck {
  if (typeof seal !== 'string' || !seal.startsWith(`${VERSION}.`)) return 'invalid';
  const given = Buffer.from(seal.slice(VERSION.length + 1), 'base64url');
  if (given.length !== 32) return 'invalid';
  const text = message(sid, user, signedInAt);
  for (const [i, key] of keys.keys.entries()) {
    if (timingSafeEqual(given, mac(key, text))) return i === 0 ? 'valid' : 'valid-older-key';
  }
  return 'invalid';
}
