/**
 * Google error shapes → one typed error.
 *
 * Google Cloud APIs answer errors as `{"error":{"code","message","status","errors":[...],"details":[...]}}`
 * (AIP-193); older JSON APIs (storage, compute) fill `errors[].reason` and may omit `status`. A 403 means
 * either "this token lacks the OAuth scope" (the fix is incremental consent) or "the admin's IAM role lacks
 * the permission" (the fix is IAM); telling them apart is the point of this module.
 */

export type GoogleErrorCode =
  | 'UNAUTHENTICATED'
  | 'SCOPE_INSUFFICIENT'
  | 'PERMISSION_DENIED'
  | 'NOT_FOUND'
  | 'INVALID_ARGUMENT'
  | 'FAILED_PRECONDITION'
  | 'RATE_LIMITED'
  | 'UNAVAILABLE'
  | 'TIMEOUT'
  | 'NETWORK'
  | 'BAD_RESPONSE';

export interface GoogleApiErrorInit {
  code: GoogleErrorCode;
  /** HTTP status; 0 when there was no HTTP answer (TIMEOUT, NETWORK). */
  status: number;
  message: string;
  /** Google's canonical status string, e.g. "PERMISSION_DENIED". */
  googleStatus?: string | undefined;
  /** The most specific machine reason Google gave, e.g. "ACCESS_TOKEN_SCOPE_INSUFFICIENT", "SERVICE_DISABLED". */
  reason?: string | undefined;
  /** Scopes from `WWW-Authenticate: Bearer ... scope="..."`; any one of them authorizes the call. */
  requiredScopes?: string[] | undefined;
  retryable?: boolean | undefined;
  /** Parsed `Retry-After`, in milliseconds. */
  retryAfterMs?: number | undefined;
}

const MAX_MESSAGE_CHARS = 1000;

export class GoogleApiError extends Error {
  override readonly name = 'GoogleApiError';
  readonly code: GoogleErrorCode;
  readonly status: number;
  readonly googleStatus: string | undefined;
  readonly reason: string | undefined;
  readonly requiredScopes: string[] | undefined;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(init: GoogleApiErrorInit) {
    super(truncate(init.message));
    this.code = init.code;
    this.status = init.status;
    this.googleStatus = init.googleStatus;
    this.reason = init.reason;
    this.requiredScopes = init.requiredScopes;
    this.retryable = init.retryable ?? false;
    this.retryAfterMs = init.retryAfterMs;
  }

  /** Safe, explicit serialisation (what a log line may carry). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      status: this.status,
      googleStatus: this.googleStatus,
      reason: this.reason,
      message: this.message,
      requiredScopes: this.requiredScopes,
      retryable: this.retryable,
      retryAfterMs: this.retryAfterMs,
    };
  }
}

export function isGoogleApiError(value: unknown): value is GoogleApiError {
  return value instanceof GoogleApiError;
}

export type HeadersLike = Headers | Record<string, string | string[] | undefined>;

/** Case-insensitive header read from a fetch `Headers` or a plain record (node:http style). */
export function readHeader(headers: HeadersLike | undefined, name: string): string | undefined {
  if (headers === undefined) return undefined;
  if (typeof (headers as Headers).get === 'function') {
    return (headers as Headers).get(name) ?? undefined;
  }
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    if (key.toLowerCase() !== wanted || value === undefined) continue;
    return Array.isArray(value) ? value.join(', ') : value;
  }
  return undefined;
}

/**
 * Parses the auth-params of a `WWW-Authenticate` header (RFC 7235 / RFC 6750), e.g.
 * `Bearer realm="https://accounts.google.com/", error="insufficient_scope", scope="a b"`.
 * Returns the scheme of the first challenge and the params (lower-cased names; first occurrence wins).
 */
