// One log entry for people (pure): which log, a one-line summary of its payload, and the payload in full for
// those who open it. The summary prefers the entry's own message (`message`, `msg`, textPayload), then what an
// audit log says (method, principal, resource), then an HTTP request line, then the first few plain fields.
import type { LogEntry } from '../../google/index.js';

export const SUMMARY_MAX = 160;

export interface EntrySummary {
  /** The log's name, decoded (`cloudaudit.googleapis.com/activity`). */
  log: string;
  /** The monitored resource, shortly (`gce_instance web-1`, `cloud_run_revision api`). */
  resource: string;
  /** One line, at most SUMMARY_MAX characters. */
  summary: string;
  /** The payload as indented JSON when it is structured (shown on demand), else undefined. */
  details?: string | undefined;
}

function oneLine(s: string): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > SUMMARY_MAX ? `${flat.slice(0, SUMMARY_MAX - 1)}…` : flat;
}

export function logIdOf(logName: string | undefined): string {
  if (!logName) return '';
  const i = logName.indexOf('/logs/');
  const id = i >= 0 ? logName.slice(i + 6) : logName;
  try {
    return decodeURIComponent(id);
  } catch {
    return id;
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function resourceOf(e: LogEntry): string {
  const type = e.resource?.type ?? '';
  const labels = e.resource?.labels ?? {};
  const name =
    e.labels?.['compute.googleapis.com/resource_name'] ??
    labels['service_name'] ??
    labels['instance_id'] ??
    labels['function_name'] ??
    labels['bucket_name'] ??
    '';
  return [type, name].filter(Boolean).join(' ');
}

/** A few plain fields of an object as `key=value`, for payloads without a message. */
function fieldsLine(o: Record<string, unknown>): string {
  return Object.entries(o)
    .filter(([, v]) => v === null || ['string', 'number', 'boolean'].includes(typeof v))
    .slice(0, 6)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
}

function auditLine(p: Record<string, unknown>): string | undefined {
  const method = str(p['methodName']);
  if (!method) return undefined;
  const auth = p['authenticationInfo'] as Record<string, unknown> | undefined;
  const who = str(auth?.['principalEmail']);
  const what = str(p['resourceName']);
  return [method, who ? `by ${who}` : undefined, what ? `on ${what}` : undefined].filter(Boolean).join(' ');
}

function httpLine(h: Record<string, unknown> | undefined): string | undefined {
  if (!h) return undefined;
  const parts = [
    str(h['requestMethod']),
    h['status'] !== undefined ? String(h['status']) : undefined,
    str(h['requestUrl']),
  ];
  return parts.some(Boolean) ? parts.filter(Boolean).join(' ') : undefined;
}

export function summarizeEntry(e: LogEntry): EntrySummary {
  const log = logIdOf(e.logName);
  const resource = resourceOf(e);
  if (e.textPayload !== undefined) {
    const text = e.textPayload;
    return {
      log,
      resource,
      summary: oneLine(text) || '(empty message)',
      details: text.length > SUMMARY_MAX || text.includes('\n') ? text : undefined,
    };
  }
  const payload = e.jsonPayload ?? e.protoPayload;
  if (payload) {
    const message = str(payload['message']) ?? str(payload['msg']);
    const audit = e.protoPayload ? auditLine(e.protoPayload) : undefined;
    const http = httpLine(e.httpRequest);
    const rest = fieldsLine(
      Object.fromEntries(Object.entries(payload).filter(([k]) => k !== 'message' && k !== 'msg' && k !== '@type')),
    );
    const line = message ? [message, rest].filter(Boolean).join(' · ') : (audit ?? http ?? rest);
    return { log, resource, summary: oneLine(line || '(structured entry)'), details: JSON.stringify(payload, null, 2) };
  }
  const http = httpLine(e.httpRequest);
  return {
    log,
    resource,
    summary: http ? oneLine(http) : '(no payload)',
    details: e.httpRequest ? JSON.stringify(e.httpRequest, null, 2) : undefined,
  };
}
