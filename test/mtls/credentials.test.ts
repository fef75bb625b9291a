// The workload credential files: each way they can be wrong (with its code and message), what a good set yields,
// and the reload contract seen from outside (same files: no change; new files: listeners told, counted; a
// failing listener does not stop the others; an unsubscribed or closed one hears nothing).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { MtlsCredentialError, MtlsCredentials, loadCredentials, parseCredentials } from '../../src/mtls/credentials.js';
import type { IssuedCertificate } from '../support-ca/ca.js';
import { SERVER_ID, TD, createPki, rotate, within, type Pki } from './helpers.js';

let pki: Pki;
let other: IssuedCertificate;
before(async () => {
  pki = await createPki();
  other = await pki.ca.issue({ uris: [SERVER_ID] });
});
after(async () => {
  await pki.cleanup();
});

function refusal(fn: () => unknown): [string, string] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof MtlsCredentialError, String(err));
    assert.equal(err.name, 'MtlsCredentialError');
    return [err.code, err.message];
  }
  assert.fail('expected an MtlsCredentialError');
}

const BROKEN_PEM = '-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----';

describe('parseCredentials', () => {
  const good = () => ({
    certificates: pki.server.certPem,
    privateKey: pki.server.keyPem,
    caCertificates: pki.ca.certPem,
  });

  it('a consistent set: the leaf, its identity and dates, the anchors, and a digest of the three files', () => {
    const c = parseCredentials(good());
    const leaf = new X509Certificate(pki.server.certPem);
    assert.equal(c.key, pki.server.keyPem);
    assert.equal(c.cert, pki.server.certPem);
    assert.equal(c.ca.length, 1);
    assert.equal(c.spiffeId.id, SERVER_ID);
    assert.equal(c.trustDomain, TD);
    assert.deepEqual([...c.anchorFingerprints], [new X509Certificate(pki.ca.certPem).fingerprint256]);
    assert.equal(c.notAfter, new Date(leaf.validTo).toISOString());
    assert.equal(c.fingerprint256, leaf.fingerprint256);
    assert.match(c.digest, /^[0-9a-f]{64}$/);
    assert.equal(parseCredentials(good()).digest, c.digest, 'the same files, the same digest');
    assert.notEqual(
      parseCredentials({ ...good(), caCertificates: `${pki.ca.certPem}\n${pki.stranger.certPem}` }).digest,
      c.digest,
      'any file changing changes it',
    );
  });

  it('each broken file is refused with its code and a message naming the file', () => {
    const cases: Array<[Partial<ReturnType<typeof good>>, string, string]> = [
      [{ certificates: 'nothing here' }, 'MTLS_CERT_INVALID', 'certificates.pem holds no PEM certificate'],
      [{ certificates: BROKEN_PEM }, 'MTLS_CERT_INVALID', 'certificates.pem: the first certificate cannot be parsed'],
      [{ privateKey: 'not a key' }, 'MTLS_KEY_INVALID', 'private_key.pem holds no usable private key'],
      [
        { privateKey: other.keyPem },
        'MTLS_KEY_MISMATCH',
        'private_key.pem does not belong to the certificate in certificates.pem (rotation in progress?)',
      ],
      [{ caCertificates: '' }, 'MTLS_CA_EMPTY', 'ca_certificates.pem holds no PEM certificate'],
      [
        { caCertificates: `${pki.ca.certPem}\n${BROKEN_PEM}` },
        'MTLS_CERT_INVALID',
        'ca_certificates.pem: a certificate cannot be parsed',
      ],
      [
        { certificates: pki.ca.certPem, privateKey: pki.server.keyPem },
        'MTLS_KEY_MISMATCH',
        'private_key.pem does not belong to the certificate in certificates.pem (rotation in progress?)',
      ],
    ];
    for (const [change, code, message] of cases)
      assert.deepEqual(
        refusal(() => parseCredentials({ ...good(), ...change })),
        [code, message],
        message,
      );
  });

  it('a leaf that is not an SVID says why, after the file name', async () => {
    const notSvid = await pki.ca.issue({ uris: ['https://td.example/server'] });
    assert.deepEqual(
      refusal(() => parseCredentials({ ...good(), certificates: notSvid.certPem, privateKey: notSvid.keyPem })),
      [
        'MTLS_NOT_AN_SVID',
        'certificates.pem: "https://td.example/server" is not a SPIFFE ID: expected spiffe://TRUST_DOMAIN/PATH',
      ],
    );
  });
});

