/**
 * Every English text of the workload rules and of the Workflows lint, in one table, so that moving them into
 * message catalogues (another piece of work) touches this file only. Codes stay stable English identifiers: JSON
 * and SARIF carry the codes, never these texts, as keys.
 *
 * - `FINDING_TEXTS`: per finding code, a short title (SARIF `shortDescription`, the board's group header) and
 *   what Google recommends instead (SARIF `fullDescription`).
 * - `NOTE_TEXTS`: per note code ("cannot tell"), a short title.
 * - `MESSAGES`: the one-line messages of the lint's findings, notes and source errors, as templates with
 *   `{name}` placeholders (`formatMessage`), the shape message catalogues take.
 *
 * Messages of the VM, Cloud Run and key sections are still written where their rules are (src/workloads/vms.ts,
 * cloud-run.ts, keys.ts, identity.ts).
 */

export interface RuleText {
  /** A few words naming the practice, e.g. "OAuth2 token without scopes". */
  readonly title: string;
  /** What Google recommends instead, one or two sentences. */
  readonly recommendation: string;
}

export const FINDING_TEXTS = {
  // VMs
  'vm-no-service-account': {
    title: 'VM without a service account',
    recommendation:
      'If software on this VM calls Google APIs, attach a user-managed service account with only the roles it needs, instead of a key file or user credentials on the VM.',
  },
  'vm-default-service-account': {
    title: 'VM on the default service account',
    recommendation:
      'Attach a user-managed service account that holds only the roles this workload needs, instead of the Compute Engine default service account.',
  },
  'vm-default-account-cloud-platform': {
    title: 'VM on the default service account with cloud-platform',
    recommendation:
      'Keep the cloud-platform access scope only with a user-managed service account limited by IAM roles; the default service account often holds the Editor role, so this VM can change almost anything in the project.',
  },
  'vm-legacy-full-access': {
    title: 'VM with legacy full-access scopes',
    recommendation:
      'Replace the per-API full-access scopes with a user-managed service account limited by IAM roles (and the cloud-platform access scope), as Google recommends.',
  },
  // Cloud Run
  'run-default-service-account': {
    title: 'Cloud Run service on the default service account',
    recommendation: 'Deploy the service with a user-managed service account that holds only the roles it needs.',
  },
  'run-implicit-service-account': {
    title: 'Cloud Run service without a service account',
    recommendation:
      'Set a user-managed service account on the service; without one, its revisions run as the Compute Engine default service account.',
  },
  'run-unauthenticated-invocation': {
    title: 'Cloud Run service anyone may invoke',
    recommendation:
      'Allow unauthenticated invocation only for a public website or API; otherwise grant roles/run.invoker to the callers that need it.',
  },
  'run-any-google-account-invocation': {
    title: 'Cloud Run service any Google account may invoke',
    recommendation:
      'Grant roles/run.invoker to specific principals instead of allAuthenticatedUsers, which is any Google account in the world.',
  },
  // Service-account keys
  'sa-key-user-managed': {
    title: 'User-managed service-account key',
    recommendation:
      'Prefer an attached service account (on Google Cloud) or workload identity federation (elsewhere) to a downloaded key, then delete the key.',
  },
  'sa-key-user-managed-old': {
    title: 'User-managed service-account key older than 90 days',
    recommendation:
      'Replace this long-lived key with an attached service account or workload identity federation; if a key must stay, rotate it and delete this one.',
  },
  'sa-key-inactive': {
    title: 'Disabled or expired service-account key',
    recommendation: 'Delete keys that are disabled or expired, so they cannot be turned back on.',
  },
  // Workflows: identity and source
  'workflow-default-service-account': {
    title: 'Workflow on the default service account',
    recommendation: 'Deploy the workflow with a user-managed service account that holds only the roles its steps need.',
  },
  'workflow-implicit-service-account': {
    title: 'Workflow without a service account',
    recommendation:
      'Set a user-managed service account on the workflow; without one it runs as the Compute Engine default service account.',
  },
  'workflow-source-over-limit': {
    title: 'Workflow source beyond what Scopewise reads',
    recommendation:
      'Keep workflow sources within Workflows’ own limits and free of YAML alias expansions and deep nesting; run the lint on the source in CI, where the same limits refuse it before it is deployed.',
  },
  // Workflows: http.* steps
  'http-oauth2-default-scope': {
    title: 'OAuth2 token without scopes',
    recommendation:
      'List the narrowest scope of the method under auth.scopes; without scopes the token carries cloud-platform.',
  },
  'http-oauth2-scope-broader-than-needed': {
    title: 'OAuth2 scope broader than the method needs',
    recommendation: 'Ask only for the narrowest scope that authorizes the method.',
  },
  'http-oauth2-scope-not-accepted': {
    title: 'OAuth2 scopes the method does not accept',
    recommendation:
      'List a scope the method accepts; with these scopes Google refuses the call (403 ACCESS_TOKEN_SCOPE_INSUFFICIENT).',
  },
  'http-oauth2-scope-unneeded': {
    title: 'OAuth2 scope the method does not use',
    recommendation: 'Remove scopes the method does not use; each one widens what a leaked token can do.',
  },
  'http-oidc-to-google-api': {
    title: 'ID token sent to a Google API',
    recommendation:
      'Call *.googleapis.com with auth type OAuth2 (an access token); Google APIs do not accept ID tokens.',
  },
  'http-oauth2-to-cloud-run': {
    title: 'Access token sent to Cloud Run',
    recommendation:
      'Call Cloud Run and Cloud Run functions with auth type OIDC (an ID token); an OAuth2 access token hands the service a token for Google APIs.',
  },
  'http-cloud-run-without-oidc': {
    title: 'Cloud Run called without an ID token',
    recommendation: 'Add auth type OIDC so the call carries an ID token and the service can require authentication.',
  },
  'http-oidc-audience-mismatch': {
    title: 'ID token for another audience',
    recommendation:
      'Leave audience out (it defaults to the URL) or set it to the service URL; the receiving service rejects other audiences.',
  },
  'http-oauth2-to-other-host': {
    title: 'Access token sent outside Google',
    recommendation:
      'Send OAuth2 access tokens only to *.googleapis.com; any other host can replay the token against Google APIs.',
  },
  'http-missing-url': {
    title: 'HTTP call without a URL',
    recommendation: 'Give every http.* call args.url; Workflows rejects the definition otherwise.',
  },
  'http-method-verb-mismatch': {
    title: 'HTTP verb the Google method does not take',
    recommendation:
      'Call the method with the HTTP verb Google defines for it (a custom method such as entries:list is a POST); with another verb the call fails.',
  },
} as const satisfies Record<string, RuleText>;

