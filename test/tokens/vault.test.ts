// The token vault against an in-memory store and a scripted token endpoint: sealing, refresh ahead of
// expiry, single-flight, fencing, lost grants, unreadable records and key rotation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../src/log/logger.js';
import { generateKeySpec, parseKeyring, type Keyring } from '../../src/tokens/crypto.js';
import type { TokenRecord, TokenStore } from '../../src/tokens/token-store.js';
import { MemoryTokenStore } from '../../src/storage/memory.js';
import type { DistributedLock, LockLease } from '../../src/tokens/lock.js';
import type { TokenResponseLike } from '../../src/tokens/token-set.js';
import {
  NoAccessError,
  RefreshError,
  TokenKeyUnavailableError,
  TokenServiceUnavailableError,
  TokenVault,
  type TokenEndpoint,
  type VaultOptions,
} from '../../src/tokens/vault.js';

const SUB = '100000000000000000001';
const OTHER_SUB = '100000000000000000002';
const SCOPES = ['https://www.googleapis.com/auth/compute.readonly'];
const T0 = 1_800_000_000_000;
const SKEW = 60_000;

type RefreshResult = Awaited<ReturnType<TokenEndpoint['refresh']>>;

/** A scripted token endpoint: counts calls; `next` decides each answer (default: a new access token). */
class FakeEndpoint implements TokenEndpoint {
  calls = 0;
  revoked: string[] = [];
  seen: string[] = [];
  delayMs = 0;
  next: (n: number, refreshToken: string) => RefreshResult | Promise<RefreshResult> = (n) => ({
    response: { access_token: `at-refreshed-${n}`, expires_in: 3600, scope: SCOPES.join(' ') },
  });

  async refresh(refreshToken: string): Promise<RefreshResult> {
    const n = ++this.calls;
    this.seen.push(refreshToken);
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    return this.next(n, refreshToken);
  }

  async revoke(token: string): Promise<void> {
    this.revoked.push(token);
  }
}

/** An in-process stand-in for the Redis lock (the real one has its own integration test). */
class MemoryLock implements DistributedLock {
  readonly held = new Set<string>();
  async tryAcquire(name: string): Promise<LockLease | null> {
    if (this.held.has(name)) return null;
    this.held.add(name);
    let held = true;
    return {
      get held() {
        return held;
      },
      release: async () => {
        if (held) this.held.delete(name);
        held = false;
      },
    };
  }
}

interface Rig {
  vault: TokenVault;
  store: MemoryTokenStore;
  endpoint: FakeEndpoint;
  clock: { now: number };
  keyring: Keyring;
}

function rig(overrides: Partial<VaultOptions> = {}): Rig {
  const clock = { now: T0 };
  const store = (overrides.store as MemoryTokenStore | undefined) ?? new MemoryTokenStore();
  const endpoint = (overrides.endpoint as FakeEndpoint | undefined) ?? new FakeEndpoint();
  const keyring = overrides.keyring ?? parseKeyring(generateKeySpec('k1'));
  const vault = new TokenVault({
    keyring,
    store,
    endpoint,
    logger: createLogger('silent'),
    recordTtlMs: 12 * 3_600_000,
    skewMs: SKEW,
    now: () => clock.now,
    ...overrides,
  });
  return { vault, store, endpoint, clock, keyring };
}

const grant = (extra: Partial<TokenResponseLike> = {}): TokenResponseLike => ({
  access_token: 'at-initial',
  expires_in: 3600,
  refresh_token: 'rt-initial',
  scope: SCOPES.join(' '),
  ...extra,
});

async function rejects<T extends Error>(
  p: Promise<unknown>,
  type: new (...a: never[]) => T,
  check?: (e: T) => void,
): Promise<T> {
  let caught: unknown;
  try {
    await p;
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof type, `expected ${type.name}, got ${String(caught)}`);
  check?.(caught as T);
  return caught as T;
}

