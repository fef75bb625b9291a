// The SARIF writer, the rule metadata and the fingerprints the CI lint shares with the workload review: the
// log validates against the SARIF 2.1.0 schema, carries what code scanning reads, and fingerprints stay stable.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { validator, type Json, type Schema } from '@exodus/schemasafe';
import type { Log } from 'sarif';
import { loadDiscovery } from '../../src/scopes/index.js';
import {
  FINDING_CODES,
  FINGERPRINT_KEY,
  HTTP_FINDING_CODES,
  artifactUri,
  buildMethodIndex,
  buildSarifLog,
  finding,
  findingFingerprint,
  lintFile,
  lintWorkflowSource,
  reportOf,
  ruleMetadata,
  sarifRule,
  withOccurrences,
  formatSarif,
} from '../../src/workloads/index.js';

const index = buildMethodIndex(loadDiscovery());
const TOOL = { name: 'scopewise-lint-workflow', version: '1.2.3' };

/** The official schema, with its one invalid pattern mended (see fixtures/README.md). */
const SCHEMA = JSON.parse(
  readFileSync(
    fileURLToPath(new URL('../../../test/workloads/fixtures/sarif-schema-2.1.0-rtm.5.json', import.meta.url)),
    'utf8',
  ).replaceAll('^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$', '^[a-zA-Z]{2}(-[a-zA-Z]{2})?$'),
) as Schema;
const validate = validator(SCHEMA, { includeErrors: true, allErrors: true });
/** Whether `log` is valid SARIF 2.1.0 (as written to a file: through JSON). */
const conforms = (log: unknown): boolean => validate(JSON.parse(JSON.stringify(log)) as Json);
/** Fails with the schema's first complaints. */
function valid(log: unknown): boolean {
  if (!conforms(log)) assert.fail(JSON.stringify(validate.errors?.slice(0, 5)));
  return true;
}

const SOURCE = `main:
  steps:
    - stop:
        call: http.post
        args:
          url: https://compute.googleapis.com/compute/v1/projects/p/zones/z/instances/vm/stop
          auth: {type: OAuth2}
    - hook:
        call: http.post
        args:
          url: https://hooks.example.com/x
          auth: {type: OAuth2}
    - topic:
        call: http.post
        args:
          url: https://pubsub.googleapis.com/v1/projects/p/topics/t:publish
          auth: {type: OAuth2}
`;

function lintLog(): Log {
  const results = [
    lintFile('workflows/my flow.yaml', SOURCE, index),
    lintFile('workflows/broken.yaml', 'main:\n  steps: [\n', index),
  ];
  return JSON.parse(formatSarif(results, TOOL)) as Log;
}

