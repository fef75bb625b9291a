// /.well-known/openid-configuration and /oauth2/v3/certs, shaped like Google's.
import { Router } from 'express';
import type { MockContext } from '../context.js';
import { gate, sendJson } from '../http.js';
import { discoveryIssuer } from '../hostile.js';

export function discoveryRouter(ctx: MockContext): Router {
  const r = Router();
  r.get('/.well-known/openid-configuration', gate(ctx.store, 'discovery'), (_req, res) => {
    const base = ctx.issuer();
    res.set('Cache-Control', 'public, max-age=3600');
    // Like Google: no `authorization_response_iss_parameter_supported`, even though `iss` is sent on redirects.
    sendJson(res, 200, {
      issuer: discoveryIssuer(ctx.store.hostile, base),
      authorization_endpoint: `${base}/o/oauth2/v2/auth`,
      token_endpoint: `${base}/token`,
      userinfo_endpoint: `${base}/v1/userinfo`,
      revocation_endpoint: `${base}/revoke`,
      jwks_uri: `${base}/oauth2/v3/certs`,
      response_types_supported: ['code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      scopes_supported: ['openid', 'email', 'profile'],
      token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
      claims_supported: [
        'aud',
        'email',
        'email_verified',
        'exp',
        'family_name',
        'given_name',
        'hd',
        'iat',
        'iss',
        'name',
        'nonce',
        'sub',
        'azp',
        'at_hash',
      ],
      code_challenge_methods_supported: ['plain', 'S256'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
    });
  });
  r.get('/oauth2/v3/certs', gate(ctx.store, 'jwks'), (_req, res) => {
    res.set('Cache-Control', 'public, max-age=60, must-revalidate, no-transform');
    sendJson(res, 200, ctx.keys.jwks());
  });
  return r;
}
