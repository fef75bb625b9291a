import { test } from 'node:test';
import assert from 'node:assert/strict';
import { safeReturnTo } from '../../src/auth/return-to.js';
import { DOT_SEGMENT_ATTACKS } from '../support/attacks.js';

test('keeps local paths with query and fragment', () => {
  assert.equal(safeReturnTo('/vms?project=acme-prod#top'), '/vms?project=acme-prod#top');
  assert.equal(safeReturnTo('/'), '/');
});

test('open redirects fall back to / (each is a way to leave the site)', () => {
  const attacks = [
    '//evil.example',
    '///evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    'https://evil.example',
    'http:evil.example',
    'javascript:alert(1)',
    'evil.example',
    '%2F%2Fevil.example',
    '/%2F/evil.example',
    '/%5Cevil.example',
    '%252F%252Fevil.example',
    '/\t/evil.example',
    '/\n/evil.example',
    '',
    'x'.repeat(5000),
  ];
  for (const a of attacks) assert.equal(safeReturnTo(a), '/', `accepted ${JSON.stringify(a)}`);
});

test('non-strings (repeated query parameters arrive as arrays) fall back to /', () => {
  assert.equal(safeReturnTo(['/a', '/b']), '/');
  assert.equal(safeReturnTo(undefined), '/');
  assert.equal(safeReturnTo({ a: 1 }), '/');
});

test('dot segments that normalise to //host fall back to / (the value used is the one checked)', () => {
  for (const a of DOT_SEGMENT_ATTACKS) assert.equal(safeReturnTo(a), '/', `accepted ${JSON.stringify(a)}`);
});

test('harmless dot segments are normalised and kept local', () => {
  assert.equal(safeReturnTo('/vms/../projects'), '/projects');
  assert.equal(safeReturnTo('/./vms?project=a'), '/vms?project=a');
});
