/**
 * The rules for one `http.*` call of a workflow (pure), shared by the Workflows section and the CI lint.
 *
 * From Google's "Make authenticated requests from a workflow" (GUIDE_WORKFLOW_AUTH): `*.googleapis.com` takes an
 * OAuth 2.0 access token (`auth: type: OAuth2`; `scopes` default to cloud-platform), Cloud Run and Cloud Run
 * functions take an OIDC ID token (`auth: type: OIDC`; `audience` defaults to the URL).
 */
import { compareBreadth } from '../scopes/narrowness.js';
import { AUTH_PREFIX, shortScope } from '../scopes/scope-names.js';
import { CLOUD_PLATFORM } from './identity.js';
import {
  finding,
  note,
  type FindingCode,
  type SourceLocation,
  type WorkloadFinding,
  type WorkloadNote,
} from './findings.js';
import {
  resolveMethod,
  urlParts,
  urlShape,
  type MethodIndex,
  type MethodResolution,
  type TargetKind,
  type UrlShape,
} from './method-index.js';
import {
  parseWorkflowSource,
  type HttpCall,
  type HttpCallName,
  type SourceFormat,
  type SourceValue,
} from './workflow-source.js';

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
  /** Method ids the URL maps to (more than one: any of them). */
  readonly methodIds: readonly string[];
  readonly methodStatus: MethodResolution['status'] | 'not-a-google-api';
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

/** The audience Cloud Run or Cloud Run functions expects for this URL: the origin, or origin + function name. */
export function expectedAudience(shape: UrlShape): string | undefined {
  if (!shape.origin) return undefined;
  if (shape.target === 'cloud-functions') {
    const fn = shape.segments[0];
    return fn && !fn.includes('\u0000') ? `${shape.origin}/${fn}` : undefined;
  }
  return shape.origin;
}

function sameAudience(given: string, expected: string, target: TargetKind): boolean {
  const trim = (s: string): string => s.replace(/\/+$/, '').toLowerCase();
  if (trim(given) === trim(expected)) return true;
  if (target !== 'cloud-run') return false;
  // Cloud Run: what counts is the service's origin; a path on the audience is not a different service.
  try {
    return new URL(given).origin.toLowerCase() === trim(expected);
  } catch {
    return false;
  }
}

export function lintHttpCall(call: HttpCall, index: MethodIndex, subjectPrefix = ''): HttpCallResult {
  const step = call.stepPath.join(' › ');
  const location: SourceLocation = { line: call.line, column: call.column, step };
  const subject = `${subjectPrefix}${step}`;
  const findings: WorkloadFinding[] = [];
  const notes: WorkloadNote[] = [];
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
    findings.push(
      finding(
        'http-missing-url',
        subject,
        `${call.call} in step ${step} has no ${call.hasArgs ? 'url' : 'args'}.`,
        location,
      ),
    );
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
      findings,
      notes,
    };
  }

  const shape = urlShape(urlParts(call.url));
  const resolution = shape.target === 'google-api' ? resolveMethod(index, shape, call.httpMethod) : undefined;
  const effectiveScopes =
    auth.kind === 'OAuth2' && !scopesComputed ? (listed && listed.length > 0 ? listed : [CLOUD_PLATFORM]) : undefined;
  const defaulted = auth.kind === 'OAuth2' && !scopesComputed && (listed === undefined || listed.length === 0);
  let audience: string | undefined;
  if (auth.kind === 'OIDC') {
    const a = call.auth?.audience;
    audience =
      a === undefined ? shape.display : a.kind === 'string' ? a.value : a.kind === 'expression' ? a.text : a.display;
  }
  const where = `${call.httpMethod ?? call.call} ${shape.display}`;

  if (auth.kind === 'computed' || auth.kind === 'unsupported') {
    notes.push(
      note(
        'http-auth-unresolved',
        subject,
        `Step ${step}: auth type ${auth.written} is not OAuth2 or OIDC as written; Scopewise cannot tell which token is sent.`,
        location,
      ),
    );
  }

  switch (shape.target) {
    case 'google-api': {
      if (auth.kind === 'OIDC') {
        findings.push(
          finding(
            'http-oidc-to-google-api',
            subject,
            `Step ${step} sends an ID token (OIDC) to a Google API: ${where}.`,
            location,
          ),
        );
      } else if (auth.kind === 'none') {
        notes.push(
          note(
            'http-google-api-without-auth',
            subject,
            `Step ${step} calls a Google API without a token; Google answers 401 unless the resource is public.`,
            location,
          ),
        );
      } else if (auth.kind === 'OAuth2') {
        googleApiScopeRules(
          resolution ?? { status: 'unresolved' },
          { listed, scopesComputed, defaulted, effectiveScopes, step, subject, location, where },
          findings,
          notes,
        );
      }
      if (resolution?.status === 'unresolved') {
        notes.push(
          note(
            'http-url-unresolved',
            subject,
            `Step ${step}: the API host of ${shape.display} is computed; Scopewise cannot tell the method.`,
            location,
          ),
        );
      }
      break;
    }
    case 'cloud-run':
    case 'cloud-functions': {
      const what = shape.target === 'cloud-run' ? 'Cloud Run' : 'Cloud Run functions';
      if (auth.kind === 'none') {
        findings.push(
          finding(
            'http-cloud-run-without-oidc',
            subject,
            `Step ${step} calls ${what} without an ID token: ${where}.`,
            location,
          ),
        );
      } else if (auth.kind === 'OAuth2') {
        findings.push(
          finding(
            'http-oauth2-to-cloud-run',
            subject,
            `Step ${step} sends an OAuth2 access token (${list(effectiveScopes ?? [CLOUD_PLATFORM])}) to ${what}: ${where}.`,
            location,
          ),
        );
      } else if (auth.kind === 'OIDC') {
        const given = call.auth?.audience;
        if (given?.kind === 'expression') {
          notes.push(
            note(
              'http-audience-unresolved',
              subject,
              `Step ${step}: the OIDC audience is computed; Scopewise cannot check it against the URL.`,
              location,
            ),
          );
        } else if (given?.kind === 'string') {
          const expected = expectedAudience(shape);
          if (expected === undefined) {
            notes.push(
              note(
                'http-audience-unresolved',
                subject,
                `Step ${step}: the URL is partly computed; Scopewise cannot check the audience ${given.value}.`,
                location,
              ),
            );
          } else if (!sameAudience(given.value, expected, shape.target)) {
            findings.push(
              finding(
                'http-oidc-audience-mismatch',
                subject,
                `Step ${step} asks for an ID token for ${given.value} but calls ${expected}.`,
                location,
              ),
            );
          }
        }
      }
      break;
    }
    case 'other': {
      if (auth.kind === 'OAuth2') {
        findings.push(
          finding(
            'http-oauth2-to-other-host',
            subject,
            `Step ${step} sends an OAuth2 access token of the workflow's service account to ${shape.host ?? shape.display}, which is not a Google API.`,
            location,
          ),
        );
      }
      break;
    }
    case 'unknown': {
      notes.push(
        note(
          'http-url-unresolved',
          subject,
          `Step ${step}: the host of ${shape.display} is computed${auth.kind === 'OAuth2' || auth.kind === 'OIDC' ? `, so Scopewise cannot tell where the ${auth.kind} token goes` : ''}.`,
          location,
        ),
      );
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
      methodStatus: resolution ? resolution.status : 'not-a-google-api',
      narrowestScope: resolution?.status === 'mapped' ? resolution.narrowest : undefined,
      findingCodes: findings.map((f) => f.code),
    },
    findings,
    notes,
  };
}

