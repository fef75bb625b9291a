// A reload of the mTLS credentials that keeps failing (half-rotated files, a directory gone) is retried with a
// growing delay, not every second, and logged when its cause changes, not at each attempt: a broken rotation
// costs a few lines, not 86,000 a day. The current credentials stay in use meanwhile; recovery is logged once.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { MtlsCredentials, reloadRetryDelay } from '../../src/mtls/credentials.js';
import { createLogger } from '../../src/log/logger.js';
import { writeCredentialsDir } from '../support-ca/ca.js';
import { createPki, rotate, SERVER_ID, type Pki } from './helpers.js';

let pki: Pki;
before(async () => {
  pki = await createPki();
});
after(async () => {
  await pki.cleanup();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('mTLS credential reload failures', () => {
  it('the retry delay doubles from the first retry up to its ceiling', () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 7, 20].map((n) => reloadRetryDelay(n, 1000, 60_000)),
      [1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000],
    );
  });

  it('a failing reload backs off and is logged once per cause; the recovery once; the old credentials serve meanwhile', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = createLogger('info', { write: (s: string) => void lines.push(JSON.parse(s)) });
    const creds = await MtlsCredentials.open(pki.credsPath, { logger, retryMs: 20, pollMs: 60_000 });
    try {
      const before = creds.current.fingerprint256;
      const a = await pki.ca.issue({ uris: [SERVER_ID] });
      const b = await pki.ca.issue({ uris: [SERVER_ID] });
      // Half-rotated: the key of one certificate with another certificate, for 1.3 s.
      await writeCredentialsDir(
        pki.credsPath,
        { certificates: a.certPem, privateKey: b.keyPem, caCertificates: pki.ca.certPem },
        `half-${Date.now()}`,
      );
      await creds.reload();
      await sleep(1300);
      const attempts = creds.status().failedReloads;
      assert.ok(attempts >= 3 && attempts <= 10, `${attempts} attempts in 1.3 s (every 20 ms would be 65)`);
      assert.equal(creds.current.fingerprint256, before, 'the previous credentials stay in use');
      const warnings = () => lines.filter((l) => l['level'] === 'warn');
      assert.equal(warnings().length, 1, 'one line for the cause, not one per attempt');
      assert.equal(warnings()[0]?.['errorCode'], 'MTLS_KEY_MISMATCH');
      // Another cause: the files disappear. One more line.
      await rm(pki.credsPath, { force: true });
      await creds.reload();
      await sleep(200);
      assert.deepEqual(
        warnings().map((l) => l['errorCode']),
        ['MTLS_KEY_MISMATCH', 'MTLS_FILES_UNREADABLE'],
      );
      // The rotation completes: picked up, and the recovery said once.
      const changed = creds.nextChange();
      await rotate(pki, b);
      await creds.reload();
      await changed;
      assert.equal(creds.status().lastError, undefined);
      assert.equal(lines.filter((l) => l['msg'] === 'mTLS credentials: reloading works again').length, 1);
    } finally {
      creds.close();
    }
  });
});