describe('loadCredentials', () => {
  it('a directory without the files: MTLS_FILES_UNREADABLE naming the directory and the cause', async () => {
    const missing = join(pki.dir, 'nowhere');
    await assert.rejects(loadCredentials(missing), (err: unknown) => {
      assert.ok(err instanceof MtlsCredentialError);
      assert.equal(err.code, 'MTLS_FILES_UNREADABLE');
      assert.equal(err.message, `cannot read the credential files in ${missing} (ENOENT)`);
      return true;
    });
  });
});

describe('MtlsCredentials', () => {
  it('status; unchanged files change nothing; a rotation is loaded once, counted and told to each listener', async () => {
    const creds = await MtlsCredentials.open(pki.credsPath, { pollMs: 60_000, debounceMs: 20 });
    try {
      const first = creds.status();
      assert.equal(first.dir, pki.credsPath);
      assert.equal(first.spiffeId, SERVER_ID);
      assert.equal(first.fingerprint256, creds.current.fingerprint256);
      assert.equal(first.notAfter, creds.current.notAfter);
      assert.equal(first.reloads, 0);
      assert.equal('lastError' in first, false);
      assert.ok(Date.parse(first.loadedAt) <= Date.now());

      assert.equal(await creds.reload(), false, 'the same files');
      assert.equal(creds.status().reloads, 0);

      const heard: string[] = [];
      creds.onChange(() => {
        throw new Error('a broken listener');
      });
      creds.onChange((c) => heard.push(c.fingerprint256));
      const unsubscribed: string[] = [];
      const stop = creds.onChange((c) => unsubscribed.push(c.fingerprint256));
      stop();

      const changed = creds.nextChange();
      await rotate(pki, other);
      await within(changed, 5000, 'the rotation was not picked up');
      assert.equal(creds.current.fingerprint256, new X509Certificate(other.certPem).fingerprint256);
      assert.deepEqual(heard, [creds.current.fingerprint256], 'told once, despite the broken listener before it');
      assert.deepEqual(unsubscribed, []);
      assert.equal(creds.status().reloads, 1);
      assert.equal(await creds.reload(), false, 'loading the same files again changes nothing');
      assert.equal(creds.status().reloads, 1);
    } finally {
      creds.close();
    }
  });

  it('a failed reload keeps the current credentials and says why; once the files are whole again it recovers', async () => {
    const creds = await MtlsCredentials.open(pki.credsPath, { pollMs: 60_000, debounceMs: 20, retryMs: 50 });
    try {
      const before = creds.current.fingerprint256;
      const { writeCredentialsDir } = await import('../support-ca/ca.js');
      await writeCredentialsDir(
        pki.credsPath,
        { certificates: pki.server.certPem, privateKey: other.keyPem, caCertificates: pki.ca.certPem },
        `broken-${Date.now()}`,
      );
      assert.equal(await creds.reload(), false);
      assert.equal(creds.current.fingerprint256, before);
      assert.equal(creds.status().lastError?.code, 'MTLS_KEY_MISMATCH');
      // Whole again (the rotation finished): the retry after a failure loads it without any further event.
      const changed = creds.nextChange();
      await rotate(pki, pki.server);
      await within(changed, 5000, 'no recovery');
      assert.equal(creds.status().lastError, undefined);
    } finally {
      creds.close();
    }
  });

  it('after close, no rotation reaches a listener', async () => {
    const creds = await MtlsCredentials.open(pki.credsPath, { pollMs: 60_000, debounceMs: 10 });
    const heard: string[] = [];
    creds.onChange((c) => heard.push(c.fingerprint256));
    creds.close();
    await rotate(pki, other);
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(heard, []);
  });
});