async function storedSet(r: Rig, ref: string, sub = SUB) {
  const rec = await r.store.get(ref);
  assert.ok(rec?.sealed, 'record has a sealed set');
  return r.vault.open(sub, ref, rec.sealed);
}

test('applyGrant then accessToken: the same token comes back, sealed at rest', async () => {
  const r = rig();
  const written = await r.vault.applyGrant('ref1', SUB, grant(), SCOPES);
  assert.equal(written.version, 1);
  assert.equal(written.sub, SUB);
  assert.deepEqual(written.scopes, SCOPES);
  const rec = (await r.store.get('ref1'))!;
  assert.ok(rec.sealed?.startsWith('v1.k1.'));
  assert.ok(!JSON.stringify(rec).includes('at-initial'), 'no access token in clear in the record');
  assert.ok(!JSON.stringify(rec).includes('rt-initial'), 'no refresh token in clear in the record');
  const t = await r.vault.accessToken('ref1', SUB);
  assert.deepEqual(t, { accessToken: 'at-initial', scopes: SCOPES, version: 1 });
  assert.equal(r.endpoint.calls, 0);
  assert.equal(await r.vault.hasRefreshToken('ref1', SUB), true);
});

test('no ref, no record, or another user: NoAccessError NO_GRANT, no refresh', async () => {
  const r = rig();
  await rejects(r.vault.accessToken(undefined, SUB), NoAccessError, (e) => assert.equal(e.reason, 'NO_GRANT'));
  await rejects(r.vault.accessToken('nothing', SUB), NoAccessError, (e) => assert.equal(e.reason, 'NO_GRANT'));
  await r.vault.applyGrant('ref1', SUB, grant(), SCOPES);
  await rejects(r.vault.accessToken('ref1', OTHER_SUB), NoAccessError, (e) => assert.equal(e.reason, 'NO_GRANT'));
  assert.equal(r.endpoint.calls, 0);
});

test('refresh ahead of expiry: not before expiry minus skew, then once', async () => {
  const r = rig();
  await r.vault.applyGrant('ref1', SUB, grant(), SCOPES);
  const expiresAt = T0 + 3600_000;
  r.clock.now = expiresAt - SKEW - 1;
  assert.equal((await r.vault.accessToken('ref1', SUB)).accessToken, 'at-initial');
  assert.equal(r.endpoint.calls, 0);
  r.clock.now = expiresAt - SKEW + 1; // inside the skew: refreshed although not expired yet
  const t = await r.vault.accessToken('ref1', SUB);
  assert.equal(t.accessToken, 'at-refreshed-1');
  assert.equal(t.version, 2);
  assert.deepEqual(r.endpoint.seen, ['rt-initial']);
  assert.equal((await r.vault.accessToken('ref1', SUB)).accessToken, 'at-refreshed-1');
  assert.equal(r.endpoint.calls, 1);
});

test('a rotated refresh token is saved in the same write as the new access token', async () => {
  const r = rig();
  await r.vault.applyGrant('ref1', SUB, grant(), SCOPES);
  r.endpoint.next = (n) => ({
    response: { access_token: `at-${n}`, expires_in: 3600, refresh_token: `rt-rotated-${n}`, scope: SCOPES.join(' ') },
  });
  r.clock.now = T0 + 3600_000;
  await r.vault.accessToken('ref1', SUB);
  const rec = (await r.store.get('ref1'))!;
  assert.equal(rec.version, 2, 'one write');
  const set = await storedSet(r, 'ref1');
  assert.equal(set.accessToken, 'at-1');
  assert.equal(set.refreshToken, 'rt-rotated-1');
  r.clock.now += 3600_000;
  await r.vault.accessToken('ref1', SUB);
  assert.deepEqual(r.endpoint.seen, ['rt-initial', 'rt-rotated-1'], 'the next refresh uses the rotated token');
});

