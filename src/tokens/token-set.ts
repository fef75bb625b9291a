// The token set a session keeps (sealed at rest by the vault), and how a token response updates it.
// Pure functions: no clock, no I/O.

export interface TokenSet {
  accessToken: string;
  /** ms since epoch */
  expiresAt: number;
  refreshToken?: string;
  /** Scopes the access token carries (normalised URIs). */
  scopes: string[];
  /** When the access token was obtained (ms since epoch): bounds the refresh-ahead margin by its lifetime. */
  obtainedAt?: number;
}

export interface TokenResponseLike {
  access_token: string;
  expires_in?: number;
  refresh_token?: string;
  scope?: string;
}

const IDENTITY_SHORT: Record<string, string> = {
  email: 'https://www.googleapis.com/auth/userinfo.email',
  profile: 'https://www.googleapis.com/auth/userinfo.profile',
};

/** Normalises `email`/`profile` to the URIs Google reports, de-duplicates and sorts. */
export function normaliseScopeList(scopes: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const s of scopes) {
    const t = s.trim();
    if (t) out.add(IDENTITY_SHORT[t] ?? t);
  }
  return [...out].sort();
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
  const lifetime = typeof response.expires_in === 'number' && response.expires_in > 0 ? response.expires_in : defaultLifetimeSeconds;
  const scopes = parseScopeString(response.scope) ?? normaliseScopeList(requestedScopes);
  const refreshToken = response.refresh_token ?? previous?.refreshToken;
  return {
    accessToken: response.access_token,
    expiresAt: now + lifetime * 1000,
    ...(refreshToken ? { refreshToken } : {}),
    scopes,
    obtainedAt: now,
  };
}
