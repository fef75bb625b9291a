// The vault's view of the issuer: refresh and revoke through openid-client, with errors classified
// so the vault can tell "the grant is gone" (invalid_grant) from "the issuer is down".
import * as client from 'openid-client';
import { RefreshError, type TokenEndpoint } from '../tokens/vault.js';
import type { OidcProvider } from './oidc.js';

export function oidcTokenEndpoint(oidc: OidcProvider, expectedIssuer: () => string): TokenEndpoint {
  return {
    async refresh(refreshToken) {
      let config: client.Configuration;
      try {
        // Its own configuration, like a code exchange: an ID token signed with a just-rotated key is
        // verified after one JWKS refetch instead of failing for a minute.
        config = oidc.forTokenRequest();
      } catch {
        throw new RefreshError('IDP_UNAVAILABLE', 'identity provider not discovered yet');
      }
      try {
        const response = await client.refreshTokenGrant(config, refreshToken);
        oidc.keepJwks(config);
        const claims = response.claims();
        if (claims && claims.iss !== expectedIssuer()) {
          throw new RefreshError('IDENTITY_CHANGED', 'refreshed ID token has another issuer');
        }
        return { response, ...(claims ? { idClaims: { iss: claims.iss, sub: claims.sub } } : {}) };
      } catch (err) {
        if (err instanceof RefreshError) throw err;
        if (
          err instanceof client.ResponseBodyError &&
          (err.error === 'invalid_grant' || err.error === 'unauthorized_client')
        ) {
          throw new RefreshError('GRANT_INVALID', err.error);
        }
        const e = err as { code?: string; message?: string };
        if (e.code?.startsWith('OAUTH_JWT')) throw new RefreshError('IDENTITY_CHANGED', e.message ?? e.code);
        throw new RefreshError(
          'IDP_UNAVAILABLE',
          e.code ? `${e.code}: ${e.message ?? ''}` : (e.message ?? 'refresh failed'),
        );
      }
    },
    async revoke(token, hint) {
      await client.tokenRevocation(oidc.get(), token, { token_type_hint: hint });
    },
  };
}
