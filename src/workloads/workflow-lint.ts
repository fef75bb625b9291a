/**
 * The rules for one `http.*` call of a workflow (pure), shared by the Workflows section and the CI lint.
 *
 * From Google's "Make authenticated requests from a workflow" (GUIDE_WORKFLOW_AUTH): `*.googleapis.com` takes an
 * OAuth 2.0 access token (`auth: type: OAuth2`; `scopes` default to cloud-platform), Cloud Run and Cloud Run
 * functions take an OIDC ID token (`auth: type: OIDC`; `audience` defaults to the URL). A custom method's URL
 * (`…/entries:list`) names one method with one HTTP verb (GUIDE_CUSTOM_METHODS).
 *
 * Every finding carries its fix as YAML (`FindingFix`): the `auth` block with the narrowest scope of the method,
 * or `type: OIDC` with the service's audience, or the right verb. Messages come from the table in rule-texts.ts.
 */
import { stringify } from 'yaml';
import { compareBreadth, narrowestScopeFor } from '../scopes/narrowness.js';
import { AUTH_PREFIX, shortScope } from '../scopes/scope-names.js';
import { CLOUD_PLATFORM } from './identity.js';
import {
  FINDING_CODES,
  finding,
  note,
  type FindingCode,
  type FindingFix,
  type NoteCode,
  type SourceLocation,
  type WorkloadFinding,
  type WorkloadNote,
} from './findings.js';
import {
  httpMethodsOf,
  isCustomMethodUrl,
  resolveMethod,
  urlParts,
  urlShape,
  type MethodIndex,
  type MethodResolution,
  type TargetKind,
  type UrlShape,
} from './method-index.js';
import { formatMessage, type MessageId, type MessageParams } from './rule-texts.js';
import {
  parseWorkflowSource,
  type HttpCall,
  type HttpCallName,
  type SourceFormat,
  type SourceValue,
} from './workflow-source.js';

/** The finding codes the lint can give for an http.* step (the CI lint's rules, in SARIF's `tool.driver.rules`). */
export const HTTP_FINDING_CODES: readonly FindingCode[] = FINDING_CODES.filter((c) => c.startsWith('http-'));

/** What the lint prints for each call, and the Workflows section shows per step. */
export interface HttpCallReport {
  readonly workflow: string;
  /** Step names joined by " › ". */
  readonly step: string;
  readonly location: SourceLocation;
  readonly call: HttpCallName;
  readonly httpMethod: string | undefined;
  /** The URL as written (computed parts as `${…}`); undefined when missing. */
  readonly url: string | undefined;
  readonly target: TargetKind;
  /** `OAuth2`, `OIDC`, `none`, or the value as written. */
  readonly authType: string;
  /** OAuth2: the scopes the token carries (full URIs; cloud-platform when none are listed). */
  readonly scopes: readonly string[] | undefined;
  readonly scopesDefaulted: boolean;
  /** OIDC: the audience (the URL when none is given). */
  readonly audience: string | undefined;
  readonly audienceDefaulted: boolean;
  /** Method ids the URL maps to (more than one: any of them); with `verb-mismatch`, those of another verb. */
  readonly methodIds: readonly string[];
  readonly methodStatus: MethodResolution['status'] | 'verb-mismatch' | 'not-a-google-api';
  /** The scope Scopewise would choose for the method. */
  readonly narrowestScope: string | undefined;
  readonly findingCodes: readonly FindingCode[];
}

export interface HttpCallResult {
  readonly report: HttpCallReport;
  readonly findings: readonly WorkloadFinding[];
  readonly notes: readonly WorkloadNote[];
}

type AuthKind = 'OAuth2' | 'OIDC' | 'none' | 'computed' | 'unsupported';

function authKind(call: HttpCall): { kind: AuthKind; written: string } {
  if (!call.auth) return { kind: 'none', written: 'none' };
  const t = call.auth.type;
  if (t === undefined) return { kind: 'unsupported', written: '(no type)' };
  if (t.kind === 'expression') return { kind: 'computed', written: t.text };
  if (t.kind === 'other') return { kind: 'unsupported', written: t.display };
  if (t.value === 'OAuth2') return { kind: 'OAuth2', written: 'OAuth2' };
  if (t.value === 'OIDC') return { kind: 'OIDC', written: 'OIDC' };
  return { kind: 'unsupported', written: t.value };
}

