// The audit webhook to a private Cloud Run service (the mock's receiver): an ID token for the right audience is
// accepted, a wrong audience is refused with 401 and the event kept for retry, a missing invoker role is 403.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT, generateKeyPair } from 'jose';
import { createMockGoogle, type MockGoogle } from '../../mock-google/server.js';
import { parseAuditExportConfig } from '../../src/audit/config.js';
import { createAuditExport, type AuditExport } from '../../src/audit/export.js';
import { WorkloadIdentity } from '../../src/identity/workload-identity.js';
import { pointAdcAtMock } from '../identity/adc-env.js';
import { VirtualClock, captureLogger, waitFor } from './helpers.js';

const SA = 'scopewise-runtime@acme-prod.iam.gserviceaccount.com';
let mock: MockGoogle;
let identity: WorkloadIdentity;
let receiverUrl: string;

interface Received {
  principal: string;
  audience: string;
  idempotencyKey: string;
  body: { specversion: string; id: string; type: string; data: Record<string, unknown> };
}

async function received(): Promise<Received[]> {
  return (
    (await (await fetch(`${mock.url}/__control/run-receiver?service=audit-receiver`)).json()) as { events: Received[] }
  ).events;
}

async function control(path: string, body: unknown): Promise<void> {
  const res = await fetch(`${mock.url}/__control/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 200);
}

function exportTo(env: Record<string, string>, clock?: VirtualClock): AuditExport {
  const parsed = parseAuditExportConfig({ AUDIT_WEBHOOK_URL: receiverUrl, AUDIT_FLUSH_MS: '0', ...env });
  assert.deepEqual(parsed.problems, []);
  return createAuditExport(parsed.value, { logger: captureLogger().logger, identity, ...(clock ? { clock } : {}) });
}

before(async () => {
  mock = await createMockGoogle({ port: 0 });
  pointAdcAtMock(mock.url);
  identity = new WorkloadIdentity({ mode: 'metadata' });
  await identity.describe();
  receiverUrl = `${mock.url}/cloudrun/audit-receiver/events`;
});
after(async () => {
  await mock?.close();
});

describe('audit webhook to a private Cloud Run service', () => {
  it('arrives with an ID token for the URL’s origin (the default audience), as a CloudEvent', async () => {
    await control('reset', {});
    const exp = exportTo({});
    const record = exp.record('reduce-access', { sub: '100000000000000000001', feature: 'vms' });
    await waitFor(() => exp.stats()[0]?.delivered === 1, 'delivery');
    const [got] = await received();
    assert.ok(got);
    assert.equal(got.principal, SA);
    assert.equal(got.audience, mock.url);
    assert.equal(got.idempotencyKey, record.id);
    assert.equal(got.body.type, 'dev.scopewise.audit.reduce-access');
    assert.equal(got.body.id, record.id);
    assert.equal(got.body.data['feature'], 'vms');
    await exp.drain(1000);
  });

  it('a wrong audience is refused (401); the event is kept and retried, never dropped while there is room', async () => {
    await control('reset', {});
    const clock = new VirtualClock();
    const exp = exportTo(
      { AUDIT_WEBHOOK_AUDIENCE: 'https://another-service-xyz-uc.a.run.app', AUDIT_WEBHOOK_CUSTOM_AUDIENCE: 'true' },
      clock,
    );
    exp.record('sign-in', { sub: '1' });
    await waitFor(() => clock.sleeps.length >= 3, 'three retries');
    const stats = exp.stats()[0]!;
    assert.equal(stats.lastError?.code, 'HTTP_401');
    assert.equal(stats.depth, 1, 'kept');
    assert.equal(stats.delivered, 0);
    assert.deepEqual(await received(), []);
    const report = await exp.drain(50);
    assert.equal(report[0]?.dropped, 1, 'at shutdown it is counted as not exported');
  });

  it('the audience the receiver lists as a custom audience is accepted', async () => {
    await control('reset', {});
    await control('run-receiver', { service: 'audit-receiver', customAudiences: ['https://audit.example.com'] });
    const exp = exportTo({
      AUDIT_WEBHOOK_AUDIENCE: 'https://audit.example.com',
      AUDIT_WEBHOOK_CUSTOM_AUDIENCE: 'true',
    });
    exp.record('sign-in', { sub: '1' });
    await waitFor(() => exp.stats()[0]?.delivered === 1, 'delivery');
    assert.equal((await received())[0]?.audience, 'https://audit.example.com');
    await exp.drain(1000);
  });

  it('without roles/run.invoker on the service: 403, kept for retry', async () => {
    await control('reset', {});
    await control('run-receiver', { service: 'audit-receiver', invokers: [] });
    const clock = new VirtualClock();
    const exp = exportTo({}, clock);
    exp.record('sign-in', { sub: '1' });
    await waitFor(() => exp.stats()[0]?.lastError?.code === 'HTTP_403', 'the refusal');
    assert.equal(exp.stats()[0]?.depth, 1);
    await exp.drain(50);
  });
});

describe('the receiver checks tokens like Cloud Run', () => {
  it('no token, or a token signed by another key: 401 with WWW-Authenticate', async () => {
    const none = await fetch(receiverUrl, { method: 'POST', body: '{}' });
    assert.equal(none.status, 401);
    assert.match(none.headers.get('www-authenticate') ?? '', /invalid_token/);
    const { privateKey } = await generateKeyPair('RS256');
    const now = Math.floor(Date.now() / 1000);
    const forged = await new SignJWT({ email: SA, email_verified: true })
      .setProtectedHeader({ alg: 'RS256', kid: 'forged' })
      .setIssuer(mock.issuer)
      .setAudience(mock.url)
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(privateKey);
    const res = await fetch(receiverUrl, {
      method: 'POST',
      headers: { authorization: `Bearer ${forged}` },
      body: '{}',
    });
    assert.equal(res.status, 401);
  });

  it('an access token is not an ID token: 401', async () => {
    const token = await identity.accessTokens(['https://www.googleapis.com/auth/logging.write']).token();
    const res = await fetch(receiverUrl, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: '{}' });
    assert.equal(res.status, 401);
  });
});
