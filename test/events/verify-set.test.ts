// Every way a security event token is refused: each gets its own named code, an RFC 8935 400 answer, and
// leaves everything as it was (no action run, no jti claimed, so a later genuine delivery still works).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { base64url, CompactSign } from 'jose';
import { createRiscReceiver, type ReceiveResult } from '../../src/events/receiver.js';
import { MemoryJtiStore, type JtiClaim, type JtiStore } from '../../src/storage/account-events/jti-store.js';
import { RISC_EVENT_URIS } from '../../src/events/types.js';
import {
  ALICE,
  auditLog,
  CLIENT_ID,
  Clock,
  FakeTransmitter,
  OIDC_ISSUER,
  RISC_ISSUER,
  spyAccounts,
  subjectEvent,
  tokenRevokedEvent,
} from './helpers.js';

const SET_TYPE = 'application/secevent+jwt';
const DAY = 86_400_000;

/** A memory jti store that remembers what it was asked: how many claims, and until when each record is kept. */
class CountingJtiStore implements JtiStore {
  claims = 0;
  readonly asked: Array<{ op: 'claim' | 'complete'; expiresAt: number; leaseUntil?: number }> = [];
  private readonly inner: MemoryJtiStore;
  constructor(now: () => number) {
    this.inner = new MemoryJtiStore(now);
  }
  async claim(key: string, claim: JtiClaim) {
    this.claims++;
    this.asked.push({ op: 'claim', ...claim });
    return this.inner.claim(key, claim);
  }
  async complete(key: string, expiresAt: number) {
    this.asked.push({ op: 'complete', expiresAt });
    return this.inner.complete(key, expiresAt);
  }
  async release(key: string) {
    return this.inner.release(key);
  }
}

async function setup() {
  const clock = new Clock();
  const tx = await FakeTransmitter.create();
  const accounts = spyAccounts();
  const jti = new CountingJtiStore(clock.now);
  const log = auditLog();
  const receiver = createRiscReceiver({
    keys: tx.keys(clock),
    clientIds: [CLIENT_ID, 'second-client.apps.googleusercontent.com'],
    subjectIssuers: [OIDC_ISSUER],
    jti,
    accounts,
    audit: log.audit,
    maxAgeMs: 7 * DAY,
    clockSkewMs: 300_000,
    now: clock.now,
  });
  return { clock, tx, accounts, jti, log, receiver };
}

type Setup = Awaited<ReturnType<typeof setup>>;

function assertRefused(s: Setup, result: ReceiveResult, code: string, err: string): void {
  assert.equal(result.status, 400, JSON.stringify(result));
  if (result.status !== 400) return;
  assert.equal(result.code, code);
  assert.equal(result.body.err, err);
  assert.ok(result.body.description.length > 0);
  assert.deepEqual(s.accounts.calls, [], 'no action was run');
  assert.equal(s.jti.claims, 0, 'no jti was claimed');
  assert.deepEqual(
    s.log.lines.map((l) => [l.event, l.fields['code']]),
    [['risc-set-refused', code]],
  );
}

/**
 * A fresh receiver refuses the token `token` makes (from the fresh setup, e.g. signed with other claims): 400
 * with `code` and `err`, and nothing changed.
 */
async function assertTokenRefused(
  token: (s: Setup) => string | Promise<string>,
  code: string,
  err: string,
  contentType = SET_TYPE,
): Promise<void> {
  const s = await setup();
  assertRefused(s, await s.receiver.receive(contentType, await token(s)), code, err);
}

function unsigned(header: object, payload: object): string {
  return `${base64url.encode(JSON.stringify(header))}.${base64url.encode(JSON.stringify(payload))}.`;
}

