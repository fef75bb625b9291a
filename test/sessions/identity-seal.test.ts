// The session's identity (who is signed in, and since when) is bound to its session id by a MAC under a key
// derived from SESSION_SECRET, and checked on every request: whoever can write to the session store cannot make
// one session act as another user by copying fields or records (the app-level attack: store-writer.test.ts).
import { describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import type session from 'express-session';
import { sealIdentity, sessionIdentityKeys, verifyIdentity } from '../../src/sessions/identity-seal.js';
import type { SessionUser } from '../../src/sessions/types.js';
import { RedisChild, sessionIdOf, startCluster } from '../support/index.js';

const ALICE: SessionUser = {
  sub: '100000000000000000001',
  iss: 'https://accounts.example.test',
  email: 'alice@example.com',
  emailVerified: true,
  name: 'Alice',
  hd: 'example.com',
};
const OLD = 'o'.repeat(40);
const NEW = 'n'.repeat(40);

describe('identity seal (pure)', () => {
  const keys = sessionIdentityKeys([NEW, OLD]);
  const seal = sealIdentity(keys, 'sid-1', ALICE, 1000);

  it('verifies for the same session id, identity and sign-in time', () => {
    assert.equal(verifyIdentity(keys, 'sid-1', ALICE, 1000, seal), 'valid');
  });

  it('fails for another session id, any changed identity field, another sign-in time, or no seal', () => {
    assert.equal(verifyIdentity(keys, 'sid-2', ALICE, 1000, seal), 'invalid');
    for (const [field, value] of [
      ['sub', '100000000000000000002'],
      ['iss', 'https://evil.example'],
      ['email', 'bob@example.com'],
      ['emailVerified', false],
      ['name', 'Bob'],
      ['hd', undefined],
    ] as const) {
      assert.equal(verifyIdentity(keys, 'sid-1', { ...ALICE, [field]: value }, 1000, seal), 'invalid', field);
    }
    assert.equal(verifyIdentity(keys, 'sid-1', ALICE, 999, seal), 'invalid', 'signedInAt');
    assert.equal(verifyIdentity(keys, 'sid-1', ALICE, 1000, undefined), 'invalid');
    assert.equal(verifyIdentity(keys, 'sid-1', ALICE, 1000, `${seal}x`), 'invalid');
    assert.equal(verifyIdentity(keys, 'sid-1', ALICE, 1000, 'v1.'), 'invalid');
  });

  it('rotation: a seal made under an older secret still verifies, and says so (to be sealed again); a dropped secret’s does not', () => {
    const old = sealIdentity(sessionIdentityKeys([OLD]), 'sid-1', ALICE, 1000);
    assert.equal(verifyIdentity(keys, 'sid-1', ALICE, 1000, old), 'valid-older-key');
    assert.equal(verifyIdentity(sessionIdentityKeys([NEW]), 'sid-1', ALICE, 1000, old), 'invalid');
  });

  it('the key is derived from the secret, not the secret itself (which also signs the cookie)', () => {
    const raw = crypto.createHmac('sha256', NEW).update('anything').digest('base64url');
    assert.ok(!seal.includes(raw));
    assert.notEqual(
      sealIdentity(sessionIdentityKeys([NEW]), 'sid-1', ALICE, 1000),
      sealIdentity(sessionIdentityKeys([OLD]), 'sid-1', ALICE, 1000),
    );
  });
});

test('rotating SESSION_SECRET (new,old) keeps sessions signed in and seals them again under the new secret', async () => {
  const redis = await RedisChild.start();
  const cluster = await startCluster({ instances: 1, env: { SESSION_STORE: redis.url, SESSION_SECRET: OLD } });
  try {
    const b = await cluster.signIn('alice@example.com');
    const sid = sessionIdOf(b);
    const read = () =>
      new Promise<session.SessionData>((resolve, reject) =>
        cluster.instances[0]!.app.storage.sessions.get(sid, (err, s) => (err || !s ? reject(err) : resolve(s))),
      );
    const before = await read();
    await cluster.restart(0, { SESSION_SECRET: `${NEW},${OLD}` });
    const me = await b.request(`${cluster.instances[0]!.baseUrl}/me`);
    assert.equal(me.status, 200, 'still signed in after the rotation');
    await me.arrayBuffer();
    const after = await read();
    const newOnly = sessionIdentityKeys([NEW]);
    assert.equal(verifyIdentity(newOnly, sid, before.user!, before.signedInAt!, before.identitySeal), 'invalid');
    assert.equal(
      verifyIdentity(newOnly, sid, after.user!, after.signedInAt!, after.identitySeal),
      'valid',
      'sealed again under the new secret',
    );
  } finally {
    await cluster.close();
    await redis.stop();
  }
});
