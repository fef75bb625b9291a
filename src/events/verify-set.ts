// Security event token verification (RFC 8417 SET, as Google's Cross-Account Protection sends it): signature
// against the transmitter's published keys, then one small check per claim. Each check throws a SetError with
// its own code; nothing here changes any state.
import {
  compactVerify,
  decodeProtectedHeader,
  errors as joseErrors,
  type CryptoKey,
  type JWSHeaderParameters,
} from 'jose';
import { ReceiverUnavailableError, SetError } from './errors.js';

export interface VerifiedSet {
  iss: string;
  aud: string[];
  /** Issued at, seconds since epoch. */
  iat: number;
  jti: string;
  /** Event type URI → payload object. */
  events: Record<string, Record<string, unknown>>;
}

export interface SetKeySource {
  keyFor(header: JWSHeaderParameters): Promise<CryptoKey>;
  issuer(): Promise<string>;
  readonly algorithms: readonly string[];
}

export interface VerifySetOptions {
  keys: SetKeySource;
  /** Accepted `aud` values: this app's OAuth client IDs. */
  clientIds: readonly string[];
  now: number;
  /** Oldest acceptable `iat`, as an age (ms). */
  maxAgeMs: number;
  /** How far in the future `iat` may be (ms). */
  clockSkewMs: number;
}

export const MAX_JTI_LENGTH = 256;
/** typ values a SET may carry (RFC 8417 §2.3 recommends secevent+jwt; plain JWT is common). */
const ACCEPTED_TYP = new Set(['secevent+jwt', 'application/secevent+jwt', 'jwt', 'application/jwt']);

// An empty signature is let through to the algorithm check, so that alg=none is refused by name.
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const COMPACT_JWE = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]*){4}$/;

/** The compact form only: a signed JWT (three parts). Encrypted SETs (five parts) are refused by name. */
export function checkCompactForm(token: string): void {
  if (COMPACT_JWS.test(token)) return;
  if (COMPACT_JWE.test(token)) throw new SetError('SET_ENCRYPTED');
  throw new SetError('SET_MALFORMED');
}

/** A `typ` naming another kind of token (an access token, a logout token…) is not a SET. Absent is fine. */
export function checkTyp(header: JWSHeaderParameters): void {
  if (header.typ === undefined) return;
  if (typeof header.typ !== 'string' || !ACCEPTED_TYP.has(header.typ.toLowerCase()))
    throw new SetError('SET_TYP_WRONG', `typ ${String(header.typ)}`);
}

export function checkIssuer(claims: Record<string, unknown>, issuer: string): string {
  if (claims['iss'] !== issuer)
    throw new SetError('SET_WRONG_ISSUER', `iss ${JSON.stringify(claims['iss'])}, expected ${issuer}`);
  return issuer;
}

export function checkAudience(claims: Record<string, unknown>, clientIds: readonly string[]): string[] {
  const aud = claims['aud'];
  const list =
    typeof aud === 'string'
      ? [aud]
      : Array.isArray(aud) && aud.every((a) => typeof a === 'string')
        ? (aud as string[])
        : undefined;
  if (!list?.some((a) => clientIds.includes(a))) throw new SetError('SET_WRONG_AUDIENCE', `aud ${JSON.stringify(aud)}`);
  return list;
}

/** `iat` must be present, not older than the window, not later than the clock skew allows. `exp` is not required. */
export function checkIssuedAt(
  claims: Record<string, unknown>,
  now: number,
  maxAgeMs: number,
  clockSkewMs: number,
): number {
  const iat = claims['iat'];
  if (typeof iat !== 'number' || !Number.isFinite(iat) || iat < 0) throw new SetError('SET_NO_IAT');
  const at = iat * 1000;
  if (at < now - maxAgeMs) throw new SetError('SET_IAT_TOO_OLD', `iat ${iat}`);
  if (at > now + clockSkewMs) throw new SetError('SET_IAT_IN_FUTURE', `iat ${iat}`);
  return iat;
}

export function checkJti(claims: Record<string, unknown>): string {
  const jti = claims['jti'];
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI_LENGTH) throw new SetError('SET_NO_JTI');
  return jti;
}

/** `events` must be a non-empty object of event type URI → payload object. */
export function checkEvents(claims: Record<string, unknown>): Record<string, Record<string, unknown>> {
  const events = claims['events'];
  if (typeof events !== 'object' || events === null || Array.isArray(events) || Object.keys(events).length === 0)
    throw new SetError('SET_NO_EVENTS');
  for (const [uri, payload] of Object.entries(events)) {
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
      throw new SetError('SET_EVENT_INVALID', `payload of ${uri} is not an object`);
  }
  return events as Record<string, Record<string, unknown>>;
}

function decodeClaims(payload: Uint8Array): Record<string, unknown> {
  let claims: unknown;
  try {
    claims = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch {
    throw new SetError('SET_CLAIMS_NOT_JSON');
  }
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) throw new SetError('SET_CLAIMS_NOT_JSON');
  return claims as Record<string, unknown>;
}

export async function verifySecurityEventToken(token: string, opts: VerifySetOptions): Promise<VerifiedSet> {
  checkCompactForm(token);
  let header: JWSHeaderParameters;
  try {
    header = decodeProtectedHeader(token) as JWSHeaderParameters;
  } catch {
    throw new SetError('SET_MALFORMED', 'protected header');
  }
  checkTyp(header);
  if (typeof header.alg !== 'string' || !opts.keys.algorithms.includes(header.alg))
    throw new SetError('SET_ALG_NOT_ALLOWED', `alg ${String(header.alg)}`);
  let payload: Uint8Array;
  try {
    ({ payload } = await compactVerify(token, (h) => opts.keys.keyFor(h), { algorithms: [...opts.keys.algorithms] }));
  } catch (err) {
    if (err instanceof SetError || err instanceof ReceiverUnavailableError) throw err;
    if (err instanceof joseErrors.JWSSignatureVerificationFailed) throw new SetError('SET_BAD_SIGNATURE');
    if (err instanceof joseErrors.JOSEAlgNotAllowed || err instanceof joseErrors.JOSENotSupported)
      throw new SetError('SET_ALG_NOT_ALLOWED', (err as Error).message);
    throw new SetError('SET_MALFORMED', (err as Error).message);
  }
  // Only signed claims are looked at, and only now.
  const claims = decodeClaims(payload);
  const iss = checkIssuer(claims, await opts.keys.issuer());
  const aud = checkAudience(claims, opts.clientIds);
  const iat = checkIssuedAt(claims, opts.now, opts.maxAgeMs, opts.clockSkewMs);
  const jti = checkJti(claims);
  const events = checkEvents(claims);
  return { iss, aud, iat, jti, events };
}
