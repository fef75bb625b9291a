// The SPIFFE ID rules word for word, without certificates: what parseSpiffeId, parseSubjectAltName,
// spiffeIdOfCertificate, parseSpiffeIdList and checkServerSpiffeId accept, and what each refusal says.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { X509Certificate } from 'node:crypto';
import {
  SpiffeError,
  checkServerSpiffeId,
  parseSpiffeId,
  parseSpiffeIdList,
  parseSubjectAltName,
  spiffeIdOfCertificate,
} from '../../src/mtls/spiffe.js';

function refusal(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof SpiffeError, String(err));
    assert.equal(err.name, 'SpiffeError');
    return { code: err.code, message: err.message };
  }
  assert.fail('expected a SpiffeError');
}

describe('parseSpiffeId', () => {
  it('splits trust domain and path; a trust domain alone has an empty path', () => {
    assert.deepEqual(parseSpiffeId('spiffe://td.example/ns/a_b/sa/C-d.e'), {
      id: 'spiffe://td.example/ns/a_b/sa/C-d.e',
      trustDomain: 'td.example',
      path: '/ns/a_b/sa/C-d.e',
    });
    assert.deepEqual(parseSpiffeId('spiffe://my-project.svc.id.goog'), {
      id: 'spiffe://my-project.svc.id.goog',
      trustDomain: 'my-project.svc.id.goog',
      path: '',
    });
  });

  it('each refusal says why, quoting the value', () => {
    const cases: Array<[string, string]> = [
      ['https://td.example/a', 'expected spiffe://TRUST_DOMAIN/PATH'],
      ['spiffe://', 'the trust domain may hold only lowercase letters, digits, ".", "-" and "_"'],
      ['spiffe://TD.example/a', 'the trust domain may hold only lowercase letters, digits, ".", "-" and "_"'],
      ['spiffe://td.example:8443/a', 'the trust domain may hold only lowercase letters, digits, ".", "-" and "_"'],
      ['spiffe:///a', 'the trust domain may hold only lowercase letters, digits, ".", "-" and "_"'],
      ['spiffe://td.example/', 'empty path segment (or trailing "/")'],
      ['spiffe://td.example/a//b', 'empty path segment (or trailing "/")'],
      ['spiffe://td.example/a/.', '"." or ".." path segment'],
      ['spiffe://td.example/../a', '"." or ".." path segment'],
      ['spiffe://td.example/a b', 'path segments may hold only letters, digits, ".", "-" and "_"'],
      ['spiffe://td.example/a?b', 'path segments may hold only letters, digits, ".", "-" and "_"'],
      ['spiffe://td.example/a%2Fb', 'path segments may hold only letters, digits, ".", "-" and "_"'],
    ];
    for (const [value, why] of cases)
      assert.deepEqual(
        refusal(() => parseSpiffeId(value)),
        { code: 'SPIFFE_ID_INVALID', message: `"${value}" is not a SPIFFE ID: ${why}` },
        value,
      );
  });

  it('an ID of 2048 bytes is accepted, one byte more is not (bytes, not characters); the quote is cut at 100', () => {
    const prefix = 'spiffe://td.example/';
    const at = prefix + 'a'.repeat(2048 - prefix.length);
    assert.equal(parseSpiffeId(at).id, at);
    const over = `${at}a`;
    assert.deepEqual(
      refusal(() => parseSpiffeId(over)),
      {
        code: 'SPIFFE_ID_INVALID',
        message: `"${over.slice(0, 100)}" is not a SPIFFE ID: longer than 2048 bytes`,
      },
    );
    // 2060 bytes in 1040 characters: a character count would let it through to the segment rules.
    const wide = prefix + 'é'.repeat(1020);
    assert.equal(refusal(() => parseSpiffeId(wide)).message.endsWith('longer than 2048 bytes'), true);
  });
});

