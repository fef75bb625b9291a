// createApp(): assembles the Express app from its parts. Only the entry point listens.
import express, { type Request, type RequestHandler, type Router } from 'express';
import type { TokenRecord } from '../tokens/token-store.js';
import type { Config } from '../config/env.js';
import type { Logger } from '../log/logger.js';
import { requestLogging } from '../log/request-log.js';
import type { Storage } from '../storage/index.js';
import { cookieSettings, sessionMiddleware, type SessionCookieSettings } from '../sessions/middleware.js';
import type { OidcProvider } from '../auth/oidc.js';
import { authRoutes } from '../auth/routes.js';
import { admissionGate } from '../auth/admission-gate.js';
import type { TokenVault } from '../tokens/vault.js';
import { csrfKit, fetchMetadataGuard, noStore, securityHeaders, type CsrfKit } from './security.js';
import { createRenderer, PUBLIC_DIR, type Render } from './render.js';
import { errorHandler, HttpError, SessionUnavailableError } from './errors.js';
import { coreRoutes, type CoreRouteDeps } from './core-routes.js';
import { authRateLimit } from './rate-limit.js';

export interface AppDeps {
  config: Config;
  logger: Logger;
  storage: Storage;
  oidc: OidcProvider;
  vault: TokenVault;
  describeScope?: (uri: string) => string | undefined;
  featureCards?: CoreRouteDeps['featureCards'];
  /** Feature routes, mounted after sign-in routes (added by the features module). */
  extraRoutes?: (kit: WebKit) => Router[];
  nav?: Array<{ href: string; label: string }>;
  now?: () => number;
}

/** What feature routes get from the web layer. */
export interface WebKit {
  render: Render;
  csrf: CsrfKit;
  cookie: SessionCookieSettings;
  requireUser: RequestHandler;
  redirectUri: string;
  /** This request's token record: the one read with its session when the backend reads ahead, else a read now. */
  tokenRecord(req: Request): Promise<TokenRecord | null>;
}

export function createApp(deps: AppDeps): express.Express {
  const { config, logger } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.set('query parser', 'simple');
  // Every dynamic page is no-store: an ETag would only cost a hash of each body.
  app.set('etag', false);

  app.use(requestLogging(logger));
  app.use(securityHeaders(deps.oidc.issuer.origin, { https: config.secureCookies }));
  app.use('/public', express.static(PUBLIC_DIR, { index: false, maxAge: '1h', fallthrough: false }));
  app.use(noStore);

  app.get('/healthz', async (_req, res) => {
    const store = await deps.storage.isHealthy().catch(() => false);
    const idp = deps.oidc.status;
    const ready = store && idp.ready;
    res.status(ready ? 200 : 503).json({ ready, sessionStore: store ? 'ok' : 'unavailable', identityProvider: idp.ready ? 'ok' : 'unavailable' });
  });

  const cookie = cookieSettings(config.secureCookies);
  const idleMs = config.sessionIdleMinutes * 60_000;
  app.use(
    sessionMiddleware({
      store: deps.storage.sessions,
      secrets: config.sessionSecrets,
      cookie,
      idleMs,
      absoluteMs: config.sessionAbsoluteHours * 3_600_000,
      ...(deps.now ? { now: deps.now } : {}),
    }),
  );
  // express-session carries on without a session when its store is disconnected: stop here instead.
  app.use((req, _res, next) => (req.session ? next() : next(new SessionUnavailableError())));
  app.use(admissionGate({ allowedDomains: config.allowedDomains, allowedEmails: config.allowedEmails }, logger, cookieSettings(config.secureCookies)));
  const limiter = authRateLimit({ perMinute: config.rateLimitPerMinute, ...(deps.storage.rateLimit ? { store: deps.storage.rateLimit } : {}) });
  app.use(['/login', '/auth/callback', '/consent'], limiter);
  app.use(express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 50 }));
  app.use(fetchMetadataGuard);

  const csrf = csrfKit();
  const render = createRenderer({ demo: config.demo, csrfTokenFor: csrf.tokenFor, nav: deps.nav ?? [] });
  const redirectUri = new URL('/auth/callback', config.baseUrl).href;
  const requireUser: RequestHandler = (req, _res, next) => {
    if (req.session.user) return next();
    next(new HttpError(401, 'NOT_SIGNED_IN', 'Please sign in', 'You need to sign in to see this page.', {
      href: `/login?returnTo=${encodeURIComponent(req.originalUrl)}`,
      label: 'Sign in with Google',
    }));
  };

  app.use(
    authRoutes({
      oidc: deps.oidc,
      redirectUri,
      baseUrl: config.baseUrl,
      policy: { allowedDomains: config.allowedDomains, allowedEmails: config.allowedEmails },
      vault: deps.vault,
      logger,
      cookie,
      csrfProtection: csrf.protect,
      ...(deps.now ? { now: deps.now } : {}),
    }),
  );
  app.use(
    coreRoutes({
      render,
      grantedScopes: (req) => deps.vault.grantedScopes(req.session.user ? req.sessionID : undefined),
      ...(deps.describeScope ? { describeScope: deps.describeScope } : {}),
      ...(deps.featureCards ? { featureCards: deps.featureCards } : {}),
    }),
  );
  const tokenRecord = (req: Request): Promise<TokenRecord | null> =>
    req.session.user ? (deps.storage.takePrefetchedTokenRecord(req) ?? deps.vault.record(req.sessionID)) : Promise.resolve(null);
  const kit: WebKit = { render, csrf, cookie, requireUser, redirectUri, tokenRecord };
  for (const router of deps.extraRoutes?.(kit) ?? []) app.use(router);

  app.use((_req, _res, next) => next(new HttpError(404, 'NOT_FOUND', 'Page not found', 'There is no page at this address.', { href: '/', label: 'Back to Scopewise' })));
  app.use(errorHandler(logger, render));
  return app;
}
