// Response headers and request checks that protect every page: helmet with a strict CSP, no caching of
// anything dynamic, CSRF synchroniser tokens, and Fetch Metadata for state-changing requests.
import helmet from 'helmet';
import { csrfSync } from 'csrf-sync';
import type { Request, RequestHandler } from 'express';

export function securityHeaders(issuerOrigin: string, opts: { https: boolean }): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        // A form that starts consent is answered with a redirect to the issuer; Chrome applies
        // form-action to that redirect too.
        formAction: ["'self'", issuerOrigin],
        frameAncestors: ["'none'"],
        upgradeInsecureRequests: null,
      },
    },
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginEmbedderPolicy: false,
    // Only when Scopewise is served over https: on plain http (a loopback demo) the header means nothing at
    // best, and at worst pins localhost to https for a year in the user's browser.
    strictTransportSecurity: opts.https ? { maxAge: 31536000, includeSubDomains: true } : false,
  });
}

export const noStore: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'no-store');
  res.set('Pragma', 'no-cache');
  next();
};

export class ForbiddenRequestError extends Error {
  readonly status = 403;
  constructor(readonly code: 'CROSS_SITE_REQUEST' | 'CSRF_TOKEN_INVALID', message: string) {
    super(message);
  }
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Refuses state-changing requests that the browser says come from another site. */
export const fetchMetadataGuard: RequestHandler = (req, _res, next) => {
  if (SAFE.has(req.method)) return next();
  const site = req.get('sec-fetch-site');
  // Absent on old browsers and non-browser clients (the CSRF token still applies to them).
  if (site === undefined || site === 'same-origin' || site === 'none') return next();
  next(new ForbiddenRequestError('CROSS_SITE_REQUEST', 'This request came from another site and was refused.'));
};

export interface CsrfKit {
  protect: RequestHandler;
  tokenFor(req: Request): string;
}

export function csrfKit(): CsrfKit {
  const kit = csrfSync({
    size: 32, // bytes: 256 bits of randomness, and a smaller session
    getTokenFromRequest: (req) => {
      const body = req.body as Record<string, unknown> | undefined;
      const fromBody = body && typeof body._csrf === 'string' ? body._csrf : undefined;
      const fromHeader = req.get('x-csrf-token');
      return fromBody ?? fromHeader;
    },
  });
  const protect: RequestHandler = (req, res, next) => {
    kit.csrfSynchronisedProtection(req, res, (err?: unknown) => {
      if (err) return next(new ForbiddenRequestError('CSRF_TOKEN_INVALID', 'This form has expired or did not come from Scopewise. Reload the page and try again.'));
      next();
    });
  };
  return { protect, tokenFor: (req) => kit.generateToken(req) };
}
