/**
 * Scopewise's own Google identity, through google-auth-library (never hand-written metadata calls).
 *
 * - `describe()` says which credential Application Default Credentials found and for which account (the
 *   start-up line and /healthz).
 * - `accessTokens(scopes)` is a token source holding exactly the scopes asked for. A cloud-wide scope
 *   (`cloud-platform`, `cloud-platform.read-only`) is refused: each use names the narrow scope it needs.
 * - `idTokens(audience)` is a source of Google-signed ID tokens for one audience (private Cloud Run).
 *
 * The library keeps tokens cached and refreshes them before expiry; each scope set gets its own GoogleAuth so
 * that a token is never shared between uses. In `metadata` mode the library is handed a Compute client, so only
 * the metadata server is ever asked. Where the library looks is process-wide (GOOGLE_APPLICATION_CREDENTIALS,
 * CLOUDSDK_CONFIG, GCE_METADATA_HOST are read from process.env by the library itself).
 */
import {
  BaseExternalAccountClient,
  Compute,
  GoogleAuth,
  type IdTokenClient,
  Impersonated,
  JWT,
  UserRefreshClient,
  type AuthClient,
} from 'google-auth-library';
import type { IdentityMode } from './config.js';
import { IdentityError, describeCause } from './errors.js';

export type CredentialKind =
  | 'attached-service-account'
  | 'service-account-key'
  | 'authorized-user'
  | 'impersonated-service-account'
  | 'external-account'
  | 'other';

export type CredentialSource = 'metadata-server' | 'GOOGLE_APPLICATION_CREDENTIALS' | 'gcloud-adc-file';

export interface CredentialReport {
  mode: Exclude<IdentityMode, 'off'>;
  kind: CredentialKind;
  source: CredentialSource;
  /** The service account (or impersonated account); undefined for user credentials. */
  account: string | undefined;
  /** Operator-facing cautions, each starting with a code. */
  warnings: string[];
}

export interface AccessTokenSource {
  readonly scopes: readonly string[];
  /** A valid access token holding exactly `scopes` (cached by the library until shortly before expiry). */
  token(): Promise<string>;
  /** Forget the cached token (after a 401): the next call fetches a new one. */
  invalidate(): void;
}

export interface IdTokenSource {
  readonly audience: string;
  token(): Promise<string>;
  invalidate(): void;
}

export interface IdentityStatus {
  mode: IdentityMode;
  state: 'off' | 'unknown' | 'ready' | 'failed';
  kind?: CredentialKind;
  source?: CredentialSource;
  account?: string;
  /** The last failure to find credentials or to get a token, by code. */
  lastError?: { code: string; at: string };
}

export interface WorkloadIdentityOptions {
  mode: IdentityMode;
  /** Where the variables the library reads are looked up for the report (default process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Production: a key file or user credential is reported as a warning. */
  production?: boolean;
  now?: () => number;
}

const SCOPE_URI = /^https:\/\/www\.googleapis\.com\/auth\/[a-z0-9._-]+$/;
/** Scopes that open every Google Cloud API: never what one Scopewise call needs. */
export const CLOUD_WIDE_SCOPES: ReadonlySet<string> = new Set([
  'https://www.googleapis.com/auth/cloud-platform',
  'https://www.googleapis.com/auth/cloud-platform.read-only',
]);

/** The scopes to ask for, sorted and deduplicated; throws SCOPE_REFUSED for none, malformed or cloud-wide. */
export function checkOwnScopes(scopes: readonly string[]): string[] {
  const unique = [...new Set(scopes)].sort();
  if (unique.length === 0)
    throw new IdentityError('SCOPE_REFUSED', 'An access token needs at least one explicit scope.');
  for (const s of unique) {
    if (!SCOPE_URI.test(s)) throw new IdentityError('SCOPE_REFUSED', `"${s}" is not a Google OAuth scope URI.`);
    if (CLOUD_WIDE_SCOPES.has(s))
      throw new IdentityError(
        'SCOPE_REFUSED',
        `${s} opens every Google Cloud API; ask for the narrow scope of the call instead.`,
      );
  }
  return unique;
}

export function classifyClient(client: AuthClient): CredentialKind {
  if (client instanceof Compute) return 'attached-service-account';
  if (client instanceof JWT) return 'service-account-key';
  if (client instanceof UserRefreshClient) return 'authorized-user';
  if (client instanceof Impersonated) return 'impersonated-service-account';
  if (client instanceof BaseExternalAccountClient) return 'external-account';
  return 'other';
}

