// Response helpers shared by the OAuth endpoints, the Cloud APIs and the controls.
import type { Request, Response, NextFunction, RequestHandler } from 'express';
import type { Store } from './state.js';

export const GOOGLE_REALM = 'https://accounts.google.com/';

export function sendJson(res: Response, status: number, body: unknown): void {
  res
    .status(status)
    .type('application/json; charset=utf-8')
    .send(JSON.stringify(body, null, 2));
}

/** OAuth-style error `{ error, error_description }`, no caching. */
export function oauthError(res: Response, status: number, error: string, description?: string): void {
  res.set('Cache-Control', 'no-store').set('Pragma', 'no-cache');
  sendJson(res, status, description === undefined ? { error } : { error, error_description: description });
}

/** Bearer token from the Authorization header (case-insensitive scheme). */
export function bearerToken(req: Request): string | undefined {
  const h = req.get('authorization');
  const m = h ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
  return m?.[1];
}

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

export function statusName(code: number): string {
  return STATUS_NAMES[code] ?? 'UNKNOWN';
}

const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref?.());

/**
 * Counts a call and applies a queued `/__control/inject` for it: optional delay, then optional canned response.
 * Returns true when the injection answered the request.
 */
export async function applyInjection(
  store: Store,
  res: Response,
  endpoints: string[],
  defaultBody: (status: number) => unknown,
): Promise<boolean> {
  const inj = store.takeInjection(...endpoints);
  if (!inj) return false;
  if (inj.delayMs && inj.delayMs > 0) await delay(inj.delayMs);
  if (inj.status === undefined) return false;
  if (res.headersSent || res.destroyed) return true;
  if (typeof inj.body === 'string') res.status(inj.status).type('text/plain; charset=utf-8').send(inj.body);
  else sendJson(res, inj.status, inj.body ?? defaultBody(inj.status));
  return true;
}

/** Middleware: count the endpoint and apply injections for it. */
export function gate(store: Store, endpoint: string): RequestHandler {
  return async (_req: Request, res: Response, next: NextFunction) => {
    store.count(endpoint);
    const answered = await applyInjection(store, res, [endpoint], (status) =>
      endpoint === 'authorize'
        ? { error: 'server_error', error_description: `Injected ${status}` }
        : { error: status >= 500 ? 'internal_failure' : 'invalid_request', error_description: `Injected ${status}` },
    );
    if (!answered) next();
  };
}

/** Google API error body `{ error: { code, message, status, ... } }`. */
export function googleErrorBody(
  code: number,
  message: string,
  extra: Record<string, unknown> = {},
): { error: Record<string, unknown> } {
  return { error: { code, message, ...extra, status: (extra['status'] as string | undefined) ?? statusName(code) } };
}