test('a refresh answer without refresh_token keeps the old one', async () => {
  const r = rig();
  await r.vault.applyGrant('ref1', SUB, grant(), SCOPES);
  r.clock.now = T0 + 3600_000;
  await r.vault.accessToken('ref1', SUB);
  const set = await storedSet(r, 'ref1');
  assert.equal(set.accessToken, 'at-refreshed-1');
  assert.equal(set.refreshToken, 'rt-initial');
});

test('applyGrant without refresh_token (incremental consent) keeps the old one and takes the new scopes', async () => {
  const r = rig();
  await r.vault.applyGrant('ref1', SUB, grant(), SCOPES);
  const more = [...SCOPES, 'https://www.googleapis.com/auth/devstorage.read_only'];
  const rec = await r.vault.applyGrant(
    'ref1',
    SUB,
    { access_token: 'at-consent', expires_in: 3600, scope: more.join(' ') },
    more,
  );
  assert.equal(rec.version, 2);
  assert.deepEqual(rec.scopes, [...more].sort());
  const set = await storedSet(r, 'ref1');
  assert.equal(set.accessToken, 'at-consent');
  assert.equal(set.refreshToken, 'rt-initial');
});

test('100 concurrent accessToken calls at expiry: exactly one refresh, everyone gets the new token', async () => {
  const r = rig();
  r.endpoint.delayMs = 30;
  await r.vault.applyGrant('ref1', SUB, grant(), SCOPES);
  r.clock.now = T0 + 3600_000 + 1;
  const results = await Promise.all(Array.from({ length: 100 }, () => r.vault.accessToken('ref1', SUB)));
  assert.equal(r.endpoint.calls, 1);
  for (const t of results) assert.equal(t.accessToken, 'at-refreshed-1');
  assert.equal((await r.store.get('ref1'))!.version, 2);
});

test('two vaults (two instances) sharing a store and a lock: one refresh for 100 calls split across them', async () => {
  const store = new MemoryTokenStore();
  const endpoint = new FakeEndpoint();
  endpoint.delayMs = 50;
  const lock = new MemoryLock();
  const a = rig({ store, endpoint, lock });
  const b = rig({ store, endpoint, lock, keyring: a.keyring });
  await a.vault.applyGrant('ref1', SUB, grant(), SCOPES);
  a.clock.now = b.clock.now = T0 + 3600_000 + 1;
  const results = await Promise.all(
    Array.from({ length: 100 }, (_, i) => (i % 2 ? a : b).vault.accessToken('ref1', SUB)),
  );
  assert.equal(endpoint.calls, 1);
  for (const t of results) assert.equal(t.accessToken, 'at-refreshed-1');
  assert.equal(lock.held.size, 0, 'the lock was released');
});

test('an issuer whose tokens live shorter than the skew does not cause a refresh per call', async () => {
  const r = rig();
  r.endpoint.next = (n) => ({ response: { access_token: `at-short-${n}`, expires_in: 30, scope: SCOPES.join(' ') } });
  await r.vault.applyGrant('ref1', SUB, grant({ expires_in: 30 }), SCOPES);
  assert.equal((await r.vault.accessToken('ref1', SUB)).accessToken, 'at-initial', 'a fresh 30 s token is used');
  r.clock.now = T0 + 20_000; // within half its lifetime of expiry: refresh ahead
  assert.equal((await r.vault.accessToken('ref1', SUB)).accessToken, 'at-short-1');
  r.clock.now += 1000;
  assert.equal((await r.vault.accessToken('ref1', SUB)).accessToken, 'at-short-1');
  assert.equal(r.endpoint.calls, 1);
});

