import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GoogleApiError, InvalidInputError, parseGoogleError } from '../../src/google/index.js';
import { errorInfo, googleErrorJson, serviceDisabledErrorInfo } from '../support/google-errors.js';
import { outcomeFromError, outcomeFromReport, sectionReport, SECTIONS } from '../../src/workloads/index.js';

/** Google's answer when an API is off in the project (shape as Google sends it: ErrorInfo, LocalizedMessage, Help). */
const SERVICE_DISABLED_BODY = JSON.stringify({
  error: {
    code: 403,
    message:
      'Workflows API has not been used in project 234567890123 before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/workflows.googleapis.com/overview?project=234567890123 then retry.',
    status: 'PERMISSION_DENIED',
    details: [
      serviceDisabledErrorInfo('workflows.googleapis.com', '234567890123'),
      {
        '@type': 'type.googleapis.com/google.rpc.LocalizedMessage',
        locale: 'en-US',
        message: 'Workflows API has not been used…',
      },
      {
        '@type': 'type.googleapis.com/google.rpc.Help',
        links: [
          {
            description: 'Google developers console API activation',
            url: 'https://console.developers.google.com/apis/api/workflows.googleapis.com/overview?project=234567890123',
          },
        ],
      },
    ],
  },
});

describe('section outcomes', () => {
  it('403 SERVICE_DISABLED → api-disabled with the enable link for this project, not an error', () => {
    const o = outcomeFromError('workflows', 'acme-staging', parseGoogleError(403, undefined, SERVICE_DISABLED_BODY));
    assert.equal(o.status, 'api-disabled');
    assert.ok(o.status === 'api-disabled');
    assert.equal(o.service, 'workflows.googleapis.com');
    assert.equal(
      o.activationUrl,
      'https://console.cloud.google.com/apis/library/workflows.googleapis.com?project=acme-staging',
    );
    assert.match(o.message, /Workflows API is not enabled in acme-staging/);
  });
  it('the older JSON APIs’ accessNotConfigured reason is also a disabled API', () => {
    const body = googleErrorJson(403, 'Compute Engine API has not been used…', {
      errors: [{ reason: 'accessNotConfigured', domain: 'usageLimits' }],
    });
    assert.equal(outcomeFromError('vms', 'p-1', parseGoogleError(403, undefined, body)).status, 'api-disabled');
  });
  it('IAM denial → permission-denied naming the permission when Google does', () => {
    const body = googleErrorJson(
      403,
      "Permission 'iam.serviceAccounts.list' denied on resource (or it may not exist).",
      {
        status: 'PERMISSION_DENIED',
        details: [errorInfo('IAM_PERMISSION_DENIED')],
      },
    );
    const o = outcomeFromError('service-account-keys', 'acme-data', parseGoogleError(403, undefined, body));
    assert.ok(o.status === 'permission-denied');
    assert.equal(o.permission, 'iam.serviceAccounts.list');
    assert.match(
      o.message,
      /Your IAM role on acme-data does not allow reading service-account keys \(missing iam\.serviceAccounts\.list\)/,
    );
    const legacy = googleErrorJson(403, "Required 'compute.instances.list' permission for 'projects/x'", {
      errors: [{ reason: 'forbidden' }],
    });
    const o2 = outcomeFromError('vms', 'x-project', parseGoogleError(403, undefined, legacy));
    assert.ok(o2.status === 'permission-denied');
    assert.equal(o2.permission, 'compute.instances.list');
  });
  it('a missing scope → scope-missing with the scopes Google names', () => {
    const err = parseGoogleError(
      403,
      {
        'www-authenticate':
          'Bearer realm="https://accounts.google.com/", error="insufficient_scope", scope="https://www.googleapis.com/auth/cloud-platform"',
      },
      googleErrorJson(403, 'Request had insufficient authentication scopes.', {
        status: 'PERMISSION_DENIED',
        details: [{ reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT' }],
      }),
    );
    const o = outcomeFromError('cloud-run', 'p-1', err);
    assert.ok(o.status === 'scope-missing');
    assert.deepEqual(o.requiredScopes, ['https://www.googleapis.com/auth/cloud-platform']);
  });
  it('not found, other Google errors, bad input and non-Google errors never throw and never echo Google’s text', () => {
    assert.equal(
      outcomeFromError(
        'vms',
        'nope-123',
        new GoogleApiError({ code: 'NOT_FOUND', status: 404, message: 'secret detail' }),
      ).status,
      'not-found',
    );
    const failed = outcomeFromError(
      'vms',
      'p-1',
      new GoogleApiError({ code: 'UNAVAILABLE', status: 503, message: 'secret detail' }),
    );
    assert.ok(failed.status === 'failed');
    assert.equal(failed.code, 'UNAVAILABLE');
    assert.ok(!failed.message.includes('secret'));
    assert.equal(outcomeFromError('vms', 'p-1', new InvalidInputError('projectId', 'x')).status, 'failed');
    assert.equal(outcomeFromError('vms', 'p-1', new Error('boom')).status, 'failed');
  });
  it('a report without rows is the section’s empty line', () => {
    const empty = outcomeFromReport(sectionReport('workflows', [], []));
    assert.ok(empty.status === 'empty');
    assert.equal(empty.message, SECTIONS.workflows.empty);
    assert.equal(outcomeFromReport(sectionReport('workflows', [{}], [])).status, 'ok');
  });
});
