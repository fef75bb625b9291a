import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { loadDiscovery } from '../../src/scopes/index.js';
import {
  HTTP_FINDING_CODES,
  buildMethodIndex,
  lintWorkflowSource,
  type FindingCode,
} from '../../src/workloads/index.js';

const index = buildMethodIndex(loadDiscovery());
const S = (s: string) => `https://www.googleapis.com/auth/${s}`;

/** One step: `call` with `args` written as YAML flow (a map literal). */
function lintStep(call: string, args: string | undefined) {
  const src = `main:\n  steps:\n    - the_step:\n        call: ${call}\n${args === undefined ? '' : `        args: ${args}\n`}`;
  return lintWorkflowSource(src, 'yaml', index);
}
const codesOf = (r: ReturnType<typeof lintStep>) => r.findings.map((f) => f.code).sort();
const notesOf = (r: ReturnType<typeof lintStep>) => r.notes.map((n) => n.code).sort();
/** The step's one finding is `code`, and its message says `message`. */
function assertOnlyFinding(r: ReturnType<typeof lintStep>, code: FindingCode, message: RegExp): void {
  assert.deepEqual(codesOf(r), [code]);
  assert.match(r.findings[0]?.message ?? '', message);
}
/** The step's one finding is `code`, at high severity. */
function assertOnlyHighFinding(r: ReturnType<typeof lintStep>, code: FindingCode): void {
  assert.deepEqual(codesOf(r), [code]);
  assert.equal(r.findings[0]?.severity, 'high');
}

