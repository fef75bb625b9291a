// What an exported audit record may carry: never a token, a code or a session id, and never an unbounded field.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { REDACTED, createAuditRecord, sanitizeFields, severityOf } from '../../src/audit/record.js';
import { toLogEntry } from '../../src/audit/sinks/cloud-logging.js';
import { toCloudEvent, classifyWebhookStatus } from '../../src/audit/sinks/webhook.js';

describe('sanitizeFields', () => {
  it('redacts secrets at any depth (OAuth code and state inside request parameters), keeps the rest', () => {
    const out = sanitizeFields({
      sub: '1',
      email: 'alice@example.com',
      scopes: ['https://www.googleapis.com/auth/compute.readonly'],
      tokenRef: 'session-id-is-a-bearer',
      access_token: 'ya29.x',
      nested: { refreshToken: '1//x', query: { code: '4/abc', state: 's' }, client_secret: 'c', ok: 1 },
      Authorization: 'Bearer x',
      code: 'SET_MALFORMED',
      state: 'scopewise-verify-1',
      tokens: 2,
    });
    assert.deepEqual(out, {
      sub: '1',
      email: 'alice@example.com',
      scopes: ['https://www.googleapis.com/auth/compute.readonly'],
      tokenRef: REDACTED,
      access_token: REDACTED,
      nested: { refreshToken: REDACTED, query: { code: REDACTED, state: REDACTED }, client_secret: REDACTED, ok: 1 },
      Authorization: REDACTED,
      code: 'SET_MALFORMED',
      state: 'scopewise-verify-1',
      tokens: 2,
    });
  });
  it('bounds sizes and keeps JSON-safe values', () => {
    const out = sanitizeFields({
      long: 'x'.repeat(5000),
      list: Array(200).fill(1),
      deep: { a: { b: { c: { d: { e: 1 } } } } },
      when: new Date(0),
      n: Number.NaN,
      f: () => 1,
    });
    assert.equal((out['long'] as string).length, 1001);
    assert.equal((out['list'] as unknown[]).length, 50);
    assert.deepEqual(out['deep'], { a: { b: { c: '[…]' } } });
    assert.equal(out['when'], '1970-01-01T00:00:00.000Z');
    assert.equal(out['n'], 'NaN');
    assert.ok(!('f' in out));
  });
});

describe('records', () => {
  it('have an id, a time, a severity, and are frozen', () => {
    const r = createAuditRecord('sign-in-refused', { email: 'carol@gmail.com' }, 0, 'id-1');
    assert.deepEqual(
      { ...r },
      {
        id: 'id-1',
        time: '1970-01-01T00:00:00.000Z',
        event: 'sign-in-refused',
        severity: 'WARNING',
        priority: 'low',
        fields: { email: 'carol@gmail.com' },
      },
    );
    assert.ok(Object.isFrozen(r) && Object.isFrozen(r.fields));
    assert.equal(severityOf('consent-granted'), 'NOTICE');
  });

  it('become a LogEntry whose insertId is the record id (a retried write is not a duplicate)', () => {
    const r = createAuditRecord('disconnect', { sub: '1', event: 'spoofed' }, 0, 'id-2');
    assert.deepEqual(toLogEntry(r, { projectId: 'acme-prod', logId: 'audit/scopewise' }), {
      logName: 'projects/acme-prod/logs/audit%2Fscopewise',
      resource: { type: 'global', labels: { project_id: 'acme-prod' } },
      timestamp: '1970-01-01T00:00:00.000Z',
      severity: 'NOTICE',
      insertId: 'id-2',
      labels: { app: 'scopewise', event: 'disconnect' },
      jsonPayload: { message: 'audit: disconnect', sub: '1', event: 'disconnect', auditId: 'id-2' },
    });
  });

  it('become a CloudEvent for the webhook', () => {
    const r = createAuditRecord('reduce-access', { feature: 'vms' }, 0, 'id-3');
    assert.deepEqual(toCloudEvent(r, '/scopewise'), {
      specversion: '1.0',
      id: 'id-3',
      source: '/scopewise',
      type: 'dev.scopewise.audit.reduce-access',
      time: '1970-01-01T00:00:00.000Z',
      datacontenttype: 'application/json',
      data: { event: 'reduce-access', severity: 'NOTICE', feature: 'vms' },
    });
  });

  it('webhook answers: 2xx delivered; auth, throttling, 5xx retried; other 4xx refused', () => {
    assert.deepEqual(classifyWebhookStatus(204, null), { ok: true });
    for (const s of [401, 403, 404, 408, 429, 500, 503, 302])
      assert.equal((classifyWebhookStatus(s, null) as { retry: boolean }).retry, true, String(s));
    for (const s of [400, 413, 422])
      assert.equal((classifyWebhookStatus(s, null) as { retry: boolean }).retry, false, String(s));
    assert.equal((classifyWebhookStatus(429, '7') as { retryAfterMs?: number }).retryAfterMs, 7000);
  });
});
