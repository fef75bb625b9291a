// Google's token-revoked event for one user, handled by an instance that does not yet have the newest token key
// (a rolling key rotation): it drops that user's tokens, and must not touch another user's grant that it cannot
// read. Through the vault's public API only (applyGrant, refs, dropTokens, accessToken), as the account-event
// reaction uses it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../src/log/logger.js';
import { MemoryTokenStore } from '../../src/storage/memory.js';
import { generateKeySpec, parseKeyring } from '../../src/tokens/crypto.js';
import { NoAccessError, TokenKeyUnavailableError, TokenVault, type TokenEndpoint } from '../../src/tokens/vault.js';

const ALICE = '100000000000000000011';
const BOB = '100000000000000000022';
const SCOPES = ['https://www.googleapis.com/auth/compute.readonly'];

const endpoint: TokenEndpoint = {
  refresh: async () => {
    throw new Error('no refresh is expected');
  },
  revoke: async () => {
    throw new Error('no revocation is expected');
  },
};

function vault(store: MemoryTokenStore, keys: string): TokenVault {
  return new TokenVault({
    keyring: parseKeyring(keys),
    store,
    endpoint,
    logger: createLogger('silent'),
    recordTtlMs: 3_600_000,
    skewMs: 60_000,
  });
}

test("a token-revoked event for Alice on an instance without the new key keeps Bob's grant (sealed under it) intact", async () => {
  const oldKey = generateKeySpec('old');
  const newKey = generateKeySpec('new');
  const store = new MemoryTokenStore();
  const rotated = vault(store, `${newKey},${oldKey}`); // already restarted with the new key first
  const lagging = vault(store, oldKey); // not yet restarted
  await lagging.applyGrant(
    'alice-session',
    ALICE,
    { access_token: 'at-alice', refresh_token: 'rt-alice', expires_in: 3600 },
    SCOPES,
  );
  await rotated.applyGrant(
    'bob-session',
    BOB,
    { access_token: 'at-bob', refresh_token: 'rt-bob', expires_in: 3600 },
    SCOPES,
  );
  const bobBefore = await store.get('bob-session');

  // The reaction: every stored grant holding the revoked refresh token loses its tokens.
  const revoked = (set: { refreshToken?: string | undefined }) => set.refreshToken === 'rt-alice';
  const outcome = new Map<string, boolean | Error>();
  for await (const ref of lagging.refs()) {
    outcome.set(ref, await lagging.dropTokens(ref, 'TOKEN_REVOKED', revoked).catch((err: unknown) => err as Error));
  }

  assert.equal(outcome.get('alice-session'), true, "Alice's tokens are dropped");
  const bob = outcome.get('bob-session');
  assert.ok(bob instanceof TokenKeyUnavailableError, `Bob's record is not read as damaged: ${String(bob)}`);
  assert.deepEqual(await store.get('bob-session'), bobBefore, "Bob's record is unchanged");
  assert.deepEqual(await rotated.accessToken('bob-session', BOB), {
    accessToken: 'at-bob',
    scopes: SCOPES,
    version: 1,
  });
  await assert.rejects(rotated.accessToken('alice-session', ALICE), (e: unknown) => {
    assert.ok(e instanceof NoAccessError, String(e));
    return true;
  });
});
