// Scopewise's own identity through Application Default Credentials, against the mock's metadata server
// (google-auth-library pointed at it with GCE_METADATA_HOST, as the library supports; see adc-env.ts).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMockGoogle, type MockGoogle } from '../../mock-google/server.js';
import { IdentityError } from '../../src/identity/errors.js';
import { LOGGING_WRITE_SCOPE } from '../../src/identity/own-needs.js';
import { WorkloadIdentity, formatCredentialLine } from '../../src/identity/workload-identity.js';
import { pointAdcAtMock } from './adc-env.js';

const SA = 'scopewise-runtime@acme-prod.iam.gserviceaccount.com';
let mock: MockGoogle;

before(async () => {
  mock = await createMockGoogle({ port: 0 });
  pointAdcAtMock(mock.url);
});
after(async () => {
  await mock?.close();
});

async function tokeninfo(param: 'access_token' | 'id_token', token: string): Promise<Record<string, string>> {
  const res = await fetch(`${mock.url}/tokeninfo?${param}=${encodeURIComponent(token)}`);
  assert.equal(res.status, 200);
  return (await res.json()) as Record<string, string>;
}

describe('which credential ADC found', () => {
  it('adc: the attached service account, from the metadata server, with its email', async () => {
    const identity = new WorkloadIdentity({ mode: 'adc' });
    const report = await identity.describe();
    assert.deepEqual(report, {
      mode: 'adc',
      kind: 'attached-service-account',
      source: 'metadata-server',
      account: SA,
      warnings: [],
    });
    assert.equal(
      formatCredentialLine(report),
      `Scopewise acts as ${SA} (attached service account, from the metadata server)`,
    );
    assert.deepEqual(identity.status(), {
      mode: 'adc',
      state: 'ready',
      kind: 'attached-service-account',
      source: 'metadata-server',
      account: SA,
    });
  });

  it('metadata: a key file named by GOOGLE_APPLICATION_CREDENTIALS is never picked up', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const file = join(mkdtempSync(join(tmpdir(), 'scopewise-key-')), 'key.json');
    writeFileSync(
      file,
      JSON.stringify({
        type: 'service_account',
        client_email: 'leaked@other.iam.gserviceaccount.com',
        private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
        project_id: 'other',
      }),
    );
    process.env['GOOGLE_APPLICATION_CREDENTIALS'] = file;
    try {
      assert.equal(
        (await new WorkloadIdentity({ mode: 'adc' }).describe()).account,
        'leaked@other.iam.gserviceaccount.com',
        'adc would use it',
      );
      const report = await new WorkloadIdentity({ mode: 'metadata' }).describe();
      assert.equal(report.kind, 'attached-service-account');
      assert.equal(report.account, SA);
    } finally {
      delete process.env['GOOGLE_APPLICATION_CREDENTIALS'];
    }
  });
});

