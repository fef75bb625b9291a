import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  InvalidInputError,
  checkBucketName,
  checkInstanceName,
  checkPageSize,
  checkPageToken,
  checkProjectId,
  checkRegion,
  checkServiceAccountEmail,
  checkText,
  checkZone,
  isBucketName,
  isInstanceName,
  isProjectId,
  isRegion,
  isServiceAccountEmail,
  isZone,
} from '../../src/google/ids.js';

// Path traversal and encoding tricks every identifier validator must refuse.
const HOSTILE = [
  '../x',
  '..',
  '.',
  'a/b',
  'a\\b',
  '%2e%2e',
  '%2F',
  'a%2Fb',
  'a?b',
  'a#b',
  'a b',
  ' a',
  'a\n',
  '',
  'A',
  'é',
];

/** `valid` accepts every one of `ok` and refuses every one of `bad`, and every HOSTILE value. */
function assertValidates(valid: (value: unknown) => boolean, ok: readonly string[], bad: readonly unknown[]): void {
  for (const value of ok) assert.ok(valid(value), value);
  for (const value of [...HOSTILE, ...bad]) assert.ok(!valid(value), String(value));
}

test('project IDs', () => {
  assertValidates(
    isProjectId,
    [
      'my-project',
      'abcdef',
      'a23456',
      'p-123456',
      'x'.repeat(30),
      'example.com:my-project',
      'google.com:api-project-1',
    ],
    [
      'abcde',
      'x'.repeat(31),
      '1project',
      'my-project-',
      'My-Project',
      'my_project',
      'my.project',
      ':my-project',
      'a..b:my-project',
      123456,
    ],
  );
});

test('zones and regions', () => {
  assertValidates(
    isZone,
    ['us-central1-a', 'europe-west4-b', 'asia-northeast1-c', 'northamerica-northeast2-a'],
    ['us-central1', 'us-central1-ab', 'us-central-a', 'US-central1-a', 'us-central1-a/../b'],
  );
  assertValidates(
    isRegion,
    ['us-central1', 'europe-west4', 'me-central2'],
    ['us-central1-a', 'us-central', 'global', '-'],
  );
});

test('instance names', () => {
  assertValidates(
    isInstanceName,
    ['a', 'vm-1', 'web-server-01', `a${'b'.repeat(62)}`],
    ['1vm', 'vm-', 'Vm', 'vm_1', `a${'b'.repeat(63)}`],
  );
});

test('bucket names (dots allowed)', () => {
  assertValidates(
    isBucketName,
    [
      'abc',
      'my-bucket',
      'my_bucket',
      'logs.example.com',
      '123bucket',
      'a'.repeat(63),
      `${'a'.repeat(63)}.${'b'.repeat(63)}`,
    ],
    [
      'ab',
      'a'.repeat(64),
      '-bucket',
      'bucket-',
      '_bucket',
      'bucket.',
      '.bucket',
      'a..b',
      'My-Bucket',
      `${'a'.repeat(64)}.com`,
    ],
  );
});

test('service account emails', () => {
  assertValidates(
    isServiceAccountEmail,
    [
      'deployer@my-project.iam.gserviceaccount.com',
      '123456789012-compute@developer.gserviceaccount.com',
      'my-project@appspot.gserviceaccount.com',
      'service-123456789012@gcp-sa-run.iam.gserviceaccount.com',
    ],
    [
      'alice@example.com',
      'sa@my-project.iam.gserviceaccount.com.evil.test',
      'a/b@my-project.iam.gserviceaccount.com',
      '../x@my-project.iam.gserviceaccount.com',
      'sa@@my-project.iam.gserviceaccount.com',
      'sa@..gserviceaccount.com',
      '@my-project.iam.gserviceaccount.com',
      'sa@my-project.iam.gserviceaccount.com/keys',
    ],
  );
});

test('check* return the value or throw InvalidInputError naming the field, never echoing the value', () => {
  assert.equal(checkProjectId('my-project'), 'my-project');
  assert.equal(checkZone('us-central1-a'), 'us-central1-a');
  assert.equal(checkRegion('us-central1'), 'us-central1');
  assert.equal(checkInstanceName('vm-1'), 'vm-1');
  assert.equal(checkBucketName('my-bucket'), 'my-bucket');
  assert.equal(
    checkServiceAccountEmail('sa@my-project.iam.gserviceaccount.com'),
    'sa@my-project.iam.gserviceaccount.com',
  );
  const cases: Array<[() => unknown, string]> = [
    [() => checkProjectId('../etc/passwd'), 'projectId'],
    [() => checkProjectId('<script>', 'project'), 'project'],
    [() => checkZone('a/b'), 'zone'],
    [() => checkRegion('..'), 'region'],
    [() => checkInstanceName('%2e%2e'), 'instance'],
    [() => checkBucketName('a/b'), 'bucket'],
    [() => checkServiceAccountEmail('x@y'), 'serviceAccountEmail'],
  ];
  for (const [fn, field] of cases) {
    assert.throws(fn, (e: unknown) => {
      assert.ok(e instanceof InvalidInputError);
      assert.equal(e.code, 'INVALID_INPUT');
      assert.equal(e.field, field);
      assert.ok(!e.message.includes('<script>') && !e.message.includes('..') && !e.message.includes('a/b'));
      return true;
    });
  }
});

test('page size, page token and free text', () => {
  assert.equal(checkPageSize(undefined, 100), undefined);
  assert.equal(checkPageSize(100, 100), 100);
  for (const bad of [0, -1, 101, 1.5, Number.NaN, '10'])
    assert.throws(() => checkPageSize(bad, 100), InvalidInputError);
  assert.equal(checkPageToken(undefined), undefined);
  assert.equal(checkPageToken('CgwI+/=_-abc'), 'CgwI+/=_-abc');
  for (const bad of ['', 'a b', 'a\nb', 'x'.repeat(4097), 5])
    assert.throws(() => checkPageToken(bad), InvalidInputError);
  assert.equal(checkText('severity>=ERROR', 100, 'filter'), 'severity>=ERROR');
  assert.throws(() => checkText('x'.repeat(101), 100, 'filter'), InvalidInputError);
  assert.throws(() => checkText('a\u0000b', 100, 'filter'), InvalidInputError);
});
