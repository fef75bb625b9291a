// The one place where a call made with the workload service account's token is authenticated and its scope
// checked. Same rules as the common Cloud API pipeline (cloud/router.ts): a valid bearer token, and at least one
// of the method's scopes from the mock's own table (cloud/authorization.ts), never the app's methods.json. When the mock's shared authorization learns service-account
// principals, calls can go through it instead and this file goes away.
import type { Request } from 'express';
import type { MockContext } from '../context.js';
import { bearerToken } from '../http.js';
import type { ApiMethod } from '../methods.js';
import type { AccessTokenRecord } from '../state.js';
import { ApiError, insufficientScope, notImplemented, unauthenticated } from '../cloud/errors.js';
import { WORKLOAD_SERVICE_ACCOUNT } from './state.js';
import { authorizedScopes } from '../cloud/authorization.js';

export function isWorkloadToken(rec: AccessTokenRecord): boolean {
  return rec.userSub === WORKLOAD_SERVICE_ACCOUNT.uniqueId;
}

/** The valid workload token presented by the request, if the request carries one (any other token: undefined). */
export function workloadTokenOf(ctx: MockContext, req: Request): AccessTokenRecord | undefined {
  const rec = ctx.store.validAccessToken(bearerToken(req));
  return rec && isWorkloadToken(rec) ? rec : undefined;
}

export function methodByKey(ctx: MockContext, key: string): ApiMethod | undefined {
  return ctx.catalog.methods.find((m) => m.key === key);
}

/** Throws the ApiError Google would answer unless the request's workload token may call `methodKey`. */
export function authorizeWorkloadCall(
  ctx: MockContext,
  req: Request,
  methodKey: string,
  rpc: string,
): AccessTokenRecord {
  const method = methodByKey(ctx, methodKey);
  if (!method) throw notImplemented(methodKey);
  const token = workloadTokenOf(ctx, req);
  if (!token) throw unauthenticated();
  const scopes = authorizedScopes(methodKey) ?? [];
  if (!scopes.some((s) => token.scopes.includes(s))) throw insufficientScope(method, rpc, scopes);
  return token;
}

export { ApiError };
