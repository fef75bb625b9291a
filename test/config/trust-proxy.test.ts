// TRUST_PROXY names the proxies whose X-Forwarded-For entries are believed. A range that covers public
// addresses (or is wider than the private network it is in) would let any client pick its own address and so
// escape the rate limits: it is refused at start-up with what to set instead, and never reaches Express (which
// crashed on 0.0.0.0/0).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import express from 'express';
import { ConfigError, loadConfig, parseTrustProxy } from '../../src/config/env.js';

const base = {
  OIDC_CLIENT_ID: 'c',
  OIDC_CLIENT_SECRET: 's',
  SESSION_SECRET: 'x'.repeat(32),
  TOKEN_KEYS: 'k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
  ALLOWED_DOMAINS: 'example.com',
};

function problemsOf(value: string): string[] {
  try {
    loadConfig({ ...base, TRUST_PROXY: value });
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

test('TRUST_PROXY refuses ranges that cover public addresses, or are wider than a private network, saying what to set', () => {
  for (const value of [
    '0.0.0.0/1,128.0.0.0/1',
    '0.0.0.0/0',
    '::/0',
    '::/1',
    '8.8.8.8',
    '35.191.0.0/16',
    '10.0.0.0/7',
    '172.16.0.0/11',
    '192.168.0.0/15',
    '::ffff:0.0.0.0/96',
    '2001:db8::/32',
    'fc00::/6',
    '10.0.0.0/8,1.2.3.4',
    'fe80::1%eth0',
  ]) {
    const problems = problemsOf(value);
    assert.equal(problems.length, 1, `${value} was accepted`);
    assert.match(problems[0]!, /^TRUST_PROXY=".*" is not valid: /, value);
    assert.match(problems[0]!, /hop count/, `${value}: says what to set instead`);
  }
  assert.match(problemsOf('0.0.0.0/1,128.0.0.0/1')[0]!, /0\.0\.0\.0\/1 covers public addresses/);
  assert.match(problemsOf('10.0.0.0/7')[0]!, /10\.0\.0\.0\/7 is wider than the private network 10\.0\.0\.0\/8/);
});

test('TRUST_PROXY accepts private proxies’ addresses and subnets, and Express’s names for them', () => {
  for (const value of [
    '10.0.0.0/8',
    '10.1.2.3',
    '172.16.0.0/12',
    '172.31.255.0/24',
    '192.168.1.7',
    '100.64.0.0/10',
    '127.0.0.1',
    '169.254.169.254',
    'fd00::/8',
    'fc00::/7',
    'fe80::/10',
    '::1',
    '::ffff:10.0.0.0/104',
    'loopback,linklocal,uniquelocal',
    '10.0.0.0/8, 192.168.0.0/16',
  ]) {
    assert.deepEqual(problemsOf(value), [], value);
  }
});

test('whatever TRUST_PROXY accepts, Express accepts too: no start-up crash after a passing check', () => {
  const candidates = [
    ...['0', '1', '2', '99', 'false', 'loopback', 'linklocal', 'uniquelocal'],
    ...Array.from({ length: 33 }, (_, bits) => `10.0.0.0/${bits}`),
    ...Array.from({ length: 129 }, (_, bits) => `fd00::/${bits}`),
    ...Array.from({ length: 33 }, (_, bits) => `::ffff:10.0.0.0/${96 + bits}`),
    ...['0.0.0.0/0', '::/0', '127.0.0.1/0', '10.0.0.0/255.0.0.0', 'fe80::1%eth0'],
  ];
  let accepted = 0;
  for (const value of candidates) {
    const parsed = parseTrustProxy(value);
    if (typeof parsed === 'string') continue;
    accepted++;
    assert.doesNotThrow(() => express().set('trust proxy', parsed), value);
  }
  assert.ok(accepted > 100, `the check is not vacuous (${accepted} accepted)`);
});
