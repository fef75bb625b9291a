// The "hostile IdP" switch: one mode at a time makes the mock misbehave in exactly one way,
// so the app's defences can be tested one attack per case. Each mode is applied at a single hook.
import type { JWTPayload } from 'jose';
import type { SignStyle } from './keys.js';

export const HOSTILE_MODES = [
  'id-token-wrong-iss',
  'id-token-wrong-aud',
  'id-token-expired',
  'id-token-no-nonce',
  'id-token-wrong-nonce',
  'id-token-alg-none',
  'id-token-hs256',
  'id-token-bad-signature',
  'id-token-unknown-kid',
  'id-token-no-iat',
  'id-token-no-sub',
  'id-token-extra-aud',
  'auth-response-wrong-iss',
  'token-not-json',
  'token-huge',
  'token-hang',
  'userinfo-other-sub',
  'discovery-wrong-issuer',
] as const;

export type HostileMode = (typeof HOSTILE_MODES)[number];

export function isHostileMode(value: unknown): value is HostileMode {
  return typeof value === 'string' && (HOSTILE_MODES as readonly string[]).includes(value);
}

export const WRONG_ISSUER = 'https://accounts.evil.example';
export const OTHER_SUB = '999999999999999999999';

/** Hook 1: the ID token's claims. */
export function tamperIdTokenClaims(mode: HostileMode | null, claims: JWTPayload): JWTPayload {
  const c: JWTPayload = { ...claims };
  const now = Math.floor(Date.now() / 1000);
  switch (mode) {
    case 'id-token-wrong-iss':
      c.iss = WRONG_ISSUER;
      break;
    case 'id-token-wrong-aud':
      c.aud = 'someone-elses-client.apps.googleusercontent.com';
      c.azp = 'someone-elses-client.apps.googleusercontent.com';
      break;
    case 'id-token-extra-aud':
      c.aud = [String(claims.aud), 'someone-elses-client.apps.googleusercontent.com'];
      break;
    case 'id-token-expired':
      c.iat = now - 7200;
      c.exp = now - 3600;
      break;
    case 'id-token-no-nonce':
      delete c['nonce'];
      break;
    case 'id-token-wrong-nonce':
      c['nonce'] = 'not-the-nonce-you-sent';
      break;
    case 'id-token-no-iat':
      delete c.iat;
      break;
    case 'id-token-no-sub':
      delete c.sub;
      break;
    default:
      break;
  }
  return c;
}

/** Hook 2: how the ID token is signed. */
export function idTokenSignStyle(mode: HostileMode | null): SignStyle {
  switch (mode) {
    case 'id-token-alg-none':
      return 'alg-none';
    case 'id-token-hs256':
      return 'hs256';
    case 'id-token-bad-signature':
      return 'bad-signature';
    case 'id-token-unknown-kid':
      return 'unknown-kid';
    default:
      return 'rs256';
  }
}

/** Hook 3: the `iss` parameter on the authorization response. */
export function authResponseIssuer(mode: HostileMode | null, issuer: string): string {
  return mode === 'auth-response-wrong-iss' ? WRONG_ISSUER : issuer;
}

/** Hook 4: the discovery document's issuer. */
export function discoveryIssuer(mode: HostileMode | null, issuer: string): string {
  return mode === 'discovery-wrong-issuer' ? WRONG_ISSUER : issuer;
}

/** Hook 5: userinfo's sub. */
export function userinfoSub(mode: HostileMode | null, sub: string): string {
  return mode === 'userinfo-other-sub' ? OTHER_SUB : sub;
}
/* The token-endpoint modes (token-not-json, token-huge, token-hang) are applied in oauth/token.ts: tokenEndpointHostility(). */
