// A security event token's claim is pending until its reaction is done: a reaction cut short (the process died,
// the store blipped) is never answered "duplicate"; Google's redelivery after the claim's deadline acts on it.
// (The same with a real process killed between the claim and the reaction: interrupted-reaction.test.ts.)
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRiscReceiver, type RiscReceiverDeps } from '../../src/events/receiver.js';
import { MemoryJtiStore, type JtiStore } from '../../src/storage/account-events/jti-store.js';
import { ALICE, CLIENT_ID, Clock, FakeTransmitter, OIDC_ISSUER, spyAccounts, subjectEvent } from './helpers.js';

const SET_TYPE = 'application/secevent+jwt';
const DAY = 86_400_000;
const LEASE = 120_000;

async function setup(overrides: Partial<RiscReceiverDeps> = {}) {
  const clock = new Clock();
  const tx = await FakeTransmitter.create();
  const jti = new MemoryJtiStore(clock.now);
  const base = {
    keys: tx.keys(clock),
    clientIds: [CLIENT_ID],
    subjectIssuers: [OIDC_ISSUER],
    jti: jti as JtiStore,
    audit: () => undefined,
    maxAgeMs: 7 * DAY,
    clockSkewMs: 300_000,
    claimLeaseMs: LEASE,
    now: clock.now,
  };
  const receiver = (accounts = spyAccounts(), more: Partial<RiscReceiverDeps> = {}) =>
    createRiscReceiver({ ...base, accounts, ...overrides, ...more });
  return { clock, tx, jti, receiver };
}

/** Accounts whose endSessions waits until `release()` is called (a reaction still running). */
function slowAccounts() {
  const accounts = spyAccounts();
  let release!: () => void;
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const started = new Promise<void>((resolve) => {
    const end = accounts.endSessions.bind(accounts);
    accounts.endSessions = async (sub, before) => {
      resolve();
      await gate;
      return end(sub, before);
    };
  });
  return { accounts, started, release };
}

describe('claims: a reaction cut short is never lost', () => {
  it('a delivery of the same token while another instance still reacts to it answers 503 (deliver again), not 202', async () => {
    const s = await setup();
    const token = await s.tx.sign(s.clock);
    const slow = slowAccounts();
    const first = s.receiver(slow.accounts).receive(SET_TYPE, token);
    await slow.started;
    const other = spyAccounts();
    const second = await s.receiver(other).receive(SET_TYPE, token);
    assert.equal(second.status, 503, JSON.stringify(second));
    assert.equal(second.status === 503 && second.code, 'RISC_IN_PROGRESS');
    assert.deepEqual(other.calls, [], 'the second instance did not act');
    slow.release();
    assert.equal((await first).status, 202);
    const third = await s.receiver(other).receive(SET_TYPE, token);
    assert.equal(third.status === 202 && third.outcome, 'duplicate', 'once done, a redelivery is a duplicate');
  });

  it('a claim whose process died (never released, never done) is taken over by a redelivery after its deadline', async () => {
    const s = await setup();
    const token = await s.tx.sign(s.clock);
    const dying = slowAccounts(); // never released: the process "dies" with the reaction pending
    void s.receiver(dying.accounts).receive(SET_TYPE, token);
    await dying.started;
    const next = spyAccounts();
    s.clock.advance(LEASE - 1);
    assert.equal((await s.receiver(next).receive(SET_TYPE, token)).status, 503, 'before the deadline');
    s.clock.advance(1);
    const taken = await s.receiver(next).receive(SET_TYPE, token);
    assert.equal(taken.status === 202 && taken.outcome, 'accepted', 'at the deadline the redelivery acts');
    assert.deepEqual(next.calls, [['endSessions', ALICE]]);
  });

  it('the store cannot mark the reaction done: 503, and the redelivery (after the deadline) acts again', async () => {
    const s = await setup();
    const failing: JtiStore = {
      claim: (k, c) => s.jti.claim(k, c),
      complete: async () => Promise.reject(new Error('ECONNRESET')),
      release: (k) => s.jti.release(k),
    };
    const token = await s.tx.sign(s.clock);
    const r = await s.receiver(spyAccounts(), { jti: failing }).receive(SET_TYPE, token);
    assert.equal(r.status === 503 && r.code, 'RISC_STORE_UNAVAILABLE');
    s.clock.advance(LEASE);
    const again = spyAccounts();
    assert.equal((await s.receiver(again).receive(SET_TYPE, token)).status, 202);
    assert.deepEqual(again.calls, [['endSessions', ALICE]], 'acted on again: every reaction is idempotent');
  });

  it('a failed reaction whose claim cannot be released either stays pending only until its deadline', async () => {
    const s = await setup();
    const stuck: JtiStore = {
      claim: (k, c) => s.jti.claim(k, c),
      complete: (k, e) => s.jti.complete(k, e),
      release: async () => Promise.reject(new Error('ECONNRESET')),
    };
    const token = await s.tx.sign(s.clock, { events: subjectEvent('sessions-revoked') });
    const r = await s.receiver(spyAccounts('endSessions'), { jti: stuck }).receive(SET_TYPE, token);
    assert.equal(r.status === 503 && r.code, 'RISC_REACTION_FAILED');
    assert.equal((await s.receiver().receive(SET_TYPE, token)).status, 503, 'still pending');
    s.clock.advance(LEASE);
    const healthy = spyAccounts();
    assert.equal((await s.receiver(healthy).receive(SET_TYPE, token)).status, 202);
    assert.deepEqual(healthy.calls, [['endSessions', ALICE]]);
  });
});
