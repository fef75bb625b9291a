// From a verified SET's `events` claim to typed events. Pure. A payload that does not fit its event type is
// refused (SET_EVENT_INVALID: RFC 8935 invalid_request); a well-formed event that Scopewise cannot act on is
// kept as `ignored` with the reason (acknowledged and audited), so that the transmitter does not retry it.
import { SetError } from './errors.js';
import { eventNameOf, type IgnoredWhy, type RiscEvent, type TokenIdentifier } from './types.js';
import type { VerifiedSet } from './verify-set.js';

export interface ParseEventsOptions {
  /** Issuers whose `sub` values are this app's users (the OIDC issuer). Compared without a trailing slash. */
  subjectIssuers: readonly string[];
}

const MAX_SUB = 255;
const MAX_REASON = 200;
const MAX_STATE = 1024;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this rejects
const CONTROL = /[\u0000-\u001f\u007f]/;

function normaliseIssuer(iss: string): string {
  return iss.replace(/\/+$/, '');
}

function invalid(uri: string, why: string): SetError {
  return new SetError('SET_EVENT_INVALID', `${uri}: ${why}`);
}

type SubjectResult = { sub: string } | { ignored: IgnoredWhy };

/** An `iss-sub` (or `id_token_claims`) subject naming one of our users. */
function subjectSub(uri: string, payload: Record<string, unknown>, opts: ParseEventsOptions): SubjectResult {
  const subject = payload['subject'];
  if (typeof subject !== 'object' || subject === null || Array.isArray(subject))
    throw invalid(uri, 'no subject object');
  const s = subject as Record<string, unknown>;
  // RFC 9493 renamed subject_type to format; Google sends subject_type.
  const type = s['subject_type'] ?? s['format'];
  if (type !== undefined && type !== 'iss-sub' && type !== 'iss_sub' && type !== 'id_token_claims')
    return { ignored: 'subject-without-sub' };
  const { iss, sub } = s;
  if (typeof iss !== 'string' || !iss) throw invalid(uri, 'subject has no iss');
  if (typeof sub !== 'string' || !sub || sub.length > MAX_SUB || CONTROL.test(sub))
    throw invalid(uri, 'subject has no usable sub');
  const ours = opts.subjectIssuers.map(normaliseIssuer);
  if (!ours.includes(normaliseIssuer(iss))) return { ignored: 'foreign-subject-issuer' };
  return { sub };
}

type TokenResult = { token: TokenIdentifier; sub?: string } | { ignored: IgnoredWhy };

/** The OAuth token subject of `token-revoked`: token_type, token_identifier_alg, token. */
function tokenSubject(uri: string, payload: Record<string, unknown>): TokenResult {
  const subject = payload['subject'];
  if (typeof subject !== 'object' || subject === null || Array.isArray(subject))
    throw invalid(uri, 'no subject object');
  const s = subject as Record<string, unknown>;
  const alg = s['token_identifier_alg'];
  const value = s['token'];
  if (typeof alg !== 'string' || typeof value !== 'string' || !value)
    throw invalid(uri, 'subject has no token_identifier_alg and token');
  if (s['token_type'] !== undefined && s['token_type'] !== 'refresh_token')
    return { ignored: 'unsupported-token-identifier' };
  if (alg === 'prefix') {
    if (value.length !== 16) throw invalid(uri, 'a prefix identifier must be 16 characters');
    return { token: { alg, value } };
  }
  if (alg === 'hash_base64_sha512_sha512') {
    // 64 bytes → 88 base64 characters with padding (86 without).
    if (!/^[A-Za-z0-9+/_-]{86}(==)?$/.test(value)) throw invalid(uri, 'a hash identifier must be base64 of 64 bytes');
    return { token: { alg, value } };
  }
  return { ignored: 'unsupported-token-identifier' };
}

function optionalString(uri: string, payload: Record<string, unknown>, field: string, max: number): string | undefined {
  const v = payload[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || CONTROL.test(v)) throw invalid(uri, `${field} is not a string`);
  return v.length > max ? v.slice(0, max) : v;
}

export function parseEvents(set: VerifiedSet, opts: ParseEventsOptions): RiscEvent[] {
  const at = set.iat * 1000;
  const out: RiscEvent[] = [];
  for (const [uri, payload] of Object.entries(set.events)) {
    const name = eventNameOf(uri);
    if (!name) {
      out.push({ name: 'ignored', why: 'unknown-event-type', uri, at });
      continue;
    }
    if (name === 'verification') {
      const state = optionalString(uri, payload, 'state', MAX_STATE);
      out.push({ name, uri, at, ...(state !== undefined ? { state } : {}) });
      continue;
    }
    if (name === 'token-revoked') {
      const t = tokenSubject(uri, payload);
      out.push('ignored' in t ? { name: 'ignored', why: t.ignored, uri, at } : { name, uri, at, token: t.token });
      continue;
    }
    const s = subjectSub(uri, payload, opts);
    if ('ignored' in s) {
      out.push({ name: 'ignored', why: s.ignored, uri, at });
      continue;
    }
    if (name === 'account-disabled') {
      const reason = optionalString(uri, payload, 'reason', MAX_REASON);
      out.push({ name, uri, at, sub: s.sub, ...(reason !== undefined ? { reason } : {}) });
      continue;
    }
    out.push({ name, uri, at, sub: s.sub });
  }
  return out;
}
