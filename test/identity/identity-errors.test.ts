// The own identity's pure parts: SCOPEWISE_IDENTITY word for word, the export-needs-an-identity rule, and error
// descriptions that never carry a token.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseIdentityConfig } from '../../src/identity/config.js';
import { IdentityError, describeCause } from '../../src/identity/errors.js';
import { parseWorkloadConfig } from '../../src/identity/workload.js';

describe('SCOPEWISE_IDENTITY, exactly', () => {
  it('unset, blank or off: off; adc and metadata as written, spaces trimmed', () => {
    for (const v of [undefined, '', '  ', 'off', ' off ']) {
      assert.deepEqual(parseIdentityConfig({ SCOPEWISE_IDENTITY: v }), { value: { mode: 'off' }, problems: [] });
    }
    assert.deepEqual(parseIdentityConfig({ SCOPEWISE_IDENTITY: ' metadata ' }), {
      value: { mode: 'metadata' },
      problems: [],
    });
  });
  it('anything else: off, and a problem saying what each value means', () => {
    for (const v of ['ADC', 'on', 'metadata,adc']) {
      assert.deepEqual(parseIdentityConfig({ SCOPEWISE_IDENTITY: v }), {
        value: { mode: 'off' },
        problems: [
          `SCOPEWISE_IDENTITY="${v}" is not valid: expected off, adc (Application Default Credentials) or metadata (attached service account only)`,
        ],
      });
    }
  });
});

describe('an audit export needs the own identity', () => {
  const needs = (name: string) =>
    `${name} is set but SCOPEWISE_IDENTITY is off: the export runs as Scopewise's own identity; set SCOPEWISE_IDENTITY=metadata (on Google Cloud) or adc`;
  it('each export variable set while the identity is off is a problem naming it', () => {
    assert.deepEqual(parseWorkloadConfig({ AUDIT_SINK: 'cloud-logging:acme-prod/audit' }).problems, [
      needs('AUDIT_SINK'),
    ]);
    assert.deepEqual(parseWorkloadConfig({ AUDIT_WEBHOOK_URL: 'https://audit.example/in', AUDIT_SINK: ' ' }).problems, [
      needs('AUDIT_WEBHOOK_URL'),
    ]);
  });
  it('with an identity there is no such problem; a bad identity value is reported alone', () => {
    assert.deepEqual(
      parseWorkloadConfig({ SCOPEWISE_IDENTITY: 'metadata', AUDIT_SINK: 'cloud-logging:acme-prod/audit' }).problems,
      [],
    );
    const bad = parseWorkloadConfig({ SCOPEWISE_IDENTITY: 'yes', AUDIT_SINK: 'cloud-logging:acme-prod/audit' });
    assert.equal(bad.problems.length, 1, bad.problems.join('\n'));
    assert.match(bad.problems[0]!, /^SCOPEWISE_IDENTITY="yes"/);
  });
});

describe('IdentityError and describeCause', () => {
  it('an IdentityError serialises to its name, code and message', () => {
    const e = new IdentityError('SCOPE_REFUSED', 'no scope');
    assert.equal(e.name, 'IdentityError');
    assert.ok(e instanceof Error);
    assert.deepEqual(JSON.parse(JSON.stringify(e)), {
      name: 'IdentityError',
      code: 'SCOPE_REFUSED',
      message: 'no scope',
    });
  });

  it('a library error becomes code, status and first line, with tokens masked', () => {
    const err = Object.assign(new Error('token ya29.a0AfB_secret-value refused\nbody: eyJhbGciOiJSUzI1NiJ9.e30.sig'), {
      code: 'ERR_BAD',
      response: { status: 401 },
    });
    assert.equal(describeCause(err), 'ERR_BAD: HTTP 401: token [token] refused');
    const bare = Object.assign(new Error('failed: eyJhbGci.x.y'), { status: 503, code: 42 });
    assert.equal(describeCause(bare), 'HTTP 503: failed: [token]');
    assert.equal(describeCause(new Error('')), '');
  });

  it('a first line is cut at 200 characters; a non-error is described by its text, cut too', () => {
    assert.equal(describeCause(new Error('x'.repeat(300))), 'x'.repeat(200));
    assert.equal(describeCause('y'.repeat(300)), 'y'.repeat(200));
    assert.equal(describeCause(undefined), 'undefined');
  });
});
