// RISC_* settings: defaults that work for Google and for the demo, and a named problem for every bad value.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseRiscConfig } from '../../src/events/config.js';

describe('parseRiscConfig', () => {
  it('defaults: on, /risc, aud = OIDC_CLIENT_ID, Google’s RISC configuration, 7 days, 300 s skew', () => {
    const { value, problems } = parseRiscConfig({ OIDC_CLIENT_ID: 'abc.apps.googleusercontent.com' });
    assert.deepEqual(problems, []);
    assert.deepEqual(value, {
      enabled: true,
      path: '/risc',
      clientIds: ['abc.apps.googleusercontent.com'],
      configurationUrl: 'https://accounts.google.com/.well-known/risc-configuration',
      subjectIssuers: ['https://accounts.google.com'],
      maxAgeSeconds: 604_800,
      clockSkewSeconds: 300,
      rateLimitPerMinute: 300,
      tokensRevoked: 'drop-tokens',
    });
  });

  it('the demo: the mock issuer and client from the fallback give the mock’s RISC configuration', () => {
    const { value, problems } = parseRiscConfig({}, { clientId: 'scopewise-demo', issuer: 'http://127.0.0.1:4000' });
    assert.deepEqual(problems, []);
    assert.equal(value.configurationUrl, 'http://127.0.0.1:4000/.well-known/risc-configuration');
    assert.deepEqual(value.clientIds, ['scopewise-demo']);
  });

  it('RISC_CLIENT_IDS lists several clients (one per platform), overriding OIDC_CLIENT_ID', () => {
    const { value } = parseRiscConfig({ OIDC_CLIENT_ID: 'web', RISC_CLIENT_IDS: ' web , android,web,ios ' });
    assert.deepEqual(value.clientIds, ['web', 'android', 'ios']);
  });

  it('every wrong value is a problem naming its variable', () => {
    const { problems } = parseRiscConfig({
      RISC_RECEIVER: 'maybe',
      RISC_PATH: 'risc/../x',
      RISC_CONFIGURATION_URL: 'http://accounts.example.com/.well-known/risc-configuration',
      RISC_MAX_AGE_SECONDS: '10',
      RISC_CLOCK_SKEW_SECONDS: '-1',
      RISC_RATE_LIMIT_PER_MINUTE: 'lots',
      RISC_TOKENS_REVOKED: 'shrug',
    });
    for (const name of [
      'RISC_RECEIVER',
      'RISC_PATH',
      'RISC_CLIENT_IDS',
      'RISC_CONFIGURATION_URL',
      'RISC_MAX_AGE_SECONDS',
      'RISC_CLOCK_SKEW_SECONDS',
      'RISC_RATE_LIMIT_PER_MINUTE',
      'RISC_TOKENS_REVOKED',
    ]) {
      assert.ok(
        problems.some((p) => p.startsWith(name)),
        `${name} in ${JSON.stringify(problems)}`,
      );
    }
  });

  it('paths: absolute, no dot segments, not the root', () => {
    for (const bad of ['/', 'risc', '/a/../b', '/a//b', '/risc?x=1', '/./x'])
      assert.ok(parseRiscConfig({ OIDC_CLIENT_ID: 'c', RISC_PATH: bad }).problems.length > 0, bad);
    for (const good of ['/risc', '/events/google-risc', '/.well-known-ish/x'])
      assert.deepEqual(parseRiscConfig({ OIDC_CLIENT_ID: 'c', RISC_PATH: good }).problems, [], good);
  });

  it('off needs no client id; end-sessions is accepted', () => {
    assert.deepEqual(parseRiscConfig({ RISC_RECEIVER: 'off' }).problems, []);
    assert.equal(
      parseRiscConfig({ OIDC_CLIENT_ID: 'c', RISC_TOKENS_REVOKED: 'end-sessions' }).value.tokensRevoked,
      'end-sessions',
    );
  });
});