describe('own access tokens: exactly the scopes asked for', () => {
  it('a logging.write token holds only logging.write (tokeninfo)', async () => {
    // The scope as Google spells it, not the app's constant: a constant changed to a broader scope must fail here.
    assert.equal(LOGGING_WRITE_SCOPE, 'https://www.googleapis.com/auth/logging.write');
    const source = new WorkloadIdentity({ mode: 'metadata' }).accessTokens([LOGGING_WRITE_SCOPE]);
    const info = await tokeninfo('access_token', await source.token());
    assert.equal(info['scope'], 'https://www.googleapis.com/auth/logging.write');
    assert.equal(info['email'], SA);
  });

  it('a second scope smuggled into one scope string is refused: no token with cloud-platform is obtained', async () => {
    const CLOUD = 'https://www.googleapis.com/auth/cloud-platform';
    const LOGGING = 'https://www.googleapis.com/auth/logging.write';
    // The metadata server reads `scopes=a,b` (and spaces): each of these would ask it for cloud-platform too.
    for (const smuggled of [
      `${LOGGING},${CLOUD}`,
      `${CLOUD},${LOGGING}`,
      `${LOGGING} ${CLOUD}`,
      `${CLOUD} ${LOGGING}`,
    ]) {
      let token: string;
      try {
        token = await new WorkloadIdentity({ mode: 'metadata' }).accessTokens([smuggled]).token();
      } catch (e) {
        assert.ok(e instanceof IdentityError && e.code === 'SCOPE_REFUSED', `${smuggled}: ${String(e)}`);
        continue;
      }
      const info = await tokeninfo('access_token', token);
      assert.fail(`"${smuggled}" was accepted and the token holds: ${info['scope']}`);
    }
  });

  it('the token is cached by the library (one metadata call), and a new one comes after invalidate()', async () => {
    const source = new WorkloadIdentity({ mode: 'metadata' }).accessTokens([LOGGING_WRITE_SCOPE]);
    const a = await source.token();
    assert.equal(await source.token(), a);
    source.invalidate();
    assert.notEqual(await source.token(), a);
  });

  for (const [what, scopes] of [
    ['cloud-platform (the VM default)', ['https://www.googleapis.com/auth/cloud-platform']],
    ['cloud-platform.read-only', ['https://www.googleapis.com/auth/cloud-platform.read-only', LOGGING_WRITE_SCOPE]],
    ['no scope', []],
    ['a malformed scope', ['logging.write']],
  ] as const) {
    it(`refuses ${what}`, () => {
      assert.throws(
        () => new WorkloadIdentity({ mode: 'metadata' }).accessTokens(scopes),
        (e: unknown) => e instanceof IdentityError && e.code === 'SCOPE_REFUSED',
      );
    });
  }

  it('without the refusal the metadata server would hand out cloud-platform: the guard matters', async () => {
    const res = await fetch(`${mock.url}/computeMetadata/v1/instance/service-accounts/default/token`, {
      headers: { 'Metadata-Flavor': 'Google' },
    });
    const info = await tokeninfo('access_token', ((await res.json()) as { access_token: string }).access_token);
    assert.equal(info['scope'], 'https://www.googleapis.com/auth/cloud-platform');
  });
});

describe('ID tokens for an audience', () => {
  it('signed by the mock, for the audience, naming the service account', async () => {
    const source = new WorkloadIdentity({ mode: 'metadata' }).idTokens('https://audit-receiver-abc-uc.a.run.app');
    const info = await tokeninfo('id_token', await source.token());
    assert.equal(info['aud'], 'https://audit-receiver-abc-uc.a.run.app');
    assert.equal(info['iss'], mock.issuer);
    assert.equal(info['email'], SA);
    assert.equal(info['email_verified'], 'true');
  });
});

describe('the mock metadata server behaves like Google’s', () => {
  const base = () => `${mock.url}/computeMetadata/v1`;
  it('requires Metadata-Flavor: Google and answers with it', async () => {
    const without = await fetch(`${base()}/instance/service-accounts/default/email`);
    assert.equal(without.status, 403);
    const wrong = await fetch(`${base()}/instance/service-accounts/default/email`, {
      headers: { 'Metadata-Flavor': 'google' },
    });
    assert.equal(wrong.status, 403);
    const ok = await fetch(`${base()}/instance/service-accounts/default/email`, {
      headers: { 'Metadata-Flavor': 'Google' },
    });
    assert.equal(ok.headers.get('metadata-flavor'), 'Google');
    assert.equal(await ok.text(), SA);
  });
  it('refuses a request carrying X-Forwarded-For (a proxied request)', async () => {
    const res = await fetch(`${base()}/instance/service-accounts/default/email`, {
      headers: { 'Metadata-Flavor': 'Google', 'X-Forwarded-For': '10.0.0.1' },
    });
    assert.equal(res.status, 403);
  });
  it('an identity token needs an audience', async () => {
    const res = await fetch(`${base()}/instance/service-accounts/default/identity`, {
      headers: { 'Metadata-Flavor': 'Google' },
    });
    assert.equal(res.status, 400);
  });
  it('serves the project id and 404s an unknown key', async () => {
    const h = { 'Metadata-Flavor': 'Google' };
    assert.equal(await (await fetch(`${base()}/project/project-id`, { headers: h })).text(), 'acme-prod');
    assert.equal(
      (await fetch(`${base()}/instance/service-accounts/nobody@x.iam.gserviceaccount.com/email`, { headers: h }))
        .status,
      404,
    );
  });
});