export const NOTE_TEXTS = {
  'http-url-unresolved': { title: 'URL computed: target unknown' },
  'http-method-unknown': { title: 'Method not in Scopewise’s data' },
  'http-method-ambiguous': { title: 'URL may be several methods' },
  'http-scopes-unresolved': { title: 'Scopes computed' },
  'http-auth-unresolved': { title: 'Auth type not OAuth2 or OIDC' },
  'http-google-api-without-auth': { title: 'Google API called without a token' },
  'http-audience-unresolved': { title: 'Audience cannot be checked' },
  'http-only-cloud-platform': { title: 'Method accepts only cloud-platform' },
  'run-policy-unreadable': { title: 'Invoker policy not read' },
  'sa-keys-unreadable': { title: 'Keys not read' },
  'workflow-source-unreadable': { title: 'Workflow source not read' },
  'vm-list-partial': { title: 'Some zones not read' },
  'region-skipped': { title: 'Region skipped' },
  'list-truncated': { title: 'List cut at the limit' },
} as const satisfies Record<string, { readonly title: string }>;

export const MESSAGES = {
  // Findings of http.* steps
  'http-missing-url.no-args': '{call} in step {step} has no args.',
  'http-missing-url.no-url': '{call} in step {step} has no url.',
  'http-oidc-to-google-api': 'Step {step} sends an ID token (OIDC) to a Google API: {where}.',
  'http-cloud-run-without-oidc': 'Step {step} calls {target} without an ID token: {where}.',
  'http-oauth2-to-cloud-run': 'Step {step} sends an OAuth2 access token ({scopes}) to {target}: {where}.',
  'http-oidc-audience-mismatch': 'Step {step} asks for an ID token for {audience} but calls {expected}.',
  'http-oauth2-to-other-host':
    'Step {step} sends an OAuth2 access token of the workflow’s service account to {host}, which is not a Google API.',
  'http-oauth2-default-scope':
    'Step {step} gets cloud-platform (no scopes) for {methods}, which needs only {narrowest}.',
  'http-oauth2-default-scope.ambiguous':
    'Step {step} gets cloud-platform (no scopes) for {where}, which maps to {methods}; each needs less ({scopes}).',
  'http-oauth2-scope-not-accepted':
    'Step {step} asks for {scopes}, none of which {methods} accepts (narrowest: {narrowest}).',
  'http-oauth2-scope-broader-than-needed': 'Step {step} asks for {scopes} for {methods}, which needs only {narrowest}.',
  'http-oauth2-scope-unneeded': 'Step {step} also asks for {scopes}, which {methods} does not use.',
  'http-method-verb-mismatch':
    'Step {step} sends a {verb} to {url}, which is {methods}, a {expected}: Google refuses the call.',
  // Notes of http.* steps
  'http-auth-unresolved':
    'Step {step}: auth type {auth} is not OAuth2 or OIDC as written; Scopewise cannot tell which token is sent.',
  'http-google-api-without-auth':
    'Step {step} calls a Google API without a token; Google answers 401 unless the resource is public.',
  'http-url-unresolved.api-host': 'Step {step}: the API host of {url} is computed; Scopewise cannot tell the method.',
  'http-url-unresolved.host': 'Step {step}: the host of {url} is computed.',
  'http-url-unresolved.host-token':
    'Step {step}: the host of {url} is computed, so Scopewise cannot tell where the {auth} token goes.',
  'http-audience-unresolved.computed':
    'Step {step}: the OIDC audience is computed; Scopewise cannot check it against the URL.',
  'http-audience-unresolved.url':
    'Step {step}: the URL is partly computed; Scopewise cannot check the audience {audience}.',
  'http-scopes-unresolved':
    'Step {step}: the OAuth2 scopes are computed; Scopewise cannot compare them with what the method needs.',
  'http-method-unknown':
    'Step {step}: Scopewise’s data lists no method for {where}; it cannot tell the narrowest scope.',
  'http-method-unknown.default':
    'Step {step}: Scopewise’s data lists no method for {where} (the token carries cloud-platform); it cannot tell the narrowest scope.',
  'http-method-unknown.other-verb':
    'Step {step}: Scopewise’s data lists no method for {where}; at this URL it knows only {methods} ({verbs}), so this may be a method it does not list.',
  'http-method-ambiguous':
    'Step {step}: {where} may be {methods}, which need different scopes; Scopewise cannot tell which.',
  'http-only-cloud-platform':
    'Step {step}: {methods} accepts only cloud-platform, so the default scope is already the narrowest.',
  // The workload review's Workflows section
  'workflow-source-over-limit': 'The source of {workflow} was not reviewed: {reason}',
  'workflow-source-unreadable': 'The source of {workflow} could not be read.',
  'workflow-source-unreadable.problem': 'The source of {workflow} could not be read ({problem}).',
  'workflow-source-unparsable': 'The source of {workflow} could not be parsed (line {line}): {reason}',
  // A finding's fix (FindingFix), where a report shows it
  'fix.replace': 'Fix: set {path} to',
  'fix.remove': 'Fix: remove {path}.',
  // Reading a definition
  'source.empty': 'The definition is empty.',
  'source.invalid': 'Invalid {format}: {detail}',
  'source.duplicate-key': 'Invalid {format}: map keys must be unique ("{key}" appears twice in one map).',
  'source.alias-without-anchor': 'Invalid {format}: the alias *{name} has no anchor &{name} before it.',
  'source.several-documents': 'Invalid {format}: the file holds more than one document.',
  'source.not-workflows':
    'The definition must be a list of steps, or a map of workflows (main and subworkflows) each with steps.',
  'source.workflow-not-map': 'Workflow "{workflow}" must be a map with steps (and optional params), not {found}.',
  'source.workflow-without-steps': 'Workflow "{workflow}" must have a list of steps.',
  'source.no-workflow': 'The definition has no workflow.',
  'source.steps-not-list': '"steps" in {where} must be a list of steps.',
  'source.step-not-named': 'Step {index} in {where} must be a map with one step name, not {found}.',
  'source.step-not-map': 'Step "{step}" in {where} must be a map, not {found}.',
  // Limits (SOURCE_LIMITS in workflow-source.ts)
  'limit.maxBytes':
    'The definition is {size} bytes; Scopewise reads at most {limit} bytes (128 KiB, Workflows’ own limit for a source).',
  'limit.maxDepth':
    'The definition nests deeper than {limit} levels of maps and lists (counting aliases where they are used); Scopewise reads no deeper.',
  'limit.maxAliases': 'The definition has more than {limit} YAML aliases (*name); Scopewise reads at most {limit}.',
  'limit.maxAliasCount':
    'Its YAML aliases expand beyond {limit} nodes (the yaml parser’s maxAliasCount), the shape of an alias bomb; Scopewise does not expand them.',
  'limit.maxSteps':
    'The definition expands to more than {limit} steps (counting each alias where it is used); Scopewise reads at most {limit}.',
} as const;

export type MessageId = keyof typeof MESSAGES;

export type MessageParams = Readonly<Record<string, string | number>>;

/**
 * `MESSAGES[id]` with each `{name}` replaced by `params[name]` (numbers grouped in thousands, en-US). A missing
 * parameter is a programming error: it throws rather than print a half-filled sentence.
 */
export function formatMessage(id: MessageId, params: MessageParams = {}): string {
  return MESSAGES[id].replace(/\{([A-Za-z]+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`message ${id}: no value for {${name}}`);
    return typeof value === 'number' ? value.toLocaleString('en-US') : value;
  });
}
