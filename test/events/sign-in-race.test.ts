// A sign-in that passes the block check just before Google's account-disabled is recorded: the reaction's sweep
// ran before this session existed, so the sign-in hook looks again once the session is indexed, and ends it at
// once: no session and no refresh token of a disabled account stay in the store, used or not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Request } from 'express';
import type session from 'express-session';
import { loadConfig } from '../../src/config/env.js';
import { createLogger } from '../../src/log/logger.js';
import { openStorage } from '../../src/storage/index.js';
import { generateKeySpec } from '../../src/tokens/crypto.js';
import { wiringOn } from './helpers.js';

const ALICE = '100000000000000000001';

test('a sign-in that raced account-disabled ends at once: its session and its tokens are gone from the store', async () => {
  const logger = createLogger('silent');
  const config = loadConfig(
    {
      OIDC_CLIENT_ID: 'c',
      OIDC_CLIENT_SECRET: 's',
      SESSION_SECRET: 'x'.repeat(32),
      SESSION_STORE: 'memory',
      TOKEN_KEYS: generateKeySpec('k1'),
      RISC_RECEIVER: 'off',
    },
    { testing: true },
  );
  const storage = await openStorage({ kind: 'memory' }, { idleTtlMs: 3_600_000, logger });
  const { events, vault } = wiringOn(config, storage, { logger });
  const sid = 'sid-of-the-racing-sign-in';
  const signedInAt = Date.now();
  const sess = { cookie: { originalMaxAge: null }, user: { sub: ALICE }, signedInAt } as unknown as session.SessionData;
  // The callback: the block check passes (nothing recorded yet)…
  assert.equal(await events.signIn.refusal(ALICE), undefined);
  // …then the session and its grant are stored, while Google's account-disabled is recorded meanwhile.
  await new Promise<void>((r, j) => storage.sessions.set(sid, sess, (err) => (err ? j(err) : r())));
  await vault.applyGrant(sid, ALICE, { access_token: 'ya29.a', refresh_token: '1//r', expires_in: 3600 }, ['openid']);
  await storage.accounts.blocks.block({
    sub: ALICE,
    blocked: true,
    reason: 'hijacking',
    source: 'risc',
    at: signedInAt,
  });
  const req = {
    sessionID: sid,
    session: { signedInAt },
    ip: '127.0.0.1',
    get: () => undefined,
  } as unknown as Request;
  await events.signIn.signedIn(req, ALICE);
  const left = await new Promise<unknown>((r, j) => storage.sessions.get(sid, (err, s) => (err ? j(err) : r(s))));
  assert.equal(left ?? null, null, 'the session is gone');
  assert.equal(await storage.tokens.get(sid), null, 'and its refresh token with it');
  assert.deepEqual(await storage.accounts.subjects.list(ALICE), [], 'and its index entry');
});
