// Google's RISC API (stream configuration, status, verification) called with Scopewise's own identity:
// an OAuth access token from Application Default Credentials, with the narrowest scope each call needs
// (Google's page, "Access token scopes"). No downloaded key is needed.
import { RISC_EVENT_URIS, RISC_PUSH_DELIVERY, type RiscEventName } from './types.js';

const S = 'https://www.googleapis.com/auth/';
export const RISC_SCOPES = {
  configurationRead: `${S}risc.configuration.readonly`,
  configurationWrite: `${S}risc.configuration.readwrite`,
  statusRead: `${S}risc.status.readonly`,
  statusWrite: `${S}risc.status.readwrite`,
  verify: `${S}risc.verify`,
} as const;

export const RISC_API_ROOT = 'https://risc.googleapis.com/v1beta';

/** What google-auth-library's GoogleAuth / AuthClient provide (v10 returns Headers). */
export interface RequestHeadersSource {
  getRequestHeaders(url?: string): Promise<Headers | Record<string, string>>;
}

/** Returns the credentials to call the RISC API with these scopes (default: ADC through google-auth-library). */
export type GetAuthClient = (scopes: string[]) => RequestHeadersSource | Promise<RequestHeadersSource>;

/** The API root: RISC_API_BASE_URL, or under GOOGLE_API_BASE_URL as every Google API (docs/contracts.md). */
export function riscApiRoot(env: Record<string, string | undefined>): string {
  const explicit = env['RISC_API_BASE_URL']?.trim();
  if (explicit) return explicit.replace(/\/+$/, '');
  const base = env['GOOGLE_API_BASE_URL']?.trim();
  if (base) return `${base.replace(/\/+$/, '')}/risc.googleapis.com/v1beta`;
  return RISC_API_ROOT;
}

export type RiscApiErrorCode =
  | 'RISC_AUTH_FAILED'
  | 'RISC_API_REFUSED'
  | 'RISC_API_UNREACHABLE'
  | 'RISC_API_UNAVAILABLE';

export class RiscApiError extends Error {
  constructor(
    readonly code: RiscApiErrorCode,
    message: string,
    readonly status?: number,
    /** What to do about it, for the operator. */
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'RiscApiError';
  }
}

export interface StreamConfiguration {
  delivery?: { delivery_method?: string; url?: string };
  events_requested?: string[];
  events_delivered?: string[];
}

/** Google's error message → what the operator should do (the messages are from Google's error table). */
export function hintFor(status: number, message: string): string | undefined {
  const m = message.toLowerCase();
  if (status === 401)
    return 'The RISC API did not accept the credentials. Check which identity Application Default Credentials resolve to (gcloud auth application-default print-access-token, or the attached service account).';
  if (m.includes('only be called by a service account')) {
    return 'Application Default Credentials resolved to a user account. Run on a workload with an attached service account, or use gcloud auth application-default login --impersonate-service-account=SA_EMAIL.';
  }
  if (m.includes('needs permission'))
    return 'Grant the RISC Configuration Admin role (roles/riscconfigs.admin) to the calling service account on the project that owns the OAuth client.';
  if (m.includes('insufficient authentication scopes'))
    return 'The access token lacks the RISC scope this call needs; on Compute Engine, the VM’s access scopes may be narrower than the request.';
  if (m.includes('https'))
    return 'Google delivers only to https URLs: set BASE_URL (or --url) to the public https address of Scopewise.';
  if (m.includes('does not belong to any of your project'))
    return "Add the receiver's domain to the OAuth consent screen's authorized domains.";
  if (m.includes('no risc configuration') || m.includes('no existing risc configuration'))
    return 'Register the receiver first: npm run risc -- register';
  if (m.includes('at least one oauth client'))
    return 'Create the OAuth client (Credentials page) in the same project first.';
  if (m.includes('project could not be found'))
    return 'The service account belongs to another (or a deleted) project: use one from the project that owns the OAuth client.';
  return undefined;
}

export interface RiscApiClientOptions {
  root?: string;
  getAuthClient: GetAuthClient;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

export class RiscApiClient {
  private readonly root: string;
  private readonly doFetch: typeof fetch;
  private readonly timeoutMs: number;

  constructor(private readonly opts: RiscApiClientOptions) {
    this.root = opts.root ?? RISC_API_ROOT;
    this.doFetch = opts.fetch ?? fetch;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
  }

  private async call<T>(method: 'GET' | 'POST', path: string, scopes: string[], body?: unknown): Promise<T> {
    const url = `${this.root}${path}`;
    let headers: Headers;
    try {
      const client = await this.opts.getAuthClient(scopes);
      // The audience google-auth-library would use for a self-signed JWT is the real API's URL.
      headers = new Headers(await client.getRequestHeaders(`${RISC_API_ROOT}${path}`));
    } catch (err) {
      throw new RiscApiError(
        'RISC_AUTH_FAILED',
        `could not get credentials from Application Default Credentials: ${(err as Error).message}`,
        undefined,
        'Run where a service account is attached (Cloud Run, GKE, Compute Engine), or set up ADC with gcloud auth application-default login --impersonate-service-account=SA_EMAIL.',
      );
    }
    if (!headers.get('authorization'))
      throw new RiscApiError('RISC_AUTH_FAILED', 'the credentials gave no Authorization header');
    headers.set('accept', 'application/json');
    if (body !== undefined) headers.set('content-type', 'application/json');
    let res: Response;
    try {
      res = await this.doFetch(url, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        redirect: 'error',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new RiscApiError('RISC_API_UNREACHABLE', `${method} ${url} failed: ${(err as Error).message}`);
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      json = undefined;
    }
    if (res.ok) return (json ?? {}) as T;
    const message = (json as { error?: { message?: unknown } } | undefined)?.error?.message;
    const msg = typeof message === 'string' ? message : `HTTP ${res.status}`;
    if (res.status >= 500)
      throw new RiscApiError(
        'RISC_API_UNAVAILABLE',
        `${method} ${path}: ${res.status} ${msg}`,
        res.status,
        'Google answered with a server error; try again later.',
      );
    throw new RiscApiError(
      'RISC_API_REFUSED',
      `${method} ${path}: ${res.status} ${msg}`,
      res.status,
      hintFor(res.status, msg),
    );
  }

  /** Registers (or replaces) the stream: push delivery to `receiverUrl` of the given event types. */
  updateStream(receiverUrl: string, events: readonly RiscEventName[]): Promise<StreamConfiguration> {
    return this.call('POST', '/stream:update', [RISC_SCOPES.configurationWrite], {
      delivery: { delivery_method: RISC_PUSH_DELIVERY, url: receiverUrl },
      events_requested: events.map((e) => RISC_EVENT_URIS[e]),
    });
  }

  getStream(): Promise<StreamConfiguration> {
    return this.call('GET', '/stream', [RISC_SCOPES.configurationRead]);
  }

  getStatus(): Promise<{ status?: string }> {
    return this.call('GET', '/stream/status', [RISC_SCOPES.statusRead]);
  }

  setStatus(status: 'enabled' | 'disabled'): Promise<{ status?: string }> {
    return this.call('POST', '/stream/status:update', [RISC_SCOPES.statusWrite], { status });
  }

  /** Asks Google to send a verification event carrying `state` to the registered receiver. */
  async verify(state: string): Promise<void> {
    await this.call('POST', '/stream:verify', [RISC_SCOPES.verify], { state });
  }
}
