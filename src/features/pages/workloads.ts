// The workload identity review: one page per project, one section per feature (VMs, Cloud Run, service-account
// keys, Workflows), each asking only for its own access the first time it is opened. The rules are the pure
// functions of src/workloads; this spec only loads the sections and lays them out.
import type { z } from 'zod';
import type { GoogleCallContext } from '../../google/index.js';
import type { FeatureId } from '../../scopes/index.js';
import {
  GUIDE_WORKLOAD_AUTH,
  loadCloudRunSection,
  loadServiceAccountKeysSection,
  loadVmsSection,
  loadWorkflowsSection,
  SECTIONS,
  type KeyRow,
  type MethodIndex,
  type RunServiceRow,
  type SectionId,
  type SectionOutcome,
  type VmRow,
  type WorkflowRow,
} from '../../workloads/index.js';
import type { Cell, SectionView } from '../../web/views.js';
import {
  chartId,
  chartText,
  keyAgeChart,
  severityBar,
  severityChips,
  type KeyAge,
  type Markup,
  type SeverityCounts,
} from '../../web/charts/index.js';
import { code, text } from '../cells.js';
import type { PageInput, SectionState, SectionsPageSpec } from '../spec.js';
import { projectField, projectQuery } from './project-field.js';

type AnyOutcome =
  | SectionOutcome<VmRow>
  | SectionOutcome<RunServiceRow>
  | SectionOutcome<KeyRow>
  | SectionOutcome<WorkflowRow>
  | undefined;
type Query = z.infer<typeof projectQuery>;

export interface WorkloadReviewDeps {
  /** Cloud Run and Workflows have no cross-region list: the regions to read (WORKLOAD_REGIONS). */
  regions: readonly string[];
  /** URL → method → scopes, built once (the Workflows lint). */
  index: MethodIndex;
  now(): number;
}

interface Layout {
  section: SectionId;
  feature: FeatureId;
  columns: string[];
  row(r: never): Cell[];
}

const findingsCell = (codes: readonly string[]): Cell => text(codes.length === 0 ? 'none' : codes.join(', '));
const accountCell = (account: string | undefined, isDefault: boolean): Cell =>
  account
    ? code(isDefault ? `${account} (default)` : account)
    : text(isDefault ? 'the default compute account (none set)' : 'none');

/** What a VM, a Cloud Run service and a workflow share: a name, where it runs, the identity it runs as, findings. */
interface Workload {
  readonly name: string;
  readonly serviceAccount: string | undefined;
  readonly defaultAccount: boolean;
  readonly findingCodes: readonly string[];
}
const workloadRow = (w: Workload, where: string, detail: string): Cell[] => [
  code(w.name),
  text(where),
  accountCell(w.serviceAccount, w.defaultAccount),
  text(detail),
  findingsCell(w.findingCodes),
];

const LAYOUTS: readonly Layout[] = [
  {
    section: 'vms',
    feature: 'workload-vms',
    columns: ['VM', 'Zone', 'Service account', 'Access scopes', 'Findings'],
    row: (r: VmRow) => workloadRow(r, r.zone, r.scopes.join(', ') || 'none'),
  },
  {
    section: 'cloud-run',
    feature: 'workload-cloud-run',
    columns: ['Service', 'Region', 'Runs as', 'Who may invoke', 'Findings'],
    row: (r: RunServiceRow) => workloadRow(r, r.region, INVOCATION[r.invocation]),
  },
  {
    section: 'service-account-keys',
    feature: 'workload-keys',
    columns: ['Service account', 'Key', 'Type', 'Age', 'Findings'],
    row: (r: KeyRow) => [
      code(r.account),
      code(r.keyId),
      text(r.keyType),
      text(r.ageDays === undefined ? '' : `${r.ageDays} days`),
      findingsCell(r.findingCodes),
    ],
  },
  {
    section: 'workflows',
    feature: 'workload-workflows',
    columns: ['Workflow', 'Region', 'Runs as', 'HTTP calls', 'Findings'],
    row: (r: WorkflowRow) => workloadRow(r, r.region, String(r.httpCalls.length)),
  },
];

const TEXT = chartText('en');

function countBySeverity(findings: ReadonlyArray<{ severity: string }>): SeverityCounts {
  const out: Record<string, number> = {};
  for (const f of findings) out[f.severity] = (out[f.severity] ?? 0) + 1;
  return out as SeverityCounts;
}

/** A key on the age chart: its account (the name before @) and the start of its id, which the table shows whole. */
export function keyAgeOf(r: { account: string; keyId: string; ageDays?: number | undefined }): KeyAge {
  const who = r.account.split('@')[0] ?? r.account;
  return { label: `${who} · ${r.keyId.slice(0, 8)}`, ageDays: r.ageDays ?? 0 };
}

/** The review's summary: every section's findings in one bar, and the same as chips. */
export function reviewSummary(project: string, sections: readonly SectionView[]): { bar: Markup; chips: Markup } {
  const total: Record<string, number> = {};
  for (const s of sections)
    for (const [k, v] of Object.entries(s.severityCounts ?? {})) total[k] = (total[k] ?? 0) + (v ?? 0);
  return {
    bar: severityBar(total, { id: chartId(`review-${project}`), text: TEXT, subject: project }),
    chips: severityChips(total, TEXT, `Findings of ${project} by severity`),
  };
}

