/**
 * Workflows: each workflow's service account and each http.* step of its source (pure; input is the Workflows
 * API's `workflows.list`/`get` answers).
 */
import type { Workflow } from '../google/workflows.js';
import { finding, note, type FindingCode, type WorkloadFinding, type WorkloadNote } from './findings.js';
import { defaultAccountFindings, isDefaultComputeAccount, serviceAccountOf } from './identity.js';
import type { MethodIndex } from './method-index.js';
import { sectionReport, type SectionReport } from './outcome.js';
import { formatMessage } from './rule-texts.js';
import { lintWorkflowSource, type HttpCallReport } from './workflow-lint.js';
import { detectFormat, isWorkflowSourceError } from './workflow-source.js';

export interface WorkflowInput {
  readonly workflow: Pick<Workflow, 'name' | 'serviceAccount' | 'sourceContents' | 'state' | 'revisionId'>;
  /** Why the source could not be fetched, when it could not. */
  readonly sourceProblem?: string | undefined;
}

export interface WorkflowRow {
  readonly name: string;
  readonly region: string;
  /** Undefined: none set, so it runs as the default compute account. */
  readonly serviceAccount: string | undefined;
  readonly defaultAccount: boolean;
  readonly format: 'yaml' | 'json' | undefined;
  readonly httpCalls: readonly HttpCallReport[];
  /** Codes of the workflow's own findings and of its steps'. */
  readonly findingCodes: readonly FindingCode[];
}

export function parseWorkflowName(name: string): { region: string; workflow: string } {
  const m = /^projects\/[^/]+\/locations\/([^/]+)\/workflows\/([^/]+)$/.exec(name);
  return m ? { region: m[1] ?? '', workflow: m[2] ?? '' } : { region: '', workflow: name };
}

interface WorkflowReview {
  readonly row: WorkflowRow;
  readonly findings: readonly WorkloadFinding[];
  readonly notes: readonly WorkloadNote[];
}

/** One workflow: its identity, then each http.* step of its source (bounded: SOURCE_LIMITS). */
export function reviewWorkflow({ workflow: wf, sourceProblem }: WorkflowInput, index: MethodIndex): WorkflowReview {
  const { region, workflow } = parseWorkflowName(wf.name);
  const subject = region ? `${workflow} (${region})` : workflow;
  const account = serviceAccountOf(wf.serviceAccount);
  const isDefault = account !== undefined && isDefaultComputeAccount(account);
  const mine = defaultAccountFindings(account, workflow, subject, {
    implicit: 'workflow-implicit-service-account',
    named: 'workflow-default-service-account',
  });
  const notes: WorkloadNote[] = [];
  let calls: readonly HttpCallReport[] = [];
  let format: WorkflowRow['format'];
  if (wf.sourceContents === undefined) {
    notes.push(
      note(
        'workflow-source-unreadable',
        subject,
        sourceProblem
          ? formatMessage('workflow-source-unreadable.problem', { workflow, problem: sourceProblem })
          : formatMessage('workflow-source-unreadable', { workflow }),
      ),
    );
  } else {
    try {
      const fmt = detectFormat(wf.sourceContents);
      const result = lintWorkflowSource(wf.sourceContents, fmt, index, `${subject}: `);
      calls = result.calls;
      format = fmt;
      mine.push(...result.findings);
      notes.push(...result.notes);
    } catch (err) {
      if (!isWorkflowSourceError(err)) throw err;
      const at = err.line !== undefined ? { line: err.line, column: err.column ?? 1 } : undefined;
      if (err.code === 'WORKFLOW_SOURCE_LIMIT') {
        // Beyond a bound, the source is a finding: its calls went unreviewed and it has the shape of an attack.
        mine.push(
          finding(
            'workflow-source-over-limit',
            subject,
            formatMessage('workflow-source-over-limit', { workflow: subject, reason: err.message }),
            at,
          ),
        );
      } else {
        notes.push(
          note(
            'workflow-source-unreadable',
            subject,
            formatMessage('workflow-source-unparsable', { workflow, line: err.line ?? 1, reason: err.message }),
            at,
          ),
        );
      }
    }
  }
  return {
    row: {
      name: workflow,
      region,
      serviceAccount: account,
      defaultAccount: account === undefined || isDefault,
      format,
      httpCalls: calls,
      findingCodes: mine.map((f) => f.code),
    },
    findings: mine,
    notes,
  };
}

function workflowsReport(reviews: readonly WorkflowReview[]): SectionReport<WorkflowRow> {
  return sectionReport(
    'workflows',
    reviews.map((r) => r.row),
    reviews.flatMap((r) => r.findings),
    reviews.flatMap((r) => r.notes),
  );
}

export function reviewWorkflows(workflows: readonly WorkflowInput[], index: MethodIndex): SectionReport<WorkflowRow> {
  return workflowsReport(workflows.map((w) => reviewWorkflow(w, index)));
}

/** Gives the event loop back (to other users' requests) before the next workflow. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * `reviewWorkflows` for the server: one workflow per turn of the event loop. Each source is bounded
 * (SOURCE_LIMITS) so one turn is short, whereas a project may hold hundreds of workflows.
 */
export async function reviewWorkflowsInTurns(
  workflows: readonly WorkflowInput[],
  index: MethodIndex,
  pause: () => Promise<void> = nextTurn,
): Promise<SectionReport<WorkflowRow>> {
  const reviews: WorkflowReview[] = [];
  for (const w of workflows) {
    if (reviews.length > 0) await pause();
    reviews.push(reviewWorkflow(w, index));
  }
  return workflowsReport(reviews);
}
