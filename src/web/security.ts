// Response headers and request checks that protect every page: helmet with a strict CSP, no caching of
// anything dynamic, CSRF synchroniser tokens, and Fetch Metadata for state-changing requests.
import helmet, { type HelmetOptions } from 'helmet';
import { csrfSync } from 'csrf-sync';
import type { Request, RequestHandler, Response } from 'express';

/** helmet's options for Scopewise: a strict CSP and the rest of helmet's defaults. */
export function helmetOptions(issuerOrigin: string, opts: { https: boolean }): HelmetOptions {
  return {
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
  };
}

/** What a helmet middleware does to a response: the headers it sets and those it removes. */
export interface HeaderChanges {
  set: Array<[string, string]>;
  removed: string[];
}

/** Runs a helmet middleware against a recording response (it works synchronously and reads nothing of the request). */
export function recordHeaderChanges(middleware: RequestHandler, url = '/'): HeaderChanges {
  const changes: HeaderChanges = { set: [], removed: [] };
  const res = {
    setHeader(name: string, value: unknown) {
      changes.set.push([name, String(value)]);
      return res;
    },
    removeHeader(name: string) {
      changes.removed.push(name);
    },
  };
  let done = false;
  middleware({ method: 'GET', url, headers: {} } as Request, res as unknown as Response, (err?: unknown) => {
    if (err) throw err;
    done = true;
  });
  if (!done) throw new Error('helmet did not finish synchronously: its headers cannot be recorded');
  return changes;
}

/**
 * A header middleware's changes, worked out once: it runs at start-up against a recording response, and every
 * response then gets the same changes. Only right while they are the same for every request: a CSP computed per
 * request (a nonce) differs between two recordings, and then this throws rather than send one policy to all.
 */
export function replayHeaders(middleware: RequestHandler): RequestHandler {
  const changes = recordHeaderChanges(middleware, '/');
  if (JSON.stringify(recordHeaderChanges(middleware, '/other?x=1')) !== JSON.stringify(changes)) {
    throw new Error('the security headers differ per request (a CSP nonce?): they cannot be computed once');
  }
  const { set, removed } = changes;
  return (_req, res, next) => {
    for (let i = 0; i < set.length; i++) res.setHeader(set[i]![0], set[i]![1]);
    for (let i = 0; i < removed.length; i++) res.removeHeader(removed[i]!);
    next();
  };
}

/**
 * helmet's headers on every response, computed once per process (replayHeaders). helmet stays the source of truth:
 * a test checks that every kind of response carries exactly what helmet sets; this saves running its dozen
 * middlewares per request.
 */
export function securityHeaders(issuerOrigin: string, opts: { https: boolean }): RequestHandler {
  return replayHeaders(helmet(helmetOptions(issuerOrigin, opts)));
}

export const noStore: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'no-store');
  res.set('Pragma', 'no-cache');
  next();
};

export class ForbiddenRequestError extends Error {
  readonly status = 403;
  constructor(
    readonly code: 'CROSS_SITE_REQUEST' | 'CSRF_TOKEN_INVALID',
    message: string,
  ) {
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
      if (err)
        return next(
          new ForbiddenRequestError(
            'CSRF_TOKEN_INVALID',
            'This form has expired or did not come from Scopewise. Reload the page and try again.',
          ),
        );
      next();
    });
  };
  return { protect, tokenFor: (req) => kit.generateToken(req) };
}