function reportWarnings(kind: CredentialKind, production: boolean): string[] {
  const out: string[] = [];
  if (kind === 'service-account-key') {
    out.push(
      production
        ? 'SERVICE_ACCOUNT_KEY_IN_PRODUCTION: a service-account key file is in use; on Google Cloud attach the service account to the runtime and set SCOPEWISE_IDENTITY=metadata'
        : 'SERVICE_ACCOUNT_KEY: a service-account key file is in use; prefer gcloud auth application-default login --impersonate-service-account on a laptop',
    );
  }
  if (kind === 'authorized-user') {
    out.push(
      'USER_CREDENTIALS_FIXED_SCOPES: user credentials carry the scopes chosen at `gcloud auth application-default login` (cloud-platform by default), so Scopewise cannot narrow them; use --impersonate-service-account',
    );
  }
  return out;
}

export class WorkloadIdentity {
  readonly mode: IdentityMode;
  private readonly env: Readonly<Record<string, string | undefined>>;
  private readonly production: boolean;
  private readonly now: () => number;
  private reportPromise: Promise<CredentialReport> | undefined;
  /** The project id the first ADC lookup found, handed to later GoogleAuth instances (see newAuth). */
  private projectIdHint: string | undefined;
  private lastReport: CredentialReport | undefined;
  private lastError: { code: string; at: string } | undefined;
  private readonly accessSources = new Map<string, AccessTokenSource>();
  private readonly idSources = new Map<string, IdTokenSource>();

  constructor(options: WorkloadIdentityOptions) {
    this.mode = options.mode;
    this.env = options.env ?? process.env;
    this.production = options.production ?? false;
    this.now = options.now ?? Date.now;
  }

  /** A GoogleAuth for one use. In metadata mode it is bound to the metadata server (Compute client). */
  private newAuth(scopes?: string[]): GoogleAuth {
    if (this.mode === 'off')
      throw new IdentityError('IDENTITY_OFF', 'SCOPEWISE_IDENTITY is off: Scopewise has no identity of its own.');
    if (this.mode === 'metadata') {
      return new GoogleAuth({ ...(scopes ? { scopes } : {}), authClient: new Compute(scopes ? { scopes } : {}) });
    }
    // Each GoogleAuth looks up a project id when it first finds its client, which may run the `gcloud` CLI
    // (seconds); the one found by describe() is reused so that this happens once per process.
    return new GoogleAuth({
      ...(scopes ? { scopes } : {}),
      ...(this.projectIdHint ? { projectId: this.projectIdHint } : {}),
    });
  }

  private fail(code: IdentityError['code'], message: string): IdentityError {
    this.lastError = { code, at: new Date(this.now()).toISOString() };
    return new IdentityError(code, message);
  }

  /** What ADC found. Cached after the first success; a failure is retried on the next call. */
  describe(): Promise<CredentialReport> {
    this.reportPromise ??= this.findCredentials().catch((err: unknown) => {
      this.reportPromise = undefined;
      throw err;
    });
    return this.reportPromise;
  }

  private async findCredentials(): Promise<CredentialReport> {
    if (this.mode === 'off')
      throw this.fail('IDENTITY_OFF', 'SCOPEWISE_IDENTITY is off: Scopewise has no identity of its own.');
    const mode = this.mode;
    const auth = this.newAuth();
    let client: AuthClient;
    try {
      client = await auth.getClient();
    } catch (err) {
      throw this.toCredentialError(err);
    }
    const kind = classifyClient(client);
    if (mode === 'adc') this.projectIdHint = (await auth.getProjectId().catch(() => undefined)) ?? undefined;
    let account: string | undefined;
    try {
      if (client instanceof JWT) account = client.email ?? undefined;
      else if (client instanceof Impersonated) account = client.getTargetPrincipal();
      else if (client instanceof BaseExternalAccountClient) account = client.getServiceAccountEmail() ?? undefined;
      else if (client instanceof Compute) account = (await auth.getCredentials()).client_email ?? undefined;
    } catch (err) {
      throw this.toCredentialError(err);
    }
    const source: CredentialSource =
      kind === 'attached-service-account'
        ? 'metadata-server'
        : this.env['GOOGLE_APPLICATION_CREDENTIALS']
          ? 'GOOGLE_APPLICATION_CREDENTIALS'
          : 'gcloud-adc-file';
    const report: CredentialReport = { mode, kind, source, account, warnings: reportWarnings(kind, this.production) };
    this.lastReport = report;
    this.lastError = undefined;
    return report;
  }

