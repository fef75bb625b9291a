// Shared fixtures for the account-event tests: a transmitter made of a key pair and a JWKS served by a fake
// fetch (with counts), a settable clock, and an AccountActions spy.
import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import type { Config } from '../../src/config/env.js';
import type { AccountActions } from '../../src/events/execute.js';
import { accountEvents, type AccountEvents } from '../../src/events/wiring.js';
import { logAudit } from '../../src/log/audit.js';
import { createLogger, type Logger } from '../../src/log/logger.js';
import type { Storage } from '../../src/storage/index.js';
import { generateKeySpec, parseKeyring } from '../../src/tokens/crypto.js';
import { TokenVault } from '../../src/tokens/vault.js';
import type { RefreshTokenMatcher } from '../../src/events/token-match.js';
import { TransmitterKeys } from '../../src/events/transmitter-keys.js';
import { RISC_EVENT_URIS } from '../../src/events/types.js';

export const CONFIG_URL = 'https://accounts.example.test/.well-known/risc-configuration';
export const RISC_ISSUER = 'https://accounts.example.test/';
export const JWKS_URL = 'https://keys.example.test/risc/jwks';
export const OIDC_ISSUER = 'https://accounts.example.test';
export const CLIENT_ID = '123456789-abc.apps.googleusercontent.com';
export const ALICE = '100000000000000000001';

export class Clock {
  constructor(public t = Date.UTC(2026, 4, 17, 12, 0, 0)) {}
  now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

interface Key {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

// RSA key generation is slow: the first published key and one stranger are made once per test file.
let firstKey: Promise<Key> | undefined;
let strangerKey: Promise<Key> | undefined;

async function newKey(): Promise<Key> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = randomBytes(8).toString('hex');
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return { kid, privateKey, jwk };
}

/** A transmitter: publishes a RISC configuration and JWKS through `fetchJson`, signs SETs, rotates keys. */
export class FakeTransmitter {
  published: Key[] = [];
  fetches = { config: 0, jwks: 0 };
  failJwks = false;
  private constructor() {}

  static async create(): Promise<FakeTransmitter> {
    const t = new FakeTransmitter();
    firstKey ??= newKey();
    t.published.push(await firstKey);
    return t;
  }

  get current(): Key {
    return this.published[this.published.length - 1]!;
  }

  /** Publishes a new key and signs with it from now on. */
  async rotate(): Promise<string> {
    const k = await newKey();
    this.published.push(k);
    return k.kid;
  }

  /** A key that is never published. */
  async stranger(): Promise<Key> {
    strangerKey ??= newKey();
    return strangerKey;
  }

  fetchJson = async (url: string): Promise<unknown> => {
    if (url === CONFIG_URL) {
      this.fetches.config++;
      return {
        issuer: RISC_ISSUER,
        jwks_uri: JWKS_URL,
        delivery_methods_supported: ['https://schemas.openid.net/secevent/risc/delivery-method/push'],
      };
    }
    if (url === JWKS_URL) {
      this.fetches.jwks++;
      if (this.failJwks) throw new Error('JWKS down');
      return { keys: this.published.map((k) => k.jwk) };
    }
    throw new Error(`unexpected fetch ${url}`);
  };

  keys(clock: Clock, minRefetchIntervalMs = 60_000): TransmitterKeys {
    return new TransmitterKeys({
      configurationUrl: CONFIG_URL,
      fetchJson: this.fetchJson,
      now: clock.now,
      minRefetchIntervalMs,
    });
  }

  /** A SET with sensible claims; `claims` overrides (undefined values delete a claim). */
  async sign(
    clock: Clock,
    claims: Record<string, unknown> = {},
    opts: { key?: Key; header?: Record<string, unknown> } = {},
  ): Promise<string> {
    const key = opts.key ?? this.current;
    const base: Record<string, unknown> = {
      iss: RISC_ISSUER,
      aud: CLIENT_ID,
      iat: Math.floor(clock.now() / 1000),
      jti: randomBytes(12).toString('hex'),
      events: {
        [RISC_EVENT_URIS['sessions-revoked']]: { subject: { subject_type: 'iss-sub', iss: RISC_ISSUER, sub: ALICE } },
      },
    };
    for (const [k, v] of Object.entries(claims)) {
      if (v === undefined) delete base[k];
      else base[k] = v;
    }
    return new SignJWT(base as JWTPayload)
      .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'secevent+jwt', ...(opts.header ?? {}) })
      .sign(key.privateKey);
  }
}