describe('security event token: refusals (400, named code, nothing changed)', () => {
  it('wrong content type → SET_CONTENT_TYPE', async () => {
    await assertTokenRefused((s) => s.tx.sign(s.clock), 'SET_CONTENT_TYPE', 'invalid_request', 'application/json');
  });

  it('not a JWT, or empty → SET_MALFORMED', async () => {
    for (const body of ['hello', '', 'a.b', 'a.b.c.d']) {
      await assertTokenRefused(() => body, 'SET_MALFORMED', 'invalid_request');
    }
  });

  it('an encrypted (five-part) token → SET_ENCRYPTED', async () => {
    await assertTokenRefused(() => 'eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d', 'SET_ENCRYPTED', 'invalid_request');
  });

  it('a typ naming another kind of token → SET_TYP_WRONG', async () => {
    await assertTokenRefused(
      (s) => s.tx.sign(s.clock, {}, { header: { typ: 'at+jwt' } }),
      'SET_TYP_WRONG',
      'invalid_request',
    );
  });

  it('alg none and HS256 → SET_ALG_NOT_ALLOWED', async () => {
    const none = (s: Setup) =>
      unsigned(
        { alg: 'none', kid: s.tx.current.kid },
        {
          iss: RISC_ISSUER,
          aud: CLIENT_ID,
          iat: Math.floor(s.clock.now() / 1000),
          jti: 'x',
          events: subjectEvent('sessions-revoked'),
        },
      );
    await assertTokenRefused((s) => `${none(s)}AAAA`, 'SET_ALG_NOT_ALLOWED', 'invalid_key');
    const hs = (s: Setup) =>
      new CompactSign(new TextEncoder().encode('{}'))
        .setProtectedHeader({ alg: 'HS256', kid: s.tx.current.kid })
        .sign(randomBytes(32));
    await assertTokenRefused(hs, 'SET_ALG_NOT_ALLOWED', 'invalid_key');
  });

  it('no kid → SET_NO_KID', async () => {
    const noKid = (s: Setup) =>
      new CompactSign(new TextEncoder().encode('{}'))
        .setProtectedHeader({ alg: 'RS256' })
        .sign(s.tx.current.privateKey);
    await assertTokenRefused(noKid, 'SET_NO_KID', 'invalid_key');
  });

  it('a kid the transmitter does not publish → SET_UNKNOWN_KID', async () => {
    await assertTokenRefused(
      async (s) => s.tx.sign(s.clock, {}, { key: await s.tx.stranger() }),
      'SET_UNKNOWN_KID',
      'invalid_key',
    );
  });

  it('signed by another key under a published kid, or a tampered signature → SET_BAD_SIGNATURE', async () => {
    const forged = async (s: Setup) =>
      s.tx.sign(s.clock, {}, { key: { ...(await s.tx.stranger()), kid: s.tx.current.kid } });
    await assertTokenRefused(forged, 'SET_BAD_SIGNATURE', 'authentication_failed');
    const otherSignature = async (s: Setup) => {
      const [h, p] = (await s.tx.sign(s.clock)).split('.');
      const other = (await s.tx.sign(s.clock)).split('.')[2];
      return `${h}.${p}.${other}`;
    };
    await assertTokenRefused(otherSignature, 'SET_BAD_SIGNATURE', 'authentication_failed');
  });

  it('a signed payload that is not a JSON object → SET_CLAIMS_NOT_JSON', async () => {
    const arrayPayload = (s: Setup) =>
      new CompactSign(new TextEncoder().encode('[1,2,3]'))
        .setProtectedHeader({ alg: 'RS256', kid: s.tx.current.kid })
        .sign(s.tx.current.privateKey);
    await assertTokenRefused(arrayPayload, 'SET_CLAIMS_NOT_JSON', 'invalid_request');
  });

  it('iss other than the RISC configuration’s issuer (even the OIDC issuer) → SET_WRONG_ISSUER', async () => {
    for (const iss of [OIDC_ISSUER, 'https://accounts.evil.example/', undefined]) {
      await assertTokenRefused((s) => s.tx.sign(s.clock, { iss }), 'SET_WRONG_ISSUER', 'invalid_issuer');
    }
  });

  it('aud naming none of the client IDs → SET_WRONG_AUDIENCE', async () => {
    for (const aud of ['other.apps.googleusercontent.com', ['a', 'b'], undefined, 42]) {
      await assertTokenRefused((s) => s.tx.sign(s.clock, { aud }), 'SET_WRONG_AUDIENCE', 'invalid_audience');
    }
  });

  it('iat missing, too old, or too far in the future → SET_NO_IAT / SET_IAT_TOO_OLD / SET_IAT_IN_FUTURE', async () => {
    await assertTokenRefused((s) => s.tx.sign(s.clock, { iat: undefined }), 'SET_NO_IAT', 'invalid_request');
    const secondsAgo = (s: Setup, ms: number) => Math.floor((s.clock.now() - ms) / 1000);
    await assertTokenRefused(
      (s) => s.tx.sign(s.clock, { iat: secondsAgo(s, 8 * DAY) }),
      'SET_IAT_TOO_OLD',
      'invalid_request',
    );
    await assertTokenRefused(
      (s) => s.tx.sign(s.clock, { iat: secondsAgo(s, -10 * 60_000) }),
      'SET_IAT_IN_FUTURE',
      'invalid_request',
    );
  });

  it('jti missing, empty or too long → SET_NO_JTI', async () => {
    for (const jti of [undefined, '', 'x'.repeat(257), 12]) {
      await assertTokenRefused((s) => s.tx.sign(s.clock, { jti }), 'SET_NO_JTI', 'invalid_request');
    }
  });

  it('events missing, empty, or not an object → SET_NO_EVENTS', async () => {
    for (const events of [undefined, {}, [], 'x']) {
      await assertTokenRefused((s) => s.tx.sign(s.clock, { events }), 'SET_NO_EVENTS', 'invalid_request');
    }
  });

  it('an event payload that does not fit its type → SET_EVENT_INVALID', async () => {
    const cases: Array<Record<string, unknown>> = [
      { [RISC_EVENT_URIS['sessions-revoked']]: 'x' },
      { [RISC_EVENT_URIS['sessions-revoked']]: {} },
      { [RISC_EVENT_URIS['account-disabled']]: { subject: { subject_type: 'iss-sub', iss: RISC_ISSUER } } },
      { [RISC_EVENT_URIS['account-enabled']]: { subject: { subject_type: 'iss-sub', sub: ALICE } } },
      tokenRevokedEvent('prefix', 'too-short'),
      tokenRevokedEvent('hash_base64_sha512_sha512', 'bm90IGEgaGFzaA=='),
      { [RISC_EVENT_URIS.verification]: { state: 42 } },
      // A valid event next to an invalid one: the whole token is refused, the valid one is not acted on.
      { ...subjectEvent('sessions-revoked'), [RISC_EVENT_URIS['account-disabled']]: { subject: 'x' } },
    ];
    for (const events of cases) {
      await assertTokenRefused((s) => s.tx.sign(s.clock, { events }), 'SET_EVENT_INVALID', 'invalid_request');
    }
  });
});

