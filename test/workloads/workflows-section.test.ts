// The Workflows section over the mock's workflow sources (each commented with the findings it should give).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CLEAN_PIPELINE_YAML,
  ETL_ORCHESTRATOR_YAML,
  EU_SYNC_YAML,
  REPORT_BUILDER_JSON,
  VM_JANITOR_YAML,
} from '../../mock-google/cloud/workflow-sources.js';
import { loadDiscovery } from '../../src/scopes/index.js';
import {
  SOURCE_LIMITS,
  buildMethodIndex,
  reviewWorkflows,
  reviewWorkflowsInTurns,
  type WorkflowInput,
} from '../../src/workloads/index.js';
import { deepJsonBody, nestedAliasBomb } from './hostile-sources.js';

const index = buildMethodIndex(loadDiscovery());
const wf = (name: string, sourceContents: string | undefined, serviceAccount?: string): WorkflowInput => ({
  workflow: {
    name: `projects/acme-prod/locations/us-central1/workflows/${name}`,
    ...(serviceAccount ? { serviceAccount: `projects/acme-prod/serviceAccounts/${serviceAccount}` } : {}),
    ...(sourceContents !== undefined ? { sourceContents } : {}),
  },
});
const byStep = (r: ReturnType<typeof reviewWorkflows>, name: string) =>
  Object.fromEntries(
    (r.rows.find((x) => x.name === name)?.httpCalls ?? []).map((c) => [
      c.step,
      [...c.findingCodes].sort().join(',') || 'clean',
    ]),
  );

describe('Workflows section', () => {
  const r = reviewWorkflows(
    [
      wf('vm-janitor', VM_JANITOR_YAML, '123456789012-compute@developer.gserviceaccount.com'),
      wf('report-builder', REPORT_BUILDER_JSON, 'svc-04@acme-prod.iam.gserviceaccount.com'),
      wf('clean-pipeline', CLEAN_PIPELINE_YAML, 'svc-07@acme-prod.iam.gserviceaccount.com'),
      wf('eu-sync', EU_SYNC_YAML),
      wf('etl-orchestrator', ETL_ORCHESTRATOR_YAML, 'etl@acme-data.iam.gserviceaccount.com'),
    ],
    index,
  );

  it('flags the workflow identity: the default compute account, explicit or implicit', () => {
    assert.deepEqual(
      r.rows.map((x) => [x.name, x.serviceAccount, x.defaultAccount]),
      [
        ['vm-janitor', '123456789012-compute@developer.gserviceaccount.com', true],
        ['report-builder', 'svc-04@acme-prod.iam.gserviceaccount.com', false],
        ['clean-pipeline', 'svc-07@acme-prod.iam.gserviceaccount.com', false],
        ['eu-sync', undefined, true],
        ['etl-orchestrator', 'etl@acme-data.iam.gserviceaccount.com', false],
      ],
    );
    const own = r.findings.filter((f) => f.code.startsWith('workflow-')).map((f) => [f.code, f.subject]);
    assert.deepEqual(own.sort(), [
      ['workflow-default-service-account', 'vm-janitor (us-central1)'],
      ['workflow-implicit-service-account', 'eu-sync (us-central1)'],
    ]);
  });
  it('vm-janitor (YAML, main + subworkflow): one wrong pattern per step', () => {
    assert.deepEqual(byStep(r, 'vm-janitor'), {
      list_vms: 'http-oauth2-default-scope',
      'stop_idle › stop_one': 'http-oauth2-scope-broader-than-needed',
      post: 'http-oauth2-to-cloud-run',
      'fan_out › chat › post_chat': 'http-cloud-run-without-oidc',
      'fan_out › audit › read_logs': 'http-oidc-to-google-api',
    });
    const list = r.rows[0]?.httpCalls.find((c) => c.step === 'list_vms');
    assert.equal(list?.narrowestScope, 'https://www.googleapis.com/auth/compute.readonly');
    assert.equal(r.rows[0]?.format, 'yaml');
  });
  it('report-builder (JSON, try/except, switch): right and wrong patterns, and notes where it cannot tell', () => {
    assert.deepEqual(byStep(r, 'report-builder'), {
      collect: 'clean',
      'buckets › try': 'http-oauth2-scope-broader-than-needed',
      'buckets › except › on_error': 'http-oidc-audience-mismatch',
      services: 'http-oauth2-scope-not-accepted',
      render: 'clean',
      'deliver › condition 1 › publish': 'clean',
      'deliver › condition 2 › callback': 'clean',
    });
    const notes = r.notes
      .filter((n) => n.subject.startsWith('report-builder'))
      .map((n) => n.code)
      .sort();
    assert.deepEqual(notes, ['http-method-unknown', 'http-url-unresolved']);
    assert.equal(r.rows[1]?.format, 'json');
  });
  it('clean-pipeline and etl-orchestrator (a top-level list of steps): no finding', () => {
    assert.ok(Object.values(byStep(r, 'clean-pipeline')).every((v) => v === 'clean'));
    assert.deepEqual(byStep(r, 'etl-orchestrator'), { list_datasets: 'clean' });
  });
  it('a workflow whose source is missing or broken is a note, not a failure of the section', () => {
    const broken = reviewWorkflows(
      [
        wf('a', undefined, 'a@p.iam.gserviceaccount.com'),
        wf('b', 'main:\n  steps: [\n', 'b@p.iam.gserviceaccount.com'),
      ],
      index,
    );
    assert.equal(broken.findingCount, 0);
    assert.deepEqual(
      broken.notes.map((n) => n.code),
      ['workflow-source-unreadable', 'workflow-source-unreadable'],
    );
    assert.match(broken.notes[1]?.message ?? '', /line \d+/);
  });
  it('counts findings and says why the section matters', () => {
    assert.equal(r.findingCount, r.findings.length);
    assert.equal(r.findingCount, 2 + 5 + 3);
    assert.match(r.whyItMatters, /cloud-platform/);
  });
});