test('invalid_grant drops the tokens (no sealed, lost, scopes []) and throws GRANT_LOST; nothing else touched', async () => {
  const r = rig();
  await r.vault.applyGrant('ref1', SUB, grant(), SCOPES);
  await r.vault.applyGrant('ref2', OTHER_SUB, grant({ access_token: 'at-bob' }), SCOPES);
  r.endpoint.next = () => {
    throw new RefreshError('GRANT_INVALID', 'invalid_grant');
  };
  r.clock.now = T0 + 3600_000;
  await rejects(r.vault.accessToken('ref1', SUB), NoAccessError, (e) => assert.equal(e.reason, 'GRANT_LOST'));
  const rec = (await r.store.get('ref1'))!;
  assert.equal(rec.sealed, undefined);
  assert.deepEqual(rec.scopes, []);
  assert.equal(rec.sub, SUB);
  assert.equal(rec.lost?.reason, 'invalid_grant');
  assert.equal(rec.version, 2);
  assert.deepEqual(await r.vault.grantedScopes('ref1'), []);
  // The other session's record is untouched, and later calls say GRANT_LOST without calling the issuer.
  const other = (await r.store.get('ref2'))!;
  assert.equal(other.version, 1);
  assert.equal(r.vault.open(OTHER_SUB, 'ref2', other.sealed!).accessToken, 'at-bob');
  await rejects(r.vault.accessToken('ref1', SUB), NoAccessError, (e) => assert.equal(e.reason, 'GRANT_LOST'));
  assert.equal(r.endpoint.calls, 1);
});

test('invalid_grant while a newer grant was written meanwhile: the new grant is used, not dropped', async () => {
  const r = rig();
  await r.vault.applyGrant('ref1', SUB, grant(), SCOPES);
  r.clock.now = T0 + 3600_000;
  r.endpoint.next = async () => {
    // The user completed a consent (new code grant) while the refresh was in flight.
    await r.vault.applyGrant(
      'ref1',
      SUB,
      { access_token: 'at-new-grant', expires_in: 3600, refresh_token: 'rt-new', scope: SCOPES.join(' ') },
      SCOPES,
    );
    throw new RefreshError('GRANT_INVALID', 'invalid_grant');
  };
  const t = await r.vault.accessToken('ref1', SUB);
  assert.equal(t.accessToken, 'at-new-grant');
  const set = await storedSet(r, 'ref1');
  assert.equal(set.refreshToken, 'rt-new');
});

test('IDP_UNAVAILABLE keeps the refresh token and throws TokenServiceUnavailableError', async () => {
  const r = rig();
  await r.vault.applyGrant('ref1', SUB, grant(), SCOPES);
  r.endpoint.next = () => {
    throw new RefreshError('IDP_UNAVAILABLE', 'ECONNREFUSED');
  };
  r.clock.now = T0 + 3600_000;
  await rejects(r.vault.accessToken('ref1', SUB), TokenServiceUnavailableError);
  const rec = (await r.store.get('ref1'))!;
  assert.equal(rec.version, 1, 'nothing written');
  assert.equal((await storedSet(r, 'ref1')).refreshToken, 'rt-initial');
  // Once the issuer is back, the same refresh token works.
  r.endpoint.next = () => ({ response: { access_token: 'at-back', expires_in: 3600 } });
  assert.equal((await r.vault.accessToken('ref1', SUB)).accessToken, 'at-back');
});

test('a refreshed ID token for another subject is refused and nothing is stored', async () => {
  const r = rig();
  await r.vault.applyGrant('ref1', SUB, grant(), SCOPES);
  r.endpoint.next = () => ({
    response: { access_token: 'at-evil', expires_in: 3600, refresh_token: 'rt-evil' },
    idClaims: { iss: 'https://accounts.google.com', sub: OTHER_SUB },
  });
  r.clock.now = T0 + 3600_000;
  await rejects(r.vault.accessToken('ref1', SUB), TokenServiceUnavailableError);
  const rec = (await r.store.get('ref1'))!;
  assert.equal(rec.version, 1);
  const set = await storedSet(r, 'ref1');
  assert.equal(set.accessToken, 'at-initial');
  assert.equal(set.refreshToken, 'rt-initial');
});

function tamper(sealed: string): string {
  const parts = sealed.split('.');
  const ct = Buffer.from(parts[3]!, 'base64url');
  ct[0] = ct[0]! ^ 0x01;
  parts[3] = ct.toString('base64url');
  return parts.join('.');
}

