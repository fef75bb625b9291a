// The OIDC client configuration (openid-client 6), discovered from the issuer. Discovery is retried with
// backoff in the background, so the app starts (and says "not ready") while the IdP is unreachable and
// recovers by itself when it comes back.
import * as client from 'openid-client';
import { readBodyLimited } from '../http/read-limited.js';
import { isLoopbackHost } from '../config/env.js';
import type { Logger } from '../log/logger.js';

export interface OidcSettings {
  issuer: URL;
  clientId: string;
  clientSecret: string;
  /** Seconds for each HTTP call to the IdP. */
  timeoutSeconds?: number;
}

export class IdpUnavailableError extends Error {
  readonly code = 'IDP_UNAVAILABLE';
  constructor(message = 'The identity provider cannot be reached right now.') {
    super(message);
  }
}

export class OidcProvider {
  private configuration: client.Configuration | undefined;
  /** The JWKS as last downloaded by an authorization-code exchange (see forTokenRequest). */
  private jwks: client.ExportedJWKSCache | undefined;
  private lastError: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private attempt = 0;
  private stopped = false;
  private inflight: Promise<void> | undefined;

  constructor(
    private readonly settings: OidcSettings,
    private readonly logger: Logger,
  ) {
    if (settings.issuer.protocol === 'http:' && !isLoopbackHost(settings.issuer.hostname)) {
      throw new Error(`Refusing plain-http issuer ${settings.issuer.href}: http is allowed only on loopback addresses`);
    }
  }

  get ready(): boolean {
    return this.configuration !== undefined;
  }

  get status(): { ready: boolean; error?: string } {
    return this.lastError && !this.ready ? { ready: false, error: this.lastError } : { ready: this.ready };
  }

  get issuer(): URL {
    return this.settings.issuer;
  }

  /** The origin of the discovered authorization endpoint: the only place a sign-in or consent redirects to. */
  get authorizationOrigin(): string {
    const endpoint = this.configuration?.serverMetadata().authorization_endpoint;
    return endpoint ? new URL(endpoint).origin : this.settings.issuer.origin;
  }

  /** The issuer identifier as discovered (what ID tokens carry in `iss`). */
  get issuerIdentifier(): string {
    return this.configuration?.serverMetadata().issuer ?? this.settings.issuer.href;
  }

