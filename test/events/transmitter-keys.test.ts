// The transmitter's keys: discovered through the RISC configuration, cached, refetched once when a token
// names an unknown kid (Google rotated), but not again within the refetch window (made-up kids cannot make
// us hammer the transmitter).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ReceiverUnavailableError, SetError } from '../../src/events/errors.js';
import { createRiscReceiver } from '../../src/events/receiver.js';
import { MemoryJtiStore } from '../../src/storage/account-events/jti-store.js';
import { parseRiscConfiguration, TransmitterKeys } from '../../src/events/transmitter-keys.js';
import { CLIENT_ID, Clock, CONFIG_URL, FakeTransmitter, OIDC_ISSUER, spyAccounts } from './helpers.js';

const SET_TYPE = 'application/secevent+jwt';
const MINUTE = 60_000;

async function receiverFor(tx: FakeTransmitter, clock: Clock) {
  const accounts = spyAccounts();
  const receiver = createRiscReceiver({
    keys: tx.keys(clock, MINUTE),
    clientIds: [CLIENT_ID],
    subjectIssuers: [OIDC_ISSUER],
    jti: new MemoryJtiStore(clock.now),
    accounts,
    audit: () => undefined,
    maxAgeMs: 86_400_000,
    clockSkewMs: 300_000,
    now: clock.now,
  });
  return { receiver, accounts };
}

describe('transmitter keys: rotation', () => {
  it('unknown kid → one refetch → accepted; a second unknown kid within the window → refused without a fetch', async () => {
    const clock = new Clock();
    const tx = await FakeTransmitter.create();
    const { receiver, accounts } = await receiverFor(tx, clock);
    assert.equal((await receiver.receive(SET_TYPE, await tx.sign(clock))).status, 202);
    assert.deepEqual(tx.fetches, { config: 1, jwks: 1 }, 'discovered once, keys fetched once');

    clock.advance(2 * MINUTE);
    await tx.rotate();
    assert.equal(
      (await receiver.receive(SET_TYPE, await tx.sign(clock))).status,
      202,
      'the new key is found by one refetch',
    );
    assert.deepEqual(tx.fetches, { config: 1, jwks: 2 });

    clock.advance(10_000);
    await tx.rotate();
    const refused = await receiver.receive(SET_TYPE, await tx.sign(clock));
    assert.equal(refused.status, 400);
    assert.equal(refused.status === 400 && refused.code, 'SET_UNKNOWN_KID');
    assert.equal(refused.status === 400 && refused.body.err, 'invalid_key');
    assert.deepEqual(tx.fetches, { config: 1, jwks: 2 }, 'no fetch within the refetch window');
    assert.equal(accounts.calls.length, 2);

    clock.advance(MINUTE);
    assert.equal(
      (await receiver.receive(SET_TYPE, await tx.sign(clock))).status,
      202,
      'after the window, the next unknown kid refetches',
    );
    assert.equal(tx.fetches.jwks, 3);
  });

  it('a kid nobody publishes is refused after the one refetch; older keys keep verifying after a rotation', async () => {
    const clock = new Clock();
    const tx = await FakeTransmitter.create();
    const keys = tx.keys(clock, MINUTE);
    const old = tx.current;
    await keys.keyFor({ alg: 'RS256', kid: old.kid });
    clock.advance(2 * MINUTE);
    await assert.rejects(
      keys.keyFor({ alg: 'RS256', kid: 'made-up' }),
      (e: unknown) => e instanceof SetError && e.code === 'SET_UNKNOWN_KID',
    );
    assert.equal(tx.fetches.jwks, 2);
    await tx.rotate();
    clock.advance(2 * MINUTE);
    await keys.keyFor({ alg: 'RS256', kid: tx.current.kid });
    await keys.keyFor({ alg: 'RS256', kid: old.kid });
    assert.equal(tx.fetches.jwks, 3);
  });

  it('concurrent tokens with a new kid share one refetch', async () => {
    const clock = new Clock();
    const tx = await FakeTransmitter.create();
    const keys = tx.keys(clock, MINUTE);
    await keys.issuer();
    clock.advance(2 * MINUTE);
    await tx.rotate();
    await Promise.all(Array.from({ length: 20 }, () => keys.keyFor({ alg: 'RS256', kid: tx.current.kid })));
    assert.equal(tx.fetches.jwks, 2);
  });

  it('the key set expires after its lifetime and is fetched again; a failed refresh keeps the old keys', async () => {
    const clock = new Clock();
    const tx = await FakeTransmitter.create();
    const keys = new TransmitterKeys({
      configurationUrl: CONFIG_URL,
      fetchJson: tx.fetchJson,
      now: clock.now,
      keysMaxAgeMs: 3_600_000,
    });
    await keys.keyFor({ alg: 'RS256', kid: tx.current.kid });
    clock.advance(3_600_000);
    tx.failJwks = true;
    await keys.keyFor({ alg: 'RS256', kid: tx.current.kid });
    assert.equal(tx.fetches.jwks, 2, 'tried to refresh');
    tx.failJwks = false;
    clock.advance(1000);
    await keys.keyFor({ alg: 'RS256', kid: tx.current.kid });
    assert.equal(tx.fetches.jwks, 3);
  });

  it('algorithms other than RS256 are refused before any fetch', async () => {
    const tx = await FakeTransmitter.create();
    const keys = tx.keys(new Clock());
    for (const alg of ['none', 'HS256', 'ES256', undefined]) {
      await assert.rejects(
        keys.keyFor({ alg, kid: tx.current.kid } as never),
        (e: unknown) => e instanceof SetError && e.code === 'SET_ALG_NOT_ALLOWED',
      );
    }
    assert.equal(tx.fetches.jwks, 0);
  });
});

describe('RISC configuration document', () => {
  const url = 'https://accounts.google.com/.well-known/risc-configuration';
  it("accepts Google's shape (issuer with a trailing slash, keys on another host)", () => {
    const c = parseRiscConfiguration(
      {
        issuer: 'https://accounts.google.com/',
        jwks_uri: 'https://www.googleapis.com/oauth2/v3/certs',
        delivery_methods_supported: ['https://schemas.openid.net/secevent/risc/delivery-method/push'],
      },
      url,
    );
    assert.equal(c.issuer, 'https://accounts.google.com/');
    assert.equal(c.jwksUri, 'https://www.googleapis.com/oauth2/v3/certs');
  });

  it('refuses an issuer on another origin, a missing or plain-http jwks_uri, a non-object', () => {
    for (const doc of [
      { issuer: 'https://accounts.evil.example/', jwks_uri: 'https://www.googleapis.com/oauth2/v3/certs' },
      { issuer: 'https://accounts.google.com/' },
      { issuer: 'https://accounts.google.com/', jwks_uri: 'http://keys.example.com/jwks' },
      { jwks_uri: 'https://www.googleapis.com/oauth2/v3/certs' },
      [],
      'x',
    ]) {
      assert.throws(
        () => parseRiscConfiguration(doc, url),
        (e: unknown) => e instanceof ReceiverUnavailableError && e.code === 'RISC_CONFIG_UNAVAILABLE',
        JSON.stringify(doc),
      );
    }
  });
});