async function overwrite(
  store: TokenStore,
  ref: string,
  change: (rec: TokenRecord) => Partial<TokenRecord>,
): Promise<void> {
  const rec = (await store.get(ref))!;
  const { version, ...rest } = rec;
  assert.ok(await store.compareAndSet(ref, version, { ...rest, ...change(rec) }, 60_000));
}

test('tampered ciphertext: GRANT_LOST and the record is dropped, never a crash', async () => {
  const r = rig();
  await r.vault.applyGrant('ref1', SUB, grant(), SCOPES);
  await overwrite(r.store, 'ref1', (rec) => ({ sealed: tamper(rec.sealed!) }));
  await rejects(r.vault.accessToken('ref1', SUB), NoAccessError, (e) => assert.equal(e.reason, 'GRANT_LOST'));
  const rec = (await r.store.get('ref1'))!; // dropped before the error is thrown
  assert.equal(rec.sealed, undefined);
  assert.deepEqual(rec.scopes, []);
  assert.equal(rec.lost?.reason, 'TOKENS_UNREADABLE:TAMPERED');
  assert.equal(r.endpoint.calls, 0);
});

test('tampered ciphertext met on the refresh path (after a 401) is dropped too, not a crash', async () => {
  const r = rig();
  await r.vault.applyGrant('ref1', SUB, grant(), SCOPES);
  await overwrite(r.store, 'ref1', (rec) => ({ sealed: tamper(rec.sealed!) }));
  const version = (await r.store.get('ref1'))!.version;
  await rejects(r.vault.refreshAfterRejection('ref1', SUB, version), NoAccessError, (e) =>
    assert.equal(e.reason, 'GRANT_LOST'),
  );
  assert.equal((await r.store.get('ref1'))!.sealed, undefined);
  assert.equal(r.endpoint.calls, 0);
});

test('a sealed set of the wrong shape or from another context (sub) is dropped the same way', async () => {
  const r = rig();
  await r.vault.applyGrant('ref1', SUB, grant(), SCOPES);
  // Sealed for another subject, then relabelled: the bound subject does not match.
  await overwrite(r.store, 'ref1', () => ({
    sealed: r.vault.seal(OTHER_SUB, 'ref1', { accessToken: 'x', expiresAt: T0 + 1e7, scopes: [] }),
  }));
  await rejects(r.vault.accessToken('ref1', SUB), NoAccessError, (e) => assert.equal(e.reason, 'GRANT_LOST'));
  assert.equal((await r.store.get('ref1'))!.lost?.reason, 'TOKENS_UNREADABLE:TAMPERED');
  await r.vault.applyGrant('ref2', SUB, grant(), SCOPES);
  const { sealJson } = await import('../../src/tokens/crypto.js');
  await overwrite(r.store, 'ref2', () => ({
    sealed: sealJson(r.keyring, { nope: true }, `scopewise/tokens/v2/${SUB}/ref2`),
  }));
  await rejects(r.vault.accessToken('ref2', SUB), NoAccessError, (e) => assert.equal(e.reason, 'GRANT_LOST'));
  assert.equal((await r.store.get('ref2'))!.lost?.reason, 'TOKENS_UNREADABLE:TOKEN_SET_INVALID');
});

