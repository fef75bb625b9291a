// Rate limits on the routes an attacker would hammer: sign-in, the callback, consent starts. Counted per
// client IP (behind a load balancer, set TRUST_PROXY so the IP is the client's), in Redis when sessions
// are on Redis so that all instances share one count.
import { rateLimit, type RateLimitRequestHandler, type Store } from 'express-rate-limit';
import { HttpError } from './errors.js';

export interface RateLimitOptions {
  perMinute: number;
  /** A store shared by every instance (the storage backend's); else in-process memory. */
  store?: Store;
}

export function authRateLimit(opts: RateLimitOptions): RateLimitRequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: opts.perMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    ...(opts.store
      ? {
          store: opts.store,
          // If the shared store is briefly down, let sign-in through rather than lock every admin out.
          passOnStoreError: true,
        }
      : {}),
    handler: (_req, res, next) => {
      // express-rate-limit already set Retry-After; the error page carries the explanation.
      next(
        new HttpError(
          429,
          'RATE_LIMITED',
          'Too many attempts',
          'Too many sign-in attempts from your address. Please wait a minute and try again.',
        ),
      );
      void res;
    },
  });
}
