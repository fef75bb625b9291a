import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addTransaction,
  takeTransaction,
  TRANSACTION_TTL_MS,
  MAX_PENDING_TRANSACTIONS,
} from '../../src/auth/transaction.js';
import type { LoginTransaction } from '../../src/sessions/types.js';

const tx = (state: string, createdAt: number): LoginTransaction => ({
  state,
  nonce: 'n',
  codeVerifier: 'v',
  returnTo: '/',
  purpose: 'signin',
  createdAt,
});

test('a transaction is taken once: the second take finds nothing (replay)', () => {
  const pending = addTransaction(undefined, tx('s1', 0), 0);
  const first = takeTransaction(pending, 's1', 1000);
  assert.equal(first.ok, true);
  const second = takeTransaction(first.rest, 's1', 1000);
  assert.deepEqual([second.ok, second.ok ? '' : second.code], [false, 'STATE_UNKNOWN']);
});

test('missing, unknown and expired states are refused', () => {
  const pending = addTransaction(undefined, tx('s1', 0), 0);
  const missing = takeTransaction(pending, undefined, 0);
  assert.equal(!missing.ok && missing.code, 'STATE_MISSING');
  const unknown = takeTransaction(pending, 'other', 0);
  assert.equal(!unknown.ok && unknown.code, 'STATE_UNKNOWN');
  const expired = takeTransaction(pending, 's1', TRANSACTION_TTL_MS);
  assert.equal(!expired.ok && expired.code, 'TRANSACTION_EXPIRED');
  assert.equal(Object.keys(expired.rest).length, 0, 'an expired transaction is used up too');
});

test('prototype keys are not transactions', () => {
  const r = takeTransaction({}, '__proto__', 0);
  assert.equal(!r.ok && r.code, 'STATE_UNKNOWN');
  assert.equal(!takeTransaction({}, 'constructor', 0).ok, true);
});

test('several tabs may sign in at once, up to a cap; expired ones are dropped', () => {
  let pending: Record<string, LoginTransaction> | undefined;
  for (let i = 0; i < MAX_PENDING_TRANSACTIONS + 2; i++) pending = addTransaction(pending, tx(`s${i}`, i), i);
  assert.equal(Object.keys(pending!).length, MAX_PENDING_TRANSACTIONS);
  assert.ok(!('s0' in pending!), 'the oldest went first');
  const later = addTransaction(pending, tx('new', TRANSACTION_TTL_MS + 100), TRANSACTION_TTL_MS + 100);
  assert.deepEqual(Object.keys(later), ['new']);
});
