import { test } from 'node:test';
import assert from 'node:assert/strict';
import { admit, hostedDomainHint } from '../../src/auth/admission.js';

const policy = { allowedDomains: ['example.com'], allowedEmails: ['ops@partner.example'] };

test('admits a Workspace admin by the verified hd claim', () => {
  assert.deepEqual(admit({ hd: 'example.com', email: 'a@example.com', email_verified: true }, policy), {
    admitted: true,
    via: 'domain',
  });
});

test('refuses an account whose e-mail is in the domain but has no hd claim (consumer account spoofing the domain)', () => {
  const r = admit({ email: 'mallory@example.com', email_verified: true }, policy);
  assert.equal(r.admitted, false);
});

test('refuses another domain', () => {
  const r = admit({ hd: 'other.example', email: 'd@other.example', email_verified: true }, policy);
  assert.equal(r.admitted, false);
  if (!r.admitted) assert.equal(r.code, 'NOT_ALLOWED');
});

test('admits a listed e-mail only when verified', () => {
  assert.equal(admit({ email: 'OPS@partner.example', email_verified: true }, policy).admitted, true);
  const r = admit({ email: 'ops@partner.example', email_verified: false }, policy);
  assert.equal(r.admitted, false);
  if (!r.admitted) assert.equal(r.code, 'EMAIL_NOT_VERIFIED');
  assert.equal(admit({ email: 'ops@partner.example', email_verified: 'true' }, policy).admitted, false);
});

test('with no lists configured everyone is admitted (development only; production config requires a list)', () => {
  assert.equal(admit({}, { allowedDomains: [], allowedEmails: [] }).admitted, true);
});

test('hd hint only with exactly one domain', () => {
  assert.equal(hostedDomainHint(policy), 'example.com');
  assert.equal(hostedDomainHint({ allowedDomains: ['a.com', 'b.com'], allowedEmails: [] }), undefined);
  assert.equal(hostedDomainHint({ allowedDomains: [], allowedEmails: [] }), undefined);
});

test('look-alike domains are refused: the hd claim must equal an allowed domain exactly', () => {
  const strict = { allowedDomains: ['example.com'], allowedEmails: [] };
  for (const hd of [
    'notexample.com',
    'example.com.evil',
    'sub.example.com',
    'example.co',
    'xample.com',
    'example.com.',
    ' example.com',
    'EXAMPLE.COM.evil',
  ]) {
    const r = admit({ hd, email: `a@${hd}`, email_verified: true }, strict);
    assert.equal(r.admitted, false, `admitted hd=${JSON.stringify(hd)}`);
  }
  assert.equal(
    admit({ hd: 'Example.COM', email: 'a@example.com', email_verified: true }, strict).admitted,
    true,
    'case does not matter',
  );
});

test('an allowed e-mail must match exactly too', () => {
  const strict = { allowedDomains: [], allowedEmails: ['ops@partner.example'] };
  for (const email of [
    'ops@partner.example.evil',
    'xops@partner.example',
    'ops@sub.partner.example',
    'ops@partner.exampl',
  ]) {
    assert.equal(admit({ email, email_verified: true }, strict).admitted, false, email);
  }
});