/** Workflows accepts a string (space- and/or comma-separated) or a list of strings; short names get the prefix. */
function scopesOf(call: HttpCall): { scopes: string[] | undefined; computed: boolean } {
  const raw = call.auth?.scopes;
  if (raw === undefined) return { scopes: undefined, computed: false };
  const items: readonly SourceValue[] = raw.kind === 'list' ? raw.items : [raw];
  const out: string[] = [];
  for (const item of items) {
    if (item.kind !== 'string') return { scopes: undefined, computed: true };
    for (const part of item.value.split(/[\s,]+/)) {
      if (part === '') continue;
      const full = /^https?:\/\//.test(part) || part === 'openid' ? part : `${AUTH_PREFIX}${part}`;
      if (!out.includes(full)) out.push(full);
    }
  }
  return { scopes: out, computed: false };
}

function list(scopes: readonly string[]): string {
  return scopes.map(shortScope).join(', ');
}

function methodsText(ids: readonly string[]): string {
  return ids.length === 1 ? (ids[0] ?? '') : `any of ${ids.join(', ')}`;
}

/** A value from the file inside a message: long ones are cut (reports keep the whole value in their fields). */
function shown(value: string, max = 200): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}

/** The audience Cloud Run or Cloud Run functions expects for this URL: the origin, or origin + function name. */
export function expectedAudience(shape: UrlShape): string | undefined {
  if (!shape.origin) return undefined;
  if (shape.target === 'cloud-functions') {
    const fn = shape.segments[0];
    return fn && !fn.includes('\u0000') ? `${shape.origin}/${fn}` : undefined;
  }
  return shape.origin;
}

/**
 * Whether an ID token for `given` is accepted by the service at `expected`. Equal strings (case and trailing
 * slashes aside), never a prefix: `https://svc.a.run.app.attacker.example` starts with the service's origin and
 * is another host. For Cloud Run, any URL whose origin is the service's counts (a path does not change the service).
 */
export function sameAudience(given: string, expected: string, target: TargetKind): boolean {
  const trim = (s: string): string => s.replace(/\/+$/, '').toLowerCase();
  if (trim(given) === trim(expected)) return true;
  if (target !== 'cloud-run') return false;
  try {
    return new URL(given).origin.toLowerCase() === trim(expected);
  } catch {
    return false;
  }
}

/**
 * Remembers up to `size` results of a pure function by key, forgetting all at once when full. A definition may
 * repeat one call thousands of times (aliases, copied steps): each URL is resolved and each fix written once.
 */
function memo<T>(size: number): (key: string, make: () => T) => T {
  const cache = new Map<string, T>();
  return (key, make) => {
    const known = cache.get(key);
    if (known !== undefined) return known;
    if (cache.size >= size) cache.clear();
    const value = make();
    cache.set(key, value);
    return value;
  };
}

const fixYaml = memo<string>(1_000);

/** A fix's YAML: the key and its value at column 1, as the `yaml` package writes it (quoting what needs it). */
function yamlOf(key: string, value: unknown): string {
  return fixYaml(JSON.stringify([key, value]), () => stringify({ [key]: value }, { lineWidth: 0 }).trimEnd());
}

function oauth2Fix(narrowest: string | undefined): FindingFix {
  return {
    path: 'args.auth',
    yaml: yamlOf('auth', narrowest ? { type: 'OAuth2', scopes: [narrowest] } : { type: 'OAuth2' }),
  };
}

function oidcFix(audience: string | undefined): FindingFix {
  return { path: 'args.auth', yaml: yamlOf('auth', audience ? { type: 'OIDC', audience } : { type: 'OIDC' }) };
}

function verbFix(call: HttpCallName, verb: string): FindingFix {
  if (call === 'http.request') return { path: 'args.method', yaml: yamlOf('method', verb) };
  return { path: 'call', yaml: yamlOf('call', `http.${verb.toLowerCase()}`) };
}

/** The narrowest scope that authorizes every method of `ids`, when one is narrower than cloud-platform. */
function narrowestForAll(index: MethodIndex, ids: readonly string[]): string | undefined {
  const [head, ...tail] = ids.map((id) => index.acceptedScopes(id));
  const common = (head ?? []).filter((s) => tail.every((accepted) => accepted.includes(s)));
  const narrowest = narrowestScopeFor(common);
  return narrowest && compareBreadth(narrowest, CLOUD_PLATFORM) === 'narrower' ? narrowest : undefined;
}

