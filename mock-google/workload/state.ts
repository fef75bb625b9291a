// State of the mock's "workload" side: the service account attached to the pretend VM / Cloud Run service
// (served by the metadata server), its IAM bindings, the Cloud Logging outage switch, and the private
// Cloud Run receivers with the events they accepted. Reset by POST /__control/reset.

/** The attached service account of the pretend runtime (like a VM's or a Cloud Run service's). */
export const WORKLOAD_SERVICE_ACCOUNT = Object.freeze({
  email: 'scopewise-runtime@acme-prod.iam.gserviceaccount.com',
  /** The account's unique id: `sub` and `azp` of its ID tokens, `azp`/`aud` of its tokeninfo. */
  uniqueId: '110000000000000000001',
});

/** The pretend runtime's project (metadata `project/project-id`). */
export const WORKLOAD_PROJECT = Object.freeze({
  projectId: 'acme-prod',
  numericId: '123456789012',
  zone: 'us-central1-a',
});

/** Access scopes of the pretend VM: what a token without a `scopes` query gets (Google's recommended VM setting). */
export const DEFAULT_VM_SCOPES: readonly string[] = ['https://www.googleapis.com/auth/cloud-platform'];

export const WORKLOAD_MEMBER = `serviceAccount:${WORKLOAD_SERVICE_ACCOUNT.email}`;

export interface ReceiverConfig {
  /** Accepted `aud` values besides the mock's origin and the service URL (Cloud Run's custom audiences). */
  customAudiences: string[];
  /** Principals holding roles/run.invoker on the service, e.g. `serviceAccount:…`. */
  invokers: string[];
  /** When set, every request answers this status (an outage of the receiving service). */
  outageStatus: number | null;
}

export interface ReceivedEvent {
  service: string;
  method: string;
  path: string;
  receivedAt: string;
  /** The verified ID token's `email` claim. */
  principal: string;
  audience: string;
  idempotencyKey: string | undefined;
  body: unknown;
}

export interface LoggingOutage {
  status: number;
  /** Epoch ms; undefined = until switched off. */
  until: number | undefined;
}

export class WorkloadState {
  /** projectId → member → roles, for the service account only (fixture users keep the fixture IAM). */
  iam = new Map<string, Map<string, string[]>>();
  loggingOutage: LoggingOutage | null = null;
  receivers = new Map<string, ReceiverConfig>();
  received: ReceivedEvent[] = [];

  constructor() {
    this.reset();
  }

  reset(): void {
    this.iam = new Map([[WORKLOAD_PROJECT.projectId, new Map([[WORKLOAD_MEMBER, ['roles/logging.logWriter']]])]]);
    this.loggingOutage = null;
    this.receivers = new Map();
    this.received = [];
  }

  rolesOf(projectId: string, member: string): string[] {
    return this.iam.get(projectId)?.get(member) ?? [];
  }

  setRoles(projectId: string, member: string, roles: string[]): void {
    let bindings = this.iam.get(projectId);
    if (!bindings) {
      bindings = new Map();
      this.iam.set(projectId, bindings);
    }
    bindings.set(member, [...roles]);
  }

  /** The receiver's configuration; by default the workload service account may invoke it. */
  receiver(service: string): ReceiverConfig {
    let r = this.receivers.get(service);
    if (!r) {
      r = { customAudiences: [], invokers: [WORKLOAD_MEMBER], outageStatus: null };
      this.receivers.set(service, r);
    }
    return r;
  }

  /** The status Cloud Logging answers with right now, or null when it is up. */
  loggingOutageStatus(now = Date.now()): number | null {
    const o = this.loggingOutage;
    if (!o) return null;
    if (o.until !== undefined && o.until <= now) {
      this.loggingOutage = null;
      return null;
    }
    return o.status;
  }
}
