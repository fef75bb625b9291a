// What `npm run scopes` tells an operator about Scopewise's own identity, exactly: each option's call, token and
// role with the command that grants it (nothing broader), the table's layout, and each finding's message.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkOwnNeeds, formatOwnNeedsTable, ownNeedsRows, type OwnNeed } from '../../src/identity/own-needs.js';

describe('the own-needs rows', () => {
  it('are exactly these: two roles in all, one narrow scope, one audience', () => {
    assert.deepEqual(ownNeedsRows(), [
      {
        id: 'identity',
        option: 'Own identity (start-up line, /healthz)',
        enabledBy: 'SCOPEWISE_IDENTITY=adc|metadata',
        calls: ['metadata server: service-accounts/default/email'],
        tokens: ['-'],
        roles: [],
        grants: [],
      },
      {
        id: 'audit-cloud-logging',
        option: 'Audit export to Cloud Logging',
        enabledBy: 'AUDIT_SINK=cloud-logging:PROJECT_ID/LOG_ID',
        calls: ['logging.entries.write'],
        tokens: ['logging.write'],
        roles: ['roles/logging.logWriter on project PROJECT_ID'],
        grants: [
          'gcloud projects add-iam-policy-binding PROJECT_ID --member=serviceAccount:SA_EMAIL --role=roles/logging.logWriter --condition=None',
        ],
      },
      {
        id: 'audit-webhook',
        option: 'Audit webhook to a private Cloud Run service',
        enabledBy: 'AUDIT_WEBHOOK_URL (+ AUDIT_WEBHOOK_AUDIENCE)',
        calls: ['POST AUDIT_WEBHOOK_URL'],
        tokens: ['ID token, aud=AUDIT_WEBHOOK_AUDIENCE (default: the URL origin)'],
        roles: ['roles/run.invoker on the receiving Cloud Run service'],
        grants: [
          'gcloud run services add-iam-policy-binding SERVICE --region=REGION --member=serviceAccount:SA_EMAIL --role=roles/run.invoker',
        ],
      },
      {
        id: 'mtls',
        option: 'mTLS listener (managed workload identity)',
        enabledBy: 'MTLS_CREDENTIALS_DIR + MTLS_ALLOWED_SPIFFE_IDS',
        calls: ['reads the credential files the platform writes'],
        tokens: ['-'],
        roles: [],
        grants: [],
      },
    ]);
  });
});

describe('the printed table', () => {
  const lines = formatOwnNeedsTable().split('\n');
  it('a title, the header, one line per call, then the grant commands', () => {
    assert.equal(
      lines[0],
      "Scopewise's own identity (its service account): what each option calls and needs; nothing else is needed.",
    );
    assert.equal(lines[1], '');
    assert.match(lines[2]!, /^OPTION {2,}ENABLED BY {2,}CALL {2,}TOKEN ASKED {2,}IAM ROLE OF THE SERVICE ACCOUNT$/);
    assert.equal(lines[7], '');
    assert.deepEqual(lines.slice(8), [
      'Grant commands (replace SA_EMAIL, PROJECT_ID, SERVICE, REGION):',
      '  gcloud projects add-iam-policy-binding PROJECT_ID --member=serviceAccount:SA_EMAIL --role=roles/logging.logWriter --condition=None',
      '  gcloud run services add-iam-policy-binding SERVICE --region=REGION --member=serviceAccount:SA_EMAIL --role=roles/run.invoker',
    ]);
  });
  it('columns line up; an option without a role says none and why; no line ends in spaces', () => {
    const rows = lines.slice(2, 7);
    for (const heading of ['ENABLED BY', 'CALL', 'TOKEN ASKED', 'IAM ROLE OF THE SERVICE ACCOUNT']) {
      const at = rows[0]!.indexOf(heading);
      for (const row of rows.slice(1)) assert.notEqual(row[at - 1], undefined, heading);
      for (const row of rows.slice(1)) assert.equal(row.slice(at - 2, at), '  ', `${heading} column in: ${row}`);
    }
    assert.ok(rows[1]!.endsWith('none (reads the account name only)'), rows[1]);
    assert.ok(rows[2]!.endsWith('roles/logging.logWriter on project PROJECT_ID'), rows[2]);
    assert.ok(
      rows[4]!.endsWith('none (no role for the service account: the workload is attested by the platform)'),
      rows[4],
    );
    for (const l of lines) assert.equal(l, l.trimEnd());
  });
  it('an option with several calls takes a line each; only its first line names it', () => {
    const need: OwnNeed = {
      id: 'two',
      option: 'Two calls',
      enabledBy: 'TWO=1',
      calls: [
        {
          what: 'first',
          token: {
            kind: 'access-token',
            scopes: ['https://www.googleapis.com/auth/a.read', 'https://www.googleapis.com/auth/b'],
          },
        },
        { what: 'second', token: { kind: 'none' } },
      ],
      roles: [{ role: 'roles/x', on: 'project P', grant: 'grant x' }],
    };
    const [, , header, first, second] = formatOwnNeedsTable([need]).split('\n');
    const at = (h: string) => header!.indexOf(h);
    assert.equal(first!.slice(0, at('ENABLED BY')).trim(), 'Two calls');
    assert.equal(first!.slice(at('TOKEN ASKED'), at('IAM ROLE')).trim(), 'a.read b');
    assert.equal(first!.slice(at('IAM ROLE')), 'roles/x on project P');
    assert.equal(second!.slice(0, at('CALL')).trim(), '', 'the option is named once');
    assert.equal(second!.slice(at('CALL'), at('TOKEN ASKED')).trim(), 'second');
    assert.equal(second!.slice(at('TOKEN ASKED')), '-', 'no role cell: not "none" again');
  });
});