/** Collects one call's findings and notes, each message from the table. */
class CallLint {
  readonly findings: WorkloadFinding[] = [];
  readonly notes: WorkloadNote[] = [];

  constructor(
    private readonly subject: string,
    private readonly location: SourceLocation,
    private readonly step: string,
  ) {}

  finding(code: FindingCode, message: MessageId, params: MessageParams, fix?: FindingFix): void {
    const text = formatMessage(message, { step: shown(this.step), ...params });
    this.findings.push(finding(code, this.subject, text, this.location, fix));
  }

  note(code: NoteCode, message: MessageId, params: MessageParams = {}): void {
    this.notes.push(
      note(code, this.subject, formatMessage(message, { step: shown(this.step), ...params }), this.location),
    );
  }
}

/** Google API methods the URL names, resolved with the call's verb, or failing that with any verb. */
interface GoogleTarget {
  readonly resolution: MethodResolution;
  /**
   * The call's verb matches none of the methods the URL names, but another verb does. `certain`: the URL is a
   * custom method's (`:verb`), which is one method, so the call is that method with the wrong verb and its
   * resolution is used. Otherwise the verb may belong to a method Scopewise's data does not list.
   */
  readonly otherVerb?: {
    readonly methodIds: readonly string[];
    readonly verbs: readonly string[];
    readonly certain: boolean;
  };
}

const targets = new WeakMap<MethodIndex, (key: string, make: () => GoogleTarget) => GoogleTarget>();

/** `resolveGoogleTarget`, remembered per index, URL (`urlKey`: its parts, literal and computed) and verb. */
function googleTarget(index: MethodIndex, shape: UrlShape, urlKey: string, verb: string | undefined): GoogleTarget {
  let remembered = targets.get(index);
  if (!remembered) {
    remembered = memo<GoogleTarget>(1_000);
    targets.set(index, remembered);
  }
  return remembered(`${verb ?? ''} ${urlKey}`, () => resolveGoogleTarget(index, shape, verb));
}

function resolveGoogleTarget(index: MethodIndex, shape: UrlShape, verb: string | undefined): GoogleTarget {
  const resolution = resolveMethod(index, shape, verb);
  if (resolution.status !== 'unknown' || verb === undefined) return { resolution };
  const anyVerb = resolveMethod(index, shape, undefined);
  if (anyVerb.status !== 'mapped' && anyVerb.status !== 'ambiguous') return { resolution };
  const other = { methodIds: anyVerb.methodIds, verbs: httpMethodsOf(index, anyVerb.methodIds) };
  return isCustomMethodUrl(index, anyVerb.methodIds)
    ? { resolution: anyVerb, otherVerb: { ...other, certain: true } }
    : { resolution, otherVerb: { ...other, certain: false } };
}

