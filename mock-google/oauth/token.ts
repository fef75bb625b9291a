// The token endpoint: client authentication, authorization_code (with PKCE) and refresh_token grants.
import express, { Router, type Request, type Response } from 'express';
import type { MockContext } from '../context.js';
import { checkPkce, safeEqual } from '../crypto.js';
import { applyInjection, oauthError, sendJson } from '../http.js';
import { OPENID, formatScopes } from '../scopes.js';
import type { Client } from '../state.js';
import { findUserBySub } from '../users.js';
import { buildIdToken } from './identity.js';
import { grantEnded, refreshTokenExpiresIn } from './time-limited.js';

function formDecode(s: string): string {
  return decodeURIComponent(s.replace(/\+/g, ' '));
}

/** A form field's value when it is a string (a repeated field arrives as an array and counts as absent). */
function field(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  return typeof value === 'string' ? value : undefined;
}

/** A grant type's handler, called once the client has authenticated. */
type Grant = (ctx: MockContext, res: Response, client: Client, body: Record<string, unknown>) => Promise<void>;

type ClientAuth = { client: Client } | { status: number; error: string; description: string };

/** client_secret_basic (Authorization: Basic, form-encoded id:secret) or client_secret_post. */
function authenticateClient(ctx: MockContext, req: Request, body: Record<string, unknown>): ClientAuth {
  let id: string | undefined;
  let secret: string | undefined;
  const header = req.get('authorization');
  const basic = header ? /^Basic\s+(\S+)$/i.exec(header) : null;
  if (basic) {
    const decoded = Buffer.from(basic[1] ?? '', 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return { status: 401, error: 'invalid_client', description: 'Unauthorized' };
    try {
      id = formDecode(decoded.slice(0, colon));
      secret = formDecode(decoded.slice(colon + 1));
    } catch {
      return { status: 401, error: 'invalid_client', description: 'Unauthorized' };
    }
    const sentId = field(body, 'client_id');
    if (sentId !== undefined && sentId !== id)
      return {
        status: 400,
        error: 'invalid_request',
        description: 'client_id does not match the Authorization header',
      };
  } else {
    id = field(body, 'client_id');
    secret = field(body, 'client_secret');
  }
  if (!id) return { status: 400, error: 'invalid_request', description: 'Could not determine client ID from request.' };
  const client = ctx.store.clients.get(id);
  if (!client) return { status: 401, error: 'invalid_client', description: 'The OAuth client was not found.' };
  if (secret === undefined || !safeEqual(secret, client.clientSecret))
    return { status: 401, error: 'invalid_client', description: 'Unauthorized' };
  return { client };
}

/** The token-endpoint hostile modes. Returns true when the response was taken over. */
function tokenEndpointHostility(ctx: MockContext, res: Response, payload: Record<string, unknown>): boolean {
  switch (ctx.store.hostile) {
    case 'token-not-json':
      res
        .status(200)
        .type('text/html; charset=utf-8')
        .send('<!doctype html><title>Oops</title><p>Something went wrong.</p>');
      return true;
    case 'token-huge':
      sendJson(res, 200, { ...payload, padding: 'x'.repeat(16 * 1024 * 1024) });
      return true;
    case 'token-hang':
      // Never answer; the socket is destroyed when the mock closes (closeAllConnections).
      return true;
    default:
      return false;
  }
}

async function respondWithTokens(
  ctx: MockContext,
  res: Response,
  input: {
    client: Client;
    userSub: string;
    scopes: string[];
    nonce: string | undefined;
    fromCode?: string;
    refreshToken?: string;
  },
): Promise<void> {
  const user = findUserBySub(input.userSub);
  if (!user) {
    oauthError(res, 400, 'invalid_grant', 'Bad Request');
    return;
  }
  const at = ctx.store.issueAccessToken(input.client.clientId, user.sub, input.scopes, input.fromCode);
  const refreshEndsIn = refreshTokenExpiresIn(ctx.store.findGrant(user.sub, input.client.clientId), ctx.store.now());
  const payload: Record<string, unknown> = {
    access_token: at.token,
    // The configured lifetime, or less when the grant ends sooner.
    expires_in: Math.max(
      0,
      Math.min(ctx.store.settings.accessTokenTtlSeconds, Math.floor((at.expiresAt - ctx.store.now() + 999) / 1000)),
    ),
    ...(input.refreshToken ? { refresh_token: input.refreshToken } : {}),
    // Time-based access: the grant's remaining lifetime, on every response while it lasts.
    ...(refreshEndsIn !== undefined ? { refresh_token_expires_in: refreshEndsIn } : {}),
    scope: formatScopes(input.scopes),
    token_type: 'Bearer',
  };
  if (input.scopes.includes(OPENID)) {
    payload['id_token'] = await buildIdToken(ctx, {
      client: input.client,
      user,
      scopes: input.scopes,
      nonce: input.nonce,
      accessToken: at.token,
    });
  }
  if (tokenEndpointHostility(ctx, res, payload)) return;
  res.set('Cache-Control', 'no-store').set('Pragma', 'no-cache');
  sendJson(res, 200, payload);
}

const authorizationCodeGrant: Grant = async (ctx, res, client, body) => {
  const { store } = ctx;
  const codeValue = field(body, 'code') ?? '';
  if (!codeValue) return oauthError(res, 400, 'invalid_request', 'Missing required parameter: code');
  const code = store.codes.get(codeValue);
  if (!code) return oauthError(res, 400, 'invalid_grant', 'Malformed auth code.');
  if (code.used) {
    // Like Google: a replayed code is refused and what it produced is revoked.
    store.revokeTokensFromCode(code.code);
    return oauthError(res, 400, 'invalid_grant', 'Bad Request');
  }
  if (code.clientId !== client.clientId) return oauthError(res, 400, 'invalid_grant', 'Bad Request');
  if (code.expiresAt <= store.now()) {
    code.used = true;
    return oauthError(res, 400, 'invalid_grant', 'Bad Request');
  }
  if (body['redirect_uri'] !== code.redirectUri) return oauthError(res, 400, 'redirect_uri_mismatch', 'Bad Request');
  if (code.codeChallenge && code.codeChallengeMethod) {
    const verifier = field(body, 'code_verifier') ?? '';
    if (!verifier) return oauthError(res, 400, 'invalid_grant', 'Missing code verifier.');
    if (!checkPkce(verifier, code.codeChallenge, code.codeChallengeMethod))
      return oauthError(res, 400, 'invalid_grant', 'Invalid code verifier.');
  }
  code.used = true;
  const grant = store.findGrant(code.userSub, client.clientId);
  if (!grant || grant.revoked || grantEnded(grant, store.now()))
    return oauthError(res, 400, 'invalid_grant', 'Bad Request');
  let refreshToken: string | undefined;
  if (code.issueRefresh) {
    refreshToken = store.issueRefreshToken(
      client.clientId,
      code.userSub,
      code.scopes,
      code.includeGrantedScopes,
      code.code,
    ).token;
    grant.refreshIssued = true;
  }
  await respondWithTokens(ctx, res, {
    client,
    userSub: code.userSub,
    scopes: code.scopes,
    nonce: code.nonce,
    fromCode: code.code,
    ...(refreshToken ? { refreshToken } : {}),
  });
};

const refreshTokenGrant: Grant = async (ctx, res, client, body) => {
  const { store } = ctx;
  const value = field(body, 'refresh_token') ?? '';
  if (!value) return oauthError(res, 400, 'invalid_request', 'Missing required parameter: refresh_token');
  const rt = store.refreshTokens.get(value);
  if (!rt || rt.revoked || rt.clientId !== client.clientId)
    return oauthError(res, 400, 'invalid_grant', 'Token has been expired or revoked.');
  if (rt.expiresAt !== undefined && rt.expiresAt <= store.now())
    return oauthError(res, 400, 'invalid_grant', 'Token has been expired or revoked.');
  const grant = store.findGrant(rt.userSub, client.clientId);
  if (!grant || grant.revoked || grantEnded(grant, store.now()))
    return oauthError(res, 400, 'invalid_grant', 'Token has been expired or revoked.');
  // A refresh token from an include_granted_scopes flow covers the grant as it stands now; otherwise its own scopes.
  const scopes = rt.tracksGrant ? [...grant.scopes] : rt.scopes.filter((s) => grant.scopes.has(s));
  // A `scope` parameter may narrow, never widen.
  const narrowed = field(body, 'scope')?.split(/\s+/).filter(Boolean);
  if (narrowed?.some((s) => !scopes.includes(s))) return oauthError(res, 400, 'invalid_scope', 'Bad Request');
  await respondWithTokens(ctx, res, { client, userSub: rt.userSub, scopes: narrowed ?? scopes, nonce: undefined });
};

export function tokenRouter(ctx: MockContext): Router {
  const r = Router();
  r.post('/token', express.urlencoded({ extended: false, limit: '64kb' }), async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    ctx.store.count('token');
    if (body['grant_type'] === 'refresh_token') ctx.store.count('refresh');
    if (
      await applyInjection(ctx.store, res, ['token'], (status) => ({
        error: status >= 500 ? 'internal_failure' : 'invalid_request',
        error_description: `Injected ${status}`,
      }))
    )
      return;
    const auth = authenticateClient(ctx, req, body);
    if (!('client' in auth)) {
      if (auth.status === 401) res.set('WWW-Authenticate', 'Basic realm="https://accounts.google.com/"');
      return oauthError(res, auth.status, auth.error, auth.description);
    }
    switch (body['grant_type']) {
      case 'authorization_code':
        return authorizationCodeGrant(ctx, res, auth.client, body);
      case 'refresh_token':
        return refreshTokenGrant(ctx, res, auth.client, body);
      case undefined:
        return oauthError(res, 400, 'unsupported_grant_type', 'Invalid grant_type: ');
      default:
        return oauthError(res, 400, 'unsupported_grant_type', `Invalid grant_type: ${String(body['grant_type'])}`);
    }
  });
  return r;
}
