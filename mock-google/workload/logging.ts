// POST /logging.googleapis.com/v2/entries:write in front of the common Cloud API pipeline: applies the Cloud
// Logging outage switch to every caller, and serves calls made with the workload service account's token
// (IAM from the workload bindings). Calls with a fixture user's token continue to the common pipeline.
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { MockContext } from '../context.js';
import { applyInjection, googleErrorBody, sendJson } from '../http.js';
import { ApiError } from '../cloud/errors.js';
import { ENTRIES_WRITE_KEY, ENTRIES_WRITE_RPC, ROLES_WRITE_LOGS, writeEntries } from '../cloud/apis/logging-write.js';
import { authorizeWorkloadCall, workloadTokenOf } from './authorize.js';
import { WORKLOAD_MEMBER, WORKLOAD_SERVICE_ACCOUNT, type WorkloadState } from './state.js';

export const ENTRIES_WRITE_PATH = '/logging.googleapis.com/v2/entries:write';

const parseJson = express.json({ limit: '10mb', type: () => true });

function sendApiError(res: Response, err: ApiError): void {
  for (const [k, v] of Object.entries(err.headers)) res.set(k, v);
  sendJson(res, err.status, err.body);
}

export function workloadLoggingRouter(ctx: MockContext, state: WorkloadState): Router {
  const r = Router();
  r.post(ENTRIES_WRITE_PATH, async (req: Request, res: Response, next: NextFunction) => {
    const outage = state.loggingOutageStatus();
    if (outage !== null) {
      ctx.store.count('logging-outage');
      return sendJson(res, outage, googleErrorBody(outage, 'The service is currently unavailable.'));
    }
    if (!workloadTokenOf(ctx, req)) return next();
    const { store } = ctx;
    store.count('api');
    store.count(`api:${ENTRIES_WRITE_KEY}`);
    if (
      await applyInjection(store, res, ['api', `api:${ENTRIES_WRITE_KEY}`], (status) =>
        googleErrorBody(status, `Injected error ${status}`),
      )
    )
      return;
    try {
      const token = authorizeWorkloadCall(ctx, req, ENTRIES_WRITE_KEY, ENTRIES_WRITE_RPC);
      const body = await new Promise<unknown>((resolve, reject) => {
        parseJson(req, res, (err?: unknown) =>
          err ? reject(new ApiError(400, googleErrorBody(400, 'Invalid JSON payload received.'))) : resolve(req.body),
        );
      });
      if (typeof body !== 'object' || body === null || Array.isArray(body))
        throw new ApiError(400, googleErrorBody(400, 'Invalid JSON payload received. Expected an object.'));
      const mayWrite = (projectId: string) =>
        state.rolesOf(projectId, WORKLOAD_MEMBER).some((role) => ROLES_WRITE_LOGS.includes(role));
      writeEntries(
        store.cloud,
        body as Record<string, unknown>,
        { writer: WORKLOAD_SERVICE_ACCOUNT.email, tokenScopes: token.scopes },
        mayWrite,
      );
      sendJson(res, 200, {});
    } catch (err) {
      if (err instanceof ApiError) return sendApiError(res, err);
      sendJson(res, 500, googleErrorBody(500, `Internal error in mock: ${(err as Error).message}`));
    }
  });
  return r;
}
