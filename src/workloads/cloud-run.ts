/**
 * Cloud Run services: each service's identity and who may invoke it (pure; input is Cloud Run Admin API v2
 * `services.list` plus each service's `getIamPolicy`).
 */
import type { IamPolicy } from '../google/resourcemanager.js';
import type { RunService } from '../google/run.js';
import { finding, note, type FindingCode, type WorkloadFinding, type WorkloadNote } from './findings.js';
import { defaultAccountFindings, isDefaultComputeAccount, serviceAccountOf } from './identity.js';
import { sectionReport, type SectionReport } from './outcome.js';

export const RUN_INVOKER_ROLE = 'roles/run.invoker';

/** public: anyone on the internet; any-google-account: allAuthenticatedUsers; restricted: named principals only. */
export type Invocation = 'public' | 'any-google-account' | 'restricted' | 'unknown';

/** Why a service's invokers are unknown when the review was asked not to read IAM policies. */
export const POLICIES_NOT_CHECKED = 'not checked: reading who may invoke needs the cloud-platform scope';

export interface RunServiceInput {
  readonly service: Pick<RunService, 'name' | 'uri' | 'ingress' | 'template' | 'invokerIamDisabled'>;
  /** The service's IAM policy; undefined when it could not be read (`policyProblem` says why). */
  readonly policy?: Pick<IamPolicy, 'bindings'> | undefined;
  /** A short reason the policy could not be read, e.g. "permission denied". */
  readonly policyProblem?: string | undefined;
}

export interface RunServiceRow {
  readonly name: string;
  readonly region: string;
  readonly url: string | undefined;
  /** Undefined: none set, so the revisions run as the default compute account. */
  readonly serviceAccount: string | undefined;
  readonly defaultAccount: boolean;
  readonly invocation: Invocation;
  readonly ingress: string | undefined;
  readonly findingCodes: readonly FindingCode[];
}

/** `projects/<p>/locations/<region>/services/<name>` → its parts (the whole string as name when not in that form). */
export function parseServiceName(name: string): { region: string; service: string } {
  const m = /^projects\/[^/]+\/locations\/([^/]+)\/services\/([^/]+)$/.exec(name);
  return m ? { region: m[1] ?? '', service: m[2] ?? '' } : { region: '', service: name };
}

/** Who may invoke, from the invoker IAM check setting and the `roles/run.invoker` members (conditions ignored: any member counts). */
export function invocationOf(input: RunServiceInput): Invocation {
  if (input.service.invokerIamDisabled === true) return 'public';
  if (!input.policy) return 'unknown';
  const members = (input.policy.bindings ?? [])
    .filter((b) => b.role === RUN_INVOKER_ROLE)
    .flatMap((b) => b.members ?? []);
  if (members.includes('allUsers')) return 'public';
  if (members.includes('allAuthenticatedUsers')) return 'any-google-account';
  return 'restricted';
}

export function reviewRunServices(services: readonly RunServiceInput[]): SectionReport<RunServiceRow> {
  const rows: RunServiceRow[] = [];
  const findings: WorkloadFinding[] = [];
  const notes: WorkloadNote[] = [];
  for (const input of services) {
    const { region, service } = parseServiceName(input.service.name);
    const subject = region ? `${service} (${region})` : service;
    const account = serviceAccountOf(input.service.template?.serviceAccount);
    const isDefault = account !== undefined && isDefaultComputeAccount(account);
    const invocation = invocationOf(input);
    const mine = defaultAccountFindings(account, service, subject, {
      implicit: 'run-implicit-service-account',
      named: 'run-default-service-account',
    });
    if (invocation === 'public') {
      const how =
        input.service.invokerIamDisabled === true
          ? 'its invoker IAM check is disabled'
          : `allUsers holds ${RUN_INVOKER_ROLE}`;
      mine.push(
        finding('run-unauthenticated-invocation', subject, `Anyone on the internet can invoke ${service}: ${how}.`),
      );
    } else if (invocation === 'any-google-account') {
      mine.push(
        finding(
          'run-any-google-account-invocation',
          subject,
          `Any Google account can invoke ${service}: allAuthenticatedUsers holds ${RUN_INVOKER_ROLE}.`,
        ),
      );
    } else if (invocation === 'unknown' && input.policyProblem !== POLICIES_NOT_CHECKED) {
      notes.push(
        note(
          'run-policy-unreadable',
          subject,
          `Who may invoke ${service} could not be read${input.policyProblem ? ` (${input.policyProblem})` : ''}.`,
        ),
      );
    }
    findings.push(...mine);
    rows.push({
      name: service,
      region,
      url: input.service.uri,
      serviceAccount: account,
      defaultAccount: account === undefined || isDefault,
      invocation,
      ingress: input.service.ingress,
      findingCodes: mine.map((f) => f.code),
    });
  }
  return sectionReport('cloud-run', rows, findings, notes);
}
