// The mTLS and internal-listener variables: which listener admits whom, and each rule a problem.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseMtlsConfig } from '../../src/mtls/config.js';

const TD = 'spiffe://pool.global.123.workload.id.goog';

describe('mTLS and the internal listener', () => {
  const dir = '/var/run/secrets/workload-spiffe-credentials';
  it('main listener: directory + allow-list', () => {
    const { value, problems } = parseMtlsConfig({
      MTLS_CREDENTIALS_DIR: dir,
      MTLS_ALLOWED_SPIFFE_IDS: `${TD}/ns/edge/sa/lb, ${TD}/ns/edge/sa/lb2`,
    });
    assert.deepEqual(problems, []);
    assert.deepEqual(value.mainAllowedSpiffeIds, [`${TD}/ns/edge/sa/lb`, `${TD}/ns/edge/sa/lb2`]);
  });
  it('an allow-list without credentials is a problem', () => {
    assert.match(
      parseMtlsConfig({ MTLS_ALLOWED_SPIFFE_IDS: `${TD}/a` }).problems[0] ?? '',
      /without MTLS_CREDENTIALS_DIR/,
    );
  });
  it('a bad SPIFFE ID is a problem naming the variable', () => {
    assert.match(
      parseMtlsConfig({ MTLS_CREDENTIALS_DIR: dir, MTLS_ALLOWED_SPIFFE_IDS: 'spiffe://a/b/' }).problems[0] ?? '',
      /^MTLS_ALLOWED_SPIFFE_IDS is not valid/,
    );
  });
  it('a relative directory is a problem', () => {
    assert.match(
      parseMtlsConfig({ MTLS_CREDENTIALS_DIR: 'creds', MTLS_ALLOWED_SPIFFE_IDS: `${TD}/a` }).problems[0] ?? '',
      /absolute directory/,
    );
  });
  it('credentials nobody uses are a problem', () => {
    assert.match(parseMtlsConfig({ MTLS_CREDENTIALS_DIR: dir }).problems[0] ?? '', /nothing uses it/);
  });
  it('INTERNAL_PORT needs mTLS credentials: /metrics is never served in the clear', () => {
    const { problems } = parseMtlsConfig({ INTERNAL_PORT: '9464' });
    assert.ok(problems.some((p) => /INTERNAL_PORT is set without MTLS_CREDENTIALS_DIR/.test(p)));
    assert.ok(problems.some((p) => /no SPIFFE ID may call it/.test(p)));
  });
  it('INTERNAL_ALLOWED_SPIFFE_IDS defaults to the main allow-list, or stands alone', () => {
    assert.deepEqual(
      parseMtlsConfig({ MTLS_CREDENTIALS_DIR: dir, MTLS_ALLOWED_SPIFFE_IDS: `${TD}/lb`, INTERNAL_PORT: '9464' }).value
        .internal,
      { port: 9464, host: '0.0.0.0', allowedSpiffeIds: [`${TD}/lb`] },
    );
    const alone = parseMtlsConfig({
      MTLS_CREDENTIALS_DIR: dir,
      INTERNAL_PORT: '9464',
      INTERNAL_ALLOWED_SPIFFE_IDS: `${TD}/prom`,
      INTERNAL_HOST: '10.0.0.2',
    });
    assert.deepEqual(alone.problems, []);
    assert.equal(alone.value.mainAllowedSpiffeIds, undefined, 'the main listener stays plain HTTP');
    assert.deepEqual(alone.value.internal, { port: 9464, host: '10.0.0.2', allowedSpiffeIds: [`${TD}/prom`] });
  });
  it('both lists set: each listener admits its own list only, never the other one', () => {
    const { value, problems } = parseMtlsConfig({
      MTLS_CREDENTIALS_DIR: dir,
      MTLS_ALLOWED_SPIFFE_IDS: `${TD}/ns/edge/sa/lb`,
      INTERNAL_PORT: '9464',
      INTERNAL_ALLOWED_SPIFFE_IDS: `${TD}/ns/ops/sa/prom`,
    });
    assert.deepEqual(problems, []);
    // The load balancer may not scrape /metrics, and the scraper may not call the app.
    assert.deepEqual(value.internal?.allowedSpiffeIds, [`${TD}/ns/ops/sa/prom`]);
    assert.deepEqual(value.mainAllowedSpiffeIds, [`${TD}/ns/edge/sa/lb`]);
  });
  it('a bad port and a poll out of range are problems', () => {
    assert.equal(
      parseMtlsConfig({ MTLS_CREDENTIALS_DIR: dir, INTERNAL_ALLOWED_SPIFFE_IDS: `${TD}/p`, INTERNAL_PORT: '70000' })
        .problems.length,
      1,
    );
    assert.equal(
      parseMtlsConfig({ MTLS_CREDENTIALS_DIR: dir, MTLS_ALLOWED_SPIFFE_IDS: `${TD}/p`, MTLS_RELOAD_POLL_SECONDS: '1' })
        .problems.length,
      1,
    );
  });
});