const INVOCATION: Record<RunServiceRow['invocation'], string> = {
  public: 'anyone on the internet',
  'any-google-account': 'any Google account',
  restricted: 'only granted principals',
  unknown: 'not checked',
};

const STATUS_KIND = {
  ok: 'ok',
  empty: 'empty',
  'api-disabled': 'warning',
  'permission-denied': 'warning',
  'scope-missing': 'warning',
  'not-found': 'warning',
  failed: 'error',
} as const;

function plural(n: number, one: string): string {
  return `${n} ${one}${n === 1 ? '' : 's'}`;
}

function sectionView(
  layout: Layout,
  state: SectionState<AnyOutcome>,
  invokers: SectionState<AnyOutcome> | undefined,
): SectionView {
  const info = SECTIONS[layout.section];
  const base: SectionView = {
    id: layout.section,
    title: info.title,
    why: info.whyItMatters,
    ready: state.ready,
    findingCount: 0,
    findingLabel: '',
    columns: layout.columns,
    rows: [],
    findings: [],
    notes: [],
  };
  if (!state.ready)
    return { ...base, consentUrl: state.consentUrl, missing: state.missing.join(', '), lost: state.lost };
  const outcome = state.outcome;
  if (!outcome) return base;
  const view: SectionView = { ...base, statusKind: STATUS_KIND[outcome.status] };
  if (outcome.status !== 'ok') view.status = outcome.message;
  if (outcome.status === 'api-disabled')
    view.action = { href: outcome.activationUrl, label: `Enable the ${info.serviceTitle}` };
  if (outcome.status === 'ok' || outcome.status === 'empty') {
    const report = outcome.report;
    view.rows = (report.rows as readonly never[]).map((r) => layout.row(r));
    view.findingCount = report.findingCount;
    view.findingLabel = report.findingCount === 0 ? 'No findings' : plural(report.findingCount, 'finding');
    view.findings = report.findings.map((f) => ({
      severity: f.severity,
      subject: f.subject,
      message: f.message,
      recommendation: f.recommendation,
      guide: { href: f.guide.url, label: f.guide.title },
    }));
    view.notes = report.notes.map((n) => n.message);
    view.severityCounts = countBySeverity(report.findings);
    view.chips = severityChips(view.severityCounts, TEXT, `Findings of ${info.title} by severity`);
    if (layout.section === 'service-account-keys') {
      const userManaged = (report.rows as readonly KeyRow[]).filter(
        (r) => r.keyType === 'USER_MANAGED' && r.ageDays !== undefined,
      );
      if (userManaged.length)
        view.picture = keyAgeChart(userManaged.map(keyAgeOf), { id: chartId('review-key-ages'), text: TEXT });
    }
  }
  if (invokers && !invokers.ready) {
    view.extra = {
      label: 'Check who may invoke each service',
      consentUrl: invokers.consentUrl,
      missing: invokers.missing.join(', '),
    };
  }
  return view;
}

const INTRO =
  "How the workloads of a project authenticate, against Google's guidance: attached service accounts instead of keys, narrow scopes for Google APIs, ID tokens for Cloud Run. Each section asks only for the access it needs, the first time you open it.";

export function workloadReviewPage(deps: WorkloadReviewDeps): SectionsPageSpec<Query, AnyOutcome> {
  const input = (google: GoogleCallContext, { project }: PageInput<Query>) => ({
    ctx: google,
    projectId: project!,
    regions: deps.regions,
    now: new Date(deps.now()),
    index: deps.index,
  });
  return {
    kind: 'sections',
    route: '/workloads',
    feature: 'workload-vms',
    input: projectQuery,
    project: true,
    title: 'Workload identity',
    intro: INTRO,
    form: ({ project }) => [projectField(project)],
    sections: [
      { feature: 'workload-vms', load: (g, i) => loadVmsSection(input(g, i)) },
      {
        feature: 'workload-cloud-run',
        load: (g, i, granted) =>
          loadCloudRunSection({ ...input(g, i), withInvokers: granted('workload-cloud-run-invokers') }),
      },
      // Not a section of its own: the optional invoker check of the Cloud Run section (its access is asked apart).
      { feature: 'workload-cloud-run-invokers', load: async () => undefined },
      { feature: 'workload-keys', load: (g, i) => loadServiceAccountKeysSection(input(g, i)) },
      { feature: 'workload-workflows', load: (g, i) => loadWorkflowsSection(input(g, i)) },
    ],
    view: ({ project }, states) => {
      const byFeature = new Map(states.map((s) => [s.feature, s]));
      const sections = project
        ? LAYOUTS.map((l) =>
            sectionView(
              l,
              byFeature.get(l.feature)!,
              l.section === 'cloud-run' ? byFeature.get('workload-cloud-run-invokers') : undefined,
            ),
          )
        : [];
      return {
        view: 'workload-review',
        data: {
          title: project ? `Workload identity of ${project}` : 'Workload identity',
          heading: project ? `Workload identity of ${project}` : 'Workload identity',
          intro: INTRO,
          project,
          form: { action: '/workloads', fields: [projectField(project)] },
          guide: { href: GUIDE_WORKLOAD_AUTH.url, label: GUIDE_WORKLOAD_AUTH.title },
          empty: 'Choose a project.',
          sections,
          ...(project && sections.some((sec) => sec.severityCounts)
            ? { summary: reviewSummary(project, sections) }
            : {}),
        },
      };
    },
  };
}