export function lintHttpCall(call: HttpCall, index: MethodIndex, subjectPrefix = ''): HttpCallResult {
  const step = call.stepPath.join(' › ');
  const location: SourceLocation = { line: call.line, column: call.column, workflow: call.workflow, step };
  const lint = new CallLint(`${subjectPrefix}${step}`, location, step);
  const auth = authKind(call);
  const { scopes: listed, computed: scopesComputed } = scopesOf(call);
  const base = {
    workflow: call.workflow,
    step,
    location,
    call: call.call,
    httpMethod: call.httpMethod,
    authType: auth.written,
  };

  if (call.url === undefined || call.url.kind === 'other') {
    lint.finding('http-missing-url', call.hasArgs ? 'http-missing-url.no-url' : 'http-missing-url.no-args', {
      call: call.call,
    });
    return {
      report: {
        ...base,
        url: undefined,
        target: 'unknown',
        scopes: undefined,
        scopesDefaulted: false,
        audience: undefined,
        audienceDefaulted: false,
        methodIds: [],
        methodStatus: 'unresolved',
        narrowestScope: undefined,
        findingCodes: ['http-missing-url'],
      },
      findings: lint.findings,
      notes: lint.notes,
    };
  }

  const parts = urlParts(call.url);
  const shape = urlShape(parts);
  const target =
    shape.target === 'google-api' ? googleTarget(index, shape, JSON.stringify(parts), call.httpMethod) : undefined;
  const resolution = target?.resolution;
  const effectiveScopes =
    auth.kind === 'OAuth2' && !scopesComputed ? (listed && listed.length > 0 ? listed : [CLOUD_PLATFORM]) : undefined;
  const defaulted = auth.kind === 'OAuth2' && !scopesComputed && (listed === undefined || listed.length === 0);
  let audience: string | undefined;
  if (auth.kind === 'OIDC') {
    const a = call.auth?.audience;
    audience =
      a === undefined ? shape.display : a.kind === 'string' ? a.value : a.kind === 'expression' ? a.text : a.display;
  }
  const url = shown(shape.display);
  const where = `${call.httpMethod ?? call.call} ${url}`;
  const narrowest = resolution?.status === 'mapped' ? resolution.narrowest : undefined;

  if (auth.kind === 'computed' || auth.kind === 'unsupported') {
    lint.note('http-auth-unresolved', 'http-auth-unresolved', { auth: shown(auth.written) });
  }

  switch (shape.target) {
    case 'google-api': {
      const other = target?.otherVerb;
      if (other?.certain) {
        const expected = other.verbs.join(' or ');
        lint.finding(
          'http-method-verb-mismatch',
          'http-method-verb-mismatch',
          { verb: call.httpMethod ?? call.call, url, methods: methodsText(other.methodIds), expected },
          other.verbs.length === 1 && other.verbs[0] ? verbFix(call.call, other.verbs[0]) : undefined,
        );
      } else if (other) {
        lint.note('http-method-unknown', 'http-method-unknown.other-verb', {
          where,
          methods: methodsText(other.methodIds),
          verbs: other.verbs.join(', '),
        });
      }
      if (auth.kind === 'OIDC') {
        lint.finding('http-oidc-to-google-api', 'http-oidc-to-google-api', { where }, oauth2Fix(narrowest));
      } else if (auth.kind === 'none') {
        lint.note('http-google-api-without-auth', 'http-google-api-without-auth');
      } else if (auth.kind === 'OAuth2' && (other === undefined || other.certain)) {
        googleApiScopeRules(
          resolution ?? { status: 'unresolved' },
          index,
          { listed, scopesComputed, defaulted, where },
          lint,
        );
      }
      if (resolution?.status === 'unresolved')
        lint.note('http-url-unresolved', 'http-url-unresolved.api-host', { url });
      break;
    }
    case 'cloud-run':
    case 'cloud-functions': {
      const what = shape.target === 'cloud-run' ? 'Cloud Run' : 'Cloud Run functions';
      const expected = expectedAudience(shape);
      if (auth.kind === 'none') {
        lint.finding(
          'http-cloud-run-without-oidc',
          'http-cloud-run-without-oidc',
          { target: what, where },
          oidcFix(expected),
        );
      } else if (auth.kind === 'OAuth2') {
        lint.finding(
          'http-oauth2-to-cloud-run',
          'http-oauth2-to-cloud-run',
          { scopes: list(effectiveScopes ?? [CLOUD_PLATFORM]), target: what, where },
          oidcFix(expected),
        );
      } else if (auth.kind === 'OIDC') {
        const given = call.auth?.audience;
        if (given?.kind === 'expression') {
          lint.note('http-audience-unresolved', 'http-audience-unresolved.computed');
        } else if (given?.kind === 'string') {
          if (expected === undefined) {
            lint.note('http-audience-unresolved', 'http-audience-unresolved.url', { audience: shown(given.value) });
          } else if (!sameAudience(given.value, expected, shape.target)) {
            lint.finding(
              'http-oidc-audience-mismatch',
              'http-oidc-audience-mismatch',
              { audience: shown(given.value), expected },
              oidcFix(expected),
            );
          }
        }
      }
      break;
    }
    case 'other': {
      if (auth.kind === 'OAuth2') {
        lint.finding(
          'http-oauth2-to-other-host',
          'http-oauth2-to-other-host',
          { host: shown(shape.host ?? url) },
          {
            path: 'args.auth',
          },
        );
      }
      break;
    }
    case 'unknown': {
      if (auth.kind === 'OAuth2' || auth.kind === 'OIDC') {
        lint.note('http-url-unresolved', 'http-url-unresolved.host-token', { url, auth: auth.kind });
      } else {
        lint.note('http-url-unresolved', 'http-url-unresolved.host', { url });
      }
      break;
    }
  }

  const methodIds =
    resolution && (resolution.status === 'mapped' || resolution.status === 'ambiguous') ? resolution.methodIds : [];
  return {
    report: {
      ...base,
      url: shape.display,
      target: shape.target,
      scopes: effectiveScopes,
      scopesDefaulted: defaulted,
      audience,
      audienceDefaulted: auth.kind === 'OIDC' && call.auth?.audience === undefined,
      methodIds,
      methodStatus: target?.otherVerb?.certain ? 'verb-mismatch' : resolution ? resolution.status : 'not-a-google-api',
      narrowestScope: narrowest,
      findingCodes: lint.findings.map((f) => f.code),
    },
    findings: lint.findings,
    notes: lint.notes,
  };
}