describe('Workflows lint: calls to *.googleapis.com', () => {
  it('OAuth2 without scopes gets cloud-platform: flagged with the narrowest scope of the method', () => {
    const r = lintStep(
      'http.get',
      '{ url: "https://compute.googleapis.com/compute/v1/projects/p/aggregated/instances", auth: { type: OAuth2 } }',
    );
    assertOnlyFinding(
      r,
      'http-oauth2-default-scope',
      /gets cloud-platform \(no scopes\) for compute:v1:instances\.aggregatedList, which needs only compute\.readonly/,
    );
    const c = r.calls[0];
    assert.deepEqual(
      [c?.authType, c?.scopes, c?.scopesDefaulted, c?.methodIds, c?.narrowestScope],
      ['OAuth2', [S('cloud-platform')], true, ['compute:v1:instances.aggregatedList'], S('compute.readonly')],
    );
    assert.deepEqual(r.findings[0]?.location, { line: 4, column: 9, workflow: 'main', step: 'the_step' });
  });
  it('…but not when cloud-platform is all the method accepts (a note says so)', () => {
    const r = lintStep(
      'http.get',
      '{ url: "https://workflows.googleapis.com/v1/projects/p/locations/us-central1/workflows", auth: { type: OAuth2 } }',
    );
    assert.deepEqual(codesOf(r), []);
    assert.deepEqual(notesOf(r), ['http-only-cloud-platform']);
  });
  it('a scope only the REST reference lists counts (the union of both sources): IAM calls need only iam', () => {
    const r = lintStep(
      'http.get',
      '{ url: "https://iam.googleapis.com/v1/projects/p/serviceAccounts", auth: { type: OAuth2 } }',
    );
    assert.deepEqual(codesOf(r), ['http-oauth2-default-scope']);
    assert.equal(r.calls[0]?.narrowestScope, S('iam'));
  });
  it('explicit scopes broader than needed (alone or next to the right one)', () => {
    const alone = lintStep(
      'http.post',
      `{ url: "https://compute.googleapis.com/compute/v1/projects/p/zones/z/instances/vm/stop", auth: { type: OAuth2, scopes: "${S('cloud-platform')}" } }`,
    );
    assertOnlyFinding(
      alone,
      'http-oauth2-scope-broader-than-needed',
      /asks for cloud-platform for compute:v1:instances\.stop, which needs only compute/,
    );
    const both = lintStep(
      'http.get',
      `{ url: "https://storage.googleapis.com/storage/v1/b", auth: { type: OAuth2, scopes: ["${S('devstorage.read_only')}", "${S('devstorage.full_control')}"] } }`,
    );
    assert.deepEqual(codesOf(both), ['http-oauth2-scope-broader-than-needed']);
  });
  it('the narrowest scope, as a string, a list, comma- or space-separated, or a short name: clean', () => {
    for (const scopes of [`"${S('compute')}"`, `["${S('compute')}"]`, `"${S('compute')},"`, '"compute"']) {
      const r = lintStep(
        'http.post',
        `{ url: "https://compute.googleapis.com/compute/v1/projects/p/zones/z/instances/vm/stop", auth: { type: OAuth2, scopes: ${scopes} } }`,
      );
      assert.deepEqual(codesOf(r), [], scopes);
    }
  });
  it('scopes the method does not accept (the call will fail), and scopes it does not use', () => {
    const wrong = lintStep(
      'http.get',
      `{ url: "https://run.googleapis.com/v2/projects/p/locations/us-central1/services", auth: { type: OAuth2, scopes: "${S('logging.read')}" } }`,
    );
    assertOnlyFinding(wrong, 'http-oauth2-scope-not-accepted', /narrowest: run\.readonly/);
    const extra = lintStep(
      'http.get',
      `{ url: "https://run.googleapis.com/v2/projects/p/locations/us-central1/services", auth: { type: OAuth2, scopes: "${S('run.readonly')} ${S('logging.read')}" } }`,
    );
    assert.deepEqual(codesOf(extra), ['http-oauth2-scope-unneeded']);
  });
  it('OIDC to a Google API is the wrong token type', () => {
    assert.deepEqual(
      codesOf(lintStep('http.post', '{ url: "https://logging.googleapis.com/v2/entries:list", auth: { type: OIDC } }')),
      ['http-oidc-to-google-api'],
    );
  });
  it('a Google API without auth is a note (public resources exist), not a finding', () => {
    const r = lintStep('http.get', '{ url: "https://storage.googleapis.com/storage/v1/b/public-bucket/o" }');
    assert.deepEqual([codesOf(r), notesOf(r)], [[], ['http-google-api-without-auth']]);
  });
  it('a URL the data has no method for, or a computed host: "cannot tell", never a guess', () => {
    const unknown = lintStep(
      'http.post',
      '{ url: "https://pubsub.googleapis.com/v1/projects/p/topics/t:publish", auth: { type: OAuth2 } }',
    );
    assert.deepEqual([codesOf(unknown), notesOf(unknown)], [[], ['http-method-unknown']]);
    assert.equal(unknown.calls[0]?.narrowestScope, undefined);
    const computed = lintStep('http.get', '{ url: "${base_url + \\"/v1/x\\"}", auth: { type: OAuth2 } }');
    assert.deepEqual([codesOf(computed), notesOf(computed)], [[], ['http-url-unresolved']]);
    const scopes = lintStep(
      'http.get',
      '{ url: "https://compute.googleapis.com/compute/v1/projects/p/zones", auth: { type: OAuth2, scopes: "${my_scopes}" } }',
    );
    assert.deepEqual([codesOf(scopes), notesOf(scopes)], [[], ['http-scopes-unresolved']]);
  });
  it('a computed URL that may be methods needing different scopes: a finding only if every one needs less than cloud-platform', () => {
    const r = lintStep(
      'http.request',
      '{ method: "${verb}", url: "${\\"https://compute.googleapis.com/compute/v1/\\" + path}", auth: { type: OAuth2 } }',
    );
    assertOnlyFinding(
      r,
      'http-oauth2-default-scope',
      /each needs less \(compute\.readonly, compute\)|each needs less \(compute, compute\.readonly\)/,
    );
  });
});