  private toCredentialError(err: unknown): IdentityError {
    const cause = describeCause(err);
    if (this.mode === 'metadata') {
      return this.fail(
        'METADATA_SERVER_UNAVAILABLE',
        `The metadata server did not give the attached service account (${cause}). Is a service account attached to this runtime?`,
      );
    }
    if (/Could not load the default credentials/i.test(cause)) {
      return this.fail(
        'NO_CREDENTIALS',
        'Application Default Credentials found nothing: set GOOGLE_APPLICATION_CREDENTIALS, run `gcloud auth application-default login`, or run on Google Cloud with an attached service account.',
      );
    }
    return this.fail('CREDENTIALS_FILE_INVALID', `The credential file could not be used (${cause}).`);
  }

  /** A source of access tokens holding exactly `scopes` (see checkOwnScopes). One per scope set. */
  accessTokens(scopes: readonly string[]): AccessTokenSource {
    const wanted = checkOwnScopes(scopes);
    const key = wanted.join(' ');
    const existing = this.accessSources.get(key);
    if (existing) return existing;
    let auth: GoogleAuth | undefined;
    const source: AccessTokenSource = {
      scopes: Object.freeze([...wanted]),
      token: async () => {
        auth ??= this.newAuth(wanted);
        try {
          const token = await auth.getAccessToken();
          if (!token) throw new Error('empty token');
          this.lastError = undefined;
          return token;
        } catch (err) {
          throw this.fail('ACCESS_TOKEN_UNAVAILABLE', `No access token for ${key} (${describeCause(err)}).`);
        }
      },
      invalidate: () => {
        auth = undefined;
      },
    };
    this.accessSources.set(key, source);
    return source;
  }

  /** A source of Google-signed ID tokens whose `aud` is `audience`. One per audience. */
  idTokens(audience: string): IdTokenSource {
    if (audience.trim() === '')
      throw new IdentityError('ID_TOKEN_UNAVAILABLE', 'An ID token needs a non-empty audience.');
    const existing = this.idSources.get(audience);
    if (existing) return existing;
    let client: Promise<IdTokenClient> | undefined;
    const source: IdTokenSource = {
      audience,
      token: async () => {
        try {
          client ??= this.newAuth().getIdTokenClient(audience);
          const headers = await (await client).getRequestHeaders();
          const value = headers.get('authorization') ?? '';
          const m = /^Bearer (\S+)$/.exec(value);
          if (!m?.[1]) throw new Error('no ID token in the request headers');
          this.lastError = undefined;
          return m[1];
        } catch (err) {
          client = undefined;
          throw this.fail('ID_TOKEN_UNAVAILABLE', `No ID token for audience ${audience} (${describeCause(err)}).`);
        }
      },
      invalidate: () => {
        client = undefined;
      },
    };
    this.idSources.set(audience, source);
    return source;
  }

  /** A synchronous snapshot for /healthz. */
  status(): IdentityStatus {
    if (this.mode === 'off') return { mode: 'off', state: 'off' };
    const r = this.lastReport;
    return {
      mode: this.mode,
      state: this.lastError ? 'failed' : r ? 'ready' : 'unknown',
      ...(r ? { kind: r.kind, source: r.source, ...(r.account ? { account: r.account } : {}) } : {}),
      ...(this.lastError ? { lastError: this.lastError } : {}),
    };
  }
}

const KIND_WORDS: Record<CredentialKind, string> = {
  'attached-service-account': 'attached service account',
  'service-account-key': 'service-account key file',
  'authorized-user': 'user credentials',
  'impersonated-service-account': 'impersonated service account',
  'external-account': 'workload identity federation',
  other: 'credential',
};

const SOURCE_WORDS: Record<CredentialSource, string> = {
  'metadata-server': 'from the metadata server',
  GOOGLE_APPLICATION_CREDENTIALS: 'from GOOGLE_APPLICATION_CREDENTIALS',
  'gcloud-adc-file': 'from the gcloud ADC file',
};

/** The start-up line, e.g. "Scopewise acts as x@p.iam.gserviceaccount.com (attached service account, from the metadata server)". */
export function formatCredentialLine(report: CredentialReport): string {
  const who = report.account ?? 'a user account';
  return `Scopewise acts as ${who} (${KIND_WORDS[report.kind]}, ${SOURCE_WORDS[report.source]})`;
}
