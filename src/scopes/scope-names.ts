/** Scope-string helpers shared by the scopes module (pure). */

export const AUTH_PREFIX = 'https://www.googleapis.com/auth/';

export const USERINFO_EMAIL = `${AUTH_PREFIX}userinfo.email`;
export const USERINFO_PROFILE = `${AUTH_PREFIX}userinfo.profile`;

/**
 * Identity scopes: they say who the user is and authorize no Cloud API. Never "excess", never asked per feature.
 * Listed in normalised form (see `normaliseScope`).
 */
export const IDENTITY_SCOPES: readonly string[] = ['openid', USERINFO_EMAIL, USERINFO_PROFILE];

/** `email` → `…/auth/userinfo.email`, `profile` → `…/auth/userinfo.profile`; anything else unchanged (trimmed). */
export function normaliseScope(scope: string): string {
  const s = scope.trim();
  if (s === 'email') return USERINFO_EMAIL;
  if (s === 'profile') return USERINFO_PROFILE;
  return s;
}

/**
 * Normalises a scope list as found in a token response (`"openid email …"`, space-separated) or as an array:
 * splits on whitespace, maps the short identity names to their URIs, drops empties and duplicates, keeps order.
 */
export function normaliseScopes(scopes: string | readonly string[]): string[] {
  const raw = typeof scopes === 'string' ? [scopes] : scopes;
  const out: string[] = [];
  for (const item of raw) {
    for (const part of item.split(/\s+/)) {
      if (part === '') continue;
      const s = normaliseScope(part);
      if (!out.includes(s)) out.push(s);
    }
  }
  return out;
}

export function isIdentityScope(scope: string): boolean {
  return IDENTITY_SCOPES.includes(normaliseScope(scope));
}

/** `https://www.googleapis.com/auth/compute.readonly` → `compute.readonly`; other strings unchanged. */
export function shortScope(scope: string): string {
  return scope.startsWith(AUTH_PREFIX) ? scope.slice(AUTH_PREFIX.length) : scope;
}