describe('Workflows lint: calls to Cloud Run and Cloud Run functions', () => {
  it('no auth: flagged', () => {
    assert.deepEqual(codesOf(lintStep('http.post', '{ url: "https://api-abc-uc.a.run.app/x" }')), [
      'http-cloud-run-without-oidc',
    ]);
    assert.deepEqual(codesOf(lintStep('http.get', '{ url: "https://us-central1-p.cloudfunctions.net/fn" }')), [
      'http-cloud-run-without-oidc',
    ]);
  });
  it('OAuth2: the wrong type, and high (it hands the service an access token)', () => {
    assertOnlyHighFinding(
      lintStep('http.post', '{ url: "https://api-abc-uc.a.run.app/x", auth: { type: OAuth2 } }'),
      'http-oauth2-to-cloud-run',
    );
  });
  it('OIDC with no audience (defaults to the URL) or the service’s origin: clean; another service: flagged', () => {
    assert.deepEqual(
      codesOf(lintStep('http.post', '{ url: "https://api-abc-uc.a.run.app/x", auth: { type: OIDC } }')),
      [],
    );
    assert.deepEqual(
      codesOf(
        lintStep(
          'http.post',
          '{ url: "https://api-abc-uc.a.run.app/x", auth: { type: OIDC, audience: "https://api-abc-uc.a.run.app/" } }',
        ),
      ),
      [],
    );
    const other = lintStep(
      'http.post',
      '{ url: "https://api-abc-uc.a.run.app/x", auth: { type: OIDC, audience: "https://other-abc-uc.a.run.app" } }',
    );
    assert.deepEqual(codesOf(other), ['http-oidc-audience-mismatch']);
    assert.equal(other.calls[0]?.audience, 'https://other-abc-uc.a.run.app');
  });
  it('Cloud Run functions: the audience is the function URL, path included', () => {
    assert.deepEqual(
      codesOf(
        lintStep(
          'http.get',
          '{ url: "https://r-p.cloudfunctions.net/fn?x=1", auth: { type: OIDC, audience: "https://r-p.cloudfunctions.net/fn" } }',
        ),
      ),
      [],
    );
    assert.deepEqual(
      codesOf(
        lintStep(
          'http.get',
          '{ url: "https://r-p.cloudfunctions.net/fn", auth: { type: OIDC, audience: "https://r-p.cloudfunctions.net/other" } }',
        ),
      ),
      ['http-oidc-audience-mismatch'],
    );
  });
  it('a computed audience, or a computed service URL with a literal audience: cannot tell (note)', () => {
    assert.deepEqual(
      notesOf(
        lintStep('http.post', '{ url: "https://api-abc-uc.a.run.app/x", auth: { type: OIDC, audience: "${aud}" } }'),
      ),
      ['http-audience-unresolved'],
    );
    assert.deepEqual(
      notesOf(
        lintStep(
          'http.post',
          '{ url: "${\\"https://\\" + svc + \\".a.run.app/x\\"}", auth: { type: OIDC, audience: "https://api-abc-uc.a.run.app" } }',
        ),
      ),
      ['http-audience-unresolved'],
    );
  });
});

describe('Workflows lint: other hosts and broken calls', () => {
  it('an OAuth2 token sent to a host that is not Google’s: high', () => {
    assertOnlyHighFinding(
      lintStep('http.post', '{ url: "https://hooks.example.com/x", auth: { type: OAuth2 } }'),
      'http-oauth2-to-other-host',
    );
  });
  it('OIDC to another host (IAP, custom domains) or no auth at all: fine', () => {
    assert.deepEqual(
      codesOf(lintStep('http.get', '{ url: "https://internal.example.com/x", auth: { type: OIDC } }')),
      [],
    );
    assert.deepEqual(codesOf(lintStep('http.get', '{ url: "https://example.com/" }')), []);
  });
  it('http.get with no args, or args without url: http-missing-url', () => {
    const r = lintStep('http.get', undefined);
    assertOnlyFinding(r, 'http-missing-url', /has no args/);
    assert.deepEqual(codesOf(lintStep('http.get', '{ auth: { type: OAuth2 } }')), ['http-missing-url']);
  });
  it('an auth type that is neither OAuth2 nor OIDC: a note', () => {
    assert.deepEqual(notesOf(lintStep('http.get', '{ url: "https://example.com/", auth: { type: oauth2 } }')), [
      'http-auth-unresolved',
    ]);
  });
  it('every http finding code has a test above (remove a rule and its test fails)', () => {
    const covered: FindingCode[] = [
      'http-method-verb-mismatch',
      'http-oauth2-default-scope',
      'http-oauth2-scope-broader-than-needed',
      'http-oauth2-scope-not-accepted',
      'http-oauth2-scope-unneeded',
      'http-oidc-to-google-api',
      'http-oauth2-to-cloud-run',
      'http-cloud-run-without-oidc',
      'http-oidc-audience-mismatch',
      'http-oauth2-to-other-host',
      'http-missing-url',
    ];
    assert.equal(new Set(covered).size, covered.length);
    assert.deepEqual([...covered].sort(), [...HTTP_FINDING_CODES].sort());
  });
});

