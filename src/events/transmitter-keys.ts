// The transmitter's RISC configuration (issuer, jwks_uri) and signing keys, cached. A token whose kid the
// cached key set lacks causes one refetch, at most once per `minRefetchIntervalMs`: Google rotates its keys
// from time to time, and an attacker sending made-up kids must not make us hammer Google (or stall).
//
// Written by hand around jose's key selection (createLocalJWKSet) rather than with createRemoteJWKSet because
// the JWKS location is itself discovered, the clock must be injectable for tests, and fetches are counted.
import {
  createLocalJWKSet,
  errors as joseErrors,
  type CryptoKey,
  type JSONWebKeySet,
  type JWSHeaderParameters,
} from 'jose';
import { readBodyLimited } from '../http/read-limited.js';
import { checkFetchUrl } from './config.js';
import { ReceiverUnavailableError, SetError } from './errors.js';

export interface RiscConfiguration {
  issuer: string;
  jwksUri: string;
  deliveryMethodsSupported: string[];
}

/** Validates a RISC configuration document. The issuer must live at the origin the document came from. */
export function parseRiscConfiguration(doc: unknown, configurationUrl: string): RiscConfiguration {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new ReceiverUnavailableError('RISC_CONFIG_UNAVAILABLE', 'the RISC configuration is not a JSON object');
  const d = doc as Record<string, unknown>;
  const issuer = d['issuer'];
  const jwksUri = d['jwks_uri'];
  if (typeof issuer !== 'string' || !issuer)
    throw new ReceiverUnavailableError('RISC_CONFIG_UNAVAILABLE', 'the RISC configuration has no issuer');
  let issuerUrl: URL;
  try {
    issuerUrl = new URL(issuer);
  } catch {
    throw new ReceiverUnavailableError(
      'RISC_CONFIG_UNAVAILABLE',
      `the RISC configuration's issuer is not a URL: ${issuer}`,
    );
  }
  // Like OIDC discovery: a document cannot speak for an issuer on another origin.
  if (issuerUrl.origin !== new URL(configurationUrl).origin) {
    throw new ReceiverUnavailableError(
      'RISC_CONFIG_UNAVAILABLE',
      `the RISC configuration's issuer ${issuer} is not at ${new URL(configurationUrl).origin}`,
    );
  }
  if (typeof jwksUri !== 'string' || checkFetchUrl(jwksUri))
    throw new ReceiverUnavailableError('RISC_CONFIG_UNAVAILABLE', 'the RISC configuration has no usable jwks_uri');
  const methods = Array.isArray(d['delivery_methods_supported'])
    ? d['delivery_methods_supported'].filter((m): m is string => typeof m === 'string')
    : [];
  return { issuer, jwksUri, deliveryMethodsSupported: methods };
}

export type FetchJson = (url: string) => Promise<unknown>;

export interface HttpJsonOptions {
  fetch?: typeof fetch;
  timeoutMs?: number;
  maxBytes?: number;
}

