// Every refused security event token has a named code (for the log and the audit) and maps to one of the
// RFC 8935 §2.3 error codes (for the transmitter). Codes that are Scopewise's own trouble, not the token's,
// map to 503 so that the transmitter delivers again later.

/** RFC 8935 §2.4 / IANA "Security Event Token Error Codes". */
export type Rfc8935Error =
  | 'invalid_request'
  | 'invalid_key'
  | 'invalid_issuer'
  | 'invalid_audience'
  | 'authentication_failed'
  | 'access_denied';

export const SET_ERRORS = {
  // The request itself.
  SET_CONTENT_TYPE: {
    err: 'invalid_request',
    description: 'The request must have Content-Type application/secevent+jwt.',
  },
  SET_TOO_LARGE: {
    err: 'invalid_request',
    description: 'The security event token is larger than this receiver accepts.',
  },
  SET_MALFORMED: { err: 'invalid_request', description: 'The body is not a signed JWT in compact serialization.' },
  SET_ENCRYPTED: { err: 'invalid_request', description: 'Encrypted security event tokens are not accepted.' },
  SET_TYP_WRONG: { err: 'invalid_request', description: 'The JWT typ header names another kind of token.' },
  // Keys and signature.
  SET_ALG_NOT_ALLOWED: { err: 'invalid_key', description: 'The JWS algorithm is not accepted.' },
  SET_NO_KID: { err: 'invalid_key', description: 'The JWS header has no kid.' },
  SET_UNKNOWN_KID: { err: 'invalid_key', description: "No key with this kid is published in the transmitter's JWKS." },
  SET_BAD_SIGNATURE: { err: 'authentication_failed', description: 'The signature does not verify.' },
  // Claims.
  SET_CLAIMS_NOT_JSON: { err: 'invalid_request', description: 'The JWT payload is not a JSON object.' },
  SET_WRONG_ISSUER: {
    err: 'invalid_issuer',
    description: 'The iss claim is not the issuer of the RISC configuration.',
  },
  SET_WRONG_AUDIENCE: {
    err: 'invalid_audience',
    description: 'The aud claim names none of this receiver’s client IDs.',
  },
  SET_NO_IAT: { err: 'invalid_request', description: 'The iat claim is missing or not a number.' },
  SET_IAT_TOO_OLD: { err: 'invalid_request', description: 'The token was issued too long ago.' },
  SET_IAT_IN_FUTURE: { err: 'invalid_request', description: 'The token is dated in the future.' },
  SET_NO_JTI: { err: 'invalid_request', description: 'The jti claim is missing, empty or too long.' },
  SET_NO_EVENTS: { err: 'invalid_request', description: 'The events claim is missing, not an object, or empty.' },
  SET_EVENT_INVALID: { err: 'invalid_request', description: 'An event payload does not conform to its event type.' },
} as const satisfies Record<string, { err: Rfc8935Error; description: string }>;

export type SetErrorCode = keyof typeof SET_ERRORS;

/** A token refused for what it is: 400 with the RFC 8935 body, nothing changed. */
export class SetError extends Error {
  readonly err: Rfc8935Error;
  readonly description: string;
  constructor(
    readonly code: SetErrorCode,
    /** Extra detail for the log only (never secret; never sent). */
    readonly detail?: string,
  ) {
    super(`${code}${detail ? `: ${detail}` : ''}`);
    this.name = 'SetError';
    this.err = SET_ERRORS[code].err;
    this.description = SET_ERRORS[code].description;
  }
}

/**
 * The receiver could not judge the token (the transmitter's keys or configuration could not be fetched, a
 * store is down), its reaction failed, or another delivery of it is still being acted on. Not the token's
 * fault: 503, the transmitter delivers again (every reaction is idempotent).
 */
export class ReceiverUnavailableError extends Error {
  constructor(
    readonly code:
      | 'RISC_CONFIG_UNAVAILABLE'
      | 'RISC_KEYS_UNAVAILABLE'
      | 'RISC_STORE_UNAVAILABLE'
      | 'RISC_REACTION_FAILED'
      | 'RISC_IN_PROGRESS',
    detail: string,
  ) {
    super(`${code}: ${detail}`);
    this.name = 'ReceiverUnavailableError';
  }
}
