/**
 * One loader per section: gather (I/O) → review (pure) → outcome. Errors that concern the whole section become
 * its status line (`outcomeFromError`); nothing here throws for a Google answer. The engine's page spec calls
 * these with the caller's token context; each holds no state.
 */
import type { GoogleCallContext } from '../google/call.js';
import { reviewRunServices, type RunServiceRow } from './cloud-run.js';
import { note, type WorkloadNote } from './findings.js';
import {
  DEFAULT_GATHER_LIMITS,
  gatherRunServices,
  gatherServiceAccountKeys,
  gatherVms,
  gatherWorkflows,
  type GatherLimits,
} from './gather.js';
import { reviewServiceAccountKeys, type KeyRow } from './keys.js';
import type { MethodIndex } from './method-index.js';
import {
  outcomeFromError,
  outcomeFromReport,
  sectionReport,
  type SectionId,
  type SectionOutcome,
  type SectionReport,
} from './outcome.js';
import { reviewVms, type VmRow } from './vms.js';
import { reviewWorkflowsInTurns, type WorkflowRow } from './workflows.js';

export interface SectionInput {
  readonly ctx: GoogleCallContext;
  readonly projectId: string;
  /** Cloud Run and Workflows: the regions to read (`parseReviewRegions`). */
  readonly regions: readonly string[];
  /** Key ages are measured from here. */
  readonly now: Date;
  /** URL → method → scopes, built once at start-up (`buildMethodIndex(loadDiscovery())`). */
  readonly index: MethodIndex;
  readonly limits?: GatherLimits;
  /** Cloud Run: also read each service's IAM policy (who may invoke), which needs cloud-platform. */
  readonly withInvokers?: boolean;
}

function withNotes<Row>(report: SectionReport<Row>, extra: readonly WorkloadNote[]): SectionReport<Row> {
  return extra.length === 0
    ? report
    : sectionReport(report.section, report.rows, report.findings, [...report.notes, ...extra]);
}

function gatherNotes(skippedRegions: readonly string[], truncated: boolean, limits: GatherLimits): WorkloadNote[] {
  const out: WorkloadNote[] = [];
  if (skippedRegions.length > 0)
    out.push(
      note(
        'region-skipped',
        'regions',
        `Google does not serve this API in ${skippedRegions.join(', ')}; those regions were skipped.`,
      ),
    );
  if (truncated) out.push(note('list-truncated', 'list', `Only the first ${limits.maxItems} were reviewed.`));
  return out;
}

async function guarded<Row>(
  section: SectionId,
  projectId: string,
  load: () => Promise<SectionReport<Row>>,
): Promise<SectionOutcome<Row>> {
  try {
    return outcomeFromReport(await load());
  } catch (err) {
    return outcomeFromError(section, projectId, err);
  }
}

export function loadVmsSection(input: SectionInput): Promise<SectionOutcome<VmRow>> {
  const limits = input.limits ?? DEFAULT_GATHER_LIMITS;
  return guarded('vms', input.projectId, async () => {
    const g = await gatherVms(input.ctx, input.projectId, limits);
    return withNotes(
      reviewVms(g.items, { unreachableZones: g.unreachableZones }),
      gatherNotes([], g.truncated, limits),
    );
  });
}

export function loadCloudRunSection(input: SectionInput): Promise<SectionOutcome<RunServiceRow>> {
  const limits = input.limits ?? DEFAULT_GATHER_LIMITS;
  return guarded('cloud-run', input.projectId, async () => {
    const g = await gatherRunServices(input.ctx, input.projectId, input.regions, limits, input.withInvokers ?? true);
    return withNotes(reviewRunServices(g.items), gatherNotes(g.skippedRegions, g.truncated, limits));
  });
}

export function loadServiceAccountKeysSection(input: SectionInput): Promise<SectionOutcome<KeyRow>> {
  const limits = input.limits ?? DEFAULT_GATHER_LIMITS;
  return guarded('service-account-keys', input.projectId, async () => {
    const g = await gatherServiceAccountKeys(input.ctx, input.projectId, limits);
    return withNotes(reviewServiceAccountKeys(g.items, input.now), gatherNotes([], g.truncated, limits));
  });
}

export function loadWorkflowsSection(input: SectionInput): Promise<SectionOutcome<WorkflowRow>> {
  const limits = input.limits ?? DEFAULT_GATHER_LIMITS;
  return guarded('workflows', input.projectId, async () => {
    const g = await gatherWorkflows(input.ctx, input.projectId, input.regions, limits);
    return withNotes(
      await reviewWorkflowsInTurns(g.items, input.index),
      gatherNotes(g.skippedRegions, g.truncated, limits),
    );
  });
}

/** The Google API methods each section calls (catalogue keys), for the feature's catalogue entry. */
export const SECTION_METHODS: Readonly<Record<SectionId, readonly string[]>> = {
  vms: ['compute:v1:instances.aggregatedList'],
  'cloud-run': ['run:v2:projects.locations.services.list', 'run:v2:projects.locations.services.getIamPolicy'],
  'service-account-keys': ['iam:v1:projects.serviceAccounts.list', 'iam:v1:projects.serviceAccounts.keys.list'],
  workflows: ['workflows:v1:projects.locations.workflows.list', 'workflows:v1:projects.locations.workflows.get'],
};
