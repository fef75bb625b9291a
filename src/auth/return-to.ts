// Where to send the user after sign-in or consent: a local path only. Anything that a browser could
// read as another origin (`//host`, `/\host`, `https:`, `javascript:`, their percent-encoded forms,
// control characters) falls back to `/`.
const FALLBACK = '/';
const MAX_LENGTH = 2048;
const PROBE_ORIGIN = 'http://scopewise.invalid';

export function safeReturnTo(raw: unknown): string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_LENGTH) return FALLBACK;
  let candidate = raw;
  // Check the raw form and every decoding of it, so that %2F%2Fevil.com or %5C tricks are caught.
  for (let i = 0; i < 4; i++) {
    if (!looksLocal(candidate)) return FALLBACK;
    let decoded: string;
    try {
      decoded = decodeURIComponent(candidate);
    } catch {
      return FALLBACK;
    }
    if (decoded === candidate) break;
    candidate = decoded;
  }
  let url: URL;
  try {
    url = new URL(raw, PROBE_ORIGIN);
  } catch {
    return FALLBACK;
  }
  if (url.origin !== PROBE_ORIGIN) return FALLBACK;
  return url.pathname + url.search + url.hash;
}

function looksLocal(path: string): boolean {
  if (!path.startsWith('/')) return false;
  if (path.startsWith('//')) return false;
  if (path.includes('\\')) return false;
  // Tabs and newlines are stripped by URL parsers: "/\t/evil.com" becomes "//evil.com".
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(path)) return false;
  return true;
}