describe('Workflows section: sources beyond the limits', () => {
  const inputs = [
    wf('bomb', nestedAliasBomb(), 'a@acme-prod.iam.gserviceaccount.com'),
    wf('deep', deepJsonBody(SOURCE_LIMITS.maxDepth), 'b@acme-prod.iam.gserviceaccount.com'),
    wf('clean-pipeline', CLEAN_PIPELINE_YAML, 'svc-07@acme-prod.iam.gserviceaccount.com'),
  ];
  it('a bounded definition is a finding naming the workflow and the limit; the others are still reviewed', () => {
    const r = reviewWorkflows(inputs, index);
    const over = r.findings.filter((f) => f.code === 'workflow-source-over-limit');
    assert.deepEqual(
      over.map((f) => f.subject),
      ['bomb (us-central1)', 'deep (us-central1)'],
    );
    assert.match(over[0]?.message ?? '', /^The source of bomb \(us-central1\) was not reviewed: .*alias.*100/);
    assert.match(
      over[1]?.message ?? '',
      /^The source of deep \(us-central1\) was not reviewed: .*deeper than 100 levels/,
    );
    assert.equal(over[0]?.severity, 'medium');
    assert.ok((over[0]?.location?.line ?? 0) >= 1);
    assert.deepEqual(r.rows[0]?.findingCodes, ['workflow-source-over-limit']);
    assert.equal(r.rows[0]?.httpCalls.length, 0);
    assert.ok((r.rows[2]?.httpCalls.length ?? 0) > 0, 'the clean workflow was reviewed');
  });
  it('the server reviews one workflow per turn of the event loop, with the same result', async () => {
    let pauses = 0;
    const inTurns = await reviewWorkflowsInTurns(inputs, index, async () => {
      pauses++;
    });
    assert.equal(pauses, inputs.length - 1);
    assert.deepEqual(inTurns, reviewWorkflows(inputs, index));
  });
  it('…and by default really yields: a callback queued meanwhile runs before the review ends', async () => {
    const order: string[] = [];
    const review = reviewWorkflowsInTurns(inputs, index).then(() => order.push('review'));
    setImmediate(() => order.push('other request'));
    await review;
    assert.deepEqual(order, ['other request', 'review']);
  });
});
