// The OIDC client configuration (openid-client 6), discovered from the issuer. Discovery is retried with
// backoff in the background, so the app starts (and says "not ready") while the IdP is unreachable and
// recovers by itself when it comes back.
import * as client from 'openid-client';
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

  private discover(): Promise<void> {
    if (this.inflight) return this.inflight;
    this.inflight = (async () => {
      try {
        const { issuer, clientId, clientSecret } = this.settings;
        const execute: Array<(c: client.Configuration) => void> = [client.enableNonRepudiationChecks];
        if (issuer.protocol === 'http:') execute.push(client.allowInsecureRequests);
        this.configuration = await client.discovery(
          issuer,
          clientId,
          { client_secret: clientSecret, id_token_signed_response_alg: 'RS256' },
          client.ClientSecretPost(clientSecret),
          { execute, timeout: this.settings.timeoutSeconds ?? 5 },
        );
        this.attempt = 0;
        this.lastError = undefined;
        this.logger.info({ issuer: issuer.href }, 'OIDC discovery succeeded');
      } catch (err) {
        this.attempt++;
        this.lastError = describe(err);
        const delay = backoffMs(this.attempt);
        this.logger.warn({ issuer: this.settings.issuer.href, error: this.lastError, retryInMs: delay }, 'OIDC discovery failed');
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
