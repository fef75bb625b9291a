// createApp(): the Express app from its parts, in the order a request meets them. Only compose.ts builds the
// parts and only the listener listens.
import express, { type Request, type RequestHandler, type Router } from 'express';
import type { Config } from '../config/env.js';
import type { Logger } from '../log/logger.js';
import { publicHealth, readinessWatch, type HealthDetail } from '../lifecycle/health.js';
import type { Audit } from '../log/audit.js';
import { requestLogging } from '../log/request-log.js';
import type { Storage } from '../storage/index.js';
import {
  cookieSettings,
  sessionMiddleware,
  type SessionCookieSettings,
  type SessionStanding,
} from '../sessions/middleware.js';
import type { OidcProvider } from '../auth/oidc.js';
import { authRoutes, type SignInHooks } from '../auth/routes.js';
import { admissionGate } from '../auth/admission-gate.js';
import type { TokenVault } from '../tokens/vault.js';
import type { TokenRecord } from '../tokens/token-store.js';
import { csrfKit, fetchMetadataGuard, noStore, securityHeaders, type CsrfKit } from './security.js';
import { createRenderer, PUBLIC_DIR, type Render } from './render.js';
import { errorHandler, HttpError, SessionUnavailableError } from './errors.js';
import { coreRoutes } from './core-routes.js';
import { authRateLimit } from './rate-limit.js';
import type { FeatureCard } from './views.js';

/** What the feature module gets from the web layer. */
export interface WebKit {
  render: Render;
  csrf: CsrfKit;
  cookie: SessionCookieSettings;
  requireUser: RequestHandler;
  redirectUri: string;
  /** This request's token record: the one read with its session when the backend reads ahead, else a read now. */
  tokenRecord(req: Request): Promise<TokenRecord | null>;
}

export interface Features {
  router: Router;
  nav: Array<{ href: string; label: string }>;
  cards(granted: readonly string[]): FeatureCard[];
  describeScope(uri: string): string | undefined;
  grantedScopes(req: Request): Promise<readonly string[]>;
}

export interface AppDeps {
  config: Config;
  logger: Logger;
  storage: Storage;
  oidc: OidcProvider;
  vault: TokenVault;
  audit: Audit;
  /** Builds the features from the web kit (render, CSRF, the sign-in gate). */
  features(kit: WebKit): Features;
  /** Routes that need no session and no CSRF token (the RISC receiver), mounted before sessions. */
  sessionless?: Router[];
  /** First in line (request metrics). */
  first?: RequestHandler[];
  /** The instance's health detail (lifecycle/health.ts); the public /healthz says only whether it is ready. */
  health(): Promise<HealthDetail>;
  /** Sign-in hooks (the account-events block list, the session index). */
  signIn?: SignInHooks;
  /** What account events decided about a signed-in session, checked on every request. */
  sessionStanding?: SessionStanding;
  /** Every signed-in request (the session index's last-seen time). */
  onSignedInRequest?: RequestHandler;
  /** Each consent's result per feature (metrics). */
  onConsent?(feature: string, outcome: 'granted' | 'declined'): void;
  now?: () => number;
}

export function createApp(deps: AppDeps): express.Express {
  const { config, logger } = deps;
  const now = deps.now ?? Date.now;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.set('query parser', 'simple');
  // Every dynamic page is no-store: an ETag would only cost a hash of each body.
  app.set('etag', false);

  for (const h of deps.first ?? []) app.use(h);
  app.use(requestLogging(logger));
  app.use(securityHeaders(deps.oidc.issuer.origin, { https: config.secureCookies }));
  app.use('/public', express.static(PUBLIC_DIR, { index: false, maxAge: '1h', fallthrough: false }));
  for (const r of deps.sessionless ?? []) app.use(r);
  app.use(noStore);

  const watchReadiness = readinessWatch(logger);
  app.get('/healthz', async (_req, res) => {
    const detail = await deps.health();
    watchReadiness(detail);
    res.status(detail.ready ? 200 : 503).json(publicHealth(detail));
  });

  const cookie = cookieSettings(config.secureCookies);
  app.use(
    sessionMiddleware({
      store: deps.storage.sessions,
      secrets: config.sessionSecrets,
      cookie,
      idleMs: config.sessionIdleMinutes * 60_000,
      absoluteMs: config.sessionAbsoluteHours * 3_600_000,
      ...(deps.sessionStanding ? { standing: deps.sessionStanding } : {}),
      onEnded: (sid, user, reason) => {
        deps.audit('session-ended', { sub: user.sub, email: user.email, reason });
        deps.signIn
          ?.signedOut(sid, user.sub)
          .catch((err: unknown) =>
            logger.warn({ err: { message: (err as Error).message } }, 'session index not updated'),
          );
      },
      now,
    }),
  );
  // express-session carries on without a session when its store is disconnected: stop here instead.
  app.use((req, _res, next) => (req.session ? next() : next(new SessionUnavailableError())));
  const policy = { allowedDomains: config.allowedDomains, allowedEmails: config.allowedEmails };
  app.use(admissionGate(policy, deps.audit, cookie));
  if (deps.onSignedInRequest) app.use(deps.onSignedInRequest);
  const limiterStore = deps.storage.rateLimitStore('auth');
  const limiter = authRateLimit({
    perMinute: config.rateLimitPerMinute,
    ...(limiterStore ? { store: limiterStore } : {}),
  });
  app.use(['/login', '/auth/callback', '/consent'], limiter);
  app.use(express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 50 }));
  app.use(fetchMetadataGuard);

  const csrf = csrfKit();
  const redirectUri = new URL('/auth/callback', config.baseUrl).href;
  const requireUser: RequestHandler = (req, _res, next) => {
    if (req.session.user) return next();
    next(
      new HttpError(401, 'NOT_SIGNED_IN', 'Please sign in', 'You need to sign in to see this page.', {
        href: `/login?returnTo=${encodeURIComponent(req.originalUrl)}`,
        label: 'Sign in with Google',
      }),
    );
  };
  const tokenRecord = (req: Request): Promise<TokenRecord | null> =>
    req.session.user
      ? (deps.storage.takePrefetchedTokenRecord(req) ?? deps.vault.record(req.sessionID))
      : Promise.resolve(null);

  // The renderer needs the navigation, which the features define: a late-bound holder breaks the cycle.
  const nav: Array<{ href: string; label: string }> = [];
  const render = createRenderer({ demo: config.demo, csrfTokenFor: csrf.tokenFor, nav });
  const features = deps.features({ render, csrf, cookie, requireUser, redirectUri, tokenRecord });
  nav.push(...features.nav);

  app.use(
    authRoutes({
      oidc: deps.oidc,
      redirectUri,
      baseUrl: config.baseUrl,
      policy,
      vault: deps.vault,
      audit: deps.audit,
      cookie,
      csrfProtection: csrf.protect,
      now,
      ...(deps.signIn ? { hooks: deps.signIn } : {}),
      ...(deps.onConsent ? { onConsent: deps.onConsent } : {}),
    }),
  );
  app.use(
    coreRoutes({
      render,
      grantedScopes: features.grantedScopes,
      cards: features.cards,
      describeScope: features.describeScope,
    }),
  );
  app.use(features.router);

  app.use((_req, _res, next) =>
    next(
      new HttpError(404, 'NOT_FOUND', 'Page not found', 'There is no page at this address.', {
        href: '/',
        label: 'Back to Scopewise',
      }),
    ),
  );
  app.use(errorHandler(logger, render));
  return app;
}