describe('security event token: accepted', () => {
  it('202; exp is not required and an exp in the past does not matter (SETs do not expire)', async () => {
    const s = await setup();
    const r1 = await s.receiver.receive(SET_TYPE, await s.tx.sign(s.clock));
    assert.equal(r1.status, 202);
    const r2 = await s.receiver.receive(
      'application/secevent+jwt; charset=utf-8',
      await s.tx.sign(s.clock, { exp: Math.floor(s.clock.now() / 1000) - 3600 }),
    );
    assert.equal(r2.status, 202);
    assert.deepEqual(s.accounts.calls, [
      ['endSessions', ALICE],
      ['endSessions', ALICE],
    ]);
  });

  it('aud as an array containing a client ID; typ JWT or absent; a token 6 days old or a few seconds ahead', async () => {
    const s = await setup();
    const t = Math.floor(s.clock.now() / 1000);
    for (const claims of [
      { aud: ['x', CLIENT_ID] },
      { aud: 'second-client.apps.googleusercontent.com' },
      { iat: t - 6 * 86_400 },
      { iat: t + 60 },
    ]) {
      assert.equal(
        (await s.receiver.receive(SET_TYPE, await s.tx.sign(s.clock, claims))).status,
        202,
        JSON.stringify(claims),
      );
    }
    assert.equal(
      (await s.receiver.receive(SET_TYPE, await s.tx.sign(s.clock, {}, { header: { typ: 'JWT' } }))).status,
      202,
    );
    assert.equal(
      (await s.receiver.receive(SET_TYPE, await s.tx.sign(s.clock, {}, { header: { typ: undefined } }))).status,
      202,
    );
  });

  it('the same token again (redelivery or replay): at once, 10 minutes, 6 days and the last moment of its window later, acted on once', async () => {
    const s = await setup();
    const token = await s.tx.sign(s.clock);
    const first = await s.receiver.receive(SET_TYPE, token);
    assert.equal(first.status === 202 && first.outcome, 'accepted');
    const iatMs = Math.floor(s.clock.now() / 1000) * 1000;
    const lastMoment = iatMs + 7 * DAY;
    for (const later of [0, 10 * 60_000, 6 * DAY, 'the last moment'] as const) {
      s.clock.advance(typeof later === 'number' ? later : lastMoment - s.clock.now());
      const again = await s.receiver.receive(SET_TYPE, token);
      assert.equal(again.status === 202 && again.outcome, 'duplicate', `replayed ${later} ms later`);
    }
    assert.equal(s.clock.now(), iatMs + 7 * DAY, 'the last moment the token is accepted');
    assert.deepEqual(s.accounts.calls, [['endSessions', ALICE]], 'acted on once');
    assert.equal(s.log.lines.filter((l) => l.event === 'risc-set-duplicate').length, 4);
    s.clock.advance(1);
    const past = await s.receiver.receive(SET_TYPE, token);
    assert.equal(past.status === 400 && past.code, 'SET_IAT_TOO_OLD', 'past its window the token itself is refused');
    assert.deepEqual(s.accounts.calls, [['endSessions', ALICE]]);
  });

  it('the claim is kept for exactly the token’s acceptance window (its iat + RISC_MAX_AGE_SECONDS), not longer', async () => {
    const s = await setup();
    const iat = Math.floor(s.clock.now() / 1000) - 3600; // issued an hour ago: the window ends an hour early
    assert.equal((await s.receiver.receive(SET_TYPE, await s.tx.sign(s.clock, { iat }))).status, 202);
    const windowEnd = iat * 1000 + 7 * DAY + 1; // the first moment the token is refused as too old
    assert.deepEqual(
      s.jti.asked.map((a) => [a.op, a.expiresAt]),
      [
        ['claim', windowEnd],
        ['complete', windowEnd],
      ],
    );
  });

  it('a reaction that fails answers 503 and releases the jti, so the redelivery acts again', async () => {
    const clock = new Clock();
    const tx = await FakeTransmitter.create();
    const failing = spyAccounts('endSessions');
    const jti = new MemoryJtiStore(clock.now);
    const base = {
      keys: tx.keys(clock),
      clientIds: [CLIENT_ID],
      subjectIssuers: [OIDC_ISSUER],
      jti,
      audit: () => undefined,
      maxAgeMs: DAY,
      clockSkewMs: 0,
      now: clock.now,
    };
    const token = await tx.sign(clock, { events: subjectEvent('account-disabled', { reason: 'hijacking' }) });
    const r = await createRiscReceiver({ ...base, accounts: failing }).receive(SET_TYPE, token);
    assert.equal(r.status, 503);
    assert.deepEqual(
      failing.calls,
      [
        ['blockSignIn', ALICE, 'hijacking'],
        ['endSessions', ALICE],
      ],
      'every action is tried even after one fails',
    );
    const healthy = spyAccounts();
    assert.equal((await createRiscReceiver({ ...base, accounts: healthy }).receive(SET_TYPE, token)).status, 202);
    assert.equal(healthy.calls.length, 2);
  });

  it('keys that cannot be fetched: 503, nothing changed (not the token’s fault)', async () => {
    const s = await setup();
    s.tx.failJwks = true;
    const r = await s.receiver.receive(SET_TYPE, await s.tx.sign(s.clock));
    assert.equal(r.status, 503);
    assert.equal(r.status === 503 && r.code, 'RISC_KEYS_UNAVAILABLE');
    assert.deepEqual(s.accounts.calls, []);
    assert.equal(s.jti.claims, 0);
  });

  it('a jti store that is down: 503, no action run', async () => {
    const s = await setup();
    const receiver = createRiscReceiver({
      keys: s.tx.keys(s.clock),
      clientIds: [CLIENT_ID],
      subjectIssuers: [OIDC_ISSUER],
      jti: {
        claim: async () => Promise.reject(new Error('ECONNREFUSED')),
        complete: async () => undefined,
        release: async () => undefined,
      },
      accounts: s.accounts,
      audit: () => undefined,
      maxAgeMs: DAY,
      clockSkewMs: 0,
      now: s.clock.now,
    });
    const r = await receiver.receive(SET_TYPE, await s.tx.sign(s.clock));
    assert.equal(r.status === 503 && r.code, 'RISC_STORE_UNAVAILABLE');
    assert.deepEqual(s.accounts.calls, []);
  });
});
