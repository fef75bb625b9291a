// Scope strings the way Google's authorization server treats them.
export const OPENID = 'openid';
export const USERINFO_EMAIL = 'https://www.googleapis.com/auth/userinfo.email';
export const USERINFO_PROFILE = 'https://www.googleapis.com/auth/userinfo.profile';
/** The basic identity scopes: shown on the consent screen without a checkbox, always granted. */
export const IDENTITY_SCOPES: ReadonlySet<string> = new Set([OPENID, USERINFO_EMAIL, USERINFO_PROFILE]);

const SHORT_NAMES: Record<string, string> = { email: USERINFO_EMAIL, profile: USERINFO_PROFILE };

export function canonicalScope(scope: string): string {
  return SHORT_NAMES[scope] ?? scope;
}

/** Splits a `scope` parameter, maps `email`/`profile` to their full URIs, drops duplicates; keeps the original spelling too. */
export function parseScopeParam(value: string): { scope: string; asGiven: string }[] {
  const seen = new Set<string>();
  const out: { scope: string; asGiven: string }[] = [];
  for (const asGiven of value.split(/\s+/).filter(Boolean)) {
    const scope = canonicalScope(asGiven);
    if (seen.has(scope)) continue;
    seen.add(scope);
    out.push({ scope, asGiven });
  }
  return out;
}

/** Google reports scopes as full URIs in a stable order, e.g. `…/userinfo.email …/userinfo.profile openid`. */
export function formatScopes(scopes: Iterable<string>): string {
  return [...new Set(scopes)].sort().join(' ');
}
