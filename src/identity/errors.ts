// Errors of Scopewise's own identity. The code is for logs and /healthz; the message is for an operator and
// never carries a token.

export type IdentityErrorCode =
  /** Application Default Credentials found nothing (no env file, no gcloud file, no metadata server). */
  | 'NO_CREDENTIALS'
  /** SCOPEWISE_IDENTITY=metadata and the metadata server did not answer. */
  | 'METADATA_SERVER_UNAVAILABLE'
  /** The credential file named by GOOGLE_APPLICATION_CREDENTIALS (or gcloud's) could not be used. */
  | 'CREDENTIALS_FILE_INVALID'
  /** An access token was asked for with no scope, a malformed scope, or a cloud-wide scope. */
  | 'SCOPE_REFUSED'
  /** The credential could not produce an access token. */
  | 'ACCESS_TOKEN_UNAVAILABLE'
  /** The credential could not produce an ID token for the audience. */
  | 'ID_TOKEN_UNAVAILABLE'
  /** The identity is off (SCOPEWISE_IDENTITY is unset or off). */
  | 'IDENTITY_OFF';

export class IdentityError extends Error {
  override readonly name = 'IdentityError';
  constructor(
    readonly code: IdentityErrorCode,
    message: string,
  ) {
    super(message);
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message };
  }
}

/** A short, token-free description of a library error (gaxios errors carry URLs and bodies, never tokens). */
export function describeCause(err: unknown): string {
  if (!(err instanceof Error)) return String(err).slice(0, 200);
  const e = err as Error & { code?: unknown; status?: unknown; response?: { status?: unknown } };
  const code = typeof e.code === 'string' ? e.code : undefined;
  const status =
    typeof e.response?.status === 'number' ? e.response.status : typeof e.status === 'number' ? e.status : undefined;
  const firstLine = (e.message.split('\n')[0] ?? '').replace(/(ya29\.|eyJ)[A-Za-z0-9._-]+/g, '[token]').slice(0, 200);
  return [code, status !== undefined ? `HTTP ${status}` : undefined, firstLine].filter(Boolean).join(': ');
}
