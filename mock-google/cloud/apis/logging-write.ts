// logging v2: entries.write. Written entries join the project's logs (entries.list shows them, as Google does)
// and are remembered with who wrote them and with which scopes, for the tests (GET /__control/logging-entries).
// Two callers reach writeEntries(): fixture users through the common Cloud API pipeline (HANDLERS below) and
// the mock's own service account through mock-google/workload/ (its tokens belong to no fixture user).
import { findProject, rolesOf } from '../access.js';
import { ApiError, invalidArgument } from '../errors.js';
import type { CloudData, LogEntry } from '../fixtures.js';
import type { HandlerTable } from '../types.js';

export const ENTRIES_WRITE_KEY = 'logging:v2:entries.write';
export const ENTRIES_WRITE_RPC = 'google.logging.v2.LoggingServiceV2.WriteLogEntries';

/** Roles holding `logging.logEntries.create` in the mock's small IAM model. */
export const ROLES_WRITE_LOGS = ['roles/owner', 'roles/editor', 'roles/logging.logWriter', 'roles/logging.admin'];

/** Who wrote an entry, and with what token scopes (the tests check least privilege with it). */
export interface WriteMeta {
  writer: string;
  tokenScopes: string[];
}

export interface WrittenEntry extends WriteMeta {
  entry: Omit<LogEntry, 'project'>;
  project: string;
}

// Keyed by the entry objects of one mock's CloudData: nothing is shared between mock instances.
const written = new WeakMap<LogEntry, WriteMeta>();

const LOG_NAME = /^projects\/([^/]+)\/logs\/([^/]+)$/;
const LOG_ID = /^[A-Za-z0-9/_\-.]{1,512}$/;
const SEVERITIES = new Set([
  'DEFAULT',
  'DEBUG',
  'INFO',
  'NOTICE',
  'WARNING',
  'ERROR',
  'CRITICAL',
  'ALERT',
  'EMERGENCY',
]);

