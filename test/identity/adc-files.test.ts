// ADC on a machine without a metadata server: a key file named by GOOGLE_APPLICATION_CREDENTIALS, the gcloud ADC
// file, or nothing. No token is fetched here: the report is what the start-up line and /healthz show.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IdentityError } from '../../src/identity/errors.js';
import { WorkloadIdentity, formatCredentialLine } from '../../src/identity/workload-identity.js';
import { pointAdcAtNothing } from './adc-env.js';

let gcloudDir: string;
const keyDir = mkdtempSync(join(tmpdir(), 'scopewise-keys-'));

before(() => {
  gcloudDir = pointAdcAtNothing();
});

function serviceAccountKeyFile(email: string): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const file = join(keyDir, `${email}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      type: 'service_account',
      project_id: 'acme-prod',
      client_email: email,
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
    }),
  );
  return file;
}

async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(vars))
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved))
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
  }
}

describe('credential kinds', () => {
  it('a service-account key file from GOOGLE_APPLICATION_CREDENTIALS, with a warning', async () => {
    const file = serviceAccountKeyFile('ci-runner@acme-prod.iam.gserviceaccount.com');
    const report = await withEnv({ GOOGLE_APPLICATION_CREDENTIALS: file }, () =>
      new WorkloadIdentity({ mode: 'adc' }).describe(),
    );
    assert.equal(report.kind, 'service-account-key');
    assert.equal(report.source, 'GOOGLE_APPLICATION_CREDENTIALS');
    assert.equal(report.account, 'ci-runner@acme-prod.iam.gserviceaccount.com');
    assert.match(report.warnings[0] ?? '', /^SERVICE_ACCOUNT_KEY:/);
    assert.equal(
      formatCredentialLine(report),
      'Scopewise acts as ci-runner@acme-prod.iam.gserviceaccount.com (service-account key file, from GOOGLE_APPLICATION_CREDENTIALS)',
    );
  });

  it('in production a key file is reported as such', async () => {
    const file = serviceAccountKeyFile('prod@acme-prod.iam.gserviceaccount.com');
    const report = await withEnv({ GOOGLE_APPLICATION_CREDENTIALS: file }, () =>
      new WorkloadIdentity({ mode: 'adc', production: true }).describe(),
    );
    assert.match(report.warnings[0] ?? '', /^SERVICE_ACCOUNT_KEY_IN_PRODUCTION:/);
  });

  it('the gcloud ADC file (gcloud auth application-default login): user credentials, whose scopes cannot be narrowed', async () => {
    const file = join(gcloudDir, 'application_default_credentials.json');
    writeFileSync(
      file,
      JSON.stringify({
        type: 'authorized_user',
        client_id: 'x.apps.googleusercontent.com',
        client_secret: 's',
        refresh_token: '1//r',
      }),
    );
    try {
      const report = await new WorkloadIdentity({ mode: 'adc' }).describe();
      assert.equal(report.kind, 'authorized-user');
      assert.equal(report.source, 'gcloud-adc-file');
      assert.equal(report.account, undefined);
      assert.match(report.warnings[0] ?? '', /^USER_CREDENTIALS_FIXED_SCOPES:/);
    } finally {
      rmSync(file);
    }
  });
});

describe('nothing found: a named error, and describe() tries again next time', () => {
  it('adc with no file and no metadata server: NO_CREDENTIALS', async () => {
    const identity = new WorkloadIdentity({ mode: 'adc' });
    await assert.rejects(
      identity.describe(),
      (e: unknown) => e instanceof IdentityError && e.code === 'NO_CREDENTIALS',
    );
    assert.equal(identity.status().state, 'failed');
    assert.equal(identity.status().lastError?.code, 'NO_CREDENTIALS');
  });

  it('metadata with no metadata server: METADATA_SERVER_UNAVAILABLE', async () => {
    await assert.rejects(
      new WorkloadIdentity({ mode: 'metadata' }).describe(),
      (e: unknown) => e instanceof IdentityError && e.code === 'METADATA_SERVER_UNAVAILABLE',
    );
  });

  it('GOOGLE_APPLICATION_CREDENTIALS naming a missing file: CREDENTIALS_FILE_INVALID', async () => {
    await withEnv({ GOOGLE_APPLICATION_CREDENTIALS: join(keyDir, 'missing.json') }, async () => {
      await assert.rejects(
        new WorkloadIdentity({ mode: 'adc' }).describe(),
        (e: unknown) => e instanceof IdentityError && e.code === 'CREDENTIALS_FILE_INVALID',
      );
    });
  });

  it('off: no identity at all', async () => {
    const identity = new WorkloadIdentity({ mode: 'off' });
    await assert.rejects(identity.describe(), (e: unknown) => e instanceof IdentityError && e.code === 'IDENTITY_OFF');
    assert.deepEqual(identity.status(), { mode: 'off', state: 'off' });
  });
});
