/**
 * Least privilege for Scopewise's own identity, as data: for each option, what Scopewise calls as itself, the
 * token it asks for (OAuth scope or ID-token audience), and the IAM role its service account needs, with the
 * gcloud command that grants it. Nothing else is needed: with every option off, the service account needs no
 * role at all. `npm run scopes` prints this table after the feature catalogue (pure; the CLI does the I/O).
 */
import { narrowestScopeFor } from '../scopes/narrowness.js';
import { CLOUD_WIDE_SCOPES } from './workload-identity.js';

export const LOGGING_WRITE_SCOPE = 'https://www.googleapis.com/auth/logging.write';

export type OwnToken =
  | { kind: 'access-token'; scopes: readonly string[] }
  | { kind: 'id-token'; audience: string }
  | { kind: 'none' };

export interface OwnCall {
  /** What is called, e.g. `logging.entries.write`. */
  what: string;
  /** methods.json key when it is a Google API method, for the Discovery check. */
  methodKey?: string;
  token: OwnToken;
}

export interface OwnRole {
  role: string;
  /** The resource the role is granted on. */
  on: string;
  /** The command that grants it (placeholders in capitals). */
  grant: string;
}

export interface OwnNeed {
  id: string;
  option: string;
  enabledBy: string;
  calls: readonly OwnCall[];
  roles: readonly OwnRole[];
  note?: string;
}

export const OWN_IDENTITY_NEEDS: readonly OwnNeed[] = [
  {
    id: 'identity',
    option: 'Own identity (start-up line, /healthz)',
    enabledBy: 'SCOPEWISE_IDENTITY=adc|metadata',
    calls: [{ what: 'metadata server: service-accounts/default/email', token: { kind: 'none' } }],
    roles: [],
    note: 'reads the account name only',
  },
  {
    id: 'audit-cloud-logging',
    option: 'Audit export to Cloud Logging',
    enabledBy: 'AUDIT_SINK=cloud-logging:PROJECT_ID/LOG_ID',
    calls: [
      {
        what: 'logging.entries.write',
        methodKey: 'logging:v2:entries.write',
        token: { kind: 'access-token', scopes: [LOGGING_WRITE_SCOPE] },
      },
    ],
    roles: [
      {
        role: 'roles/logging.logWriter',
        on: 'project PROJECT_ID',
        grant:
          'gcloud projects add-iam-policy-binding PROJECT_ID --member=serviceAccount:SA_EMAIL --role=roles/logging.logWriter --condition=None',
      },
    ],
  },
  {
    id: 'audit-webhook',
    option: 'Audit webhook to a private Cloud Run service',
    enabledBy: 'AUDIT_WEBHOOK_URL (+ AUDIT_WEBHOOK_AUDIENCE)',
    calls: [
      {
        what: 'POST AUDIT_WEBHOOK_URL',
        token: { kind: 'id-token', audience: 'AUDIT_WEBHOOK_AUDIENCE (default: the URL origin)' },
      },
    ],
    roles: [
      {
        role: 'roles/run.invoker',
        on: 'the receiving Cloud Run service',
        grant:
          'gcloud run services add-iam-policy-binding SERVICE --region=REGION --member=serviceAccount:SA_EMAIL --role=roles/run.invoker',
      },
    ],
    note: 'an ID token carries no OAuth scope',
  },
  {
    id: 'mtls',
    option: 'mTLS listener (managed workload identity)',
    enabledBy: 'MTLS_CREDENTIALS_DIR + MTLS_ALLOWED_SPIFFE_IDS',
    calls: [{ what: 'reads the credential files the platform writes', token: { kind: 'none' } }],
    roles: [],
    note: 'no role for the service account: the workload is attested by the platform',
  },
];

export interface OwnNeedsFinding {
  code: 'OWN_SCOPE_NOT_ACCEPTED' | 'OWN_SCOPE_NOT_NARROWEST' | 'OWN_SCOPE_CLOUD_WIDE' | 'OWN_METHOD_UNKNOWN';
  message: string;
}

