import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  WorkflowSourceError,
  detectFormat,
  jsonErrorPosition,
  parseWorkflowSource,
} from '../../src/workloads/index.js';

const steps = (src: string, format: 'yaml' | 'json' = 'yaml') =>
  parseWorkflowSource(src, format).calls.map((c) => [c.workflow, c.stepPath.join(' › '), c.call, c.line]);

function throwsAt(
  src: string,
  format: 'yaml' | 'json',
  code: string,
  line: number,
  column?: number,
  message?: RegExp,
): void {
  assert.throws(
    () => parseWorkflowSource(src, format),
    (err: unknown) => {
      assert.ok(err instanceof WorkflowSourceError, String(err));
      assert.equal(err.code, code);
      assert.equal(err.line, line, `line of: ${err.message}`);
      if (column !== undefined) assert.equal(err.column, column, `column of: ${err.message}`);
      if (message) assert.match(err.message, message);
      return true;
    },
  );
}

const EVERY_CONSTRUCT = `main:
  steps:
    - top:
        call: http.get
        args: { url: "https://a.googleapis.com/x" }
    - group:
        steps:
          - nested:
              call: http.post
              args: { url: "https://a.googleapis.com/y" }
    - loop:
        for:
          value: v
          in: [1, 2]
          steps:
            - in_loop:
                call: http.put
                args: { url: "https://a.googleapis.com/z" }
    - fan:
        parallel:
          branches:
            - left:
                steps:
                  - l1:
                      call: http.patch
                      args: { url: "https://a.googleapis.com/l" }
            - right:
                steps:
                  - r1:
                      call: http.delete
                      args: { url: "https://a.googleapis.com/r" }
    - ploop:
        parallel:
          for:
            value: v
            in: [1]
            steps:
              - p1:
                  call: http.request
                  args: { method: get, url: "https://a.googleapis.com/p" }
    - guarded:
        try:
          call: http.get
          args: { url: "https://a.googleapis.com/t" }
        retry: \${http.default_retry}
        except:
          as: e
          steps:
            - on_error:
                call: http.post
                args: { url: "https://a.googleapis.com/e" }
    - guarded_steps:
        try:
          steps:
            - in_try:
                call: http.get
                args: { url: "https://a.googleapis.com/ts" }
    - choose:
        switch:
          - condition: \${true}
            steps:
              - chosen:
                  call: http.get
                  args: { url: "https://a.googleapis.com/s" }
          - condition: \${false}
            call: http.get
            args: { url: "https://a.googleapis.com/inline" }
    - not_http:
        call: sys.log
        args: { text: "call: http.get" }
    - body_with_call_key:
        call: http.post
        args:
          url: "https://a.googleapis.com/b"
          body:
            call: http.get
sub:
  params: [x]
  steps:
    - in_sub:
        call: http.get
        args: { url: "https://a.googleapis.com/sub" }
`;

describe('parseWorkflowSource: walking the Workflows syntax', () => {
  it('finds every http.* call in main and subworkflows, nested steps, for, parallel branches/for, try/except, switch', () => {
    assert.deepEqual(steps(EVERY_CONSTRUCT), [
      ['main', 'top', 'http.get', 4],
      ['main', 'group › nested', 'http.post', 9],
      ['main', 'loop › in_loop', 'http.put', 17],
      ['main', 'fan › left › l1', 'http.patch', 25],
      ['main', 'fan › right › r1', 'http.delete', 30],
      ['main', 'ploop › p1', 'http.request', 39],
      ['main', 'guarded › try', 'http.get', 43],
      ['main', 'guarded › except › on_error', 'http.post', 50],
      ['main', 'guarded_steps › try › in_try', 'http.get', 56],
      ['main', 'choose › condition 1 › chosen', 'http.get', 63],
      ['main', 'choose › condition 2', 'http.get', 66],
      ['main', 'body_with_call_key', 'http.post', 72],
      ['sub', 'in_sub', 'http.get', 81],
    ]);
    const req = parseWorkflowSource(EVERY_CONSTRUCT, 'yaml').calls.find((c) => c.call === 'http.request');
    assert.equal(req?.httpMethod, 'GET', 'http.request takes args.method');
  });
  it('a top-level list of steps is the main workflow (Google’s short form)', () => {
    const r = parseWorkflowSource(
      '- a:\n    call: http.get\n    args:\n      url: https://x.googleapis.com/\n',
      'yaml',
    );
    assert.deepEqual(r.workflows, ['main']);
    assert.equal(r.calls[0]?.line, 2);
  });
  it('JSON keeps line numbers too', () => {
    const src =
      '{\n  "main": {\n    "steps": [\n      { "get": {\n          "call": "http.get",\n          "args": { "url": "https://x.googleapis.com/" } } }\n    ]\n  }\n}\n';
    assert.deepEqual(steps(src, 'json'), [['main', 'get', 'http.get', 5]]);
  });
  it('auth: type, scopes as a string or a list, audience, and expressions are kept as written', () => {
    const src = `- a:
    call: http.get
    args:
      url: \${base + "/x"}
      auth:
        type: OAuth2
        scopes: [one, two]
- b:
    call: http.get
    args:
      url: https://x.run.app
      auth: { type: OIDC, audience: "\${aud}" }
`;
    const [a, b] = parseWorkflowSource(src, 'yaml').calls;
    assert.deepEqual(a?.url, { kind: 'expression', text: '${base + "/x"}' });
    assert.deepEqual(a?.auth?.scopes, {
      kind: 'list',
      items: [
        { kind: 'string', value: 'one' },
        { kind: 'string', value: 'two' },
      ],
    });
    assert.deepEqual(b?.auth?.audience, { kind: 'expression', text: '${aud}' });
  });
  it('YAML anchors and aliases are followed', () => {
    const src = `x-auth: &auth { type: OAuth2 }
main:
  steps:
    - a:
        call: http.get
        args: { url: "https://x.googleapis.com/", auth: *auth }
`;
    // x-auth is not a workflow with steps: the definition is refused, as Workflows would.
    throwsAt(src, 'yaml', 'WORKFLOW_SOURCE_STRUCTURE', 1, undefined, /Workflow "x-auth" must have a list of steps/);
    const ok = `main:
  steps:
    - a:
        call: http.get
        args: &args { url: "https://x.googleapis.com/", auth: { type: OAuth2 } }
    - b:
        call: http.get
        args: *args
`;
    assert.deepEqual(
      parseWorkflowSource(ok, 'yaml').calls.map((c) => c.auth?.type),
      [
        { kind: 'string', value: 'OAuth2' },
        { kind: 'string', value: 'OAuth2' },
      ],
    );
  });
});

