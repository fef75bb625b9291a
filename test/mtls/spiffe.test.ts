// SPIFFE IDs, X509-SVIDs and the credential files, without a network.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { type MtlsCredentialError, parseCredentials, splitPemCertificates } from '../../src/mtls/credentials.js';
import { checkPeer } from '../../src/mtls/server.js';
import {
  SpiffeError,
  checkServerSpiffeId,
  parseSpiffeId,
  parseSpiffeIdList,
  parseSubjectAltName,
  spiffeIdOfCertificate,
} from '../../src/mtls/spiffe.js';
import { TestCa } from '../support-ca/ca.js';

describe('parseSpiffeId', () => {
  it('accepts Google managed workload identities (Compute Engine and GKE forms)', () => {
    const ce = parseSpiffeId('spiffe://pool-1.global.123456789012.workload.id.goog/ns/prod/sa/frontend');
    assert.deepEqual(
      [ce.trustDomain, ce.path],
      ['pool-1.global.123456789012.workload.id.goog', '/ns/prod/sa/frontend'],
    );
    assert.equal(
      parseSpiffeId('spiffe://my-project.svc.id.goog/ns/default/sa/default').trustDomain,
      'my-project.svc.id.goog',
    );
  });
  const bad: Array<[string, string]> = [
    ['https://example.org/ns/a', 'another scheme'],
    ['SPIFFE://example.org/a', 'an upper-case scheme'],
    ['spiffe://Example.org/a', 'an upper-case trust domain'],
    ['spiffe://example.org:443/a', 'a port'],
    ['spiffe://user@example.org/a', 'userinfo'],
    ['spiffe://example.org/a/', 'a trailing slash'],
    ['spiffe://example.org//a', 'an empty segment'],
    ['spiffe://example.org/a/../b', 'a dot-dot segment'],
    ['spiffe://example.org/a?b=c', 'a query'],
    ['spiffe://example.org/a#b', 'a fragment'],
    ['spiffe:///a', 'no trust domain'],
  ];
  for (const [value, what] of bad) {
    it(`refuses ${what}`, () => {
      assert.throws(
        () => parseSpiffeId(value),
        (e: unknown) => e instanceof SpiffeError && e.code === 'SPIFFE_ID_INVALID',
      );
    });
  }
  it('lists: exact IDs, problems named', () => {
    const { ids, problems } = parseSpiffeIdList('spiffe://a.example/x, spiffe://a.example/y ,bad');
    assert.deepEqual(
      ids.map((i) => i.id),
      ['spiffe://a.example/x', 'spiffe://a.example/y'],
    );
    assert.equal(problems.length, 1);
  });
});

describe('parseSubjectAltName', () => {
  it('reads Node’s text, quoted values included', () => {
    assert.deepEqual(parseSubjectAltName('URI:spiffe://a/b, DNS:x.example'), [
      { type: 'URI', value: 'spiffe://a/b' },
      { type: 'DNS', value: 'x.example' },
    ]);
    assert.deepEqual(parseSubjectAltName('URI:"spiffe://a/b, DNS:evil", DNS:y'), [
      { type: 'URI', value: 'spiffe://a/b, DNS:evil' },
      { type: 'DNS', value: 'y' },
    ]);
    assert.deepEqual(parseSubjectAltName(undefined), []);
  });
});

