/** Cloud Logging v2: entries.list (a read-only POST, so retried like a GET). */
import { z } from 'zod';
import { callEndpoint, type GoogleCallContext } from './call.js';
import { nextPage } from './paging.js';
import { InvalidInputError, checkPageSize, checkPageToken, checkProjectId, checkText } from './ids.js';

export const LogEntrySchema = z.looseObject({
  logName: z.string().optional(),
  insertId: z.string().optional(),
  timestamp: z.string().optional(),
  receiveTimestamp: z.string().optional(),
  severity: z.string().optional(),
  resource: z
    .looseObject({
      type: z.string().optional(),
      labels: z.record(z.string(), z.string()).optional(),
    })
    .optional(),
  labels: z.record(z.string(), z.string()).optional(),
  textPayload: z.string().optional(),
  jsonPayload: z.record(z.string(), z.unknown()).optional(),
  protoPayload: z.record(z.string(), z.unknown()).optional(),
  httpRequest: z.record(z.string(), z.unknown()).optional(),
  trace: z.string().optional(),
  spanId: z.string().optional(),
});
export type LogEntry = z.infer<typeof LogEntrySchema>;

const ListLogEntriesResponseSchema = z.looseObject({
  entries: z.array(LogEntrySchema).optional(),
  nextPageToken: z.string().optional(),
});

export type LogOrder = 'timestamp desc' | 'timestamp asc';

export interface ListLogEntriesParams {
  projectId: string;
  /** Logging query language, at most 20 000 characters. */
  filter?: string | undefined;
  /** 1..1000 */
  pageSize?: number | undefined;
  pageToken?: string | undefined;
  /** Default "timestamp desc" (newest first). */
  orderBy?: LogOrder | undefined;
  /**
   * A partial response (the `fields` system parameter, https://cloud.google.com/apis/docs/system-parameters,
   * read 2026-12-01): e.g. `entries(timestamp,severity),nextPageToken` for counting, a fraction of the bytes.
   */
  fields?: string | undefined;
}

export interface ListLogEntriesResult {
  entries: LogEntry[];
  nextPageToken?: string;
}

/** `POST v2/entries:list` for one project. */
export async function listLogEntries(
  ctx: GoogleCallContext,
  params: ListLogEntriesParams,
): Promise<ListLogEntriesResult> {
  const projectId = checkProjectId(params.projectId);
  const orderBy = params.orderBy ?? 'timestamp desc';
  if (orderBy !== 'timestamp desc' && orderBy !== 'timestamp asc') {
    throw new InvalidInputError('orderBy', 'Field "orderBy" must be "timestamp desc" or "timestamp asc".');
  }
  const filter = checkText(params.filter, 20_000, 'filter');
  const pageSize = checkPageSize(params.pageSize, 1000);
  const pageToken = checkPageToken(params.pageToken);
  const fields = checkText(params.fields, 500, 'fields');
  const answer = await callEndpoint(ctx, 'logging:v2:entries.list', {
    ...(fields ? { query: { fields } } : {}),
    body: {
      resourceNames: [`projects/${projectId}`],
      orderBy,
      ...(filter !== undefined && filter !== '' ? { filter } : {}),
      ...(pageSize !== undefined ? { pageSize } : {}),
      ...(pageToken !== undefined ? { pageToken } : {}),
    },
    schema: ListLogEntriesResponseSchema,
  });
  return {
    entries: answer.entries ?? [],
    ...nextPage(answer),
  };
}
