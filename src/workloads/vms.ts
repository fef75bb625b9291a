/**
 * VMs: each instance's attached service account and access scopes (pure; input is Compute Engine's
 * `instances.aggregatedList` answer, flattened by `src/google/compute.ts`).
 *
 * Google's advice (GUIDE_VM_SERVICE_ACCOUNTS): a user-managed service account limited by IAM roles, with the
 * cloud-platform access scope. So cloud-platform with a user-managed account is fine; with the default
 * account (often Editor) it is the broadest a VM can be.
 */
import type { FlatInstance } from '../google/compute.js';
import { AUTH_PREFIX, shortScope } from '../scopes/scope-names.js';
import { finding, type FindingCode, type WorkloadFinding, type WorkloadNote, note } from './findings.js';
import { CLOUD_PLATFORM, isDefaultComputeAccount } from './identity.js';
import { sectionReport, type SectionReport } from './outcome.js';

/**
 * Per-API scopes that give full control of one API. A VM holding both of the first two has the pre-IAM "full
 * access" set that old VMs and templates were created with; Google's console today calls full access "Allow
 * full access to all Cloud APIs" and sets cloud-platform instead (Google gives the old set no name).
 */
export const LEGACY_FULL_ACCESS_MARKERS: readonly string[] = [
  `${AUTH_PREFIX}compute`,
  `${AUTH_PREFIX}devstorage.full_control`,
];
export const PER_API_FULL_SCOPES: readonly string[] = [
  ...LEGACY_FULL_ACCESS_MARKERS,
  `${AUTH_PREFIX}bigquery`,
  `${AUTH_PREFIX}datastore`,
  `${AUTH_PREFIX}sqlservice.admin`,
  `${AUTH_PREFIX}taskqueue`,
  `${AUTH_PREFIX}pubsub`,
  `${AUTH_PREFIX}logging.admin`,
  `${AUTH_PREFIX}cloud-bigtable.admin`,
  `${AUTH_PREFIX}ndev.cloudman`,
];

export type VmInput = Pick<FlatInstance, 'name' | 'zone' | 'status' | 'serviceAccounts'>;

export interface VmRow {
  readonly name: string;
  readonly zone: string;
  readonly status: string;
  /** Undefined: no service account attached. */
  readonly serviceAccount: string | undefined;
  readonly defaultAccount: boolean;
  /** Access scopes, short names (`cloud-platform`, `devstorage.read_only`). */
  readonly scopes: readonly string[];
  readonly findingCodes: readonly FindingCode[];
}

export interface ReviewVmsOptions {
  /**
   * Whether a VM without a service account should have one. Default: every VM (Scopewise cannot see whether the
   * software on it calls Google APIs, so the finding is low and says so).
   */
  readonly expectsServiceAccount?: (vm: VmInput) => boolean;
  /** Zones Google could not reach (from the aggregated list): noted, since their VMs are missing. */
  readonly unreachableZones?: readonly string[];
}

export function reviewVms(instances: readonly VmInput[], options: ReviewVmsOptions = {}): SectionReport<VmRow> {
  const expects = options.expectsServiceAccount ?? (() => true);
  const rows: VmRow[] = [];
  const findings: WorkloadFinding[] = [];
  const notes: WorkloadNote[] = [];
  for (const vm of instances) {
    const subject = `${vm.name} (${vm.zone})`;
    const attached = vm.serviceAccounts?.[0];
    const scopes = attached?.scopes ?? [];
    const mine: WorkloadFinding[] = [];
    if (!attached) {
      if (expects(vm)) {
        mine.push(
          finding(
            'vm-no-service-account',
            subject,
            `${vm.name} has no service account attached: software on it that calls Google APIs must use a key file or user credentials.`,
          ),
        );
      }
    } else {
      const isDefault = isDefaultComputeAccount(attached.email);
      if (isDefault) {
        mine.push(
          finding(
            'vm-default-service-account',
            subject,
            `${vm.name} runs as the Compute Engine default service account ${attached.email}.`,
          ),
        );
        if (scopes.includes(CLOUD_PLATFORM)) {
          mine.push(
            finding(
              'vm-default-account-cloud-platform',
              subject,
              `${vm.name} gives every process on it the default service account with the cloud-platform access scope.`,
            ),
          );
        }
      }
      if (LEGACY_FULL_ACCESS_MARKERS.every((s) => scopes.includes(s))) {
        const full = scopes.filter((s) => PER_API_FULL_SCOPES.includes(s)).map(shortScope);
        mine.push(
          finding(
            'vm-legacy-full-access',
            subject,
            `${vm.name} holds the legacy per-API full-access scopes (${full.join(', ')}).`,
          ),
        );
      }
    }
    findings.push(...mine);
    rows.push({
      name: vm.name,
      zone: vm.zone,
      status: vm.status ?? '',
      serviceAccount: attached?.email,
      defaultAccount: attached ? isDefaultComputeAccount(attached.email) : false,
      scopes: scopes.map(shortScope),
      findingCodes: mine.map((f) => f.code),
    });
  }
  if (options.unreachableZones && options.unreachableZones.length > 0) {
    notes.push(
      note(
        'vm-list-partial',
        'zones',
        `Google could not reach ${options.unreachableZones.join(', ')}; VMs there are not listed.`,
      ),
    );
  }
  return sectionReport('vms', rows, findings, notes);
}
