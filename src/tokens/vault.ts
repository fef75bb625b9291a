// The token vault: the only place that turns a session's token record into tokens and back.
// - Sealed with AES-256-GCM (crypto.ts), the user's subject bound in as associated data.
// - Fresh access tokens on demand: refreshed ahead of expiry, one refresh at a time per session
//   (single-flight in this process, a Redis lock across instances, version-fenced write-back).
// - A grant the issuer no longer honours (invalid_grant) drops the tokens and says so; an issuer that is
//   down keeps them.
import type { Logger } from '../log/logger.js';
import { logAudit, type Audit } from '../log/audit.js';
import { openJson, sealJson, needsReencrypt, TokenCryptoError, type Keyring } from './crypto.js';
import { applyTokenResponse, type TokenResponseLike, type TokenSet } from './token-set.js';
import type { TokenRecord, TokenStore } from './token-store.js';
import type { DistributedLock, LockLease } from './lock.js';

/** What the vault needs from the issuer (implemented with openid-client in auth/token-endpoint.ts). */
export interface TokenEndpoint {
  refresh(refreshToken: string): Promise<{ response: TokenResponseLike; idClaims?: { iss: string; sub: string } }>;
  revoke(token: string, hint: 'refresh_token' | 'access_token'): Promise<void>;
}

export type RefreshErrorCode = 'GRANT_INVALID' | 'IDP_UNAVAILABLE' | 'IDENTITY_CHANGED';

export class RefreshError extends Error {
  constructor(
    readonly code: RefreshErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RefreshError';
  }
}

export type NoAccessReason = 'NO_GRANT' | 'GRANT_LOST' | 'GRANT_ENDED' | 'NO_REFRESH_TOKEN';

/** Why a record's tokens were dropped when the user's time-limited access ended. */
export const GRANT_ENDED_REASON = 'grant-ended';

/** The session has no usable access token: the user must grant access (again). */
export class NoAccessError extends Error {
  readonly code = 'NO_ACCESS';
  constructor(
    readonly reason: NoAccessReason,
    message: string,
  ) {
    super(message);
    this.name = 'NoAccessError';
  }
}

/** The issuer could not refresh right now; the tokens are kept. */
export class TokenServiceUnavailableError extends Error {
  readonly code = 'TOKEN_SERVICE_UNAVAILABLE';
}

export class TokenSetInvalidError extends Error {
  readonly code = 'TOKEN_SET_INVALID';
}

/**
 * The record was sealed under a key this instance does not have (a key rotation in progress, or an operator
 * left a key out). An operator's problem, not the user's: the record is left intact for an instance that has
 * the key, and the request answers 503.
 */
export class TokenKeyUnavailableError extends Error {
  readonly code = 'TOKEN_KEY_UNAVAILABLE';
  readonly status = 503;
  readonly title = 'Google access cannot be read on this server right now';
  constructor(readonly kid: string | undefined) {
    super(
      'Scopewise cannot open your stored Google access with the keys this server has (a key rotation may be in progress). Nothing was lost; please try again in a minute. If this persists, the operator should check TOKEN_KEYS.',
    );
    this.name = 'TokenKeyUnavailableError';
  }
}

export interface FreshToken {
  accessToken: string;
  scopes: string[];
  /** The record version the token came from: pass it back to `refreshAfterRejection`. */
  version: number;
}

export type ReencryptStatus =
  /** `absent`: no such record; `empty`: a record without tokens (the grant was lost or revoked). */
  | { status: 'reencrypted' | 'current' | 'absent' | 'empty' }
  | { status: 'unreadable'; error: TokenCryptoError | TokenSetInvalidError };

export interface VaultOptions {
  keyring: Keyring;
  store: TokenStore;
  endpoint: TokenEndpoint;
  logger: Logger;
  /** How long a token record lives in the store (the session's absolute lifetime). */
  recordTtlMs: number;
  lock?: DistributedLock;
  /** Refresh this long before expiry. */
  skewMs?: number;
  lockTtlMs?: number;
  /** How long a request waits for another instance's refresh. */
  waitForPeerMs?: number;
  now?: () => number;
  /** Each refresh at the issuer: started, and whether it failed (metrics, tests). */
  onRefresh?: (outcome: 'started' | 'failed') => void;
  /** Audit events (default: a line on `logger`). */
  audit?: Audit;
}