/** Checks every own access-token scope against Google's Discovery data: accepted by the method, the narrowest one. */
export function checkOwnNeeds(
  discovery: { methods: Readonly<Record<string, { scopes: readonly string[] }>> },
  needs: readonly OwnNeed[] = OWN_IDENTITY_NEEDS,
): OwnNeedsFinding[] {
  const findings: OwnNeedsFinding[] = [];
  for (const need of needs) {
    for (const call of need.calls) {
      if (call.token.kind !== 'access-token' || !call.methodKey) continue;
      const method = discovery.methods[call.methodKey];
      if (!method) {
        findings.push({
          code: 'OWN_METHOD_UNKNOWN',
          message: `${need.id}: ${call.methodKey} is not in the Discovery data`,
        });
        continue;
      }
      for (const scope of call.token.scopes) {
        if (CLOUD_WIDE_SCOPES.has(scope))
          findings.push({ code: 'OWN_SCOPE_CLOUD_WIDE', message: `${need.id}: ${scope} is cloud-wide` });
        else if (!method.scopes.includes(scope))
          findings.push({
            code: 'OWN_SCOPE_NOT_ACCEPTED',
            message: `${need.id}: ${call.methodKey} does not accept ${scope}`,
          });
      }
      const narrowest = narrowestScopeFor(method.scopes);
      if (narrowest && !call.token.scopes.includes(narrowest)) {
        findings.push({
          code: 'OWN_SCOPE_NOT_NARROWEST',
          message: `${need.id}: ${call.methodKey} is best called with ${narrowest}`,
        });
      }
    }
  }
  return findings;
}

function tokenText(token: OwnToken): string {
  switch (token.kind) {
    case 'access-token':
      return token.scopes.map((s) => s.replace('https://www.googleapis.com/auth/', '')).join(' ');
    case 'id-token':
      return `ID token, aud=${token.audience}`;
    case 'none':
      return '-';
  }
}

/** Rows for `npm run scopes -- --json`. */
export function ownNeedsRows(needs: readonly OwnNeed[] = OWN_IDENTITY_NEEDS): Array<{
  id: string;
  option: string;
  enabledBy: string;
  calls: string[];
  tokens: string[];
  roles: string[];
  grants: string[];
}> {
  return needs.map((n) => ({
    id: n.id,
    option: n.option,
    enabledBy: n.enabledBy,
    calls: n.calls.map((c) => c.what),
    tokens: n.calls.map((c) => tokenText(c.token)),
    roles: n.roles.map((r) => `${r.role} on ${r.on}`),
    grants: n.roles.map((r) => r.grant),
  }));
}

/** The aligned table printed by `npm run scopes`, then the grant commands. */
export function formatOwnNeedsTable(needs: readonly OwnNeed[] = OWN_IDENTITY_NEEDS): string {
  const header = ['OPTION', 'ENABLED BY', 'CALL', 'TOKEN ASKED', 'IAM ROLE OF THE SERVICE ACCOUNT'];
  const rows: string[][] = [];
  for (const n of needs) {
    const height = Math.max(n.calls.length, n.roles.length, 1);
    for (let i = 0; i < height; i++) {
      const call = n.calls[i];
      const role = n.roles[i];
      rows.push([
        i === 0 ? n.option : '',
        i === 0 ? n.enabledBy : '',
        call?.what ?? '',
        call ? tokenText(call.token) : '',
        role ? `${role.role} on ${role.on}` : i === 0 ? `none${n.note ? ` (${n.note})` : ''}` : '',
      ]);
    }
  }
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => (c === cells.length - 1 ? cell : cell.padEnd(widths[c] ?? 0)))
      .join('  ')
      .trimEnd();
  const grants = needs.flatMap((n) => n.roles.map((r) => `  ${r.grant}`));
  return [
    "Scopewise's own identity (its service account): what each option calls and needs; nothing else is needed.",
    '',
    line(header),
    ...rows.map(line),
    '',
    'Grant commands (replace SA_EMAIL, PROJECT_ID, SERVICE, REGION):',
    ...grants,
  ].join('\n');
}
