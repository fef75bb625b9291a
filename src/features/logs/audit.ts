// Scopewise's own audit entries (exported to Cloud Logging by src/audit/sinks/cloud-logging.ts: label
// app=scopewise, the event and its fields in jsonPayload) read as a timeline: who, what, which scopes (pure).
import type { LogEntry } from '../../google/index.js';
import { shortScope } from '../../scopes/index.js';

export interface AuditItem {
  at: number;
  event: string;
  /** The account's e-mail when known (from the entry, or another entry of the same account), else its id. */
  who: string;
  /** What happened, as a phrase that follows the account (`granted access for Logs`). */
  what: string;
  /** Scopes the event concerns, short names (`logging.read`). */
  scopes: string[];
  /** Scopes asked for and not granted (a consent where boxes were unticked). */
  declined: string[];
  tone: 'ok' | 'warn' | 'danger' | 'neutral';
}

/** The filter that selects Scopewise's audit entries (the label every exported entry carries). */
export const AUDIT_FILTER = 'labels.app="scopewise"';

export function isScopewiseAudit(e: LogEntry): boolean {
  return e.labels?.['app'] === 'scopewise' && typeof e.jsonPayload?.['event'] === 'string';
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const scopes = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string').map(shortScope) : [];

/** sub → e-mail, from the entries that carry both (sign-in) and the reader's own account. */
export function knownEmails(entries: readonly LogEntry[], self?: { sub: string; email: string }): Map<string, string> {
  const out = new Map<string, string>();
  if (self) out.set(self.sub, self.email);
  for (const e of entries) {
    const sub = str(e.jsonPayload?.['sub']);
    const email = str(e.jsonPayload?.['email']);
    if (sub && email) out.set(sub, email);
  }
  return out;
}

type Fields = Record<string, unknown>;
type Phrase = (f: Fields, feature: string) => string;

const PHRASES: Record<string, Phrase> = {
  'sign-in': () => 'signed in',
  'sign-in-refused': (f) => `was refused sign-in (${str(f['reason']) ?? 'no reason given'})`,
  'sign-out': () => 'signed out',
  'consent-asked': (_f, feature) => `was asked to grant access for ${feature}`,
  'consent-granted': (_f, feature) => `granted access for ${feature}`,
  'consent-refused': (f) => `consent was refused (${str(f['reason']) ?? 'no reason given'})`,
  'feature-action': (f, feature) => {
    const action = str(f['action']) ?? 'changed';
    const target = [str(f['instance']), str(f['project']) ? `in ${str(f['project'])}` : undefined]
      .filter(Boolean)
      .join(' ');
    const result = str(f['result']);
    return `${feature}: ${action} ${target}${result ? ` (${result === 'failed' ? 'failed' : `Google: ${result}`})` : ''}`;
  },
  'token-refresh-failed': (f) => `Google access could not be refreshed (${str(f['reason']) ?? 'unknown reason'})`,
  'grant-lost': () => 'lost the Google access this session held',
  disconnect: () => 'disconnected Scopewise from Google (grant revoked)',
  'reduce-access': () => 'reduced the access Scopewise holds',
  'session-ended': (f) => `session ended (${str(f['reason']) ?? 'no reason given'})`,
  'sign-out-others': (f) => `signed out ${typeof f['ended'] === 'number' ? f['ended'] : 'the'} other sessions`,
  'scopes-verified': (f) => `checked the scopes live${str(f['project']) ? ` in ${str(f['project'])}` : ''}`,
};

const TONE: Record<string, AuditItem['tone']> = {
  'sign-in': 'ok',
  'consent-granted': 'ok',
  'sign-in-refused': 'danger',
  'consent-refused': 'warn',
  'token-refresh-failed': 'warn',
  'grant-lost': 'warn',
  disconnect: 'neutral',
};

export function auditItem(
  e: LogEntry,
  emails: ReadonlyMap<string, string>,
  featureTitle: (id: string) => string | undefined,
): AuditItem {
  const f = (e.jsonPayload ?? {}) as Fields;
  const event = str(f['event']) ?? 'unknown';
  const sub = str(f['sub']);
  const who = str(f['email']) ?? (sub ? (emails.get(sub) ?? `account ${sub}`) : 'Scopewise');
  const featureId = str(f['feature']);
  const feature = featureId ? (featureTitle(featureId) ?? featureId) : 'a feature';
  const phrase =
    PHRASES[event] ??
    (event.startsWith('risc-') ? () => `Google account event: ${event.slice(5).replace(/-/g, ' ')}` : () => event);
  const asked = scopes(f['requested']).length ? scopes(f['requested']) : scopes(f['scopes']);
  const declined = scopes(f['declined']);
  const dropped = scopes(f['dropped']);
  const failed = str(f['result']) === 'failed';
  return {
    at: e.timestamp ? Date.parse(e.timestamp) : Number.NaN,
    event,
    who,
    what: phrase(f, feature),
    scopes: event === 'reduce-access' ? dropped : asked,
    declined,
    tone: failed
      ? 'danger'
      : declined.length
        ? 'warn'
        : (TONE[event] ?? (e.severity === 'WARNING' ? 'warn' : 'neutral')),
  };
}
