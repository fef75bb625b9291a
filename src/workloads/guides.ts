/**
 * The Google guides every finding links to. All were read on 2026-12-01 from stored copies of the pages (no
 * live internet here); where a copy showed the page's own "Last updated" footer, the entry says so.
 */

export interface Guide {
  readonly title: string;
  readonly url: string;
}

/**
 * "Choose a workload authentication method" (Compute Engine docs; last updated 2025-08-19 UTC per the page
 * footer). In production on Google Cloud: the attached service account; in development: ADC; for end-user
 * resources: OAuth 2.0 with scopes limited to the methods called; between workloads: mTLS with managed
 * workload identities.
 */
export const GUIDE_WORKLOAD_AUTH: Guide = {
  title: 'Choose a workload authentication method',
  url: 'https://cloud.google.com/compute/docs/access/app-authentication-methods',
};

/**
 * "Make authenticated requests from a workflow" (Workflows docs). `*.googleapis.com`: `auth: type: OAuth2`
 * (an access token of the workflow's service account; `scopes` default to cloud-platform); Cloud Run and Cloud
 * Run functions: `auth: type: OIDC` (an ID token; `audience` defaults to the URL).
 */
export const GUIDE_WORKFLOW_AUTH: Guide = {
  title: 'Make authenticated requests from a workflow',
  url: 'https://cloud.google.com/workflows/docs/authenticate-from-workflow',
};

/**
 * "Service accounts" (Compute Engine docs): a VM's access scopes and its attached service account; Google's
 * best practice is a user-managed service account holding only the roles the workload needs, with the
 * cloud-platform access scope, rather than the Compute Engine default service account (which projects
 * created before the org policy `iam.automaticIamGrantsForDefaultServiceAccounts` gave the Editor role).
 */
export const GUIDE_VM_SERVICE_ACCOUNTS: Guide = {
  title: 'Compute Engine: service accounts and access scopes',
  url: 'https://cloud.google.com/compute/docs/access/service-accounts',
};

/** "Best practices for managing service account keys" (IAM docs): prefer attached accounts and federation. */
export const GUIDE_SA_KEYS: Guide = {
  title: 'Best practices for managing service account keys',
  url: 'https://cloud.google.com/iam/docs/best-practices-for-managing-service-account-keys',
};

/**
 * "Allowing public (unauthenticated) access" (Cloud Run docs): for a public website or API, either disable the
 * invoker IAM check (now Google's recommended way) or grant `roles/run.invoker` to `allUsers`.
 */
export const GUIDE_RUN_PUBLIC: Guide = {
  title: 'Cloud Run: allowing public (unauthenticated) access',
  url: 'https://cloud.google.com/run/docs/authenticating/public',
};

/**
 * "Custom methods" (Google Cloud API design guide; read 2026-12-07 from a stored copy): a custom method's URL ends
 * in `:customVerb` (`…/entries:list`) and it uses POST, except methods serving as an alternative get or list,
 * which may use GET. One URL of that form is one method, so a request with another verb cannot reach it.
 */
export const GUIDE_CUSTOM_METHODS: Guide = {
  title: 'Google Cloud API design guide: custom methods',
  url: 'https://cloud.google.com/apis/design/custom_methods',
};

/**
 * "Quotas and limits" (Workflows docs; read 2026-12-07 from a stored copy): among the limits, a workflow's source
 * code is at most 128 KB, as the Workflows REST reference also says of `sourceContents` ("The size limit is
 * 128KB", https://cloud.google.com/workflows/docs/reference/rest/v1/projects.locations.workflows).
 */
export const GUIDE_WORKFLOW_LIMITS: Guide = {
  title: 'Workflows quotas and limits',
  url: 'https://cloud.google.com/workflows/quotas',
};
