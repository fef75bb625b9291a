// Starts Scopewise from a validated Config: store, vault, OIDC discovery, app, listener, and a graceful
// shutdown. Used by the entry point, the tests and the benchmarks.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config/env.js';
import type { Logger } from './log/logger.js';
import { openSessionStore, type SessionStoreHandle } from './sessions/store.js';
import { OidcProvider } from './auth/oidc.js';
import { TokenVault } from './tokens/vault.js';
import { generateKeySpec, parseKeyring } from './tokens/crypto.js';
import { openTokenStore } from './tokens/token-store.js';
import { RedisLock } from './tokens/lock.js';
import { oidcTokenEndpoint } from './auth/token-endpoint.js';
import { createApp, type AppDeps } from './web/app.js';
import { ServerDrain } from './lifecycle/drain.js';

export interface RunningScopewise {
  url: string;
  vault: TokenVault;
  server: http.Server;
  sessionStore: SessionStoreHandle;
  oidc: OidcProvider;
  /** Readiness (/readyz) and the SIGTERM drain. */
  drain: ServerDrain;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Extra app dependencies (features, scope descriptions). */
  extend?: (base: Omit<AppDeps, 'extraRoutes' | 'nav' | 'describeScope'>) => Partial<AppDeps>;
  now?: () => number;
}

export async function startScopewise(config: Config, logger: Logger, opts: StartOptions = {}): Promise<RunningScopewise> {
  let tokenKeys = config.tokenKeys;
  if (!tokenKeys) {
    // Outside production only (config refuses a missing key there): tokens last as long as this process.
    logger.warn('TOKEN_KEYS is not set: using a key that lives only in this process; stored tokens will not survive a restart');
    tokenKeys = generateKeySpec('ephemeral');
  }
  const keyring = parseKeyring(tokenKeys);
  const idleMs = config.sessionIdleMinutes * 60_000;
  const sessionStore = await openSessionStore(config.sessionStore, { defaultTtlMs: idleMs, logger });
  const oidc = new OidcProvider(
    { issuer: config.oidc.issuer, clientId: config.oidc.clientId, clientSecret: config.oidc.clientSecret },
    logger,
  );
  await oidc.start();
  const vault = new TokenVault({
    keyring,
    store: openTokenStore(sessionStore),
    endpoint: oidcTokenEndpoint(oidc, () => oidc.issuerIdentifier),
    logger,
    recordTtlMs: config.sessionAbsoluteHours * 3_600_000,
    ...(sessionStore.redis ? { lock: new RedisLock(sessionStore.redis) } : {}),
    ...(opts.now ? { now: opts.now } : {}),
  });

  const base = { config, logger, sessionStore, oidc, vault, ...(opts.now ? { now: opts.now } : {}) };
  const app = createApp({ ...base, ...(opts.extend?.(base) ?? {}) });
  const drain = new ServerDrain(app);
  const server = drain.server;
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const url = config.port === 0 ? `http://${host}:${addr.port}` : config.baseUrl.origin;

  // Graceful close: stop accepting, let in-flight requests finish, end keep-alive connections (drain.ts).
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await drain.close();
      oidc.stop();
      await sessionStore.close();
    })();
    return closing;
  };
  return { url, server, sessionStore, oidc, vault, drain, close };
}
