// The token set a session keeps (sealed at rest by the vault), and how a token response updates it.
// Pure functions: no clock, no I/O.
import { normaliseScopes } from '../scopes/scope-names.js';

export interface TokenSet {
  accessToken: string;
  /** ms since epoch */
  expiresAt: number;
  refreshToken?: string;
  /** Scopes the access token carries (normalised URIs). */
  scopes: string[];
  /** When the access token was obtained (ms since epoch): bounds the refresh-ahead margin by its lifetime. */
  obtainedAt?: number;
  /**
   * Time-based access: when the refresh token (the grant) stops working (ms since epoch), from the token
   * response's `refresh_token_expires_in`. Absent: the grant lasts until the user removes it.
   */
  refreshTokenExpiresAt?: number;
}

export interface TokenResponseLike {
  access_token: string;
  expires_in?: number;
  refresh_token?: string;
  /** Seconds the refresh token has left; only sent when the user granted access for a limited time. */
  refresh_token_expires_in?: number;
  scope?: string;
}

/** Normalised (`email`/`profile` → their URIs, see scopes/scope-names.ts), de-duplicated and sorted. */
export function normaliseScopeList(scopes: Iterable<string>): string[] {
  return normaliseScopes([...scopes]).sort();
}

export function parseScopeString(scope: string | undefined): string[] | undefined {
  if (scope === undefined) return undefined;
  return normaliseScopeList(scope.split(/\s+/));
}

/**
 * Applies a token response to the previous set. A new refresh token replaces the old; none keeps the
 * old (Google sends one only on the first offline consent). The access token's scopes come from the
 * response's `scope` (what the user really granted); when absent they are the ones requested (RFC 6749 §5.1).
 */
export function applyTokenResponse(
  previous: TokenSet | undefined,
  response: TokenResponseLike,
  requestedScopes: readonly string[],
  now: number,
  defaultLifetimeSeconds = 3600,
): TokenSet {
  const lifetime =
    typeof response.expires_in === 'number' && response.expires_in > 0 ? response.expires_in : defaultLifetimeSeconds;
  const scopes = parseScopeString(response.scope) ?? normaliseScopeList(requestedScopes);
  const refreshToken = response.refresh_token ?? previous?.refreshToken;
  const refreshTokenExpiresAt = refreshTokenEnd(previous, response, now);
  return {
    accessToken: response.access_token,
    expiresAt: now + lifetime * 1000,
    ...(refreshToken ? { refreshToken } : {}),
    scopes,
    obtainedAt: now,
    ...(refreshTokenExpiresAt !== undefined ? { refreshTokenExpiresAt } : {}),
  };
}

/**
 * The grant's end after a token response: the response's `refresh_token_expires_in` when it has one; else, a
 * new refresh token means a new grant without an end; else (a refresh that omits it) the end stays.
 */
function refreshTokenEnd(previous: TokenSet | undefined, response: TokenResponseLike, now: number): number | undefined {
  const seconds = response.refresh_token_expires_in;
  if (typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0) return now + Math.floor(seconds) * 1000;
  if (response.refresh_token) return undefined;
  return previous?.refreshTokenExpiresAt;
}

/** How long a grant has: 'ends-soon' is within `ENDS_SOON_MS` of its end. */
export type GrantEndState = 'open-ended' | 'active-until' | 'ends-soon' | 'ended';

/** The warning window before a time-limited grant ends (the issue: "warn a day before"). */
export const ENDS_SOON_MS = 24 * 3_600_000;

/** When the grant ends (ms since epoch), or undefined when it lasts until the user removes it. */
export function grantEndsAt(set: Pick<TokenSet, 'refreshTokenExpiresAt'> | undefined): number | undefined {
  return set?.refreshTokenExpiresAt;
}

export function grantEndState(
  set: Pick<TokenSet, 'refreshTokenExpiresAt'> | undefined,
  now: number,
  endsSoonMs = ENDS_SOON_MS,
): GrantEndState {
  const end = grantEndsAt(set);
  if (end === undefined) return 'open-ended';
  if (now >= end) return 'ended';
  return end - now <= endsSoonMs ? 'ends-soon' : 'active-until';
}