export function parseWwwAuthenticate(value: string): { scheme: string | undefined; params: Record<string, string> } {
  const params: Record<string, string> = {};
  let i = 0;
  const n = value.length;
  const skipWs = (): void => {
    while (i < n && (value[i] === ' ' || value[i] === '\t')) i++;
  };
  skipWs();
  let scheme: string | undefined;
  const schemeMatch = /^[A-Za-z0-9!#$&'*+.^_`|~-]+(?=\s|$)/.exec(value.slice(i));
  if (
    schemeMatch &&
    !value
      .slice(i + schemeMatch[0].length)
      .trimStart()
      .startsWith('=')
  ) {
    scheme = schemeMatch[0];
    i += schemeMatch[0].length;
  }
  while (i < n) {
    skipWs();
    while (i < n && (value[i] === ',' || value[i] === ' ' || value[i] === '\t')) i++;
    const start = i;
    while (i < n && /[A-Za-z0-9!#$&'*+.^_`|~-]/.test(value[i] ?? '')) i++;
    const name = value.slice(start, i).toLowerCase();
    skipWs();
    if (name === '' || value[i] !== '=') {
      // Not an auth-param (e.g. a second scheme or token68): skip to the next comma.
      while (i < n && value[i] !== ',') i++;
      continue;
    }
    i++; // '='
    skipWs();
    let paramValue = '';
    if (value[i] === '"') {
      i++;
      while (i < n && value[i] !== '"') {
        if (value[i] === '\\' && i + 1 < n) i++;
        paramValue += value[i];
        i++;
      }
      i++; // closing quote
    } else {
      const vStart = i;
      while (i < n && value[i] !== ',' && value[i] !== ' ' && value[i] !== '\t') i++;
      paramValue = value.slice(vStart, i);
    }
    if (!(name in params)) params[name] = paramValue;
  }
  return { scheme, params };
}

/** `Retry-After` (delta-seconds or HTTP-date) → milliseconds from `nowMs`; undefined when absent/invalid. */
export function parseRetryAfter(value: string | undefined, nowMs: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d{1,9}$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

interface GoogleErrorBody {
  code?: unknown;
  message?: unknown;
  status?: unknown;
  errors?: unknown;
  details?: unknown;
}

function extractErrorBody(bodyText: string): {
  error?: GoogleErrorBody;
  oauthError?: string;
  oauthDescription?: string;
} {
  if (bodyText.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(bodyText);
  } catch {
    return {};
  }
  // Some front ends wrap the error in a one-element array.
  if (Array.isArray(parsed)) parsed = parsed[0];
  if (parsed === null || typeof parsed !== 'object') return {};
  const err = (parsed as { error?: unknown }).error;
  if (err !== null && typeof err === 'object' && !Array.isArray(err)) return { error: err as GoogleErrorBody };
  if (typeof err === 'string') {
    const description = (parsed as { error_description?: unknown }).error_description;
    return { oauthError: err, ...(typeof description === 'string' ? { oauthDescription: description } : {}) };
  }
  return {};
}

function reasonsOf(error: GoogleErrorBody | undefined): { detailReasons: string[]; legacyReasons: string[] } {
  const detailReasons: string[] = [];
  const legacyReasons: string[] = [];
  if (error && Array.isArray(error.details)) {
    for (const d of error.details as unknown[]) {
      if (d && typeof d === 'object' && typeof (d as { reason?: unknown }).reason === 'string') {
        detailReasons.push((d as { reason: string }).reason);
      }
    }
  }
  if (error && Array.isArray(error.errors)) {
    for (const e of error.errors as unknown[]) {
      if (e && typeof e === 'object' && typeof (e as { reason?: unknown }).reason === 'string') {
        legacyReasons.push((e as { reason: string }).reason);
      }
    }
  }
  return { detailReasons, legacyReasons };
}

const RATE_LIMIT_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded', 'RATE_LIMIT_EXCEEDED']);
const RETRYABLE_5XX = new Set([500, 502, 503, 504]);

function defaultMessage(code: GoogleErrorCode, status: number): string {
  switch (code) {
    case 'UNAUTHENTICATED':
      return 'Google did not accept the access token.';
    case 'SCOPE_INSUFFICIENT':
      return 'The access token lacks the OAuth scope this call needs.';
    case 'PERMISSION_DENIED':
      return 'The caller does not have permission.';
    case 'NOT_FOUND':
      return 'Not found.';
    case 'RATE_LIMITED':
      return 'Google rate-limited the request.';
    case 'UNAVAILABLE':
      return `Google answered HTTP ${status}.`;
    default:
      return `Google answered HTTP ${status}.`;
  }
}

/**
 * Pure mapping of an HTTP error answer to a `GoogleApiError`. `bodyText` may be anything (JSON, HTML, empty).
 * `status` must be a non-2xx HTTP status.
 */
export function parseGoogleError(status: number, headers: HeadersLike | undefined, bodyText: string): GoogleApiError {
  const { error, oauthError, oauthDescription } = extractErrorBody(bodyText);
  const googleStatus = typeof error?.status === 'string' ? error.status : undefined;
  const googleMessage = typeof error?.message === 'string' && error.message !== '' ? error.message : oauthDescription;
  const { detailReasons, legacyReasons } = reasonsOf(error);

  const wwwAuth = readHeader(headers, 'www-authenticate');
  const challenge = wwwAuth !== undefined ? parseWwwAuthenticate(wwwAuth) : undefined;
  const challengeError = challenge?.params['error'];
  const scopeParam = challenge?.params['scope'];
  const requiredScopes = scopeParam !== undefined ? scopeParam.split(/\s+/).filter((s) => s !== '') : undefined;
  const retryAfterMs = parseRetryAfter(readHeader(headers, 'retry-after'));

  const reason = detailReasons[0] ?? legacyReasons[0] ?? challengeError ?? oauthError;

  let code: GoogleErrorCode;
  let retryable = false;
  if (status === 401) {
    code = 'UNAUTHENTICATED';
  } else if (status === 403) {
    // Every shape Google uses for "the token lacks the scope": the ErrorInfo reason (newer APIs), the legacy
    // errors[] reason (storage, compute), the RFC 6750 challenge (quoted or not), or, when a minimal gRPC-style
    // body comes without the header, Google's fixed message (seen from Secret Manager and the People API:
    // salrashid123/gce_metadata_server#5, kwent/react-google-contacts#6).
    const scopeInsufficient =
      detailReasons.includes('ACCESS_TOKEN_SCOPE_INSUFFICIENT') ||
      legacyReasons.includes('insufficientPermissions') ||
      challengeError === 'insufficient_scope' ||
      (typeof error?.message === 'string' &&
        /^(Insufficient Permission: )?Request had insufficient authentication scopes\.?$/.test(error.message));
    if (scopeInsufficient) {
      code = 'SCOPE_INSUFFICIENT';
    } else if ([...detailReasons, ...legacyReasons].some((r) => RATE_LIMIT_REASONS.has(r))) {
      // compute/storage report per-user quota as 403 rateLimitExceeded.
      code = 'RATE_LIMITED';
      retryable = true;
    } else {
      code = 'PERMISSION_DENIED';
    }
  } else if (status === 404) {
    code = 'NOT_FOUND';
  } else if (status === 408) {
    code = 'TIMEOUT';
    retryable = true;
  } else if (status === 409 || status === 412) {
    code = 'FAILED_PRECONDITION';
  } else if (status === 429) {
    code = 'RATE_LIMITED';
    retryable = true;
  } else if (status >= 500 && status <= 599) {
    code = 'UNAVAILABLE';
    retryable = RETRYABLE_5XX.has(status);
  } else if (status >= 400 && status <= 499) {
    code = 'INVALID_ARGUMENT';
  } else {
    code = 'BAD_RESPONSE';
  }

  return new GoogleApiError({
    code,
    status,
    message: googleMessage ?? defaultMessage(code, status),
    googleStatus,
    reason,
    requiredScopes: requiredScopes && requiredScopes.length > 0 ? requiredScopes : undefined,
    retryable,
    retryAfterMs,
  });
}

function truncate(message: string): string {
  return message.length > MAX_MESSAGE_CHARS ? `${message.slice(0, MAX_MESSAGE_CHARS)}…` : message;
}
