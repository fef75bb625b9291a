// One place that turns any error into a page or JSON with the right status, and logs its code.
import type { ErrorRequestHandler, Request } from 'express';
import type { Logger } from '../log/logger.js';
import { AuthError } from '../auth/errors.js';
import { IdpUnavailableError } from '../auth/oidc.js';
import { ForbiddenRequestError } from './security.js';
import type { Render } from './render.js';
import { SessionUnavailableError } from '../sessions/errors.js';
import { TokenKeyUnavailableError } from '../tokens/vault.js';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    message: string,
    readonly action?: { href: string; label: string },
  ) {
    super(message);
  }
}

export { SessionUnavailableError };

export function wantsJson(req: Request): boolean {
  if (req.path === '/me' || req.path.startsWith('/api/') || req.path === '/healthz') return true;
  const accept = req.get('accept') ?? '';
  return accept.includes('application/json') && !accept.includes('text/html');
}

interface Described {
  status: number;
  code: string;
  title: string;
  message: string;
  action?: { href: string; label: string };
}

function describe(err: unknown): Described {
  if (err instanceof SessionUnavailableError || err instanceof TokenKeyUnavailableError) {
    return {
      status: err.status,
      code: err.code,
      title: err.title,
      message: err.message,
      action: { href: '/', label: 'Back to Scopewise' },
    };
  }
  if (err instanceof HttpError)
    return {
      status: err.status,
      code: err.code,
      title: err.title,
      message: err.message,
      ...(err.action ? { action: err.action } : {}),
    };
  if (err instanceof AuthError) {
    const action =
      err.status === 503 ? { href: '/', label: 'Back to Scopewise' } : { href: '/login', label: 'Sign in again' };
    if (err.code === 'ACCESS_DENIED' || err.code === 'NOT_ADMITTED')
      action.label = err.code === 'ACCESS_DENIED' ? 'Try again' : 'Sign in with another account';
    return { status: err.status, code: err.code, title: err.title, message: err.userMessage, action };
  }
  if (err instanceof IdpUnavailableError) {
    return {
      status: 503,
      code: err.code,
      title: 'Sign-in is unavailable',
      message:
        'The identity provider cannot be reached right now. Scopewise keeps trying; please try again in a moment.',
      action: { href: '/', label: 'Back to Scopewise' },
    };
  }
  if (err instanceof ForbiddenRequestError) {
    return {
      status: 403,
      code: err.code,
      title: 'Request refused',
      message: err.message,
      action: { href: '/', label: 'Back to Scopewise' },
    };
  }
  const e = err as { type?: string; status?: number; statusCode?: number };
  if (e?.type === 'entity.too.large')
    return { status: 413, code: 'BODY_TOO_LARGE', title: 'Request too large', message: 'The form sent was too large.' };
  if (e?.type === 'entity.parse.failed' || e?.type === 'parameters.too.many')
    return { status: 400, code: 'BODY_INVALID', title: 'Bad request', message: 'The request body could not be read.' };
  const status = e?.status ?? e?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, code: 'BAD_REQUEST', title: 'Bad request', message: 'The request could not be understood.' };
  }
  return {
    status: 500,
    code: 'INTERNAL',
    title: 'Something went wrong',
    message: 'Scopewise hit an unexpected error. It has been logged; please try again.',
  };
}

export function errorHandler(logger: Logger, render: Render): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const d = describe(err);
    const log = (req as { log?: Logger }).log ?? logger;
    if (d.status >= 500 && d.code === 'INTERNAL') log.error({ err }, 'unhandled error');
    else
      log.info(
        { errorCode: d.code, status: d.status, detail: err instanceof AuthError ? err.detail : undefined },
        'request refused',
      );
    if (res.headersSent) return;
    if (d.status === 503) res.set('Retry-After', '5');
    if (wantsJson(req)) {
      res.status(d.status).json({ error: d.code, message: d.message });
      return;
    }
    render(
      req,
      res,
      'error',
      {
        title: d.title,
        heading: d.title,
        message: d.message,
        code: d.code,
        action: d.action,
        requestId: req.id === undefined ? undefined : String(req.id),
      },
      d.status,
    );
  };
}