interface ScopeRuleInput {
  listed: readonly string[] | undefined;
  scopesComputed: boolean;
  defaulted: boolean;
  effectiveScopes: readonly string[] | undefined;
  step: string;
  subject: string;
  location: SourceLocation;
  where: string;
}

function googleApiScopeRules(
  resolution: MethodResolution,
  input: ScopeRuleInput,
  findings: WorkloadFinding[],
  notes: WorkloadNote[],
): void {
  const { step, subject, location, where } = input;
  if (input.scopesComputed) {
    notes.push(
      note(
        'http-scopes-unresolved',
        subject,
        `Step ${step}: the OAuth2 scopes are computed; Scopewise cannot compare them with what the method needs.`,
        location,
      ),
    );
    return;
  }
  switch (resolution.status) {
    case 'unresolved':
      return;
    case 'unknown':
      notes.push(
        note(
          'http-method-unknown',
          subject,
          `Step ${step}: Scopewise's data lists no method for ${where}${input.defaulted ? ' (the token carries cloud-platform)' : ''}; it cannot tell the narrowest scope.`,
          location,
        ),
      );
      return;
    case 'ambiguous': {
      const eachNarrower = resolution.narrowestEach.every(
        (n) => n !== '' && compareBreadth(n, CLOUD_PLATFORM) === 'narrower',
      );
      if (input.defaulted && eachNarrower) {
        findings.push(
          finding(
            'http-oauth2-default-scope',
            subject,
            `Step ${step} gets cloud-platform (no scopes) for ${where}, which maps to ${methodsText(resolution.methodIds)}; each needs less (${list([...new Set(resolution.narrowestEach)])}).`,
            location,
          ),
        );
      } else {
        notes.push(
          note(
            'http-method-ambiguous',
            subject,
            `Step ${step}: ${where} may be ${methodsText(resolution.methodIds)}, which need different scopes; Scopewise cannot tell which.`,
            location,
          ),
        );
      }
      return;
    }
    case 'mapped': {
      const methods = methodsText(resolution.methodIds);
      const narrowest = resolution.narrowest;
      if (input.defaulted) {
        if (narrowest === CLOUD_PLATFORM) {
          notes.push(
            note(
              'http-only-cloud-platform',
              subject,
              `Step ${step}: ${methods} accepts only cloud-platform, so the default scope is already the narrowest.`,
              location,
            ),
          );
        } else {
          findings.push(
            finding(
              'http-oauth2-default-scope',
              subject,
              `Step ${step} gets cloud-platform (no scopes) for ${methods}, which needs only ${shortScope(narrowest)}.`,
              location,
            ),
          );
        }
        return;
      }
      const listed = input.listed ?? [];
      const authorizing = listed.filter((s) => resolution.accepted.includes(s));
      if (authorizing.length === 0) {
        findings.push(
          finding(
            'http-oauth2-scope-not-accepted',
            subject,
            `Step ${step} asks for ${list(listed)}, none of which ${methods} accepts (narrowest: ${shortScope(narrowest)}).`,
            location,
          ),
        );
        return;
      }
      const broader = authorizing.filter((s) => compareBreadth(narrowest, s) === 'narrower');
      if (broader.length > 0) {
        findings.push(
          finding(
            'http-oauth2-scope-broader-than-needed',
            subject,
            `Step ${step} asks for ${list(broader)} for ${methods}, which needs only ${shortScope(narrowest)}.`,
            location,
          ),
        );
      }
      const unneeded = listed.filter((s) => !resolution.accepted.includes(s));
      if (unneeded.length > 0) {
        findings.push(
          finding(
            'http-oauth2-scope-unneeded',
            subject,
            `Step ${step} also asks for ${list(unneeded)}, which ${methods} does not use.`,
            location,
          ),
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