function permissionDenied(): ApiError {
  // Google's wording when the project is missing or the caller lacks the permission: one answer for both.
  return new ApiError(403, {
    error: {
      code: 403,
      message: "Permission 'logging.logEntries.create' denied on resource (or it may not exist).",
      status: 'PERMISSION_DENIED',
    },
  });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringLabels(v: unknown, where: string): Record<string, string> | undefined {
  if (v === undefined) return undefined;
  if (!isRecord(v) || Object.values(v).some((x) => typeof x !== 'string'))
    throw invalidArgument(`${where}: labels must be a map of strings`);
  return v as Record<string, string>;
}

/**
 * Validates and stores the entries of one entries.write request for `writer`. `mayWrite(projectId)` is the IAM
 * check. The whole request is refused when one entry is invalid (no partialSuccess in the mock); an empty list writes nothing.
 * Entries repeating an earlier (logName, insertId, timestamp) are dropped, as Cloud Logging deduplicates them.
 */
export function writeEntries(
  data: CloudData,
  body: Record<string, unknown>,
  writer: WriteMeta,
  mayWrite: (projectId: string) => boolean,
): void {
  const entries = body['entries'] ?? [];
  if (!Array.isArray(entries)) throw invalidArgument('entries: must be a list of log entries');
  // No entries: nothing to write (the mock accepts it, as the routing test's empty body expects).
  const defaultLogName = body['logName'];
  const defaultResource = body['resource'];
  const defaultLabels = stringLabels(body['labels'], 'labels');
  const now = new Date().toISOString();
  const prepared: LogEntry[] = [];
  entries.forEach((raw, i) => {
    const where = `entries[${i}]`;
    if (!isRecord(raw)) throw invalidArgument(`${where}: must be an object`);
    const logName = raw['logName'] ?? defaultLogName;
    const m = typeof logName === 'string' ? LOG_NAME.exec(logName) : null;
    let logId = '';
    try {
      logId = m ? decodeURIComponent(m[2] ?? '') : '';
    } catch {
      logId = '';
    }
    if (!m || !LOG_ID.test(logId))
      throw invalidArgument(`${where}.logName: expected projects/[PROJECT_ID]/logs/[LOG_ID] with a URL-encoded LOG_ID`);
    const projectId = m[1] ?? '';
    const project = findProject(data, projectId);
    if (!project || !mayWrite(project.projectId)) throw permissionDenied();
    const resource = raw['resource'] ?? defaultResource;
    if (!isRecord(resource) || typeof resource['type'] !== 'string')
      throw invalidArgument(`${where}.resource: a monitored resource with a type is required`);
    const payloads = ['jsonPayload', 'textPayload', 'protoPayload'].filter((k) => raw[k] !== undefined);
    if (payloads.length !== 1)
      throw invalidArgument(`${where}: exactly one of jsonPayload, textPayload, protoPayload is required`);
    const severity = raw['severity'] ?? 'DEFAULT';
    if (typeof severity !== 'string' || !SEVERITIES.has(severity))
      throw invalidArgument(`${where}.severity: unknown severity`);
    const timestamp =
      typeof raw['timestamp'] === 'string' && !Number.isNaN(Date.parse(raw['timestamp'])) ? raw['timestamp'] : now;
    const insertId =
      typeof raw['insertId'] === 'string' && raw['insertId']
        ? raw['insertId']
        : `mock-${Math.random().toString(36).slice(2, 14)}`;
    const labels = { ...defaultLabels, ...stringLabels(raw['labels'], `${where}.labels`) };
    const entry: LogEntry = {
      project: project.projectId,
      insertId,
      logName: logName as string,
      resource: {
        type: resource['type'] as string,
        labels: stringLabels(resource['labels'], `${where}.resource.labels`) ?? {},
      },
      timestamp,
      receiveTimestamp: now,
      severity,
      ...(Object.keys(labels).length ? { labels } : {}),
    };
    if (raw['jsonPayload'] !== undefined) {
      if (!isRecord(raw['jsonPayload'])) throw invalidArgument(`${where}.jsonPayload: must be an object`);
      entry.jsonPayload = raw['jsonPayload'];
    } else if (raw['textPayload'] !== undefined) {
      if (typeof raw['textPayload'] !== 'string') throw invalidArgument(`${where}.textPayload: must be a string`);
      entry.textPayload = raw['textPayload'];
    } else {
      if (!isRecord(raw['protoPayload'])) throw invalidArgument(`${where}.protoPayload: must be an object`);
      entry.protoPayload = raw['protoPayload'];
    }
    prepared.push(entry);
  });
  for (const entry of prepared) {
    const duplicate = data.logs.some(
      (e) => e.insertId === entry.insertId && e.logName === entry.logName && e.timestamp === entry.timestamp,
    );
    if (duplicate) continue;
    data.logs.push(entry);
    written.set(entry, { writer: writer.writer, tokenScopes: [...writer.tokenScopes] });
  }
}

/** Entries written through entries.write (oldest first), optionally for one logName or project. */
export function writtenEntries(
  data: CloudData,
  filter: { logName?: string | undefined; project?: string | undefined } = {},
): WrittenEntry[] {
  const out: WrittenEntry[] = [];
  for (const e of data.logs) {
    const meta = written.get(e);
    if (!meta) continue;
    if (filter.logName && e.logName !== filter.logName) continue;
    if (filter.project && e.project !== filter.project) continue;
    const { project, ...entry } = e;
    out.push({ entry, project, writer: meta.writer, tokenScopes: meta.tokenScopes });
  }
  return out;
}

/** Fixture users write through the common pipeline: bearer and scope checked there, IAM from the fixtures here. */
export const loggingWriteHandlers: HandlerTable = {
  [ENTRIES_WRITE_KEY]: {
    rpc: ENTRIES_WRITE_RPC,
    handle(call) {
      const mayWrite = (projectId: string) => {
        const project = findProject(call.data, projectId);
        return !!project && rolesOf(project, call.user).some((r) => ROLES_WRITE_LOGS.includes(r));
      };
      writeEntries(call.data, call.body, { writer: call.user.email, tokenScopes: call.token.scopes }, mayWrite);
      return { body: {} };
    },
  },
};