test('a record sealed under a key this instance does not know: 503 (an operator problem), the record intact', async () => {
  const store = new MemoryTokenStore();
  const old = rig({ store, keyring: parseKeyring(generateKeySpec('gone')) });
  await old.vault.applyGrant('ref1', SUB, grant(), SCOPES);
  const before = (await store.get('ref1'))!;
  const now = rig({ store, keyring: parseKeyring(generateKeySpec('k2')) });
  for (const attempt of [
    () => now.vault.accessToken('ref1', SUB),
    () => now.vault.refreshAfterRejection('ref1', SUB, before.version),
    () => now.vault.hasRefreshToken('ref1', SUB),
    () => now.vault.applyGrant('ref1', SUB, grant({ access_token: 'at-new' }), SCOPES),
    () => now.vault.revoke('ref1', SUB),
  ]) {
    await assert.rejects(attempt(), (e: unknown) => {
      assert.ok(e instanceof TokenKeyUnavailableError, String(e));
      assert.equal(e.code, 'TOKEN_KEY_UNAVAILABLE');
      return true;
    });
  }
  assert.deepEqual(await store.get('ref1'), before, 'nothing changed: the instance that knows the key still can');
  assert.equal(now.endpoint.calls + now.endpoint.revoked.length, 0, 'nothing sent to the issuer');
});

test('a tampered record is dropped, and its audit line says the refresh token could not be revoked', async () => {
  const lines: string[] = [];
  const logger = createLogger('info', { write: (l: string) => void lines.push(l) });
  const r = rig({ logger });
  await r.vault.applyGrant('ref1', SUB, grant(), SCOPES);
  await overwrite(r.store, 'ref1', (rec) => ({ sealed: tamper(rec.sealed!) }));
  await rejects(r.vault.accessToken('ref1', SUB), NoAccessError, (e) => assert.equal(e.reason, 'GRANT_LOST'));
  const audit = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((o) => o.event === 'grant-lost');
  assert.ok(audit, lines.join('\n'));
  assert.equal(audit.refreshTokenRevoked, false);
  assert.match(String(audit.note), /could not be revoked/);
});

test('key rotation: the old key still opens when the new one is first; reencrypt moves records to the new kid', async () => {
  const oldSpec = generateKeySpec('old');
  const newSpec = generateKeySpec('new');
  const store = new MemoryTokenStore();
  const before = rig({ store, keyring: parseKeyring(oldSpec) });
  await before.vault.applyGrant('ref1', SUB, grant(), SCOPES);
  await before.vault.applyGrant('ref2', OTHER_SUB, grant({ access_token: 'at-bob' }), SCOPES);
  const after = rig({ store, keyring: parseKeyring(`${newSpec},${oldSpec}`) });
  assert.equal((await after.vault.accessToken('ref1', SUB)).accessToken, 'at-initial');
  assert.ok((await store.get('ref1'))!.sealed!.startsWith('v1.old.'));

  assert.equal(await after.vault.reencrypt('ref1'), true);
  assert.equal(await after.vault.reencrypt('ref1'), false, 'already current');
  assert.deepEqual(await after.vault.reencryptRecord('ref2'), { status: 'reencrypted' });
  assert.deepEqual(await after.vault.reencryptRecord('missing'), { status: 'absent' });
  for (const ref of ['ref1', 'ref2']) {
    const rec = (await store.get(ref))!;
    assert.ok(rec.sealed!.startsWith('v1.new.'), `${ref} is under the new kid`);
    assert.equal(rec.version, 2);
    assert.deepEqual(rec.scopes, SCOPES);
  }
  // The old key can now be removed.
  const only = rig({ store, keyring: parseKeyring(newSpec) });
  assert.equal((await only.vault.accessToken('ref1', SUB)).accessToken, 'at-initial');
  assert.equal((await only.vault.accessToken('ref2', OTHER_SUB)).accessToken, 'at-bob');
});

test('reencrypt reports an unreadable record and leaves it in place (an operator may have left out a key)', async () => {
  const store = new MemoryTokenStore();
  const a = rig({ store, keyring: parseKeyring(generateKeySpec('a')) });
  await a.vault.applyGrant('ref1', SUB, grant(), SCOPES);
  const b = rig({ store, keyring: parseKeyring(generateKeySpec('b')) });
  const status = await b.vault.reencryptRecord('ref1');
  assert.equal(status.status, 'unreadable');
  assert.ok((await store.get('ref1'))!.sealed!.startsWith('v1.a.'), 'not dropped');
  await assert.rejects(b.vault.reencrypt('ref1'), { name: 'TokenCryptoError' });
});