describe('SARIF 2.1.0 from the lint', () => {
  const log = lintLog();
  const run = log.runs[0];
  it('validates against the SARIF 2.1.0 schema', () => {
    assert.ok(valid(log));
    assert.equal(log.version, '2.1.0');
  });
  it('the schema check is real: a log without the driver’s name, or with a bad helpUri, is refused', () => {
    const broken = structuredClone(log) as unknown as { runs: { tool: { driver: Record<string, unknown> } }[] };
    delete broken.runs[0]?.tool.driver['name'];
    assert.equal(conforms(broken), false);
    const badUri = structuredClone(log) as unknown as {
      runs: { tool: { driver: { rules: { helpUri: string }[] } } }[];
    };
    const rule = badUri.runs[0]?.tool.driver.rules[0];
    if (rule) rule.helpUri = 'not a uri';
    assert.equal(conforms(badUri), false);
  });
  it('tool.driver: name, version, and every lint rule with id, short and full description, helpUri, help, level', () => {
    const driver = run?.tool.driver;
    assert.equal(driver?.name, 'scopewise-lint-workflow');
    assert.equal(driver?.semanticVersion, '1.2.3');
    assert.deepEqual(
      driver?.rules?.map((r) => r.id),
      [...HTTP_FINDING_CODES],
    );
    for (const r of driver?.rules ?? []) {
      const meta = ruleMetadata(r.id as (typeof FINDING_CODES)[number]);
      assert.equal(r.shortDescription?.text, meta.title);
      assert.equal(r.fullDescription?.text, meta.recommendation);
      assert.equal(r.helpUri, meta.guide.url);
      assert.match(r.help?.markdown ?? '', /\]\(https:\/\//);
      assert.ok(['error', 'warning', 'note'].includes(r.defaultConfiguration?.level ?? ''));
      assert.match(String(r.properties?.['security-severity']), /^\d\.\d$/);
    }
  });
  it('results: rule id and index, level from the severity, message with the fix, file URI, line and column, fingerprint', () => {
    const results = run?.results ?? [];
    assert.deepEqual(
      results.map((r) => [r.ruleId, r.level]),
      [
        ['http-oauth2-to-other-host', 'error'],
        ['http-oauth2-default-scope', 'warning'],
      ],
    );
    for (const r of results) {
      assert.equal(run?.tool.driver.rules?.[r.ruleIndex ?? -1]?.id, r.ruleId);
      assert.equal(r.locations?.[0]?.physicalLocation?.artifactLocation?.uri, 'workflows/my%20flow.yaml');
      assert.match(r.partialFingerprints?.[FINGERPRINT_KEY] ?? '', /^[0-9a-f]{32}:1$/);
    }
    assert.deepEqual(results[1]?.locations?.[0]?.physicalLocation?.region, { startLine: 4, startColumn: 9 });
    assert.match(
      results[1]?.message.text ?? '',
      /needs only compute\.\n\nFix: set args\.auth to\nauth:\n {2}type: OAuth2\n {2}scopes:\n {4}- https:\/\/www\.googleapis\.com\/auth\/compute$/,
    );
    assert.deepEqual(results[1]?.properties?.['fix'], {
      path: 'args.auth',
      yaml: 'auth:\n  type: OAuth2\n  scopes:\n    - https://www.googleapis.com/auth/compute',
    });
  });
  it('what it could not analyse: the unreadable file an error (execution not successful), "cannot tell" a note', () => {
    const invocation = run?.invocations?.[0];
    assert.equal(invocation?.executionSuccessful, false);
    const notes = invocation?.toolExecutionNotifications ?? [];
    assert.deepEqual(
      notes.map((n) => [n.level, n.descriptor?.id, n.locations?.[0]?.physicalLocation?.artifactLocation?.uri]),
      [
        ['note', 'http-method-unknown', 'workflows/my%20flow.yaml'],
        ['error', 'WORKFLOW_SOURCE_SYNTAX', 'workflows/broken.yaml'],
      ],
    );
  });
});

describe('buildSarifLog for the workload review (findings without a file)', () => {
  it('a finding with a resource name and no file: a logical location, still valid', () => {
    const f = finding('workflow-default-service-account', 'vm-janitor (us-central1)', 'vm-janitor runs as …');
    const log = buildSarifLog({
      tool: TOOL,
      rules: ['workflow-default-service-account'],
      executionSuccessful: true,
      findings: [
        {
          finding: f,
          fingerprint: `${findingFingerprint(f.code, ['acme-prod', 'projects/acme-prod/locations/us-central1/workflows/vm-janitor'])}:1`,
          logicalName: 'projects/acme-prod/locations/us-central1/workflows/vm-janitor',
        },
      ],
    });
    assert.ok(valid(log));
    assert.deepEqual(log.runs[0]?.results?.[0]?.locations, [
      { logicalLocations: [{ fullyQualifiedName: 'projects/acme-prod/locations/us-central1/workflows/vm-janitor' }] },
    ]);
  });
  it('a rule not listed up front is added, so ruleIndex always points at its rule', () => {
    const f = finding('sa-key-user-managed-old', 'svc@p', 'old key');
    const log = buildSarifLog({
      tool: TOOL,
      rules: [],
      executionSuccessful: true,
      findings: [{ finding: f, fingerprint: 'x:1' }],
    });
    assert.equal(log.runs[0]?.tool.driver.rules?.[0]?.id, 'sa-key-user-managed-old');
    assert.equal(log.runs[0]?.results?.[0]?.ruleIndex, 0);
    assert.ok(valid(log));
  });
  it('every rule of the table makes a valid descriptor (the board will list them all)', () => {
    const log = buildSarifLog({ tool: TOOL, rules: FINDING_CODES, executionSuccessful: true, findings: [] });
    assert.ok(valid(log));
    assert.deepEqual(sarifRule('sa-key-user-managed-old').defaultConfiguration, { level: 'error' });
    assert.deepEqual(sarifRule('http-oauth2-scope-unneeded').defaultConfiguration, { level: 'note' });
  });
});

describe('artifact URIs', () => {
  it('relative paths stay relative and percent-encoded, absolute ones become file URIs', () => {
    assert.equal(artifactUri('workflows/a.yaml'), 'workflows/a.yaml');
    assert.equal(artifactUri('./workflows/a b#1.yaml'), 'workflows/a%20b%231.yaml');
    assert.equal(artifactUri('workflows\\win.yaml'), 'workflows/win.yaml');
    assert.equal(artifactUri('/home/ci/repo/w.yaml'), 'file:///home/ci/repo/w.yaml');
    assert.equal(artifactUri('C:\\repo\\w.yaml'), 'file:///C:/repo/w.yaml');
    assert.equal(artifactUri('::error::x.yaml'), '%3A%3Aerror%3A%3Ax.yaml');
  });
});

describe('fingerprints', () => {
  const fp = (src: string, file = 'w.yaml') =>
    reportOf([lintFile(file, src, index)]).flatMap((r) => (r.status === 'checked' ? r.result.findings : []));
  it('the same finding keeps its fingerprint when the step moves, and when its message changes', () => {
    const moved = `main:\n  steps:\n    - first:\n        call: sys.log\n${SOURCE.split('\n').slice(2).join('\n')}`;
    const before = fp(SOURCE).map((f) => [f.code, f.fingerprint]);
    const after = fp(moved).map((f) => [f.code, f.fingerprint]);
    assert.deepEqual(after, before);
    assert.notDeepEqual(
      fp(moved).map((f) => f.location?.line),
      fp(SOURCE).map((f) => f.location?.line),
    );
    assert.equal(
      findingFingerprint('http-oauth2-default-scope', ['w.yaml', 'main', 'stop']),
      fp(SOURCE)
        .find((f) => f.code === 'http-oauth2-default-scope')
        ?.fingerprint.replace(/:1$/, ''),
    );
  });
  it('differs by code, file, workflow and step', () => {
    const all = [
      findingFingerprint('http-oauth2-default-scope', ['w.yaml', 'main', 'stop']),
      findingFingerprint('http-oauth2-scope-unneeded', ['w.yaml', 'main', 'stop']),
      findingFingerprint('http-oauth2-default-scope', ['v.yaml', 'main', 'stop']),
      findingFingerprint('http-oauth2-default-scope', ['w.yaml', 'sub', 'stop']),
      findingFingerprint('http-oauth2-default-scope', ['w.yaml', 'main', 'start']),
      findingFingerprint('http-oauth2-default-scope', ['w.yaml', 'mains', 'top']),
    ];
    assert.equal(new Set(all).size, all.length);
    assert.equal(fp(SOURCE, 'a.yaml')[0]?.fingerprint === fp(SOURCE, 'b.yaml')[0]?.fingerprint, false);
  });
  it('two findings with the same identity are told apart by their order (:1, :2)', () => {
    assert.deepEqual(withOccurrences(['a', 'b', 'a', 'a']), ['a:1', 'b:1', 'a:2', 'a:3']);
    const twice = `main:\n  steps:\n    - s:\n        call: http.post\n        args: {url: "https://hooks.example.com/", auth: {type: OAuth2}}\n    - s:\n        call: http.post\n        args: {url: "https://hooks.example.com/", auth: {type: OAuth2}}\n`;
    const [a, b] = fp(twice);
    assert.equal(a?.fingerprint.replace(/:1$/, ':2'), b?.fingerprint);
  });
  it('the review’s findings (no file) fingerprint the same way from their own identity', () => {
    const r = lintWorkflowSource(SOURCE, 'yaml', index, 'vm-janitor (us-central1): ');
    const f = r.findings[0];
    assert.ok(f);
    assert.match(
      findingFingerprint(f.code, ['acme-prod', 'projects/acme-prod/locations/us-central1/workflows/x']),
      /^[0-9a-f]{32}$/,
    );
  });
});
