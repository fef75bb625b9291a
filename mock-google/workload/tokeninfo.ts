// /tokeninfo for the workload service account's access tokens (the OAuth tokeninfo in oauth/userinfo.ts knows
// only fixture users). Shaped like Google's answer for a service-account token: string values, `azp`/`aud` the
// account's unique id, its email, and exactly the scopes the token holds. Any other token continues to the
// common tokeninfo.
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { MockContext } from '../context.js';
import { sendJson } from '../http.js';
import { formatScopes } from '../scopes.js';
import { isWorkloadToken } from './authorize.js';
import { WORKLOAD_SERVICE_ACCOUNT } from './state.js';

function accessTokenParam(req: Request): string | undefined {
  const body = (req.body ?? {}) as Record<string, unknown>;
  if (typeof body['access_token'] === 'string') return body['access_token'];
  const q = req.query['access_token'];
  return typeof q === 'string' ? q : undefined;
}

export function workloadTokeninfoRouter(ctx: MockContext): Router {
  const r = Router();
  const handle = (req: Request, res: Response, next: NextFunction) => {
    const rec = ctx.store.validAccessToken(accessTokenParam(req));
    if (!rec || !isWorkloadToken(rec)) return next();
    ctx.store.count('tokeninfo');
    sendJson(res, 200, {
      azp: WORKLOAD_SERVICE_ACCOUNT.uniqueId,
      aud: WORKLOAD_SERVICE_ACCOUNT.uniqueId,
      scope: formatScopes(rec.scopes),
      exp: String(Math.floor(rec.expiresAt / 1000)),
      expires_in: String(Math.max(0, Math.floor((rec.expiresAt - Date.now()) / 1000))),
      email: WORKLOAD_SERVICE_ACCOUNT.email,
      email_verified: 'true',
      access_type: 'online',
    });
  };
  r.get('/tokeninfo', handle);
  r.post('/tokeninfo', express.urlencoded({ extended: false, limit: '64kb' }), handle);
  return r;
}
