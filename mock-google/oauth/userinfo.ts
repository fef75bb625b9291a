// /v1/userinfo (OpenID Connect), /tokeninfo and /revoke.
import express, { Router, type Request, type Response } from 'express';
import type { MockContext } from '../context.js';
import { GOOGLE_REALM, bearerToken, gate, oauthError, sendJson } from '../http.js';
import { userinfoSub } from '../hostile.js';
import { formatScopes } from '../scopes.js';
import { findUserBySub } from '../users.js';
import { profileClaims } from './identity.js';

function userinfo(ctx: MockContext, req: Request, res: Response): void {
  const rec = ctx.store.validAccessToken(bearerToken(req));
  const user = rec ? findUserBySub(rec.userSub) : undefined;
  if (!rec || !user) {
    res.set('WWW-Authenticate', `Bearer realm="${GOOGLE_REALM}", error="invalid_token"`);
    oauthError(res, 401, 'invalid_request', 'Invalid Credentials');
    return;
  }
  const claims: Record<string, unknown> = {
    sub: userinfoSub(ctx.store.hostile, user.sub),
    ...profileClaims(user, rec.scopes),
  };
  sendJson(res, 200, claims);
}

function param(req: Request, name: string): string | undefined {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const fromBody = body[name];
  if (typeof fromBody === 'string') return fromBody;
  const fromQuery = req.query[name];
  return typeof fromQuery === 'string' ? fromQuery : undefined;
}

async function tokeninfo(ctx: MockContext, req: Request, res: Response): Promise<void> {
  const accessToken = param(req, 'access_token');
  const idToken = param(req, 'id_token');
  if (accessToken) {
    const rec = ctx.store.validAccessToken(accessToken);
    const user = rec ? findUserBySub(rec.userSub) : undefined;
    if (!rec || !user) return oauthError(res, 400, 'invalid_token', 'Invalid Value');
    const expiresIn = Math.max(0, Math.floor((rec.expiresAt - ctx.store.now()) / 1000));
    const profile = profileClaims(user, rec.scopes);
    // Google's tokeninfo answers every value as a string.
    const body: Record<string, string> = {
      azp: rec.clientId,
      aud: rec.clientId,
      sub: user.sub,
      scope: formatScopes(rec.scopes),
      exp: String(Math.floor(rec.expiresAt / 1000)),
      expires_in: String(expiresIn),
    };
    if (profile['email']) {
      body['email'] = String(profile['email']);
      body['email_verified'] = String(profile['email_verified']);
    }
    body['access_type'] = [...ctx.store.refreshTokens.values()].some(
      (t) => t.userSub === user.sub && t.clientId === rec.clientId && !t.revoked,
    )
      ? 'offline'
      : 'online';
    return sendJson(res, 200, body);
  }
  if (idToken) {
    try {
      const claims = await ctx.keys.verify(idToken, ctx.issuer());
      const body: Record<string, string> = { alg: 'RS256', typ: 'JWT' };
      for (const [k, v] of Object.entries(claims)) body[k] = typeof v === 'string' ? v : JSON.stringify(v);
      return sendJson(res, 200, body);
    } catch {
      return oauthError(res, 400, 'invalid_token', 'Invalid Value');
    }
  }
  return oauthError(res, 400, 'invalid_request', 'Either access_token, id_token, or token_handle required');
}

function revoke(ctx: MockContext, req: Request, res: Response): void {
  const { store } = ctx;
  const token = param(req, 'token');
  const rec = token ? (store.accessTokens.get(token) ?? store.refreshTokens.get(token)) : undefined;
  const expired = rec !== undefined && rec.expiresAt !== undefined && rec.expiresAt <= ctx.store.now();
  if (!rec || rec.revoked || expired) {
    oauthError(res, 400, 'invalid_token', 'Token expired or revoked');
    return;
  }
  store.revokeGrant(rec.userSub, rec.clientId);
  res.set('Cache-Control', 'no-store');
  sendJson(res, 200, {});
}

export function userinfoRouter(ctx: MockContext): Router {
  const r = Router();
  const form = express.urlencoded({ extended: false, limit: '64kb' });
  r.get('/v1/userinfo', gate(ctx.store, 'userinfo'), (req, res) => userinfo(ctx, req, res));
  r.post('/v1/userinfo', gate(ctx.store, 'userinfo'), form, (req, res) => userinfo(ctx, req, res));
  r.get('/tokeninfo', gate(ctx.store, 'tokeninfo'), (req, res) => tokeninfo(ctx, req, res));
  r.post('/tokeninfo', gate(ctx.store, 'tokeninfo'), form, (req, res) => tokeninfo(ctx, req, res));
  r.post('/revoke', gate(ctx.store, 'revoke'), form, (req, res) => revoke(ctx, req, res));
  return r;
}