export function subjectEvent(
  name: keyof typeof RISC_EVENT_URIS,
  extra: Record<string, unknown> = {},
  sub = ALICE,
): Record<string, unknown> {
  return { [RISC_EVENT_URIS[name]]: { subject: { subject_type: 'iss-sub', iss: RISC_ISSUER, sub }, ...extra } };
}

/** A token-revoked event naming one token (of `tokenType`) by an identifier of algorithm `alg`. */
export function tokenRevokedEvent(alg: string, token: string, tokenType = 'refresh_token'): Record<string, unknown> {
  return {
    [RISC_EVENT_URIS['token-revoked']]: {
      subject: { subject_type: 'oauth_token', token_type: tokenType, token_identifier_alg: alg, token },
    },
  };
}

export type Call = [string, ...unknown[]];

/** Records every call; `fail` makes one method throw. */
export function spyAccounts(fail?: keyof AccountActions): AccountActions & { calls: Call[] } {
  const calls: Call[] = [];
  const maybeFail = (name: string) => {
    if (name === fail) throw new Error(`${name} failed`);
  };
  return {
    calls,
    async endSessions(sub, _before) {
      calls.push(['endSessions', sub]);
      maybeFail('endSessions');
      return 2;
    },
    async dropRefreshTokens(sub) {
      calls.push(['dropRefreshTokens', sub]);
      maybeFail('dropRefreshTokens');
      return 1;
    },
    async dropMatchingRefreshToken(matcher: RefreshTokenMatcher, sub?: string) {
      calls.push(['dropMatchingRefreshToken', matcher.alg, sub]);
      maybeFail('dropMatchingRefreshToken');
      return 1;
    },
    async blockSignIn(sub, block) {
      calls.push(['blockSignIn', sub, block.reason]);
      maybeFail('blockSignIn');
      return true;
    },
    async unblockSignIn(sub) {
      calls.push(['unblockSignIn', sub]);
      maybeFail('unblockSignIn');
      return true;
    },
    async flagCredentialChange(sub) {
      calls.push(['flagCredentialChange', sub]);
      maybeFail('flagCredentialChange');
    },
  };
}

export interface AuditLine {
  event: string;
  fields: Record<string, unknown>;
}

export function auditLog(): { lines: AuditLine[]; audit: (event: string, fields: Record<string, unknown>) => void } {
  const lines: AuditLine[] = [];
  return { lines, audit: (event, fields) => lines.push({ event, fields }) };
}

/**
 * The account-events wiring as the app builds it, on `storage`, with a token vault whose issuer is never called
 * (account events only drop tokens). For tests that drive the wiring without the whole app.
 */
export function wiringOn(
  config: Config,
  storage: Storage,
  extra: { claimLeaseMs?: number; logger?: Logger } = {},
): { events: AccountEvents; vault: TokenVault } {
  const logger = extra.logger ?? createLogger('silent');
  const idleMs = config.sessionIdleMinutes * 60_000;
  const vault = new TokenVault({
    keyring: parseKeyring(config.tokenKeys ?? generateKeySpec('test')),
    store: storage.tokens,
    endpoint: {
      refresh: () => Promise.reject(new Error('not used')),
      revoke: () => Promise.reject(new Error('not used')),
    },
    logger,
    recordTtlMs: idleMs,
  });
  const events = accountEvents({
    config,
    logger,
    storage,
    vault,
    audit: logAudit(logger),
    absoluteMs: config.sessionAbsoluteHours * 3_600_000,
    now: Date.now,
    ...(extra.claimLeaseMs !== undefined ? { claimLeaseMs: extra.claimLeaseMs } : {}),
  });
  return { events, vault };
}