describe('Workflows lint: an OIDC audience is the service, compared whole', () => {
  const URL = 'https://api-abc-uc.a.run.app/x';
  const audience = (a: string) =>
    codesOf(lintStep('http.post', `{ url: "${URL}", auth: { type: OIDC, audience: "${a}" } }`));
  it('an audience that merely starts with the service’s origin is another service (flagged)', () => {
    for (const a of [
      'https://api-abc-uc.a.run.app.attacker.example',
      'https://api-abc-uc.a.run.appx',
      'https://api-abc-uc.a.run.app-other.a.run.app',
      'https://api-abc-uc.a.run.app:8443',
      'https://api-abc-uc.a.run.app@attacker.example',
      'http://api-abc-uc.a.run.app',
    ])
      assert.deepEqual(audience(a), ['http-oidc-audience-mismatch'], a);
  });
  it('…while the origin with a path, a trailing slash or in capitals is the same service (clean)', () => {
    for (const a of [
      'https://api-abc-uc.a.run.app/other/path',
      'https://api-abc-uc.a.run.app/',
      'HTTPS://API-ABC-UC.A.RUN.APP',
    ])
      assert.deepEqual(audience(a), [], a);
  });
  it('Cloud Run functions: a function whose name extends this one’s is another function', () => {
    const fn = (a: string) =>
      codesOf(
        lintStep('http.get', `{ url: "https://r-p.cloudfunctions.net/fn", auth: { type: OIDC, audience: "${a}" } }`),
      );
    assert.deepEqual(fn('https://r-p.cloudfunctions.net/fn-admin'), ['http-oidc-audience-mismatch']);
    assert.deepEqual(fn('https://r-p.cloudfunctions.net/fnx'), ['http-oidc-audience-mismatch']);
    assert.deepEqual(fn('https://r-p.cloudfunctions.net/fn/'), []);
  });
});

describe('Workflows lint: the HTTP verb must be the method’s', () => {
  it('http.get on Logging entries:list (a POST) is a finding, with the call to use as its fix', () => {
    const r = lintStep(
      'http.get',
      `{ url: "https://logging.googleapis.com/v2/entries:list", auth: { type: OAuth2, scopes: "${S('logging.read')}" } }`,
    );
    assertOnlyFinding(
      r,
      'http-method-verb-mismatch',
      /sends a GET to https:\/\/logging\.googleapis\.com\/v2\/entries:list, which is logging:v2:entries\.list, a POST/,
    );
    assert.deepEqual(r.findings[0]?.fix, { path: 'call', yaml: 'call: http.post' });
    assert.equal(r.calls[0]?.methodStatus, 'verb-mismatch');
    assert.deepEqual(r.calls[0]?.methodIds, ['logging:v2:entries.list']);
  });
  it('…and the scopes are still checked against the method the URL names', () => {
    const r = lintStep('http.get', '{ url: "https://logging.googleapis.com/v2/entries:list", auth: { type: OAuth2 } }');
    assert.deepEqual(codesOf(r), ['http-method-verb-mismatch', 'http-oauth2-default-scope']);
  });
  it('http.request with method GET on a custom method: the fix is args.method', () => {
    const r = lintStep(
      'http.request',
      '{ method: GET, url: "https://cloudresourcemanager.googleapis.com/v3/projects/p:getIamPolicy", auth: { type: OAuth2 } }',
    );
    assert.ok(codesOf(r).includes('http-method-verb-mismatch'));
    assert.deepEqual(r.findings.find((f) => f.code === 'http-method-verb-mismatch')?.fix, {
      path: 'args.method',
      yaml: 'method: POST',
    });
  });
  it('a plain path (GET …/instances/vm/stop) may be a method Scopewise does not list: a note naming the one it knows', () => {
    const r = lintStep(
      'http.get',
      '{ url: "https://compute.googleapis.com/compute/v1/projects/p/zones/z/instances/vm/stop", auth: { type: OAuth2 } }',
    );
    assert.deepEqual([codesOf(r), notesOf(r)], [[], ['http-method-unknown']]);
    assert.match(r.notes[0]?.message ?? '', /knows only compute:v1:instances\.stop \(POST\)/);
    assert.equal(r.calls[0]?.methodStatus, 'unknown');
  });
  it('the right verb, or a computed one: no verb finding', () => {
    const post = lintStep(
      'http.post',
      '{ url: "https://logging.googleapis.com/v2/entries:list", auth: { type: OAuth2 } }',
    );
    assert.ok(!codesOf(post).includes('http-method-verb-mismatch'));
    const computed = lintStep(
      'http.request',
      '{ method: "${verb}", url: "https://logging.googleapis.com/v2/entries:list", auth: { type: OAuth2 } }',
    );
    assert.ok(!codesOf(computed).includes('http-method-verb-mismatch'));
  });
});

