// POST <RISC_PATH>: the Express face of the receiver. Mount it before the session and CSRF middleware: the
// transmitter has no session and no CSRF token, and the route must not create sessions.
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { rateLimit, type Store } from 'express-rate-limit';
import { SET_ERRORS } from './errors.js';
import { isSetMediaType, type RiscReceiver } from './receiver.js';

export interface RiscRouterOptions {
  receiver: RiscReceiver;
  /**
   * The configured path (RISC_PATH). The routes carry it whole, so that a route's label (metrics) is the path as
   * configured, never the request's spelling of it (Express matches paths case-insensitively). Default `/`, for a
   * router mounted at a path.
   */
  path?: string;
  /** Requests per minute per client address (default 300). */
  rateLimitPerMinute?: number;
  /** express-rate-limit store shared by instances (e.g. rate-limit-redis); memory by default. */
  rateLimitStore?: Store;
  /** Largest body accepted (default 64 KiB; Google's tokens are about 1 KiB). */
  bodyLimitBytes?: number;
}

export const DEFAULT_BODY_LIMIT = 64 * 1024;

function sendJson(res: Response, status: number, body: unknown): void {
  res.status(status).set('Cache-Control', 'no-store').type('application/json').send(JSON.stringify(body));
}

export function createRiscRouter(opts: RiscRouterOptions): Router {
  const router = Router();
  const limiter = rateLimit({
    windowMs: 60_000,
    limit: opts.rateLimitPerMinute ?? 300,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    ...(opts.rateLimitStore ? { store: opts.rateLimitStore, passOnStoreError: true } : {}),
    handler: (_req, res) =>
      sendJson(res, 429, {
        err: 'access_denied',
        description: 'Too many security event tokens from this address; deliver again later.',
      }),
  });
  // Only a SET body is read, raw, capped, never inflated (no compression bombs).
  const readBody = express.raw({
    type: (req) => isSetMediaType(req.headers['content-type']),
    limit: opts.bodyLimitBytes ?? DEFAULT_BODY_LIMIT,
    inflate: false,
  });

  const path = opts.path ?? '/';
  router.post(path, limiter, readBody, async (req: Request, res: Response) => {
    const result = await opts.receiver.receive(
      req.get('content-type'),
      Buffer.isBuffer(req.body) ? req.body : undefined,
    );
    if (result.status === 202) {
      res.status(202).set('Cache-Control', 'no-store').end();
      return;
    }
    if (result.status === 503) res.set('Retry-After', '60');
    sendJson(res, result.status, result.body);
  });
  router.all(path, (_req, res) => {
    res.set('Allow', 'POST');
    sendJson(res, 405, { err: 'invalid_request', description: 'Security event tokens are delivered with POST.' });
  });
  // Body-reading failures (too large, unsupported encoding, aborted) are the request's fault: 400, RFC shape.
  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const type = (err as { type?: unknown }).type;
    const code = type === 'entity.too.large' ? 'SET_TOO_LARGE' : 'SET_MALFORMED';
    sendJson(res, 400, { err: SET_ERRORS[code].err, description: SET_ERRORS[code].description });
  });
  return router;
}
