import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GoogleApiError, parseGoogleError, parseRetryAfter, parseWwwAuthenticate } from '../../src/google/errors.js';
import { errorInfo, googleErrorJson, insufficientScopeBody } from '../support/google-errors.js';

const SCOPE_BODY = JSON.stringify(
  insufficientScopeBody('compute.googleapis.com', 'compute.v1.InstancesService.AggregatedList'),
);
const SCOPE_CHALLENGE =
  'Bearer realm="https://accounts.google.com/", error="insufficient_scope", scope="https://www.googleapis.com/auth/compute https://www.googleapis.com/auth/cloud-platform"';

test('401 UNAUTHENTICATED body → UNAUTHENTICATED, not retryable', () => {
  const body = googleErrorJson(
    401,
    'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
    { status: 'UNAUTHENTICATED' },
  );
  const err = parseGoogleError(
    401,
    { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
    body,
  );
  assert.ok(err instanceof GoogleApiError);
  assert.equal(err.code, 'UNAUTHENTICATED');
  assert.equal(err.status, 401);
  assert.equal(err.googleStatus, 'UNAUTHENTICATED');
  assert.match(err.message, /invalid authentication credentials/);
  assert.equal(err.retryable, false);
  assert.equal(err.requiredScopes, undefined);
});

test('403 insufficient scopes (body + WWW-Authenticate) → SCOPE_INSUFFICIENT with requiredScopes', () => {
  const headers = new Headers({ 'WWW-Authenticate': SCOPE_CHALLENGE, 'content-type': 'application/json' });
  const err = parseGoogleError(403, headers, SCOPE_BODY);
  assert.equal(err.code, 'SCOPE_INSUFFICIENT');
  assert.equal(err.status, 403);
  assert.equal(err.googleStatus, 'PERMISSION_DENIED');
  assert.equal(err.reason, 'ACCESS_TOKEN_SCOPE_INSUFFICIENT');
  assert.equal(err.message, 'Request had insufficient authentication scopes.');
  assert.deepEqual(err.requiredScopes, [
    'https://www.googleapis.com/auth/compute',
    'https://www.googleapis.com/auth/cloud-platform',
  ]);
  assert.equal(err.retryable, false);
});

test('403 insufficient scopes recognised by each signal alone', () => {
  const onlyDetails = googleErrorJson(403, 'm', {
    status: 'PERMISSION_DENIED',
    details: [errorInfo('ACCESS_TOKEN_SCOPE_INSUFFICIENT')],
  });
  assert.equal(parseGoogleError(403, {}, onlyDetails).code, 'SCOPE_INSUFFICIENT');

  // Storage JSON API style: legacy errors[] only, no status, no details.
  const onlyLegacy = googleErrorJson(403, 'Insufficient Permission', {
    errors: [{ domain: 'global', reason: 'insufficientPermissions', message: 'Insufficient Permission' }],
  });
  const legacy = parseGoogleError(403, {}, onlyLegacy);
  assert.equal(legacy.code, 'SCOPE_INSUFFICIENT');
  assert.equal(legacy.reason, 'insufficientPermissions');

  const onlyHeader = parseGoogleError(403, { 'WWW-Authenticate': SCOPE_CHALLENGE }, '');
  assert.equal(onlyHeader.code, 'SCOPE_INSUFFICIENT');
  assert.equal(onlyHeader.reason, 'insufficient_scope');
  assert.equal(onlyHeader.requiredScopes?.length, 2);
});

test('403 IAM denial → PERMISSION_DENIED (the role is missing, not the scope)', () => {
  const body = googleErrorJson(403, 'The caller does not have permission', { status: 'PERMISSION_DENIED' });
  const err = parseGoogleError(403, {}, body);
  assert.equal(err.code, 'PERMISSION_DENIED');
  assert.equal(err.message, 'The caller does not have permission');
  assert.equal(err.requiredScopes, undefined);
  assert.equal(err.retryable, false);
});

test('403 API not enabled → PERMISSION_DENIED with reason SERVICE_DISABLED', () => {
  const body = googleErrorJson(403, 'Cloud Run Admin API has not been used in project 123 before or it is disabled.', {
    status: 'PERMISSION_DENIED',
    details: [errorInfo('SERVICE_DISABLED', { domain: 'googleapis.com' })],
  });
  const err = parseGoogleError(403, {}, body);
  assert.equal(err.code, 'PERMISSION_DENIED');
  assert.equal(err.reason, 'SERVICE_DISABLED');
});

test('403 rateLimitExceeded (compute/storage quota style) → RATE_LIMITED, retryable', () => {
  const body = googleErrorJson(403, 'Rate Limit Exceeded', {
    errors: [{ domain: 'usageLimits', reason: 'rateLimitExceeded', message: 'Rate Limit Exceeded' }],
  });
  const err = parseGoogleError(403, {}, body);
  assert.equal(err.code, 'RATE_LIMITED');
  assert.equal(err.retryable, true);
});

test('404 → NOT_FOUND', () => {
  const body = googleErrorJson(404, "The resource 'projects/p/zones/us-central1-a/instances/vm-1' was not found", {
    errors: [{ message: 'x', domain: 'global', reason: 'notFound' }],
  });
  const err = parseGoogleError(404, {}, body);
  assert.equal(err.code, 'NOT_FOUND');
  assert.equal(err.reason, 'notFound');
  assert.match(err.message, /was not found/);
});

test('400 → INVALID_ARGUMENT; 409/412 → FAILED_PRECONDITION', () => {
  const body = googleErrorJson(400, 'Invalid value for field', { status: 'INVALID_ARGUMENT' });
  const err = parseGoogleError(400, {}, body);
  assert.equal(err.code, 'INVALID_ARGUMENT');
  assert.equal(err.googleStatus, 'INVALID_ARGUMENT');
  assert.equal(parseGoogleError(409, {}, '').code, 'FAILED_PRECONDITION');
  assert.equal(parseGoogleError(412, {}, '').code, 'FAILED_PRECONDITION');
});

test('429 → RATE_LIMITED, retryable, Retry-After parsed', () => {
  const body = googleErrorJson(429, "Quota exceeded for quota metric 'Read requests'", {
    status: 'RESOURCE_EXHAUSTED',
  });
  const err = parseGoogleError(429, { 'retry-after': '7' }, body);
  assert.equal(err.code, 'RATE_LIMITED');
  assert.equal(err.googleStatus, 'RESOURCE_EXHAUSTED');
  assert.equal(err.retryable, true);
  assert.equal(err.retryAfterMs, 7000);
});

test('503 → UNAVAILABLE, retryable', () => {
  const body = googleErrorJson(503, 'The service is currently unavailable.', { status: 'UNAVAILABLE' });
  const err = parseGoogleError(503, {}, body);
  assert.equal(err.code, 'UNAVAILABLE');
  assert.equal(err.retryable, true);
  assert.equal(err.message, 'The service is currently unavailable.');
  assert.equal(parseGoogleError(501, {}, '').retryable, false);
});

test('HTML 502 body → UNAVAILABLE with a generic message (no HTML carried along)', () => {
  const html =
    '<!DOCTYPE html><html lang=en><meta charset=utf-8><title>Error 502 (Server Error)!!1</title><p><b>502.</b> <ins>That’s an error.</ins><script>alert(1)</script></html>';
  const err = parseGoogleError(502, { 'content-type': 'text/html; charset=UTF-8' }, html);
  assert.equal(err.code, 'UNAVAILABLE');
  assert.equal(err.retryable, true);
  assert.equal(err.message, 'Google answered HTTP 502.');
  assert.ok(!err.message.includes('<'));
});

test('OAuth-style {"error":"invalid_token"} body on 401', () => {
  const err = parseGoogleError(
    401,
    {},
    JSON.stringify({ error: 'invalid_token', error_description: 'Invalid Credentials' }),
  );
  assert.equal(err.code, 'UNAUTHENTICATED');
  assert.equal(err.reason, 'invalid_token');
  assert.equal(err.message, 'Invalid Credentials');
});

test('empty, non-JSON and odd JSON bodies never throw', () => {
  for (const body of [
    '',
    'null',
    '[]',
    '"x"',
    '{"error":null}',
    '{"error":{"message":42}}',
    '{',
    '[{"error":{"code":500,"message":"wrapped"}}]',
  ]) {
    const err = parseGoogleError(500, undefined, body);
    assert.equal(err.code, 'UNAVAILABLE');
    assert.equal(typeof err.message, 'string');
  }
  assert.equal(parseGoogleError(500, undefined, '[{"error":{"code":500,"message":"wrapped"}}]').message, 'wrapped');
});

test('very long Google message is truncated', () => {
  const err = parseGoogleError(400, {}, JSON.stringify({ error: { message: 'x'.repeat(5000) } }));
  assert.ok(err.message.length <= 1001);
});

test('toJSON carries the documented fields only', () => {
  const err = parseGoogleError(403, { 'WWW-Authenticate': SCOPE_CHALLENGE }, SCOPE_BODY);
  const json = JSON.parse(JSON.stringify(err)) as Record<string, unknown>;
  assert.deepEqual(Object.keys(json).sort(), [
    'code',
    'googleStatus',
    'message',
    'name',
    'reason',
    'requiredScopes',
    'retryable',
    'status',
  ]);
});

test('parseWwwAuthenticate: quoted, token and escaped values', () => {
  const parsed = parseWwwAuthenticate(
    'Bearer realm="https://accounts.google.com/", error=insufficient_scope, scope="a b", x="q\\"uote"',
  );
  assert.equal(parsed.scheme, 'Bearer');
  assert.deepEqual(parsed.params, {
    realm: 'https://accounts.google.com/',
    error: 'insufficient_scope',
    scope: 'a b',
    x: 'q"uote',
  });
  assert.deepEqual(parseWwwAuthenticate('').params, {});
  assert.equal(parseWwwAuthenticate('realm="x"').scheme, undefined);
});

test('parseRetryAfter: seconds, HTTP-date, junk', () => {
  assert.equal(parseRetryAfter('3'), 3000);
  assert.equal(parseRetryAfter(undefined), undefined);
  assert.equal(parseRetryAfter('soon'), undefined);
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now), 10_000);
  assert.equal(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now), 0);
});