describe('parseWorkflowSource: input it cannot read names the line and column', () => {
  it('invalid YAML', () => {
    throwsAt(
      'main:\n  steps:\n    - a: [1, 2\n    - b: 3\n',
      'yaml',
      'WORKFLOW_SOURCE_SYNTAX',
      4,
      undefined,
      /^Invalid YAML: /,
    );
  });
  it('an alias without an anchor before it, and a file of several documents', () => {
    throwsAt(
      'main:\n  steps:\n    - a: *nowhere\n',
      'yaml',
      'WORKFLOW_SOURCE_SYNTAX',
      3,
      10,
      /^Invalid YAML: the alias \*nowhere has no anchor &nowhere before it\.$/,
    );
    throwsAt(
      'main:\n  steps: []\n---\nmain:\n  steps: []\n',
      'yaml',
      'WORKFLOW_SOURCE_SYNTAX',
      3,
      1,
      /more than one document/,
    );
  });
  it('duplicate keys are refused like Workflows does', () => {
    throwsAt('main:\n  steps: []\nmain:\n  steps: []\n', 'yaml', 'WORKFLOW_SOURCE_SYNTAX', 3, 1, /unique/i);
  });
  it('JSON with a trailing comma (which YAML alone would accept)', () => {
    throwsAt('{\n  "main": {\n    "steps": [],\n  }\n}\n', 'json', 'WORKFLOW_SOURCE_SYNTAX', 4, 3, /^Invalid JSON: /);
  });
  it('truncated JSON points at its end', () => {
    throwsAt('{\n  "main": {\n', 'json', 'WORKFLOW_SOURCE_SYNTAX', 3, 1);
  });
  it('a definition that is a scalar, a workflow that is a list, a step that is a list, steps that are not a list', () => {
    throwsAt('just text\n', 'yaml', 'WORKFLOW_SOURCE_STRUCTURE', 1, 1, /list of steps, or a map of workflows/);
    throwsAt(
      'main:\n  - a:\n      call: http.get\n',
      'yaml',
      'WORKFLOW_SOURCE_STRUCTURE',
      2,
      3,
      /Workflow "main" must be a map with steps .* not a list/,
    );
    throwsAt(
      'main:\n  steps:\n    - a: [http.get]\n',
      'yaml',
      'WORKFLOW_SOURCE_STRUCTURE',
      3,
      10,
      /Step "a" .* must be a map, not a list/,
    );
    throwsAt(
      'main:\n  steps:\n    - just-a-string\n',
      'yaml',
      'WORKFLOW_SOURCE_STRUCTURE',
      3,
      7,
      /Step 1 .* must be a map with one step name/,
    );
    throwsAt('main:\n  steps: {a: 1}\n', 'yaml', 'WORKFLOW_SOURCE_STRUCTURE', 2, 10, /must have a list of steps/);
    throwsAt('[1, 2]\n', 'json', 'WORKFLOW_SOURCE_STRUCTURE', 1, 2, /Step 1/);
  });
  it('an empty file', () => {
    throwsAt('  \n', 'yaml', 'WORKFLOW_SOURCE_EMPTY', 1, 1);
  });
  it('an http.get with no args parses (the lint reports it)', () => {
    const [c] = parseWorkflowSource('- a:\n    call: http.get\n', 'yaml').calls;
    assert.equal(c?.hasArgs, false);
    assert.equal(c?.url, undefined);
  });
});

describe('format and JSON error positions', () => {
  it('detects the format by extension, then by the first character', () => {
    assert.equal(detectFormat('main: {}', 'w.json'), 'json');
    assert.equal(detectFormat('{}', 'w.YML'), 'yaml');
    assert.equal(detectFormat('  {"main": 1}'), 'json');
    assert.equal(detectFormat('main:'), 'yaml');
  });
  it('reads both Node 20 ("at position N") and Node 22 ("(line L column C)") messages', () => {
    assert.deepEqual(jsonErrorPosition('{\n  x', 'Unexpected token x in JSON at position 4'), { line: 2, column: 3 });
    assert.deepEqual(jsonErrorPosition('', 'Expected x in JSON at position 4 (line 7 column 9)'), {
      line: 7,
      column: 9,
    });
  });
});