test('fencing: a stale version is refused by compareAndSet', async () => {
  const store = new MemoryTokenStore();
  const first = await store.compareAndSet('r', 0, { sub: SUB, scopes: [] }, 60_000);
  assert.equal(first?.version, 1);
  assert.equal(await store.compareAndSet('r', 0, { sub: SUB, scopes: ['x'] }, 60_000), null);
  assert.equal((await store.compareAndSet('r', 1, { sub: SUB, scopes: ['y'] }, 60_000))?.version, 2);
  assert.equal(
    await store.compareAndSet('r', 1, { sub: SUB, scopes: ['late'] }, 60_000),
    null,
    'a late writer is refused',
  );
  assert.deepEqual((await store.get('r'))!.scopes, ['y']);
});

test("fencing: a refresh that finishes after another writer is refused and the winner's token is used", async () => {
  const r = rig();
  await r.vault.applyGrant('ref1', SUB, grant(), SCOPES);
  r.clock.now = T0 + 3600_000;
  r.endpoint.next = async () => {
    // Another instance (whose lock lapsed) writes its refreshed token while ours is in flight.
    const rec = (await r.store.get('ref1'))!;
    const winner = {
      accessToken: 'at-winner',
      expiresAt: r.clock.now + 3600_000,
      refreshToken: 'rt-winner',
      scopes: SCOPES,
      obtainedAt: r.clock.now,
    };
    assert.ok(
      await r.store.compareAndSet(
        'ref1',
        rec.version,
        { sub: SUB, scopes: SCOPES, sealed: r.vault.seal(SUB, 'ref1', winner) },
        60_000,
      ),
    );
    return { response: { access_token: 'at-late', expires_in: 3600, refresh_token: 'rt-late' } };
  };
  const t = await r.vault.accessToken('ref1', SUB);
  assert.equal(t.accessToken, 'at-winner');
  assert.equal(t.version, 2);
  const set = await storedSet(r, 'ref1');
  assert.equal(set.accessToken, 'at-winner', 'the late writer did not overwrite');
  assert.equal(set.refreshToken, 'rt-winner');
});

test('refreshAfterRejection: refreshes the rejected version once, or takes a newer token', async () => {
  const r = rig();
  await r.vault.applyGrant('ref1', SUB, grant(), SCOPES);
  const t1 = await r.vault.accessToken('ref1', SUB);
  const [a, b] = await Promise.all([
    r.vault.refreshAfterRejection('ref1', SUB, t1.version),
    r.vault.refreshAfterRejection('ref1', SUB, t1.version),
  ]);
  assert.equal(a.accessToken, 'at-refreshed-1');
  assert.equal(b.accessToken, 'at-refreshed-1');
  // A late 401 for the old version does not refresh again: the newer token is returned.
  const c = await r.vault.refreshAfterRejection('ref1', SUB, t1.version);
  assert.equal(c.accessToken, 'at-refreshed-1');
  assert.equal(r.endpoint.calls, 1);
});

test('no refresh token: NO_REFRESH_TOKEN once the access token expires', async () => {
  const r = rig();
  await r.vault.applyGrant('ref1', SUB, grant({ refresh_token: undefined }), SCOPES);
  r.clock.now = T0 + 3600_000;
  await rejects(r.vault.accessToken('ref1', SUB), NoAccessError, (e) => assert.equal(e.reason, 'NO_REFRESH_TOKEN'));
  assert.equal(r.endpoint.calls, 0);
});

test('a peer that holds the lock forever: the wait ends after waitForPeerMs even with a frozen clock', {
  timeout: 5000,
}, async () => {
  const lock: DistributedLock = { tryAcquire: async () => null };
  const r = rig({ lock, waitForPeerMs: 300 });
  await r.vault.applyGrant('ref1', SUB, grant(), SCOPES);
  r.clock.now = T0 + 3600_000; // the injected clock never moves
  const started = Date.now();
  await rejects(r.vault.accessToken('ref1', SUB), TokenServiceUnavailableError);
  assert.ok(Date.now() - started < 3000, 'did not hang');
  assert.equal(r.endpoint.calls, 0);
});

