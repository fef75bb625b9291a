import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { invocationOf, reviewRunServices, type RunServiceInput } from '../../src/workloads/index.js';

const NAME = (s: string) => `projects/p/locations/us-central1/services/${s}`;
const svc = (
  name: string,
  serviceAccount: string | undefined,
  invokers: string[] | undefined,
  extra: Partial<RunServiceInput['service']> = {},
): RunServiceInput => ({
  service: {
    name: NAME(name),
    uri: `https://${name}-abc-uc.a.run.app`,
    ...(serviceAccount !== undefined ? { template: { serviceAccount } } : { template: {} }),
    ...extra,
  },
  ...(invokers ? { policy: { bindings: [{ role: 'roles/run.invoker', members: invokers }] } } : {}),
});

describe('Cloud Run section rules', () => {
  it('a custom identity with named invokers: no finding', () => {
    const r = reviewRunServices([
      svc('api', 'api@p.iam.gserviceaccount.com', ['serviceAccount:caller@p.iam.gserviceaccount.com']),
    ]);
    assert.equal(r.findingCount, 0);
    assert.deepEqual(r.rows[0], {
      name: 'api',
      region: 'us-central1',
      url: 'https://api-abc-uc.a.run.app',
      serviceAccount: 'api@p.iam.gserviceaccount.com',
      defaultAccount: false,
      invocation: 'restricted',
      ingress: undefined,
      findingCodes: [],
    });
  });
  it('the default compute account, explicit or implicit, is flagged with its own code', () => {
    const r = reviewRunServices([svc('a', '123-compute@developer.gserviceaccount.com', []), svc('b', undefined, [])]);
    assert.deepEqual(
      r.rows.map((x) => x.findingCodes),
      [['run-default-service-account'], ['run-implicit-service-account']],
    );
    assert.deepEqual(
      r.rows.map((x) => x.defaultAccount),
      [true, true],
    );
  });
  it('allUsers invoker or a disabled invoker check: unauthenticated invocation; allAuthenticatedUsers: any Google account (high)', () => {
    const r = reviewRunServices([
      svc('web', 'w@p.iam.gserviceaccount.com', ['allUsers']),
      svc('open', 'o@p.iam.gserviceaccount.com', [], { invokerIamDisabled: true }),
      svc('any', 'a@p.iam.gserviceaccount.com', ['allAuthenticatedUsers']),
    ]);
    assert.deepEqual(
      r.rows.map((x) => [x.invocation, ...x.findingCodes]),
      [
        ['public', 'run-unauthenticated-invocation'],
        ['public', 'run-unauthenticated-invocation'],
        ['any-google-account', 'run-any-google-account-invocation'],
      ],
    );
    assert.equal(r.findings[0]?.severity, 'high');
    assert.match(r.findings.find((f) => f.subject.startsWith('open'))?.message ?? '', /invoker IAM check is disabled/);
  });
  it('an unreadable policy is a note with the reason, never a guess', () => {
    const input: RunServiceInput = {
      service: { name: NAME('x'), template: { serviceAccount: 'x@p.iam.gserviceaccount.com' } },
      policyProblem: 'permission denied',
    };
    assert.equal(invocationOf(input), 'unknown');
    const r = reviewRunServices([input]);
    assert.equal(r.findingCount, 0);
    assert.match(r.notes[0]?.message ?? '', /could not be read \(permission denied\)/);
  });
  it('the service account may come as projects/-/serviceAccounts/<email>', () => {
    const r = reviewRunServices([svc('a', 'projects/-/serviceAccounts/123-compute@developer.gserviceaccount.com', [])]);
    assert.equal(r.rows[0]?.serviceAccount, '123-compute@developer.gserviceaccount.com');
    assert.deepEqual(r.rows[0]?.findingCodes, ['run-default-service-account']);
  });
});
