// Page tokens: opaque base64url of an offset, tied to the list they came from.
import { invalidArgument, type ApiError } from './errors.js';

export interface Page<T> {
  items: T[];
  nextPageToken: string | undefined;
}

export function paginate<T>(
  all: readonly T[],
  pageSize: number,
  pageToken: string | undefined | null,
  listId: string,
  onBadToken: () => ApiError = () => invalidArgument('Invalid page token.'),
): Page<T> {
  let offset = 0;
  if (pageToken) {
    try {
      const decoded = JSON.parse(Buffer.from(pageToken, 'base64url').toString('utf8')) as { o?: unknown; l?: unknown };
      if (typeof decoded.o !== 'number' || decoded.l !== listId || decoded.o < 0) throw new Error('bad');
      offset = decoded.o;
    } catch {
      throw onBadToken();
    }
  }
  const items = all.slice(offset, offset + pageSize);
  const next =
    offset + pageSize < all.length
      ? Buffer.from(JSON.stringify({ o: offset + pageSize, l: listId })).toString('base64url')
      : undefined;
  return { items, nextPageToken: next };
}

/** Reads a page size parameter: default when absent, capped at max; non-numbers and negatives are rejected. */
export function pageSizeOf(raw: unknown, def: number, max: number, onBad: () => ApiError): number {
  if (raw === undefined || raw === null || raw === '') return def;
  const n = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isInteger(n) || n < 0) throw onBad();
  if (n === 0) return def;
  return Math.min(n, max);
}

/**
 * The page a list call asks for with the newer APIs' `pageSize` and `pageToken` query parameters. `onBadSize`:
 * the API's answer to a page size that is not a number (by default INVALID_ARGUMENT "Invalid page size.").
 */
export function requestedPage<T>(
  query: URLSearchParams,
  all: readonly T[],
  sizes: { readonly default: number; readonly max: number },
  listId: string,
  onBadSize: () => ApiError = () => invalidArgument('Invalid page size.'),
): Page<T> {
  return paginate(
    all,
    pageSizeOf(query.get('pageSize'), sizes.default, sizes.max, onBadSize),
    query.get('pageToken'),
    listId,
  );
}

/** `{ nextPageToken }` when another page follows; nothing on the last page (Google leaves the field out). */
export function nextPageField(page: Page<unknown>): { nextPageToken?: string } {
  return page.nextPageToken ? { nextPageToken: page.nextPageToken } : {};
}

/** A newer API's list answer: the page's items under `field` (left out when there are none) and the next token. */
export function listBody<T>(page: Page<T>, field: string, toJson: (item: T) => unknown): Record<string, unknown> {
  return { ...(page.items.length ? { [field]: page.items.map(toJson) } : {}), ...nextPageField(page) };
}
