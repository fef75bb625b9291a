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
