// The composition root: builds every part of Scopewise from a validated Config, in dependency order, and starts
// the listeners. The entry point, the tests and the benchmarks all start Scopewise through here.
//
//   own identity (ADC, audit export, metrics, mTLS) → storage → identity provider → token vault
//   → account events (RISC receiver, session index) → features (catalogue + page specs + engine) → app → listener
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RequestHandler } from 'express';
import type { Config } from './config/env.js';
import type { Logger } from './log/logger.js';
import type { Audit } from './log/audit.js';
import { openStorage, type Storage } from './storage/index.js';
import { OidcProvider } from './auth/oidc.js';
import { oidcTokenEndpoint } from './auth/token-endpoint.js';
import { TokenVault } from './tokens/vault.js';
import { generateKeySpec, parseKeyring } from './tokens/crypto.js';
import { assertCatalogue, CATALOGUE, loadDiscovery, type Discovery, type Feature } from './scopes/index.js';
import { featureModule, type FeatureEngine } from './features/index.js';
import { createApp } from './web/app.js';
import { startWorkload, type Workload } from './identity/workload.js';
import { requestMetrics } from './metrics/middleware.js';
import { createMtlsServer, forwardedHeadersOnlyFromPeers } from './mtls/server.js';
import { accountEvents } from './events/wiring.js';
import { LAST_SEEN_RESOLUTION_MS } from './sessions/middleware.js';
import { PerKeyThrottle } from './storage/per-key-throttle.js';
import { ServerDrain } from './lifecycle/drain.js';
import { healthDetail, type HealthDetail } from './lifecycle/health.js';

export interface RunningScopewise {
  url: string;
  server: http.Server;
  /** Readiness (/readyz) and the SIGTERM drain. */
  drain: ServerDrain;
  storage: Storage;
  oidc: OidcProvider;
  vault: TokenVault;
  engine: FeatureEngine;
  workload: Workload;
  /** The health detail (lifecycle/health.ts): what the internal listener's /healthz serves. */
  health(): Promise<HealthDetail>;
  close(): Promise<void>;
}

export interface StartOptions {
  now?: () => number;
  /** Another catalogue or Discovery data (tests of the start-up check). */
  catalogue?: readonly Feature[];
  discovery?: Discovery;
}

