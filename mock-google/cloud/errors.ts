// Google API error bodies, copied in shape from what Google's front ends answer.
import type { ApiMethod } from '../methods.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(`API error ${status}`);
  }
}

/** The `details[]` entry the newer APIs give the machine-readable why in: a google.rpc.ErrorInfo. */
export function errorInfo(reason: string, domain: string, metadata: Record<string, string>) {
  return { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason, domain, metadata };
}

const REALM = 'realm="https://accounts.google.com/"';

export function unauthenticated(): ApiError {
  return new ApiError(
    401,
    {
      error: {
        code: 401,
        message:
          'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
        errors: [
          {
            message: 'Invalid Credentials',
            domain: 'global',
            reason: 'authError',
            location: 'Authorization',
            locationType: 'header',
          },
        ],
        status: 'UNAUTHENTICATED',
      },
    },
    { 'WWW-Authenticate': `Bearer ${REALM}, error="invalid_token"` },
  );
}

/**
 * The insufficient-scope 403, in the shape each API family really returns (shapes as quoted in public bug reports):
 *  - `legacy-json` (Cloud Storage, Compute Engine, BigQuery JSON APIs): `errors[].reason: insufficientPermissions`,
 *    message "Insufficient Permission", no `status`, and `WWW-Authenticate: Bearer realm=…, error=insufficient_scope,
 *    scope="…"` with the error value unquoted (GoogleCloudPlatform/fda-mystudies#70 for the storage body,
 *    googleapis/google-cloud-python#1195 for the storage header);
 *  - `error-info` (newer APIs behind Google's front end): message "Request had insufficient authentication
 *    scopes.", `status: PERMISSION_DENIED`, `errors[]` insufficientPermissions and a `details[]` ErrorInfo with
 *    `reason: ACCESS_TOKEN_SCOPE_INSUFFICIENT` (analogdotnow/Analog#296), plus the quoted WWW-Authenticate header.
 */
export type ScopeErrorStyle = 'legacy-json' | 'error-info';

const LEGACY_JSON_HOSTS = new Set(['storage.googleapis.com', 'compute.googleapis.com', 'bigquery.googleapis.com']);

export function scopeErrorStyle(host: string): ScopeErrorStyle {
  return LEGACY_JSON_HOSTS.has(host) ? 'legacy-json' : 'error-info';
}

/** `scopes`: what the mock's own table (cloud/authorization.ts) says authorizes the method. */
export function insufficientScope(method: ApiMethod, rpc: string, scopes: readonly string[]): ApiError {
  if (scopeErrorStyle(method.host) === 'legacy-json') {
    const message = 'Insufficient Permission';
    return new ApiError(
      403,
      { error: { code: 403, message, errors: [{ message, domain: 'global', reason: 'insufficientPermissions' }] } },
      { 'WWW-Authenticate': `Bearer ${REALM}, error=insufficient_scope, scope="${scopes.join(' ')}"` },
    );
  }
  return new ApiError(
    403,
    {
      error: {
        code: 403,
        message: 'Request had insufficient authentication scopes.',
        errors: [{ message: 'Insufficient Permission', domain: 'global', reason: 'insufficientPermissions' }],
        status: 'PERMISSION_DENIED',
        details: [
          errorInfo('ACCESS_TOKEN_SCOPE_INSUFFICIENT', 'googleapis.com', { service: method.host, method: rpc }),
        ],
      },
    },
    { 'WWW-Authenticate': `Bearer ${REALM}, error="insufficient_scope", scope="${scopes.join(' ')}"` },
  );
}

/** IAM said no (not a scope problem): the newer APIs' shape, no ErrorInfo detail. */
export function callerDenied(): ApiError {
  return new ApiError(403, {
    error: { code: 403, message: 'The caller does not have permission', status: 'PERMISSION_DENIED' },
  });
}

/** IAM said no, in the shape of the APIs that name the missing permission (an IAM_PERMISSION_DENIED ErrorInfo). */
export function iamPermissionDenied(message: string, domain: string, metadata: Record<string, string>): ApiError {
  return new ApiError(403, {
    error: {
      code: 403,
      message,
      status: 'PERMISSION_DENIED',
      details: [errorInfo('IAM_PERMISSION_DENIED', domain, metadata)],
    },
  });
}

/** IAM said no, in the older JSON APIs' shape (compute, storage, bigquery). */
export function legacyForbidden(message: string, reason = 'forbidden'): ApiError {
  return new ApiError(403, { error: { code: 403, message, errors: [{ message, domain: 'global', reason }] } });
}

export function notFound(message: string): ApiError {
  return new ApiError(404, {
    error: { code: 404, message, errors: [{ message, domain: 'global', reason: 'notFound' }], status: 'NOT_FOUND' },
  });
}

export function invalidArgument(message: string, legacyReason?: string): ApiError {
  return new ApiError(400, {
    error: {
      code: 400,
      message,
      ...(legacyReason ? { errors: [{ message, domain: 'global', reason: legacyReason }] } : {}),
      status: 'INVALID_ARGUMENT',
    },
  });
}

export function methodNotFound(path: string): ApiError {
  return new ApiError(404, {
    error: {
      code: 404,
      message: `Method not found: ${path}`,
      errors: [{ message: 'Not Found', domain: 'global', reason: 'notFound' }],
      status: 'NOT_FOUND',
    },
  });
}

export function notImplemented(key: string): ApiError {
  return new ApiError(501, {
    error: { code: 501, message: `The mock has no fixture handler for ${key}.`, status: 'UNIMPLEMENTED' },
  });
}
