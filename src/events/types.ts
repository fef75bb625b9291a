// Google Cross-Account Protection (RISC): the event types Scopewise understands, the events it parses from a
// security event token (RFC 8417), and the actions it plans for them. Data only: no I/O.
//
// Source: Google, "Protect user accounts with Cross-Account Protection",
// https://developers.google.com/identity/protocols/risc (read 2026-05-17 copy).

export const RISC_EVENT_URIS = {
  'sessions-revoked': 'https://schemas.openid.net/secevent/risc/event-type/sessions-revoked',
  'tokens-revoked': 'https://schemas.openid.net/secevent/oauth/event-type/tokens-revoked',
  'token-revoked': 'https://schemas.openid.net/secevent/oauth/event-type/token-revoked',
  'account-disabled': 'https://schemas.openid.net/secevent/risc/event-type/account-disabled',
  'account-enabled': 'https://schemas.openid.net/secevent/risc/event-type/account-enabled',
  'account-credential-change-required':
    'https://schemas.openid.net/secevent/risc/event-type/account-credential-change-required',
  verification: 'https://schemas.openid.net/secevent/risc/event-type/verification',
} as const;

export type RiscEventName = keyof typeof RISC_EVENT_URIS;
export const RISC_EVENT_NAMES = Object.keys(RISC_EVENT_URIS) as RiscEventName[];

const NAME_BY_URI = new Map<string, RiscEventName>(RISC_EVENT_NAMES.map((n) => [RISC_EVENT_URIS[n], n]));

export function eventNameOf(uri: string): RiscEventName | undefined {
  return NAME_BY_URI.get(uri);
}

/** The push delivery method Google's stream configuration names (RFC 8935 delivery). */
export const RISC_PUSH_DELIVERY = 'https://schemas.openid.net/secevent/risc/delivery-method/push';

/** The two ways Google names one refresh token in a `token-revoked` event. */
export type TokenIdentifierAlg = 'prefix' | 'hash_base64_sha512_sha512';

export interface TokenIdentifier {
  alg: TokenIdentifierAlg;
  /** The first 16 characters of the token, or base64(SHA-512(SHA-512(token))). Secret-ish: never logged. */
  value: string;
}

/** What every parsed event carries besides its own fields. */
interface EventBase {
  /** The event type URI as sent. */
  uri: string;
  /** When the transmitter issued the SET (ms since epoch): orders block/unblock decisions. */
  at: number;
}

export type RiscEvent =
  | (EventBase & { name: 'sessions-revoked'; sub: string })
  | (EventBase & { name: 'tokens-revoked'; sub: string })
  /** Google names the token only: the subject carries no `sub`, unless a transmitter adds one. */
  | (EventBase & { name: 'token-revoked'; token: TokenIdentifier; sub?: string })
  | (EventBase & { name: 'account-disabled'; sub: string; reason?: string })
  | (EventBase & { name: 'account-enabled'; sub: string })
  | (EventBase & { name: 'account-credential-change-required'; sub: string })
  | (EventBase & { name: 'verification'; state?: string })
  /** A well-formed event Scopewise does not act on, and why (it is audited, and acknowledged). */
  | (EventBase & { name: 'ignored'; why: IgnoredWhy; sub?: string });

export type IgnoredWhy =
  | 'unknown-event-type'
  | 'foreign-subject-issuer'
  | 'subject-without-sub'
  | 'unsupported-token-identifier';

/** One reaction step. The executor runs them in order; each one is one audit event. */
export type Action =
  | { kind: 'block-sign-in'; sub: string; reason: string }
  | { kind: 'unblock-sign-in'; sub: string }
  | { kind: 'end-sessions'; sub: string }
  | { kind: 'drop-refresh-tokens'; sub: string }
  | { kind: 'drop-token'; token: TokenIdentifier; sub?: string }
  | { kind: 'flag-credential-change'; sub: string }
  | { kind: 'log-verification'; state?: string }
  | { kind: 'ignore'; why: IgnoredWhy; uri: string; sub?: string };

export type ActionKind = Action['kind'];