describe('X509-SVIDs and credential files', () => {
  let ca: TestCa;
  before(async () => {
    ca = await TestCa.create('unit');
  });
  after(async () => {
    await ca.remove();
  });

  it('the SPIFFE ID of a leaf; a CA certificate is not a leaf', async () => {
    const leaf = await ca.issue({ uris: ['spiffe://td.example/ns/a/sa/b'] });
    assert.equal(spiffeIdOfCertificate(new X509Certificate(leaf.certPem)).id, 'spiffe://td.example/ns/a/sa/b');
    assert.throws(
      () => spiffeIdOfCertificate(new X509Certificate(ca.certPem)),
      (e: unknown) => (e as SpiffeError).code === 'SVID_IS_CA',
    );
  });

  it('parseCredentials: consistent files load; a key of another certificate is refused (rotation in progress)', async () => {
    const a = await ca.issue({ uris: ['spiffe://td.example/ns/a/sa/server'] });
    const b = await ca.issue({ uris: ['spiffe://td.example/ns/a/sa/server'] });
    const ok = parseCredentials({ certificates: a.certPem, privateKey: a.keyPem, caCertificates: ca.certPem });
    assert.equal(ok.trustDomain, 'td.example');
    assert.equal(ok.ca.length, 1);
    assert.throws(
      () => parseCredentials({ certificates: a.certPem, privateKey: b.keyPem, caCertificates: ca.certPem }),
      (e: unknown) => (e as MtlsCredentialError).code === 'MTLS_KEY_MISMATCH',
    );
  });

  it('parseCredentials: an empty trust bundle and a non-SVID certificate are refused', async () => {
    const a = await ca.issue({ uris: ['spiffe://td.example/ns/a/sa/server'] });
    assert.throws(
      () => parseCredentials({ certificates: a.certPem, privateKey: a.keyPem, caCertificates: '' }),
      (e: unknown) => (e as MtlsCredentialError).code === 'MTLS_CA_EMPTY',
    );
    const notSvid = await ca.issue({ uris: ['https://td.example/server'] });
    assert.throws(
      () => parseCredentials({ certificates: notSvid.certPem, privateKey: notSvid.keyPem, caCertificates: ca.certPem }),
      (e: unknown) => (e as MtlsCredentialError).code === 'MTLS_NOT_AN_SVID',
    );
  });

  it('splitPemCertificates keeps every certificate of a bundle, in order', () => {
    assert.equal(splitPemCertificates(`${ca.certPem}\n${ca.certPem}`).length, 2);
  });

  it('checkPeer: the rules in order', async () => {
    const leaf = new X509Certificate((await ca.issue({ uris: ['spiffe://td.example/ns/lb/sa/x'] })).certPem);
    const allowed = new Set(['spiffe://td.example/ns/lb/sa/x']);
    assert.equal(checkPeer({ authorized: true, certificate: leaf, trustDomain: 'td.example', allowed }).ok, true);
    assert.deepEqual(checkPeer({ authorized: false, certificate: leaf, trustDomain: 'td.example', allowed }), {
      ok: false,
      code: 'PEER_UNAUTHORIZED',
    });
    assert.deepEqual(checkPeer({ authorized: true, certificate: undefined, trustDomain: 'td.example', allowed }), {
      ok: false,
      code: 'PEER_NO_CERTIFICATE',
    });
    assert.equal(
      (checkPeer({ authorized: true, certificate: leaf, trustDomain: 'other.example', allowed }) as { code: string })
        .code,
      'PEER_WRONG_TRUST_DOMAIN',
    );
    assert.equal(
      (
        checkPeer({ authorized: true, certificate: leaf, trustDomain: 'td.example', allowed: new Set() }) as {
          code: string;
        }
      ).code,
      'PEER_NOT_ALLOWED',
    );
  });

  it('checkPeer: the allow-list holds exact IDs (no prefix, suffix or namespace match)', async () => {
    const allowed = new Set(['spiffe://td.example/ns/edge/sa/load-balancer']);
    const nearMisses = [
      'spiffe://td.example/ns/edge/sa/load-balancer-canary',
      'spiffe://td.example/ns/edge/sa/load-balancer/sidecar',
      'spiffe://td.example/ns/edge/sa/load-balance',
      'spiffe://td.example/ns/edge/sa/other',
    ];
    for (const id of nearMisses) {
      const certificate = new X509Certificate((await ca.issue({ uris: [id] })).certPem);
      assert.deepEqual(
        checkPeer({ authorized: true, certificate, trustDomain: 'td.example', allowed }),
        { ok: false, code: 'PEER_NOT_ALLOWED', spiffeId: id },
        id,
      );
    }
    const exact = new X509Certificate((await ca.issue({ uris: [...allowed] })).certPem);
    const accepted = checkPeer({ authorized: true, certificate: exact, trustDomain: 'td.example', allowed });
    assert.deepEqual(accepted, {
      ok: true,
      peer: {
        spiffeId: 'spiffe://td.example/ns/edge/sa/load-balancer',
        trustDomain: 'td.example',
        path: '/ns/edge/sa/load-balancer',
        fingerprint256: exact.fingerprint256,
      },
    });
  });

  it('checkServerSpiffeId: a client accepts only the expected server ID', () => {
    const check = checkServerSpiffeId(new Set(['spiffe://td.example/ns/a/sa/server']));
    assert.equal(check('127.0.0.1', { subjectaltname: 'URI:spiffe://td.example/ns/a/sa/server' }), undefined);
    assert.ok(check('127.0.0.1', { subjectaltname: 'URI:spiffe://td.example/ns/a/sa/other' }) instanceof Error);
    assert.ok(check('127.0.0.1', { subjectaltname: 'DNS:localhost' }) instanceof Error);
  });
});
