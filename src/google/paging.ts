/** The paging parts every list call shares: the page size and token it sends, the next token it returns. */
import { checkPageSize, checkPageToken } from './ids.js';

/** The query of a list call that pages by `pageSize` (1..`maxPageSize`) and `pageToken`, both checked. */
export function pageQuery(
  params: { pageSize?: number | undefined; pageToken?: string | undefined },
  maxPageSize: number,
): { pageSize: number | undefined; pageToken: string | undefined } {
  return { pageSize: checkPageSize(params.pageSize, maxPageSize), pageToken: checkPageToken(params.pageToken) };
}

/** `{ nextPageToken }` when Google says another page follows, nothing otherwise: spread into a list result. */
export function nextPage(answer: { nextPageToken?: string | undefined }): { nextPageToken?: string } {
  return answer.nextPageToken ? { nextPageToken: answer.nextPageToken } : {};
}