interface ScopeRuleInput {
  listed: readonly string[] | undefined;
  scopesComputed: boolean;
  defaulted: boolean;
  where: string;
}

function googleApiScopeRules(
  resolution: MethodResolution,
  index: MethodIndex,
  input: ScopeRuleInput,
  lint: CallLint,
): void {
  const { where } = input;
  if (input.scopesComputed) {
    lint.note('http-scopes-unresolved', 'http-scopes-unresolved');
    return;
  }
  switch (resolution.status) {
    case 'unresolved':
      return;
    case 'unknown':
      lint.note('http-method-unknown', input.defaulted ? 'http-method-unknown.default' : 'http-method-unknown', {
        where,
      });
      return;
    case 'ambiguous': {
      const eachNarrower = resolution.narrowestEach.every(
        (n) => n !== '' && compareBreadth(n, CLOUD_PLATFORM) === 'narrower',
      );
      if (input.defaulted && eachNarrower) {
        const forAll = narrowestForAll(index, resolution.methodIds);
        lint.finding(
          'http-oauth2-default-scope',
          'http-oauth2-default-scope.ambiguous',
          { where, methods: methodsText(resolution.methodIds), scopes: list([...new Set(resolution.narrowestEach)]) },
          forAll ? oauth2Fix(forAll) : undefined,
        );
      } else {
        lint.note('http-method-ambiguous', 'http-method-ambiguous', {
          where,
          methods: methodsText(resolution.methodIds),
        });
      }
      return;
    }
    case 'mapped': {
      const methods = methodsText(resolution.methodIds);
      const narrowest = resolution.narrowest;
      const fix = oauth2Fix(narrowest);
      const params = { methods, narrowest: shortScope(narrowest) };
      if (input.defaulted) {
        if (narrowest === CLOUD_PLATFORM) lint.note('http-only-cloud-platform', 'http-only-cloud-platform', params);
        else lint.finding('http-oauth2-default-scope', 'http-oauth2-default-scope', params, fix);
        return;
      }
      const listed = input.listed ?? [];
      const authorizing = listed.filter((s) => resolution.accepted.includes(s));
      if (authorizing.length === 0) {
        lint.finding(
          'http-oauth2-scope-not-accepted',
          'http-oauth2-scope-not-accepted',
          { ...params, scopes: list(listed) },
          fix,
        );
        return;
      }
      const broader = authorizing.filter((s) => compareBreadth(narrowest, s) === 'narrower');
      if (broader.length > 0) {
        lint.finding(
          'http-oauth2-scope-broader-than-needed',
          'http-oauth2-scope-broader-than-needed',
          { ...params, scopes: list(broader) },
          fix,
        );
      }
      const unneeded = listed.filter((s) => !resolution.accepted.includes(s));
      if (unneeded.length > 0) {
        lint.finding(
          'http-oauth2-scope-unneeded',
          'http-oauth2-scope-unneeded',
          { ...params, scopes: list(unneeded) },
          fix,
        );
      }
      return;
    }
  }
}

export interface WorkflowLintResult {
  readonly format: SourceFormat;
  readonly workflows: readonly string[];
  readonly calls: readonly HttpCallReport[];
  readonly findings: readonly WorkloadFinding[];
  readonly notes: readonly WorkloadNote[];
}

/** Parses a definition and lints every http.* call. Throws `WorkflowSourceError` when it cannot be read. */
export function lintWorkflowSource(
  text: string,
  format: SourceFormat,
  index: MethodIndex,
  subjectPrefix = '',
): WorkflowLintResult {
  const parsed = parseWorkflowSource(text, format);
  const calls: HttpCallReport[] = [];
  const findings: WorkloadFinding[] = [];
  const notes: WorkloadNote[] = [];
  for (const call of parsed.calls) {
    const r = lintHttpCall(call, index, subjectPrefix);
    calls.push(r.report);
    findings.push(...r.findings);
    notes.push(...r.notes);
  }
  return { format: parsed.format, workflows: parsed.workflows, calls, findings, notes };
}
