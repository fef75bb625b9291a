/**
 * Workflows: each workflow's service account and each http.* step of its source (pure; input is the Workflows
 * API's `workflows.list`/`get` answers).
 */
import type { Workflow } from '../google/workflows.js';
import { note, type FindingCode, type WorkloadFinding, type WorkloadNote } from './findings.js';
import { defaultAccountFindings, isDefaultComputeAccount, serviceAccountOf } from './identity.js';
import type { MethodIndex } from './method-index.js';
import { sectionReport, type SectionReport } from './outcome.js';
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

export function reviewWorkflows(workflows: readonly WorkflowInput[], index: MethodIndex): SectionReport<WorkflowRow> {
  const rows: WorkflowRow[] = [];
  const findings: WorkloadFinding[] = [];
  const notes: WorkloadNote[] = [];
  for (const { workflow: wf, sourceProblem } of workflows) {
    const { region, workflow } = parseWorkflowName(wf.name);
    const subject = region ? `${workflow} (${region})` : workflow;
    const account = serviceAccountOf(wf.serviceAccount);
    const isDefault = account !== undefined && isDefaultComputeAccount(account);
    const mine = defaultAccountFindings(account, workflow, subject, {
      implicit: 'workflow-implicit-service-account',
      named: 'workflow-default-service-account',
    });
    let calls: readonly HttpCallReport[] = [];
    let format: WorkflowRow['format'];
    if (wf.sourceContents === undefined) {
      notes.push(
        note(
          'workflow-source-unreadable',
          subject,
          `The source of ${workflow} could not be read${sourceProblem ? ` (${sourceProblem})` : ''}.`,
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
        notes.push(
          note(
            'workflow-source-unreadable',
            subject,
            `The source of ${workflow} could not be parsed${err.line ? ` (line ${err.line})` : ''}: ${err.message}`,
          ),
        );
      }
    }
    findings.push(...mine);
    rows.push({
      name: workflow,
      region,
      serviceAccount: account,
      defaultAccount: account === undefined || isDefault,
      format,
      httpCalls: calls,
      findingCodes: mine.map((f) => f.code),
    });
  }
  return sectionReport('workflows', rows, findings, notes);
}