export async function startScopewise(
  config: Config,
  logger: Logger,
  opts: StartOptions = {},
): Promise<RunningScopewise> {
  const now = opts.now ?? Date.now;
  // A broken catalogue refuses to start, naming the feature and the method (before anything listens).
  const discovery = opts.discovery ?? loadDiscovery();
  const catalogue = opts.catalogue ?? CATALOGUE;
  assertCatalogue(catalogue, discovery);

  let tokenKeys = config.tokenKeys;
  if (!tokenKeys) {
    // Tests only (configuration requires TOKEN_KEYS elsewhere): tokens last as long as this process.
    logger.warn(
      'TOKEN_KEYS is not set: using a key that lives only in this process; stored tokens will not survive a restart',
    );
    tokenKeys = generateKeySpec('ephemeral');
  }
  const keyring = parseKeyring(tokenKeys);
  const idleMs = config.sessionIdleMinutes * 60_000;
  const absoluteMs = config.sessionAbsoluteHours * 3_600_000;

  const storage = await openStorage(config.sessionStore, { idleTtlMs: idleMs, logger, now });
  let workload: Workload | undefined;
  // Built in one place, served whole on the internal listener; the public /healthz says only whether it is ready.
  const health = () =>
    healthDetail({
      storage,
      identityProvider: oidc,
      ...(workload ? { workload: workload.health } : {}),
    });
  try {
    workload = await startWorkload(config.own, {
      logger,
      production: !config.demo,
      googleApiBaseUrl: config.googleApiBaseUrl,
      eventSource: config.baseUrl.origin,
      appHealth: health,
    });
  } catch (err) {
    await storage.close();
    throw err;
  }
  const { metrics } = workload;
  metrics.watchStore(storage.kind, () => storage.isHealthy());
  const audit: Audit = (event, fields) => workload.audit.audit(event, fields);

  const oidc = new OidcProvider(
    { issuer: config.oidc.issuer, clientId: config.oidc.clientId, clientSecret: config.oidc.clientSecret },
    logger,
  );
  await oidc.start();
  const vault = new TokenVault({
    keyring,
    store: storage.tokens,
    endpoint: oidcTokenEndpoint(oidc, () => oidc.issuerIdentifier),
    logger,
    audit,
    // A record lives as long as its session: the idle lifetime, renewed whenever the session is.
    recordTtlMs: idleMs,
    ...(storage.lock ? { lock: storage.lock } : {}),
    onRefresh: (outcome) => metrics.recordRefresh(outcome === 'started' ? 'ok' : 'failed'),
    now,
  });

  const events = accountEvents({ config, logger, storage, vault, audit, absoluteMs, now });

  // The session index's last-seen time moves with the session's (at most once a minute per session).
  const lastSeenWrites = new PerKeyThrottle(LAST_SEEN_RESOLUTION_MS);
  const onSignedInRequest: RequestHandler = (req, _res, next) => {
    const user = req.session?.user;
    if (!user) return next();
    const t = now();
    if (lastSeenWrites.pass(req.sessionID, t)) {
      // Bookkeeping for the session list: never in the way of the request.
      storage.accounts.subjects
        .touch(user.sub, req.sessionID, t)
        .catch((err: unknown) =>
          logger.warn({ err: { message: (err as Error).message } }, 'session index not updated'),
        );
    }
    next();
  };

  let engine: FeatureEngine | undefined;
  const app = createApp({
    config,
    logger,
    storage,
    oidc,
    vault,
    audit,
    now,
    first: [
      requestMetrics(metrics),
      ...(config.own.mtls.mainAllowedSpiffeIds ? [forwardedHeadersOnlyFromPeers()] : []),
    ],
    sessionless: events.routers,
    health,
    signIn: events.signIn,
    sessionStanding: events.sessionStanding,
    onSignedInRequest,
    onConsent: (feature, outcome) => metrics.recordConsent(feature, outcome),
    features: (kit) => {
      const features = featureModule({
        ...kit,
        catalogue,
        discovery,
        vault,
        oidc,
        audit,
        now,
        google: { apiBaseOverride: config.googleApiBaseUrl, timeoutMs: 10_000 },
        defaultProject: config.defaultProject,
        apiBaseOverride: config.googleApiBaseUrl,
        workloadRegions: config.workloadRegions,
        auditLog: config.own.audit.cloudLogging,
        sessions: events.accountSessions,
        credentialNotices: events.credentialNotices,
        onGoogleError: (api, code) => metrics.recordGoogleApiError(api, code),
      });
      engine = features.engine;
      return features;
    },
  });

  const mainIds = config.own.mtls.mainAllowedSpiffeIds;
  const mtls = workload.mtls;
  // ServerDrain answers /readyz before the app and drains on SIGTERM (src/lifecycle/drain.ts).
  const drain = new ServerDrain(app, {
    ...(mainIds && mtls
      ? {
          createServer: (listener: http.RequestListener) =>
            createMtlsServer(listener, { credentials: mtls, allowedSpiffeIds: mainIds, name: 'main', logger }),
        }
      : {}),
  });
  const server = drain.server;
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 60_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolve());
    });
  } catch (err) {
    oidc.stop();
    await workload.stop();
    await storage.close();
    throw err;
  }
  const addr = server.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const scheme = mainIds && mtls ? 'https' : 'http';
  const url = config.port === 0 ? `${scheme}://${host}:${addr.port}` : config.baseUrl.origin;

  // Graceful close: stop accepting, let in-flight requests finish, end keep-alive connections (drain.ts); then
  // deliver the audit export's queue (within AUDIT_DRAIN_SECONDS) and close the stores.
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await drain.close();
      oidc.stop();
      await workload.stop();
      await events.close();
      await storage.close();
    })();
    return closing;
  };
  return { url, server, drain, storage, oidc, vault, engine: engine!, workload, health, close };
}