describe('Workflows lint: each finding carries its fix as YAML', () => {
  const fixOf = (call: string, args: string) => lintStep(call, args).findings.map((f) => f.fix);
  it('scope findings: the auth block with only the narrowest scope of the method', () => {
    const narrowest = { path: 'args.auth', yaml: `auth:\n  type: OAuth2\n  scopes:\n    - ${S('compute')}` };
    const stop = 'https://compute.googleapis.com/compute/v1/projects/p/zones/z/instances/vm/stop';
    assert.deepEqual(fixOf('http.post', `{ url: "${stop}", auth: { type: OAuth2 } }`), [narrowest]);
    assert.deepEqual(fixOf('http.post', `{ url: "${stop}", auth: { type: OAuth2, scopes: "cloud-platform" } }`), [
      narrowest,
    ]);
    assert.deepEqual(fixOf('http.post', `{ url: "${stop}", auth: { type: OAuth2, scopes: "logging.read" } }`), [
      narrowest,
    ]);
    assert.deepEqual(fixOf('http.post', `{ url: "${stop}", auth: { type: OAuth2, scopes: "compute logging.read" } }`), [
      narrowest,
    ]);
  });
  it('an ID token to a Google API: OAuth2 with the narrowest scope', () => {
    assert.deepEqual(
      fixOf('http.post', '{ url: "https://logging.googleapis.com/v2/entries:list", auth: { type: OIDC } }'),
      [{ path: 'args.auth', yaml: `auth:\n  type: OAuth2\n  scopes:\n    - ${S('logging.read')}` }],
    );
  });
  it('Cloud Run: type OIDC with the service’s audience (its origin; for a function, the function URL)', () => {
    const oidc = { path: 'args.auth', yaml: 'auth:\n  type: OIDC\n  audience: https://api-abc-uc.a.run.app' };
    assert.deepEqual(fixOf('http.post', '{ url: "https://api-abc-uc.a.run.app/x" }'), [oidc]);
    assert.deepEqual(fixOf('http.post', '{ url: "https://api-abc-uc.a.run.app/x", auth: { type: OAuth2 } }'), [oidc]);
    assert.deepEqual(
      fixOf(
        'http.post',
        '{ url: "https://api-abc-uc.a.run.app/x", auth: { type: OIDC, audience: "https://b.a.run.app" } }',
      ),
      [oidc],
    );
    assert.deepEqual(fixOf('http.get', '{ url: "https://r-p.cloudfunctions.net/fn?x=1" }'), [
      { path: 'args.auth', yaml: 'auth:\n  type: OIDC\n  audience: https://r-p.cloudfunctions.net/fn' },
    ]);
  });
  it('a computed Cloud Run URL: type OIDC alone (the audience defaults to the URL)', () => {
    assert.deepEqual(fixOf('http.post', '{ url: "${\\"https://\\" + svc + \\".a.run.app/x\\"}" }'), [
      { path: 'args.auth', yaml: 'auth:\n  type: OIDC' },
    ]);
  });
  it('an access token to another host: remove auth; a missing URL: no fix to offer', () => {
    assert.deepEqual(fixOf('http.post', '{ url: "https://hooks.example.com/x", auth: { type: OAuth2 } }'), [
      { path: 'args.auth' },
    ]);
    assert.deepEqual(fixOf('http.get', '{ auth: { type: OAuth2 } }'), [undefined]);
  });
  it('values that need quoting in YAML are quoted by the yaml package (the snippet reads back as the value)', () => {
    const r = lintStep('http.post', '{ url: "https://r-p.cloudfunctions.net/a: b #c" }');
    const yaml = r.findings[0]?.fix?.yaml ?? '';
    assert.notEqual(yaml, 'auth:\n  type: OIDC\n  audience: https://r-p.cloudfunctions.net/a: b');
    assert.deepEqual(parse(yaml), { auth: { type: 'OIDC', audience: 'https://r-p.cloudfunctions.net/a: b ' } });
  });
});