  /** Starts discovery; resolves after the first attempt (success or not). Retries continue in the background. */
  start(): Promise<void> {
    return this.discover();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /** The configuration, or an IdpUnavailableError (and a nudge to retry now) when discovery has not succeeded. */
  get(): client.Configuration {
    if (this.configuration) return this.configuration;
    if (!this.timer && !this.inflight && !this.stopped) void this.discover();
    throw new IdpUnavailableError();
  }

  /**
   * A configuration for one token request (a code exchange or a refresh), with the same checks as get()'s.
   *
   * openid-client keeps one JWKS per Configuration and refetches it for an unknown `kid` only when its copy is
   * at least 60 s old, so a sign-in just after the issuer rotates its signing key would be refused for up to a
   * minute. Each exchange therefore gets its own Configuration, seeded with the last JWKS marked 60 s old: a
   * known kid is served from it, an unknown kid makes exactly one refetch, and a kid still unknown after that
   * is refused. Call `keepJwks()` with it afterwards so the next exchange starts from what it downloaded.
   */
  forTokenRequest(): client.Configuration {
    const base = this.get();
    const config = new client.Configuration(
      base.serverMetadata(),
      this.settings.clientId,
      this.clientMetadata(),
      client.ClientSecretPost(this.settings.clientSecret),
    );
    for (const extension of this.extensions()) extension(config);
    config.timeout = this.timeoutSeconds;
    config[client.customFetch] = sizeLimitedFetch;
    if (this.jwks) {
      const nowSeconds = Math.floor(Date.now() / 1000);
      client.setJwksCache(config, {
        ...this.jwks,
        uat: Math.min(this.jwks.uat, nowSeconds - JWKS_REFETCH_AFTER_SECONDS),
      });
    }
    return config;
  }

  /** Remembers the JWKS that an exchange's configuration downloaded (if it did). */
  keepJwks(config: client.Configuration): void {
    const cache = client.getJwksCache(config);
    if (cache && (!this.jwks || cache.uat >= this.jwks.uat)) this.jwks = cache;
  }

  private get timeoutSeconds(): number {
    return this.settings.timeoutSeconds ?? 5;
  }

  private clientMetadata(): Partial<client.ClientMetadata> {
    return { client_secret: this.settings.clientSecret, id_token_signed_response_alg: 'RS256' };
  }

  private extensions(): Array<(c: client.Configuration) => void> {
    // Without non-repudiation checks openid-client does not verify the ID token's signature on the code flow.
    const execute: Array<(c: client.Configuration) => void> = [client.enableNonRepudiationChecks];
    if (this.settings.issuer.protocol === 'http:') execute.push(client.allowInsecureRequests);
    return execute;
  }

  private discover(): Promise<void> {
    if (this.inflight) return this.inflight;
    this.inflight = (async () => {
      try {
        const { issuer, clientId, clientSecret } = this.settings;
        this.configuration = await client.discovery(
          issuer,
          clientId,
          this.clientMetadata(),
          client.ClientSecretPost(clientSecret),
          { execute: this.extensions(), timeout: this.timeoutSeconds, [client.customFetch]: sizeLimitedFetch },
        );
        this.jwks = undefined;
        this.attempt = 0;
        this.lastError = undefined;
        this.logger.info({ issuer: issuer.href }, 'OIDC discovery succeeded');
      } catch (err) {
        this.attempt++;
        this.lastError = describe(err);
        const delay = backoffMs(this.attempt);
        this.logger.warn(
          { issuer: this.settings.issuer.href, error: this.lastError, retryInMs: delay },
          'OIDC discovery failed',
        );
        if (!this.stopped) {
          this.timer = setTimeout(() => {
            this.timer = undefined;
            void this.discover();
          }, delay);
          this.timer.unref();
        }
      } finally {
        this.inflight = undefined;
      }
    })();
    return this.inflight;
  }
}

/** Exponential backoff with full jitter, 0.5 s up to 30 s. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const cap = Math.min(30_000, 500 * 2 ** Math.min(attempt - 1, 10));
  return Math.round(cap / 2 + (random() * cap) / 2);
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}

/** openid-client refetches a JWKS for an unknown `kid` once its copy is this old (oauth4webapi's rule). */
const JWKS_REFETCH_AFTER_SECONDS = 60;

/** The largest response accepted from the identity provider. Google's are a few KiB. */
export const MAX_IDP_RESPONSE_BYTES = 1024 * 1024;

export class IdpResponseTooLargeError extends Error {
  readonly code = 'IDP_RESPONSE_TOO_LARGE';
  constructor(url: string) {
    super(
      `The identity provider's response from ${new URL(url).pathname} is too large (over ${MAX_IDP_RESPONSE_BYTES} bytes)`,
    );
  }
}

const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * fetch for every call to the identity provider, reading at most MAX_IDP_RESPONSE_BYTES: a hostile or broken
 * issuer must not make the app buffer (and parse) an unbounded body. openid-client's timeout still applies,
 * through `options.signal`, to the whole read.
 */
export async function sizeLimitedFetch(url: string, options: client.CustomFetchOptions): Promise<Response> {
  const res = await fetch(url, options as RequestInit);
  if (!res.body || NULL_BODY_STATUSES.has(res.status)) return res;
  const body = await readBodyLimited(res, MAX_IDP_RESPONSE_BYTES);
  if (body === undefined) throw new IdpResponseTooLargeError(url);
  return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
}
