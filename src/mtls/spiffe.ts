/**
 * SPIFFE IDs and X509-SVIDs (https://github.com/spiffe/spiffe/blob/main/standards/SPIFFE-ID.md and
 * X509-SVID.md), pure. Google's managed workload identities are SPIFFE IDs such as
 * `spiffe://POOL.global.PROJECT_NUMBER.workload.id.goog/ns/NAMESPACE/sa/IDENTITY` (Compute Engine) or
 * `spiffe://PROJECT_ID.svc.id.goog/ns/K8S_NAMESPACE/sa/K8S_SERVICE_ACCOUNT` (GKE).
 */
import type { X509Certificate } from 'node:crypto';

export interface SpiffeId {
  /** The whole ID, e.g. `spiffe://example.org/ns/prod/sa/lb`. */
  id: string;
  trustDomain: string;
  /** `/ns/prod/sa/lb`, or '' for the trust domain itself. */
  path: string;
}

export type SpiffeErrorCode = 'SPIFFE_ID_INVALID' | 'SVID_NO_URI_SAN' | 'SVID_SEVERAL_URI_SANS' | 'SVID_IS_CA';

export class SpiffeError extends Error {
  override readonly name = 'SpiffeError';
  constructor(
    readonly code: SpiffeErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const TRUST_DOMAIN = /^[a-z0-9._-]+$/;
const SEGMENT = /^[A-Za-z0-9._-]+$/;
const MAX_ID_BYTES = 2048;

/** Parses one SPIFFE ID strictly (lowercase scheme and trust domain, no port, userinfo, query, fragment, empty or dot segments). */
export function parseSpiffeId(value: string): SpiffeId {
  const bad = (why: string) =>
    new SpiffeError('SPIFFE_ID_INVALID', `"${value.slice(0, 100)}" is not a SPIFFE ID: ${why}`);
  if (Buffer.byteLength(value) > MAX_ID_BYTES) throw bad('longer than 2048 bytes');
  if (!value.startsWith('spiffe://')) throw bad('expected spiffe://TRUST_DOMAIN/PATH');
  const rest = value.slice('spiffe://'.length);
  const slash = rest.indexOf('/');
  const trustDomain = slash === -1 ? rest : rest.slice(0, slash);
  const path = slash === -1 ? '' : rest.slice(slash);
  if (!trustDomain || !TRUST_DOMAIN.test(trustDomain))
    throw bad('the trust domain may hold only lowercase letters, digits, ".", "-" and "_"');
  if (path !== '') {
    const segments = path.slice(1).split('/');
    for (const s of segments) {
      if (s === '') throw bad('empty path segment (or trailing "/")');
      if (s === '.' || s === '..') throw bad('"." or ".." path segment');
      if (!SEGMENT.test(s)) throw bad('path segments may hold only letters, digits, ".", "-" and "_"');
    }
  }
  return { id: value, trustDomain, path };
}

/**
 * The entries of an X509Certificate's `subjectAltName` text, e.g. `URI:spiffe://a/b, DNS:x`. Node quotes a
 * value holding a separator or a quote as a JSON string (`URI:"…"`), which is decoded here.
 */
export function parseSubjectAltName(text: string | undefined): Array<{ type: string; value: string }> {
  const out: Array<{ type: string; value: string }> = [];
  if (!text) return out;
  let i = 0;
  while (i < text.length) {
    const colon = text.indexOf(':', i);
    if (colon === -1) break;
    const type = text.slice(i, colon).trim();
    let j = colon + 1;
    let value: string;
    if (text[j] === '"') {
      let k = j + 1;
      while (k < text.length && text[k] !== '"') k += text[k] === '\\' ? 2 : 1;
      try {
        value = JSON.parse(text.slice(j, k + 1)) as string;
      } catch {
        value = text.slice(j + 1, k);
      }
      j = k + 1;
    } else {
      const comma = text.indexOf(', ', j);
      const end = comma === -1 ? text.length : comma;
      value = text.slice(j, end);
      j = end;
    }
    out.push({ type, value });
    const next = text.indexOf(', ', j);
    if (next === -1) break;
    i = next + 2;
  }
  return out;
}

/** The SPIFFE ID of a leaf X509-SVID: exactly one URI SAN, a valid SPIFFE ID, and not a CA certificate. */
export function spiffeIdOfCertificate(cert: X509Certificate): SpiffeId {
  if (cert.ca) throw new SpiffeError('SVID_IS_CA', 'a CA certificate is not an X509-SVID leaf');
  const uris = parseSubjectAltName(cert.subjectAltName).filter((e) => e.type === 'URI');
  if (uris.length === 0) throw new SpiffeError('SVID_NO_URI_SAN', 'the certificate has no URI SAN');
  if (uris.length > 1) throw new SpiffeError('SVID_SEVERAL_URI_SANS', 'an X509-SVID has exactly one URI SAN');
  return parseSpiffeId(uris[0]?.value ?? '');
}

/** Parses MTLS_ALLOWED_SPIFFE_IDS-style lists; exact IDs only (no wildcards: an allow-list names each peer). */
export function parseSpiffeIdList(value: string): { ids: SpiffeId[]; problems: string[] } {
  const ids: SpiffeId[] = [];
  const problems: string[] = [];
  for (const raw of value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    try {
      ids.push(parseSpiffeId(raw));
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  return { ids, problems };
}

/**
 * For TLS clients (tls.connect / https.request `checkServerIdentity`): accept a server whose leaf carries one of
 * the expected SPIFFE IDs, in place of the host-name check (workload certificates carry no DNS name).
 */
export function checkServerSpiffeId(
  expected: ReadonlySet<string>,
): (host: string, cert: { subjectaltname?: string; ca?: boolean }) => Error | undefined {
  return (_host, cert) => {
    const uris = parseSubjectAltName(cert.subjectaltname).filter((e) => e.type === 'URI');
    if (uris.length !== 1)
      return new SpiffeError(
        uris.length === 0 ? 'SVID_NO_URI_SAN' : 'SVID_SEVERAL_URI_SANS',
        'the server certificate is not an X509-SVID',
      );
    const id = uris[0]?.value ?? '';
    return expected.has(id) ? undefined : new SpiffeError('SPIFFE_ID_INVALID', `unexpected server SPIFFE ID ${id}`);
  };
}
