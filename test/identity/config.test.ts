// Every variable of the own-identity options: defaults (all off), accepted values, and each rule a problem.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseAuditExportConfig } from '../../src/audit/config.js';
import { parseIdentityConfig } from '../../src/identity/config.js';
import { parseWorkloadConfig } from '../../src/identity/workload.js';

describe('defaults: every option off', () => {
  it('an empty environment turns nothing on and has no problem', () => {
    const { value, problems } = parseWorkloadConfig({});
    assert.deepEqual(problems, []);
    assert.equal(value.identity.mode, 'off');
    assert.equal(value.audit.cloudLogging, undefined);
    assert.equal(value.audit.webhook, undefined);
    assert.equal(value.mtls.credentialsDir, undefined);
    assert.equal(value.mtls.mainAllowedSpiffeIds, undefined);
    assert.equal(value.mtls.internal, undefined);
  });
});

describe('SCOPEWISE_IDENTITY', () => {
  it('off, adc, metadata', () => {
    for (const mode of ['off', 'adc', 'metadata'] as const)
      assert.equal(parseIdentityConfig({ SCOPEWISE_IDENTITY: mode }).value.mode, mode);
  });
  it('anything else is a problem naming the variable', () => {
    assert.match(
      parseIdentityConfig({ SCOPEWISE_IDENTITY: 'yes' }).problems[0] ?? '',
      /^SCOPEWISE_IDENTITY="yes" is not valid/,
    );
  });
});

describe('audit export', () => {
  it('AUDIT_SINK=cloud-logging:PROJECT/LOG', () => {
    assert.deepEqual(
      parseAuditExportConfig({ AUDIT_SINK: 'cloud-logging:acme-prod/scopewise-audit' }).value.cloudLogging,
      { projectId: 'acme-prod', logId: 'scopewise-audit' },
    );
    assert.deepEqual(
      parseAuditExportConfig({ AUDIT_SINK: 'cloud-logging:acme-prod/audit/scopewise' }).value.cloudLogging,
      { projectId: 'acme-prod', logId: 'audit/scopewise' },
    );
  });
  for (const bad of [
    'cloud-logging:acme-prod',
    'bigquery:acme-prod/x',
    'cloud-logging:Acme/x',
    'cloud-logging:acme-prod/a b',
  ]) {
    it(`refuses AUDIT_SINK=${bad}`, () => {
      assert.match(
        parseAuditExportConfig({ AUDIT_SINK: bad }).problems[0] ?? '',
        /^AUDIT_SINK=".*" is not valid: expected/,
      );
    });
  }
  it('AUDIT_WEBHOOK_URL: https, audience defaulting to the origin', () => {
    assert.deepEqual(
      parseAuditExportConfig({ AUDIT_WEBHOOK_URL: 'https://audit-abc-uc.a.run.app/events' }).value.webhook,
      { url: 'https://audit-abc-uc.a.run.app/events', audience: 'https://audit-abc-uc.a.run.app' },
    );
    assert.equal(
      parseAuditExportConfig({
        AUDIT_WEBHOOK_URL: 'https://x.example/e',
        AUDIT_WEBHOOK_AUDIENCE: 'https://custom.example',
        AUDIT_WEBHOOK_CUSTOM_AUDIENCE: 'true',
      }).value.webhook?.audience,
      'https://custom.example',
    );
  });
  it('plain http only on loopback', () => {
    assert.deepEqual(parseAuditExportConfig({ AUDIT_WEBHOOK_URL: 'http://127.0.0.1:4000/cloudrun/a/e' }).problems, []);
    assert.match(
      parseAuditExportConfig({ AUDIT_WEBHOOK_URL: 'http://audit.example/e' }).problems[0] ?? '',
      /AUDIT_WEBHOOK_URL is not valid: expected an https:\/\/ URL/,
    );
  });
  it('no credentials in the URL, and the URL is never echoed in the problem', () => {
    const { problems } = parseAuditExportConfig({ AUDIT_WEBHOOK_URL: 'https://user:hunter2@x.example/e' });
    assert.equal(problems.length, 1);
    assert.ok(!problems[0]?.includes('hunter2'));
  });
  it('an audience without a URL is a problem', () => {
    assert.match(
      parseAuditExportConfig({ AUDIT_WEBHOOK_AUDIENCE: 'https://x' }).problems[0] ?? '',
      /without AUDIT_WEBHOOK_URL/,
    );
  });
  it('queue sizes are bounded', () => {
    assert.equal(parseAuditExportConfig({ AUDIT_QUEUE_CAPACITY: '50' }).problems.length, 1);
    assert.equal(parseAuditExportConfig({ AUDIT_BATCH_SIZE: '501' }).problems.length, 1);
    assert.equal(parseAuditExportConfig({ AUDIT_DRAIN_SECONDS: '0' }).problems.length, 1);
    assert.deepEqual(
      parseAuditExportConfig({
        AUDIT_QUEUE_CAPACITY: '200',
        AUDIT_BATCH_SIZE: '10',
        AUDIT_FLUSH_MS: '0',
        AUDIT_DRAIN_SECONDS: '3',
      }).value,
      {
        cloudLogging: undefined,
        webhook: undefined,
        queueCapacity: 200,
        batchSize: 10,
        flushMs: 0,
        drainSeconds: 3,
      },
    );
  });
  it('an export needs an identity: AUDIT_SINK without SCOPEWISE_IDENTITY is a problem (fail closed)', () => {
    const { problems } = parseWorkloadConfig({
      AUDIT_SINK: 'cloud-logging:acme-prod/a',
      AUDIT_WEBHOOK_URL: 'https://x.example/e',
    });
    assert.equal(problems.length, 2);
    assert.match(problems[0] ?? '', /^AUDIT_SINK is set but SCOPEWISE_IDENTITY is off/);
    assert.deepEqual(
      parseWorkloadConfig({ AUDIT_SINK: 'cloud-logging:acme-prod/a', SCOPEWISE_IDENTITY: 'metadata' }).problems,
      [],
    );
  });
});
