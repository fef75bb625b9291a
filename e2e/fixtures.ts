// The e2e `test`: every page of every test records the authorization requests the browser makes, and
// each must ask either for sign-in (identity only) or for the scopes of exactly one feature, nothing else.
import { test as base, expect } from '@playwright/test';
import { CATALOGUE } from '../src/scopes/catalogue.js';

const IDENTITY = new Set([
  'openid',
  'email',
  'profile',
  'https://www.googleapis.com/auth/userinfo.email',
  'https://www.googleapis.com/auth/userinfo.profile',
]);

/** Why a requested scope set is not acceptable, or undefined when it is. */
export function overAsked(scopes: readonly string[]): string | undefined {
  const cloud = scopes.filter((s) => !IDENTITY.has(s));
  if (!scopes.includes('openid')) return `no openid in ${scopes.join(' ')}`;
  if (cloud.length === 0) return undefined;
  const feature = CATALOGUE.find((f) => f.scopes.length === cloud.length && f.scopes.every((s) => cloud.includes(s)));
  return feature ? undefined : `asks for ${cloud.join(' ')}, which is not the scope set of any one feature`;
}

export const test = base.extend<{ authorizationRequests: string[][] }>({
  authorizationRequests: [
    async ({ context }, use) => {
      const seen: string[][] = [];
      context.on('request', (req) => {
        const url = new URL(req.url());
        if (url.pathname === '/o/oauth2/v2/auth' && req.isNavigationRequest())
          seen.push((url.searchParams.get('scope') ?? '').split(' ').filter(Boolean));
      });
      await use(seen);
      for (const scopes of seen)
        expect(overAsked(scopes), `authorization request for "${scopes.join(' ')}"`).toBeUndefined();
    },
    { auto: true },
  ],
});

export { expect };
