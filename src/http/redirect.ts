// Every redirect Scopewise answers goes through here. A local target is checked in the form that will reach
// the Location header, after URL normalisation: "/.//evil.example" looks local, but normalises to
// "//evil.example", which a browser reads as another origin. Anything that is not plainly local becomes "/".
import type { Response } from 'express';

const FALLBACK = '/';
const MAX_LENGTH = 2048;
const PROBE_ORIGIN = 'http://scopewise.invalid';

/**
 * The local path (with query and fragment) to send the user to, or "/" when `raw` could lead anywhere else.
 * The raw value and each of its decodings must look local, and so must the normalised value that is returned.
 */
export function safeLocalPath(raw: unknown): string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_LENGTH) return FALLBACK;
  if (!looksLocalInEveryDecoding(raw)) return FALLBACK;
  let url: URL;
  try {
    url = new URL(raw, PROBE_ORIGIN);
  } catch {
    return FALLBACK;
  }
  if (url.origin !== PROBE_ORIGIN) return FALLBACK;
  const normalised = url.pathname + url.search + url.hash;
  // The value we will use: normalisation removes dot segments (also %2e forms) and may join slashes.
  return looksLocalInEveryDecoding(normalised) ? normalised : FALLBACK;
}

/** 303 to a local path (checked by `safeLocalPath`). */
export function redirectLocal(res: Response, target: unknown): void {
  res.redirect(303, safeLocalPath(target));
}

/**
 * 303 to the identity provider's authorization endpoint. Only a URL built by openid-client from the discovered
 * metadata reaches here, never user input; the origin check keeps it that way.
 */
export function redirectToIssuer(res: Response, url: URL, issuerOrigin: string): void {
  if (url.origin !== issuerOrigin) throw new Error(`refusing to redirect to ${url.origin}: not the identity provider`);
  res.redirect(303, url.href);
}

function looksLocalInEveryDecoding(value: string): boolean {
  let candidate = value;
  // The raw form and every decoding of it, so that %2F%2Fevil.com or %5C tricks are caught; each one also
  // normalised, so that a layer that decodes once more (a proxy, another app) cannot make it leave either.
  for (let i = 0; i < 4; i++) {
    if (!looksLocal(candidate) || !looksLocal(normalisedPath(candidate))) return false;
    let decoded: string;
    try {
      decoded = decodeURIComponent(candidate);
    } catch {
      return false;
    }
    if (decoded === candidate) return true;
    candidate = decoded;
  }
  return looksLocal(candidate);
}

function normalisedPath(path: string): string {
  try {
    return new URL(path, PROBE_ORIGIN).pathname;
  } catch {
    return '';
  }
}

function looksLocal(path: string): boolean {
  if (!path.startsWith('/')) return false;
  if (path.startsWith('//')) return false;
  if (path.includes('\\')) return false;
  // Tabs and newlines are stripped by URL parsers: "/\t/evil.com" becomes "//evil.com".
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(path)) return false;
  return true;
}