describe('checkOwnNeeds findings', () => {
  const need = (methodKey: string, scopes: string[]): OwnNeed[] => [
    {
      id: 'n',
      option: 'o',
      enabledBy: 'E',
      roles: [],
      calls: [{ what: 'w', methodKey, token: { kind: 'access-token', scopes } }],
    },
  ];
  const discovery = {
    methods: {
      'logging:v2:entries.write': {
        scopes: [
          'https://www.googleapis.com/auth/cloud-platform',
          'https://www.googleapis.com/auth/logging.admin',
          'https://www.googleapis.com/auth/logging.write',
        ],
      },
    },
  };
  it('say which option, which method and which scope', () => {
    assert.deepEqual(
      checkOwnNeeds(discovery, need('logging:v2:entries.write', ['https://www.googleapis.com/auth/logging.read'])),
      [
        {
          code: 'OWN_SCOPE_NOT_ACCEPTED',
          message: 'n: logging:v2:entries.write does not accept https://www.googleapis.com/auth/logging.read',
        },
        {
          code: 'OWN_SCOPE_NOT_NARROWEST',
          message: 'n: logging:v2:entries.write is best called with https://www.googleapis.com/auth/logging.write',
        },
      ],
    );
    assert.deepEqual(
      checkOwnNeeds(discovery, need('logging:v2:entries.write', ['https://www.googleapis.com/auth/cloud-platform']))[0],
      {
        code: 'OWN_SCOPE_CLOUD_WIDE',
        message: 'n: https://www.googleapis.com/auth/cloud-platform is cloud-wide',
      },
    );
    assert.deepEqual(
      checkOwnNeeds(discovery, need('logging:v2:nothing.here', ['https://www.googleapis.com/auth/logging.write'])),
      [{ code: 'OWN_METHOD_UNKNOWN', message: 'n: logging:v2:nothing.here is not in the Discovery data' }],
    );
    assert.deepEqual(
      checkOwnNeeds(discovery, need('logging:v2:entries.write', ['https://www.googleapis.com/auth/logging.write'])),
      [],
    );
  });
  it('calls without an access token, or without a method, are not checked', () => {
    const needs: OwnNeed[] = [
      {
        id: 'a',
        option: 'o',
        enabledBy: 'E',
        roles: [],
        calls: [{ what: 'w', token: { kind: 'access-token', scopes: ['x'] } }],
      },
      {
        id: 'b',
        option: 'o',
        enabledBy: 'E',
        roles: [],
        calls: [{ what: 'w', methodKey: 'logging:v2:nothing.here', token: { kind: 'id-token', audience: 'a' } }],
      },
    ];
    assert.deepEqual(checkOwnNeeds(discovery, needs), []);
  });
});
