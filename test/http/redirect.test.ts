// Every redirect Scopewise answers: a local target stays local in the form the browser will get, anything else
// becomes "/", and a redirect to the identity provider goes only to its origin.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Response } from 'express';
import { redirectLocal, redirectToIssuer, safeLocalPath } from '../../src/http/redirect.js';

function fakeResponse(): { res: Response; redirects: Array<[number, string]> } {
  const redirects: Array<[number, string]> = [];
  const res = {
    redirect(status: number, url: string) {
      redirects.push([status, url]);
    },
  } as unknown as Response;
  return { res, redirects };
}

describe('safeLocalPath', () => {
  it('keeps a local path with its query and fragment, normalised', () => {
    assert.equal(safeLocalPath('/vms?project=acme-prod#top'), '/vms?project=acme-prod#top');
    assert.equal(safeLocalPath('/a/./b/../c'), '/a/c');
    assert.equal(safeLocalPath('/caf%C3%A9'), '/caf%C3%A9', 'a valid encoding stays as it was');
    assert.equal(safeLocalPath('/%2e%2e/vms'), '/vms', 'encoded dot segments are resolved too');
  });

  it('takes targets up to 2048 characters; longer ones fall back to /', () => {
    const at = `/${'a'.repeat(2047)}`;
    assert.equal(safeLocalPath(at), at);
    assert.equal(safeLocalPath(`${at}a`), '/');
  });

  it('refuses what is not a non-empty string', () => {
    for (const v of ['', undefined, null, 42, ['/a'], { toString: () => '/a' }])
      assert.equal(safeLocalPath(v), '/', JSON.stringify(v));
  });

  it('refuses targets that leave the site in any decoding or after normalisation', () => {
    for (const attack of [
      'vms', // relative: not a path of ours
      '//evil.example',
      '/\\evil.example',
      '/vms\\..\\..\\evil.example',
      '/%2F/evil.example', // decodes to ///evil.example
      '/%252F%252Fevil.example', // twice encoded
      '/%25252F%25252Fevil.example', // three times
      '/%5C%5Cevil.example',
      '/.//evil.example', // normalises to //evil.example
      '/x/..//evil.example',
      '/%E0%A4%A', // not a valid encoding: undecidable
      '/a\u0000b',
      '/a\u001fb',
      '/a\u007fb',
      '/\t/evil.example',
      '/%09/evil.example', // a tab once decoded
    ])
      assert.equal(safeLocalPath(attack), '/', JSON.stringify(attack));
  });

  it('sees through four layers of percent-encoding', () => {
    assert.equal(safeLocalPath('/%2525252Fevil.example'), '/', '%2F encoded three more times: //evil.example');
    assert.equal(safeLocalPath('/a%252541'), '/a%252541', 'what stays local in every decoding is kept as sent');
  });
});

describe('redirectLocal', () => {
  it('answers 303 to the checked target', () => {
    const { res, redirects } = fakeResponse();
    redirectLocal(res, '/logs?project=a');
    redirectLocal(res, '//evil.example');
    assert.deepEqual(redirects, [
      [303, '/logs?project=a'],
      [303, '/'],
    ]);
  });
});

describe('redirectToIssuer', () => {
  it('answers 303 to a URL on the issuer', () => {
    const { res, redirects } = fakeResponse();
    redirectToIssuer(res, new URL('https://accounts.google.com/o/oauth2/v2/auth?x=1'), 'https://accounts.google.com');
    assert.deepEqual(redirects, [[303, 'https://accounts.google.com/o/oauth2/v2/auth?x=1']]);
  });

  it('refuses any other origin (another host, scheme or port), naming it', () => {
    for (const other of [
      'https://evil.example/auth',
      'http://accounts.google.com/auth',
      'https://accounts.google.com:8443/auth',
      'https://accounts.google.com.evil.example/auth',
    ]) {
      const { res, redirects } = fakeResponse();
      assert.throws(
        () => redirectToIssuer(res, new URL(other), 'https://accounts.google.com'),
        (e: unknown) =>
          e instanceof Error &&
          e.message === `refusing to redirect to ${new URL(other).origin}: not the identity provider`,
      );
      assert.deepEqual(redirects, [], other);
    }
  });
});