describe('parseSubjectAltName', () => {
  it('reads entries, trimming types; quoted values are JSON strings with escapes', () => {
    assert.deepEqual(parseSubjectAltName('DNS:a.example, URI:spiffe://td/x,  IP Address:10.0.0.1'), [
      { type: 'DNS', value: 'a.example' },
      { type: 'URI', value: 'spiffe://td/x' },
      { type: 'IP Address', value: '10.0.0.1' },
    ]);
    assert.deepEqual(parseSubjectAltName('URI:"spiffe://td/a\\"b, DNS:c", DNS:d'), [
      { type: 'URI', value: 'spiffe://td/a"b, DNS:c' },
      { type: 'DNS', value: 'd' },
    ]);
  });
  it('an unterminated quote is read to the end; text without a colon or nothing at all is no entry', () => {
    assert.deepEqual(parseSubjectAltName('URI:"spiffe://td/x'), [{ type: 'URI', value: 'spiffe://td/x' }]);
    assert.deepEqual(parseSubjectAltName('garbage'), []);
    assert.deepEqual(parseSubjectAltName(''), []);
    assert.deepEqual(parseSubjectAltName('URI:spiffe://td/x, '), [{ type: 'URI', value: 'spiffe://td/x' }]);
  });
});

describe('spiffeIdOfCertificate', () => {
  const cert = (subjectAltName: string | undefined, ca = false) => ({ ca, subjectAltName }) as X509Certificate;
  it('one URI SAN among other names: its SPIFFE ID', () => {
    assert.equal(spiffeIdOfCertificate(cert('DNS:x.example, URI:spiffe://td/ns/a/sa/b')).id, 'spiffe://td/ns/a/sa/b');
  });
  it('a CA, no URI SAN, several, or an invalid ID: refused with its code', () => {
    assert.deepEqual(
      refusal(() => spiffeIdOfCertificate(cert('URI:spiffe://td/a', true))),
      {
        code: 'SVID_IS_CA',
        message: 'a CA certificate is not an X509-SVID leaf',
      },
    );
    assert.deepEqual(
      refusal(() => spiffeIdOfCertificate(cert('DNS:x.example'))),
      {
        code: 'SVID_NO_URI_SAN',
        message: 'the certificate has no URI SAN',
      },
    );
    assert.deepEqual(refusal(() => spiffeIdOfCertificate(cert(undefined))).code, 'SVID_NO_URI_SAN');
    assert.deepEqual(
      refusal(() => spiffeIdOfCertificate(cert('URI:spiffe://td/a, URI:spiffe://td/b'))),
      {
        code: 'SVID_SEVERAL_URI_SANS',
        message: 'an X509-SVID has exactly one URI SAN',
      },
    );
    assert.equal(refusal(() => spiffeIdOfCertificate(cert('URI:https://td/a'))).code, 'SPIFFE_ID_INVALID');
  });
});

describe('parseSpiffeIdList', () => {
  it('trims, drops empty entries, and reports each bad one with its reason', () => {
    const { ids, problems } = parseSpiffeIdList(' spiffe://td/a ,, spiffe://td/b/ , spiffe://td/c,');
    assert.deepEqual(
      ids.map((i) => i.id),
      ['spiffe://td/a', 'spiffe://td/c'],
    );
    assert.deepEqual(problems, ['"spiffe://td/b/" is not a SPIFFE ID: empty path segment (or trailing "/")']);
    assert.deepEqual(parseSpiffeIdList(' , '), { ids: [], problems: [] });
  });
});

describe('checkServerSpiffeId', () => {
  const check = checkServerSpiffeId(new Set(['spiffe://td/ns/a/sa/server']));
  it('accepts the expected ID whatever the host name', () => {
    assert.equal(check('10.0.0.9', { subjectaltname: 'URI:spiffe://td/ns/a/sa/server' }), undefined);
  });
  it('refuses no URI, several URIs, or another ID, naming it', () => {
    const code = (e: Error | undefined) => (e instanceof SpiffeError ? [e.code, e.message] : e);
    assert.deepEqual(code(check('h', { subjectaltname: 'DNS:h' })), [
      'SVID_NO_URI_SAN',
      'the server certificate is not an X509-SVID',
    ]);
    assert.deepEqual(code(check('h', {})), ['SVID_NO_URI_SAN', 'the server certificate is not an X509-SVID']);
    assert.deepEqual(
      code(check('h', { subjectaltname: 'URI:spiffe://td/ns/a/sa/server, URI:spiffe://td/ns/a/sa/server' })),
      ['SVID_SEVERAL_URI_SANS', 'the server certificate is not an X509-SVID'],
    );
    assert.deepEqual(code(check('h', { subjectaltname: 'URI:spiffe://td/ns/a/sa/server-canary' })), [
      'SPIFFE_ID_INVALID',
      'unexpected server SPIFFE ID spiffe://td/ns/a/sa/server-canary',
    ]);
  });
});
