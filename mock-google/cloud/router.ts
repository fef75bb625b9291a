// Serves every methods.json method at /<host>/<rest-of-baseUrl><path>:
// match (URLs from methods.json) → count/inject → bearer token → scope check (from the mock's own table,
// cloud/authorization.ts) → fixture handler.
import express, { type Request, type Response, type NextFunction, type RequestHandler } from 'express';
import type { MockContext } from '../context.js';
import { applyInjection, bearerToken, googleErrorBody, sendJson } from '../http.js';
import { matchMethod } from '../methods.js';
import { findUserBySub } from '../users.js';
import { computeHandlers } from './apis/compute.js';
import { iamHandlers } from './apis/iam.js';
import { loggingHandlers } from './apis/logging.js';
import { loggingWriteHandlers } from './apis/logging-write.js';
import { miscHandlers } from './apis/misc.js';
import { resourceManagerHandlers } from './apis/resourcemanager.js';
import { runHandlers } from './apis/run.js';
import { runIamHandlers } from './apis/run-iam.js';
import { workflowsHandlers } from './apis/workflows.js';
import { storageHandlers } from './apis/storage.js';
import { authorizedScopes } from './authorization.js';
import { applyFieldMask, parseFieldMask } from './field-mask.js';
import {
  ApiError,
  insufficientScope,
  invalidArgument,
  methodNotFound,
  notImplemented,
  unauthenticated,
} from './errors.js';
import type { HandlerTable } from './types.js';

export const HANDLERS: HandlerTable = {
  ...resourceManagerHandlers,
  ...computeHandlers,
  ...storageHandlers,
  ...loggingHandlers,
  ...loggingWriteHandlers,
  ...iamHandlers,
  ...runHandlers,
  ...runIamHandlers,
  ...workflowsHandlers,
  ...miscHandlers,
};

function sendError(res: Response, err: ApiError): void {
  for (const [k, v] of Object.entries(err.headers)) res.set(k, v);
  sendJson(res, err.status, err.body);
}

const parseJson = express.json({ limit: '1mb', type: () => true });

function readJsonBody(req: Request, res: Response): Promise<Record<string, unknown>> {
  const length = Number(req.get('content-length') ?? '0');
  if (req.method === 'GET' || (!length && !req.get('transfer-encoding'))) return Promise.resolve({});
  return new Promise((resolve, reject) => {
    parseJson(req, res, (err?: unknown) => {
      if (err) return reject(invalidArgument(`Invalid JSON payload received. ${(err as Error).message}`));
      const body: unknown = req.body;
      if (body === undefined || body === null) return resolve({});
      if (typeof body !== 'object' || Array.isArray(body))
        return reject(invalidArgument('Invalid JSON payload received. Expected an object.'));
      resolve(body as Record<string, unknown>);
    });
  });
}

export function cloudApiRouter(ctx: MockContext): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const rawPath = req.originalUrl.split('?')[0] ?? '';
    const host = rawPath.split('/')[1] ?? '';
    if (!ctx.catalog.hosts.has(host)) return next();
    const { store } = ctx;
    store.count('api');
    const match = matchMethod(ctx.catalog, req.method, rawPath);
    const key = 'method' in match ? match.method.key : undefined;
    if (key) store.count(`api:${key}`);
    if (
      await applyInjection(store, res, key ? ['api', `api:${key}`] : ['api'], (status) =>
        googleErrorBody(status, `Injected error ${status}`),
      )
    )
      return;
    try {
      if (!('method' in match)) throw methodNotFound(rawPath);
      const { method, params } = match;
      const handler = HANDLERS[method.key];
      const token = store.validAccessToken(bearerToken(req));
      const user = token ? findUserBySub(token.userSub) : undefined;
      if (!token || !user) throw unauthenticated();
      // A method missing from the mock's table is authorized by nothing: fail closed, like Google for an unknown scope.
      const scopes = authorizedScopes(method.key) ?? [];
      if (!scopes.some((s) => token.scopes.includes(s)))
        throw insufficientScope(method, handler?.rpc ?? method.id, scopes);
      if (!handler) throw notImplemented(method.key);
      const body = await readJsonBody(req, res);
      const query = new URL(req.originalUrl, 'http://mock.invalid').searchParams;
      const fields = query.get('fields');
      const mask = fields ? parseFieldMask(fields) : undefined;
      const out = handler.handle({ req, method, params, query, body, user, token, data: store.cloud });
      sendJson(res, out.status ?? 200, mask ? applyFieldMask(out.body, mask) : out.body);
    } catch (err) {
      if (err instanceof ApiError) return sendError(res, err);
      sendJson(res, 500, googleErrorBody(500, `Internal error in mock: ${(err as Error).message}`));
    }
  };
}