/** GET a JSON document: no redirects, a timeout, a size cap. Any failure is ReceiverUnavailableError. */
export function httpJsonFetcher(opts: HttpJsonOptions = {}): FetchJson {
  const doFetch = opts.fetch ?? fetch;
  const timeoutMs = opts.timeoutMs ?? 5000;
  const maxBytes = opts.maxBytes ?? 256 * 1024;
  return async (url) => {
    let res: Response;
    try {
      res = await doFetch(url, {
        headers: { accept: 'application/json' },
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new ReceiverUnavailableError('RISC_KEYS_UNAVAILABLE', `GET ${url} failed: ${(err as Error).message}`);
    }
    const body = await readBodyLimited(res, maxBytes).catch(() => undefined);
    if (res.status !== 200)
      throw new ReceiverUnavailableError('RISC_KEYS_UNAVAILABLE', `GET ${url} answered ${res.status}`);
    if (!body)
      throw new ReceiverUnavailableError(
        'RISC_KEYS_UNAVAILABLE',
        `GET ${url}: body larger than ${maxBytes} bytes or unreadable`,
      );
    try {
      return JSON.parse(body.toString('utf8')) as unknown;
    } catch {
      throw new ReceiverUnavailableError('RISC_KEYS_UNAVAILABLE', `GET ${url}: not JSON`);
    }
  };
}

export interface TransmitterKeysOptions {
  configurationUrl: string;
  fetchJson?: FetchJson;
  now?: () => number;
  /** Unknown kid → refetch, but not sooner than this after the previous fetch (default 60 s). */
  minRefetchIntervalMs?: number;
  /** Key set lifetime in the cache (default 1 h). */
  keysMaxAgeMs?: number;
  /** RISC configuration lifetime in the cache (default 24 h). */
  configMaxAgeMs?: number;
  /** Accepted JWS algorithms (default RS256, what Google signs with). */
  algorithms?: string[];
}

type KeySelector = ReturnType<typeof createLocalJWKSet>;

interface Cached<T> {
  value: T;
  fetchedAt: number;
}

export class TransmitterKeys {
  private readonly fetchJson: FetchJson;
  private readonly now: () => number;
  private readonly minRefetchIntervalMs: number;
  private readonly keysMaxAgeMs: number;
  private readonly configMaxAgeMs: number;
  readonly algorithms: readonly string[];
  private config: Cached<RiscConfiguration> | undefined;
  private keys: Cached<KeySelector> | undefined;
  /** When the key set was last asked for (success or not): the refetch rate limit counts attempts. */
  private lastKeysAttemptAt = Number.NEGATIVE_INFINITY;
  private inflight: Promise<void> | undefined;
  /** Bumped whenever a new key set is in place. */
  private keysGeneration = 0;
  /** Fetch counts, for tests and the metrics page. */
  readonly stats = { configFetches: 0, keyFetches: 0 };

  constructor(private readonly opts: TransmitterKeysOptions) {
    this.fetchJson = opts.fetchJson ?? httpJsonFetcher();
    this.now = opts.now ?? Date.now;
    this.minRefetchIntervalMs = opts.minRefetchIntervalMs ?? 60_000;
    this.keysMaxAgeMs = opts.keysMaxAgeMs ?? 3_600_000;
    this.configMaxAgeMs = opts.configMaxAgeMs ?? 86_400_000;
    this.algorithms = opts.algorithms ?? ['RS256'];
  }

  /** The issuer every accepted token must name (from the RISC configuration). */
  async issuer(): Promise<string> {
    await this.ensureFresh();
    return this.config!.value.issuer;
  }

  /** The key for a token's protected header: jose's `compactVerify` calls this. */
  async keyFor(header: JWSHeaderParameters): Promise<CryptoKey> {
    if (!header.alg || !this.algorithms.includes(header.alg))
      throw new SetError('SET_ALG_NOT_ALLOWED', `alg ${String(header.alg)}`);
    if (typeof header.kid !== 'string' || !header.kid) throw new SetError('SET_NO_KID');
    await this.ensureFresh();
    const generation = this.keysGeneration;
    const found = await this.select(header);
    if (found) return found;
    // Another token may have started (or just finished) the refetch that brings this kid: use its result.
    if (this.inflight) await this.inflight.catch(() => undefined);
    if (this.keysGeneration !== generation) {
      const fresh = await this.select(header);
      if (fresh) return fresh;
    }
    // Unknown kid: the transmitter may have rotated. Look once more, unless we looked very recently.
    if (this.now() - this.lastKeysAttemptAt < this.minRefetchIntervalMs)
      throw new SetError('SET_UNKNOWN_KID', `kid ${header.kid} (refetch not allowed yet)`);
    await this.singleFlight(() => this.loadKeys());
    const again = await this.select(header);
    if (again) return again;
    throw new SetError('SET_UNKNOWN_KID', `kid ${header.kid}`);
  }

  private async select(header: JWSHeaderParameters): Promise<CryptoKey | undefined> {
    try {
      return (await this.keys!.value(header, { payload: '', signature: '' })) as CryptoKey;
    } catch (err) {
      if (err instanceof joseErrors.JWKSNoMatchingKey || err instanceof joseErrors.JWKSMultipleMatchingKeys)
        return undefined;
      throw new SetError('SET_UNKNOWN_KID', `key for kid ${String(header.kid)} unusable: ${(err as Error).message}`);
    }
  }

  private async ensureFresh(): Promise<void> {
    const now = this.now();
    const configStale = !this.config || now - this.config.fetchedAt >= this.configMaxAgeMs;
    const keysStale = !this.keys || now - this.keys.fetchedAt >= this.keysMaxAgeMs;
    if (!configStale && !keysStale) return;
    try {
      await this.singleFlight(async () => {
        if (configStale) await this.loadConfig();
        if (keysStale || configStale) await this.loadKeys();
      });
    } catch (err) {
      // A stale key set still verifies the keys it has: better than refusing every token while Google is slow.
      if (this.config && this.keys) return;
      throw err;
    }
  }

  private singleFlight(task: () => Promise<void>): Promise<void> {
    this.inflight ??= task().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async loadConfig(): Promise<void> {
    this.stats.configFetches++;
    let doc: unknown;
    try {
      doc = await this.fetchJson(this.opts.configurationUrl);
    } catch (err) {
      throw new ReceiverUnavailableError('RISC_CONFIG_UNAVAILABLE', (err as Error).message);
    }
    this.config = { value: parseRiscConfiguration(doc, this.opts.configurationUrl), fetchedAt: this.now() };
  }

  private async loadKeys(): Promise<void> {
    if (!this.config) await this.loadConfig();
    this.stats.keyFetches++;
    this.lastKeysAttemptAt = this.now();
    let jwks: unknown;
    try {
      jwks = await this.fetchJson(this.config!.value.jwksUri);
    } catch (err) {
      throw err instanceof ReceiverUnavailableError
        ? err
        : new ReceiverUnavailableError('RISC_KEYS_UNAVAILABLE', (err as Error).message);
    }
    let selector: KeySelector;
    try {
      selector = createLocalJWKSet(jwks as JSONWebKeySet);
    } catch (err) {
      throw new ReceiverUnavailableError(
        'RISC_KEYS_UNAVAILABLE',
        `the JWKS is not a key set: ${(err as Error).message}`,
      );
    }
    this.keys = { value: selector, fetchedAt: this.now() };
    this.keysGeneration++;
  }
}
