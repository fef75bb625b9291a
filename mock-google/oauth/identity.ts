// Builds the ID token and the userinfo claims for a user, honouring which identity scopes were granted.
import type { JWTPayload } from 'jose';
import type { MockContext } from '../context.js';
import { atHash } from '../crypto.js';
import { idTokenSignStyle, tamperIdTokenClaims } from '../hostile.js';
import { USERINFO_EMAIL, USERINFO_PROFILE } from '../scopes.js';
import type { Client } from '../state.js';
import type { FixtureUser } from '../users.js';

export const ID_TOKEN_TTL_SECONDS = 3600;

/** Claims Google puts in userinfo / ID tokens for the granted identity scopes. */
export function profileClaims(user: FixtureUser, scopes: readonly string[]): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  if (scopes.includes(USERINFO_EMAIL)) {
    claims['email'] = user.email;
    claims['email_verified'] = user.emailVerified;
  }
  if (scopes.includes(USERINFO_PROFILE)) {
    claims['name'] = user.name;
    claims['given_name'] = user.givenName;
    claims['family_name'] = user.familyName;
  }
  if (user.hd) claims['hd'] = user.hd;
  return claims;
}

export async function buildIdToken(
  ctx: MockContext,
  input: {
    client: Client;
    user: FixtureUser;
    scopes: readonly string[];
    nonce: string | undefined;
    accessToken: string;
  },
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims: JWTPayload = {
    iss: ctx.issuer(),
    azp: input.client.clientId,
    aud: input.client.clientId,
    sub: input.user.sub,
    ...profileClaims(input.user, input.scopes),
    at_hash: atHash(input.accessToken),
    ...(input.nonce !== undefined ? { nonce: input.nonce } : {}),
    iat: now,
    exp: now + ID_TOKEN_TTL_SECONDS,
  };
  const mode = ctx.store.hostile;
  return ctx.keys.sign(tamperIdTokenClaims(mode, claims), idTokenSignStyle(mode), input.client.clientSecret);
}