/**
 * What a sealed set is bound to: the user and the session (its record's key, the session id). A record
 * copied under another session, or relabelled with another user, fails to open.
 */
const aadFor = (sub: string, ref: string): string => `scopewise/tokens/v2/${sub}/${ref}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const OPENED_CACHE_MAX = 5000;

export class TokenVault {
  private readonly opened = new Map<string, { sub: string; ref: string; set: TokenSet }>();
  private readonly inflight = new Map<string, Promise<FreshToken>>();
  private readonly skewMs: number;
  private readonly now: () => number;

  private readonly audit: Audit;

  constructor(private readonly opts: VaultOptions) {
    this.skewMs = opts.skewMs ?? 60_000;
    this.now = opts.now ?? Date.now;
    this.audit = opts.audit ?? logAudit(opts.logger);
  }

  get keyring(): Keyring {
    return this.opts.keyring;
  }

  /** The record for a token set: the sealed set, and what is not secret beside it (scopes, grant end, when confirmed). */
  private recordOf(sub: string, ref: string, set: TokenSet): Omit<TokenRecord, 'version'> {
    return {
      sub,
      scopes: set.scopes,
      sealed: this.seal(sub, ref, set),
      ...(set.refreshTokenExpiresAt !== undefined ? { grantEndsAt: set.refreshTokenExpiresAt } : {}),
      confirmedAt: this.now(),
    };
  }

  seal(sub: string, ref: string, set: TokenSet): string {
    return sealJson(this.opts.keyring, set, aadFor(sub, ref));
  }

  /**
   * Opens a sealed set. Throws TokenKeyUnavailableError (a key this instance lacks: leave the record alone),
   * TokenCryptoError (tampered, malformed) or TokenSetInvalidError.
   */
  open(sub: string, ref: string, sealed: string): TokenSet {
    // Every request of a signed-in feature opens the same sealed set until it changes; remember the last
    // few thousand by their exact ciphertext (a fresh IV per seal makes it unique), so AES-GCM and JSON
    // parsing run once per token, not once per request. A tampered value never matches and is checked.
    const hit = this.opened.get(sealed);
    if (hit && hit.sub === sub && hit.ref === ref) return hit.set;
    let value: unknown;
    try {
      value = openJson(this.opts.keyring, sealed, aadFor(sub, ref));
    } catch (err) {
      if (err instanceof TokenCryptoError && err.code === 'UNKNOWN_KEY') {
        const kid = sealed.split('.')[1];
        this.opts.logger.error(
          { code: 'TOKEN_KEY_UNAVAILABLE', kid, kids: this.opts.keyring.kids },
          'a token record is sealed under a key missing from TOKEN_KEYS; it was left intact',
        );
        throw new TokenKeyUnavailableError(kid);
      }
      throw err;
    }
    if (!isTokenSet(value)) throw new TokenSetInvalidError('Stored token set has an unexpected shape');
    Object.freeze(value.scopes);
    const set = Object.freeze(value);
    if (this.opened.size >= OPENED_CACHE_MAX) this.opened.clear();
    this.opened.set(sealed, { sub, ref, set });
    return set;
  }

  async record(ref: string | undefined): Promise<TokenRecord | null> {
    return ref ? this.opts.store.get(ref) : null;
  }

  /** Whether the session holds a refresh token (decides whether consent must force `prompt=consent`). */
  async hasRefreshToken(ref: string | undefined, sub: string): Promise<boolean> {
    const rec = await this.record(ref);
    if (!ref || !rec?.sealed || rec.sub !== sub) return false;
    try {
      return Boolean(this.open(sub, ref, rec.sealed).refreshToken);
    } catch (err) {
      if (err instanceof TokenKeyUnavailableError) throw err;
      return false;
    }
  }

  /** Scopes the session holds (empty when none or lost). */
  async grantedScopes(ref: string | undefined): Promise<string[]> {
    return (await this.record(ref))?.scopes ?? [];
  }

  /**
   * Applies a token response from the authorization-code flow (sign-in or consent) to the record:
   * the new access token, a new refresh token if one came (none keeps the old), the granted scopes.
   */
  async applyGrant(
    ref: string,
    sub: string,
    response: TokenResponseLike,
    requestedScopes: readonly string[],
  ): Promise<TokenRecord> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await this.opts.store.get(ref);
      let previous: TokenSet | undefined;
      if (current?.sealed && current.sub === sub) {
        try {
          previous = this.open(sub, ref, current.sealed);
        } catch (err) {
          // Under a key we lack, the record (and its refresh token) belongs to an instance that has the key.
          if (err instanceof TokenKeyUnavailableError) throw err;
          previous = undefined; // tampered or malformed: replaced by what was just granted
        }
      }
      const set = applyTokenResponse(previous, response, requestedScopes, this.now());
      const written = await this.opts.store.compareAndSet(
        ref,
        current?.version ?? 0,
        this.recordOf(sub, ref, set),
        this.opts.recordTtlMs,
      );
      if (written) return written;
    }
    throw new Error('Token record kept changing while a grant was being saved');
  }

  /** A fresh access token for the session, refreshing it (once, shared) when it is about to expire. */
  async accessToken(ref: string | undefined, sub: string, known?: TokenRecord | null): Promise<FreshToken> {
    if (!ref) throw new NoAccessError('NO_GRANT', 'This session holds no Google access yet.');
    // `known`: the record this request already read (the readiness check), saving a second store read.
    const rec = known !== undefined ? known : await this.opts.store.get(ref);
    const fresh = await this.freshFrom(ref, rec, sub, 'ahead');
    if (fresh) return fresh;
    return this.refreshShared(ref, sub, rec?.version ?? 0);
  }

  /** After Google answered 401 for the token of `version`: refresh once (or take a newer token). */
  async refreshAfterRejection(ref: string, sub: string, version: number): Promise<FreshToken> {
    return this.refreshShared(ref, sub, version);
  }

  /**
   * Drops a session's tokens but keeps its record (marked lost with `reason`), so its features ask for consent
   * again with a clear message: Google revoked them (account events). Returns whether tokens were dropped.
   */
  async dropTokens(ref: string, reason: string, matches: (set: TokenSet) => boolean = () => true): Promise<boolean> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const rec = await this.opts.store.get(ref);
      if (!rec?.sealed) return false;
      let set: TokenSet;
      try {
        set = this.open(rec.sub, ref, rec.sealed);
      } catch (err) {
        if (err instanceof TokenKeyUnavailableError) throw err;
        return this.markLost(ref, rec.sub, rec, `TOKENS_UNREADABLE:${(err as { code?: string }).code ?? 'ERROR'}`);
      }
      if (!matches(set)) return false;
      if (await this.markLost(ref, rec.sub, rec, reason)) return true;
    }
    throw new Error('Token record kept changing while its tokens were being dropped');
  }

  /** Every stored record's session id (account events look for one refresh token among all of them). */
  refs(): AsyncIterable<string> {
    return this.opts.store.refs();
  }

  /** Drops the tokens of a session (sign-out keeps the grant at the issuer). */
  async drop(ref: string | undefined): Promise<void> {
    if (ref) await this.opts.store.delete(ref);
  }

  /**
   * Revokes the grant at the issuer (RFC 7009; Google revokes the whole grant) and drops the tokens.
   * Returns whether the issuer confirmed; the local tokens are dropped either way.
   */
  async revoke(ref: string | undefined, sub: string): Promise<{ revoked: boolean; error?: string }> {
    if (!ref) return { revoked: true };
    const rec = await this.opts.store.get(ref);
    let result: { revoked: boolean; error?: string } = { revoked: true };
    if (rec?.sealed) {
      // Opened before anything is sent or deleted: under a key we lack, nothing may be lost (throws 503).
      let set: TokenSet | undefined;
      try {
        set = this.open(sub, ref, rec.sealed);
      } catch (err) {
        if (err instanceof TokenKeyUnavailableError) throw err;
        set = undefined;
      }
      try {
        if (!set)
          throw new TokenCryptoError('TAMPERED', 'the stored tokens could not be read, so none could be revoked');
        if (set.refreshToken) await this.opts.endpoint.revoke(set.refreshToken, 'refresh_token');
        else await this.opts.endpoint.revoke(set.accessToken, 'access_token');
      } catch (err) {
        // Only the error's code or class: an issuer's message is not ours to log verbatim.
        const e = err as { code?: unknown; error?: unknown; name?: unknown };
        result = { revoked: false, error: String(e.error ?? e.code ?? e.name ?? 'ERROR') };
      }
    }
    await this.opts.store.delete(ref);
    return result;
  }

  /**
   * Re-encrypts a record under the newest key; returns whether it changed. Throws TokenCryptoError /
   * TokenSetInvalidError when the record cannot be opened (see `reencryptRecord` for a status instead).
   */
  async reencrypt(ref: string): Promise<boolean> {
    const status = await this.reencryptRecord(ref);
    if (status.status === 'unreadable') throw status.error;
    return status.status === 'reencrypted';
  }

  /**
   * Re-encrypts one record under the keyring's current key (maintenance after a key rotation). A record
   * that cannot be opened is reported, never dropped: the operator may have left out a key. A concurrent
   * write (a refresh) is retried on the newer record.
   */
  async reencryptRecord(ref: string): Promise<ReencryptStatus> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const rec = await this.opts.store.get(ref);
      if (!rec) return { status: 'absent' };
      if (!rec.sealed) return { status: 'empty' };
      let set: TokenSet;
      try {
        if (!needsReencrypt(this.opts.keyring, rec.sealed)) return { status: 'current' };
        set = this.open(rec.sub, ref, rec.sealed);
      } catch (err) {
        if (err instanceof TokenKeyUnavailableError)
          return { status: 'unreadable', error: new TokenCryptoError('UNKNOWN_KEY', err.message) };
        if (err instanceof TokenCryptoError || err instanceof TokenSetInvalidError)
          return { status: 'unreadable', error: err };
        throw err;
      }
      const { version: _v, ...rest } = rec;
      const written = await this.opts.store.compareAndSet(
        ref,
        rec.version,
        { ...rest, sealed: this.seal(rec.sub, ref, set) },
        this.opts.recordTtlMs,
      );
      if (written) return { status: 'reencrypted' };
    }
    throw new Error('Token record kept changing while it was being re-encrypted');
  }

  /**
   * The record's access token when it is still usable, undefined when it needs a refresh. `ahead` asks
   * for one that stays valid for the skew (refresh ahead of expiry); `unexpired` accepts any token that
   * has not expired yet (used for a token another request or instance has just refreshed, so that an
   * issuer whose tokens live shorter than the skew does not cause a refresh per request).
   */
  private async freshFrom(
    ref: string,
    rec: TokenRecord | null,
    sub: string,
    need: 'ahead' | 'unexpired',
  ): Promise<FreshToken | undefined> {
    const set = await this.openRecord(ref, rec, sub);
    const margin = need === 'ahead' ? this.skewFor(set) : 0;
    if (set.expiresAt - margin > this.now())
      return { accessToken: set.accessToken, scopes: set.scopes, version: rec!.version };
    return undefined;
  }

  /** The refresh-ahead margin for a set: the configured skew, but never more than half the token's lifetime. */
  private skewFor(set: TokenSet): number {
    if (typeof set.obtainedAt === 'number' && set.obtainedAt < set.expiresAt) {
      return Math.min(this.skewMs, Math.floor((set.expiresAt - set.obtainedAt) / 2));
    }
    return this.skewMs;
  }

  /**
   * Opens a record's token set, or explains why there is none. A set that cannot be read (tampered, an
   * unexpected shape) is dropped before GRANT_LOST is thrown: the user grants again, nothing crashes. A set
   * sealed under a key this instance lacks is left alone (TokenKeyUnavailableError, a 503).
   */
  private async openRecord(ref: string, rec: TokenRecord | null, sub: string): Promise<TokenSet> {
    if (!rec) throw new NoAccessError('NO_GRANT', 'This session holds no Google access yet.');
    if (!rec.sealed) throw new NoAccessError('GRANT_LOST', 'Google access for this session was removed.');
    if (rec.sub !== sub) throw new NoAccessError('NO_GRANT', 'The stored tokens belong to another user.');
    if (rec.grantEndsAt !== undefined && this.now() >= rec.grantEndsAt) {
      // Time-based access: the user granted access until then. Google refuses the refresh token from now on.
      await this.markLost(ref, sub, rec, GRANT_ENDED_REASON);
      throw new NoAccessError('GRANT_ENDED', 'The time-limited access granted to Scopewise has ended.');
    }
    try {
      return this.open(sub, ref, rec.sealed);
    } catch (err) {
      if (err instanceof TokenCryptoError || err instanceof TokenSetInvalidError) {
        await this.markLost(ref, rec.sub, rec, `TOKENS_UNREADABLE:${err.code}`);
        throw new NoAccessError('GRANT_LOST', 'The stored Google access could not be read and was dropped.');
      }
      throw err;
    }
  }

  private refreshShared(ref: string, sub: string, staleVersion: number): Promise<FreshToken> {
    const running = this.inflight.get(ref);
    if (running) return running;
    const p = this.refreshOnce(ref, sub, staleVersion).finally(() => this.inflight.delete(ref));
    this.inflight.set(ref, p);
    return p;
  }

  private async refreshOnce(ref: string, sub: string, staleVersion: number): Promise<FreshToken> {
    const lockTtl = this.opts.lockTtlMs ?? 10_000;
    let lease: LockLease | null = null;
    if (this.opts.lock) {
      lease = await this.opts.lock.tryAcquire(`refresh:${ref}`, lockTtl).catch(() => null);
      if (!lease) return this.waitForPeer(ref, sub, staleVersion);
    }
    try {
      const rec = await this.opts.store.get(ref);
      if (rec && rec.version !== staleVersion) {
        const newer = await this.freshFrom(ref, rec, sub, 'unexpired');
        if (newer) return newer; // someone refreshed while we waited for the lock
      }
      if (!rec) throw new NoAccessError('NO_GRANT', 'This session holds no Google access yet.');
      const set = await this.openRecord(ref, rec, sub);
      if (!set.refreshToken) {
        throw new NoAccessError(
          'NO_REFRESH_TOKEN',
          'The access token expired and this session has no refresh token; grant access again.',
        );
      }
      let result: Awaited<ReturnType<TokenEndpoint['refresh']>>;
      try {
        this.opts.onRefresh?.('started');
        result = await this.opts.endpoint.refresh(set.refreshToken);
      } catch (err) {
        if (err instanceof RefreshError && err.code === 'GRANT_INVALID') {
          if (!(await this.markLost(ref, sub, rec, 'invalid_grant'))) {
            // Someone wrote a newer record meanwhile (a new grant from consent, a peer's refresh): use it if it works.
            const newer = await this.freshFrom(ref, await this.opts.store.get(ref), sub, 'unexpired');
            if (newer) return newer;
          }
          throw new NoAccessError('GRANT_LOST', 'Google no longer accepts this grant (access was removed or expired).');
        }
        const msg = err instanceof Error ? err.message : String(err);
        this.audit('token-refresh-failed', {
          sub,
          reason: err instanceof RefreshError ? err.code : 'ERROR',
          message: msg,
        });
        this.opts.onRefresh?.('failed');
        throw new TokenServiceUnavailableError('Google could not refresh access right now; please try again shortly.');
      }
      if (result.idClaims && result.idClaims.sub !== sub) {
        this.audit('token-refresh-failed', { sub, reason: 'IDENTITY_CHANGED' });
        throw new TokenServiceUnavailableError(
          'The identity provider answered a refresh with another identity; the answer was refused.',
        );
      }
      const next = applyTokenResponse(set, result.response, set.scopes, this.now());
      if (lease && !lease.held)
        this.opts.logger.warn({ ref: 'redacted' }, 'refresh lock lapsed during refresh; relying on the version fence');
      const written = await this.opts.store.compareAndSet(
        ref,
        rec.version,
        this.recordOf(sub, ref, next),
        this.opts.recordTtlMs,
      );
      if (written) return { accessToken: next.accessToken, scopes: next.scopes, version: written.version };
      // Fenced out: a newer token was written meanwhile (a consent, a peer). Use it, but keep a refresh token
      // the issuer just rotated: the one the winner holds may be the one this refresh used up.
      if (result.response.refresh_token && result.response.refresh_token !== set.refreshToken) {
        await this.mergeRotatedRefreshToken(ref, sub, set.refreshToken, result.response.refresh_token);
      }
      const winner = await this.freshFrom(ref, await this.opts.store.get(ref), sub, 'unexpired');
      if (winner) return winner;
      return { accessToken: next.accessToken, scopes: next.scopes, version: rec.version };
    } finally {
      await lease?.release();
    }
  }

  /**
   * Puts `rotated` into the current record when it still holds the refresh token that was used up (`usedUp`)
   * or none at all; a record holding another refresh token (a consent brought its own) is newer and kept.
   */
  private async mergeRotatedRefreshToken(ref: string, sub: string, usedUp: string, rotated: string): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await this.opts.store.get(ref);
      if (!current?.sealed || current.sub !== sub) return;
      let held: TokenSet;
      try {
        held = this.open(sub, ref, current.sealed);
      } catch {
        return;
      }
      if (held.refreshToken !== undefined && held.refreshToken !== usedUp) return;
      const merged: TokenSet = { ...held, refreshToken: rotated };
      const { version, ...rest } = current;
      if (
        await this.opts.store.compareAndSet(
          ref,
          version,
          { ...rest, sealed: this.seal(sub, ref, merged) },
          this.opts.recordTtlMs,
        )
      )
        return;
    }
    this.opts.logger.warn(
      { code: 'ROTATED_REFRESH_TOKEN_NOT_MERGED' },
      'a rotated refresh token could not be merged: the record kept changing',
    );
  }

  /** Another instance holds the refresh lock: wait for its result to appear in the store. */
  private async waitForPeer(ref: string, sub: string, staleVersion: number): Promise<FreshToken> {
    // Real time, not `now`: the wait sleeps in real time (an injected clock may stand still).
    const deadline = Date.now() + (this.opts.waitForPeerMs ?? 10_000);
    let delay = 20;
    while (Date.now() < deadline) {
      await sleep(delay);
      delay = Math.min(delay * 2, 200);
      const rec = await this.opts.store.get(ref);
      if (rec && rec.version !== staleVersion) {
        const fresh = await this.freshFrom(ref, rec, sub, 'unexpired');
        if (fresh) return fresh;
      }
      if (this.opts.lock) {
        // The holder may have given up (crashed, issuer down): take over if the lock is free.
        const lease = await this.opts.lock.tryAcquire(`refresh:${ref}`, 1).catch(() => null);
        if (lease) {
          await lease.release();
          return this.refreshOnce(ref, sub, staleVersion);
        }
      }
    }
    throw new TokenServiceUnavailableError('Access is being refreshed by another instance; please try again shortly.');
  }

  /** Drops the tokens of `rec` (fenced on its version); returns false when a newer record was there. */
  private async markLost(ref: string, sub: string, rec: TokenRecord, reason: string): Promise<boolean> {
    const written = await this.opts.store
      .compareAndSet(
        ref,
        rec.version,
        {
          sub,
          scopes: [],
          lost: { at: this.now(), reason },
          ...(rec.grantEndsAt !== undefined ? { grantEndsAt: rec.grantEndsAt } : {}),
        },
        this.opts.recordTtlMs,
      )
      .catch(() => null);
    if (written) {
      const unreadable = reason.startsWith('TOKENS_UNREADABLE');
      this.audit('grant-lost', {
        sub,
        reason,
        ...(unreadable
          ? {
              refreshTokenRevoked: false,
              note: 'the stored tokens could not be read, so the refresh token could not be revoked at the issuer',
            }
          : {}),
      });
    }
    return written !== null;
  }
}

function isTokenSet(v: unknown): v is TokenSet {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    typeof o.accessToken === 'string' &&
    typeof o.expiresAt === 'number' &&
    (o.refreshToken === undefined || typeof o.refreshToken === 'string') &&
    (o.obtainedAt === undefined || typeof o.obtainedAt === 'number') &&
    Array.isArray(o.scopes) &&
    o.scopes.every((s) => typeof s === 'string')
  );
}