test('revoke: revokes the refresh token at the issuer and drops the record', async () => {
  const r = rig();
  await r.vault.applyGrant('ref1', SUB, grant(), SCOPES);
  assert.deepEqual(await r.vault.revoke('ref1', SUB), { revoked: true });
  assert.deepEqual(r.endpoint.revoked, ['rt-initial']);
  assert.equal(await r.store.get('ref1'), null);
});

test("a sealed set copied under another session (record key) opens nothing: dropped, never the other session's token", async () => {
  const r = rig();
  await r.vault.applyGrant('victim-session', SUB, grant({ access_token: 'at-victim' }), SCOPES);
  await r.vault.applyGrant('attacker-session', SUB, grant({ access_token: 'at-attacker' }), SCOPES);
  const victim = (await r.store.get('victim-session'))!;
  await overwrite(r.store, 'attacker-session', () => ({ sealed: victim.sealed! }));
  await rejects(r.vault.accessToken('attacker-session', SUB), NoAccessError, (e) =>
    assert.equal(e.reason, 'GRANT_LOST'),
  );
  assert.equal((await r.store.get('attacker-session'))!.lost?.reason, 'TOKENS_UNREADABLE:TAMPERED');
  assert.equal((await r.vault.accessToken('victim-session', SUB)).accessToken, 'at-victim', 'the victim is unaffected');
});

/**
 * Start a refresh of ref1 that the issuer answers slowly (50 ms) with a rotated refresh token (rt-rotated,
 * invalidating rt-initial), and let it get under way: the refresh in flight, for a consent to race.
 */
async function refreshInFlightWithRotation(r: Rig): Promise<{ refreshing: ReturnType<Rig['vault']['accessToken']> }> {
  await r.vault.applyGrant('ref1', SUB, grant({ expires_in: 1 }), SCOPES); // expires at once: a refresh is due
  r.clock.now += 2000;
  r.endpoint.delayMs = 50;
  r.endpoint.next = () => ({
    response: { access_token: 'at-refreshed', expires_in: 3600, refresh_token: 'rt-rotated', scope: SCOPES.join(' ') },
  });
  const refreshing = r.vault.accessToken('ref1', SUB);
  await new Promise((res) => setTimeout(res, 10));
  return { refreshing }; // wrapped: awaiting this function must not await the refresh
}

test('a refresh fenced out by a concurrent consent keeps the rotated refresh token the issuer just gave', async () => {
  const r = rig();
  const { refreshing } = await refreshInFlightWithRotation(r);
  // Meanwhile a consent completes: a new access token, no new refresh token (the old one is kept).
  const WIDER = [...SCOPES, 'https://www.googleapis.com/auth/logging.read'];
  await r.vault.applyGrant(
    'ref1',
    SUB,
    { access_token: 'at-consent', expires_in: 3600, scope: WIDER.join(' ') },
    WIDER,
  );
  const got = await refreshing;
  assert.equal(got.accessToken, 'at-consent', 'the newer token wins');
  const stored = await storedSet(r, 'ref1');
  assert.equal(stored.accessToken, 'at-consent');
  assert.deepEqual(stored.scopes, WIDER, "the consent's scopes are kept");
  assert.equal(stored.refreshToken, 'rt-rotated', 'the rotated refresh token was merged into the winning record');
});

test("a refresh fenced out by a consent that brought its own refresh token keeps the consent's", async () => {
  const r = rig();
  const { refreshing } = await refreshInFlightWithRotation(r);
  await r.vault.applyGrant('ref1', SUB, grant({ access_token: 'at-consent', refresh_token: 'rt-consent' }), SCOPES);
  await refreshing;
  assert.equal((await storedSet(r, 'ref1')).refreshToken, 'rt-consent');
});
