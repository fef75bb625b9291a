// Does a stored refresh token match the identifier of a `token-revoked` event? Google names the token either
// by its first 16 characters (`prefix`) or by base64(SHA-512(SHA-512(token))) (`hash_base64_sha512_sha512`).
// Pure; comparisons are constant-time because one side is a secret.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { TokenIdentifier, TokenIdentifierAlg } from './types.js';

export const PREFIX_LENGTH = 16;

/** SHA-512 of the SHA-512 digest (raw bytes) of the token's UTF-8 bytes. */
export function doubleSha512(token: string): Buffer {
  return createHash('sha512').update(createHash('sha512').update(token, 'utf8').digest()).digest();
}

/** How a transmitter would name this token (used by the mock transmitter and the tests). */
export function tokenIdentifierFor(refreshToken: string, alg: TokenIdentifierAlg): TokenIdentifier {
  return alg === 'prefix'
    ? { alg, value: refreshToken.slice(0, PREFIX_LENGTH) }
    : { alg, value: doubleSha512(refreshToken).toString('base64') };
}

/** The hash identifier's bytes, accepting base64 or base64url, padded or not (the name says base64). */
function decodeHash(value: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) return undefined;
  const bytes = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return bytes.length === 64 ? bytes : undefined;
}

export function tokenIdentifierMatches(refreshToken: string, id: TokenIdentifier): boolean {
  if (!refreshToken) return false;
  if (id.alg === 'prefix') {
    if (id.value.length !== PREFIX_LENGTH || refreshToken.length < PREFIX_LENGTH) return false;
    const mine = Buffer.from(refreshToken.slice(0, PREFIX_LENGTH), 'utf8');
    const theirs = Buffer.from(id.value, 'utf8');
    return mine.length === theirs.length && timingSafeEqual(mine, theirs);
  }
  const theirs = decodeHash(id.value);
  return theirs !== undefined && timingSafeEqual(doubleSha512(refreshToken), theirs);
}

/** What the lead's `dropMatchingRefreshToken` receives: the identifier (never logged) and its test. */
export interface RefreshTokenMatcher {
  alg: TokenIdentifierAlg;
  matches(refreshToken: string): boolean;
}

export function refreshTokenMatcher(id: TokenIdentifier): RefreshTokenMatcher {
  return { alg: id.alg, matches: (refreshToken) => tokenIdentifierMatches(refreshToken, id) };
}
