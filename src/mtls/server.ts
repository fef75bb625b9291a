/**
 * An HTTPS server that requires client certificates (mTLS) with a managed workload identity's credentials.
 *
 * Checks, in order, before any request is read:
 * 1. TLS: the client presents a certificate chaining to the anchors of ca_certificates.pem, not expired
 *    (`requestCert: true, rejectUnauthorized: true`).
 * 2. X509-SVID: the leaf has exactly one URI SAN, a valid SPIFFE ID, and is not a CA.
 * 3. Trust domain: the peer's SPIFFE ID is in this workload's own trust domain (the anchors stand for it alone).
 * 4. Allow-list: the peer's SPIFFE ID is one of the allowed IDs, exactly.
 * A connection failing 2–4 is closed without an answer and logged with a code. `peerIdentity(req)` gives the
 * authenticated peer to the app (e.g. to trust forwarded headers only from it).
 *
 * Certificates rotate: on a change the server's secure context is replaced (`server.setSecureContext`), which
 * applies to new handshakes; established connections, keep-alive ones included, carry on untouched.
 */
import https from 'node:https';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from '../log/logger.js';
import type { LoadedCredentials, MtlsCredentials } from './credentials.js';
import { SpiffeError, spiffeIdOfCertificate, type SpiffeId } from './spiffe.js';

export interface PeerIdentity {
  spiffeId: string;
  trustDomain: string;
  path: string;
  /** SHA-256 fingerprint of the peer's leaf certificate. */
  fingerprint256: string;
}

export type PeerRefusalCode =
  | 'PEER_UNAUTHORIZED'
  | 'PEER_NO_CERTIFICATE'
  | SpiffeError['code']
  | 'PEER_WRONG_TRUST_DOMAIN'
  | 'PEER_NOT_ALLOWED';

const PEER = Symbol('scopewise.mtls.peer');
type TaggedSocket = TLSSocket & { [PEER]?: PeerIdentity };

/** The authenticated mTLS peer of a request, or undefined (plain HTTP, or not an mTLS server of ours). */
export function peerIdentity(req: IncomingMessage): PeerIdentity | undefined {
  return (req.socket as TaggedSocket)[PEER];
}

export interface PeerCheckInput {
  /** The socket's own TLS verdict (chain to the anchors, validity dates). */
  authorized: boolean;
  certificate: import('node:crypto').X509Certificate | undefined;
  trustDomain: string;
  allowed: ReadonlySet<string>;
}

/** Steps 2–4 above (pure): the peer identity, or the refusal code. */
export function checkPeer(
  input: PeerCheckInput,
): { ok: true; peer: PeerIdentity } | { ok: false; code: PeerRefusalCode; spiffeId?: string } {
  if (!input.authorized) return { ok: false, code: 'PEER_UNAUTHORIZED' };
  if (!input.certificate) return { ok: false, code: 'PEER_NO_CERTIFICATE' };
  let id: SpiffeId;
  try {
    id = spiffeIdOfCertificate(input.certificate);
  } catch (err) {
    return { ok: false, code: err instanceof SpiffeError ? err.code : 'SPIFFE_ID_INVALID' };
  }
  if (id.trustDomain !== input.trustDomain) return { ok: false, code: 'PEER_WRONG_TRUST_DOMAIN', spiffeId: id.id };
  if (!input.allowed.has(id.id)) return { ok: false, code: 'PEER_NOT_ALLOWED', spiffeId: id.id };
  return {
    ok: true,
    peer: {
      spiffeId: id.id,
      trustDomain: id.trustDomain,
      path: id.path,
      fingerprint256: input.certificate.fingerprint256,
    },
  };
}

export interface MtlsServerOptions {
  credentials: MtlsCredentials;
  /** Exact SPIFFE IDs allowed to connect. Must not be empty (fail closed). */
  allowedSpiffeIds: readonly string[];
  logger?: Logger;
  /** A name for logs, e.g. `main` or `internal`. */
  name?: string;
}

export interface MtlsServerStatus {
  name: string;
  accepted: number;
  refused: Partial<Record<PeerRefusalCode, number>>;
}

export type MtlsServer = https.Server & { mtlsStatus(): MtlsServerStatus };

function contextOptions(creds: LoadedCredentials) {
  return { key: creds.key, cert: creds.cert, ca: creds.ca, minVersion: 'TLSv1.2' as const };
}

/** An https.Server for `handler` with the checks above. Listen on it as usual; `close()` also stops its reload subscription. */
export function createMtlsServer(handler: RequestListener, options: MtlsServerOptions): MtlsServer {
  if (options.allowedSpiffeIds.length === 0)
    throw new Error('createMtlsServer: allowedSpiffeIds is empty; an mTLS listener must name its peers');
  const name = options.name ?? 'mtls';
  const allowed: ReadonlySet<string> = new Set(options.allowedSpiffeIds);
  const { credentials, logger } = options;
  let accepted = 0;
  const refused: Partial<Record<PeerRefusalCode, number>> = {};

  const guarded: RequestListener = (req: IncomingMessage, res: ServerResponse) => {
    // Belt and braces: a request never reaches the app without an authenticated peer.
    if (!peerIdentity(req)) {
      res.statusCode = 403;
      res.end();
      return;
    }
    handler(req, res);
  };
  const server = https.createServer(
    { ...contextOptions(credentials.current), requestCert: true, rejectUnauthorized: true },
    guarded,
  ) as MtlsServer;

  server.on('secureConnection', (socket: TLSSocket) => {
    const verdict = checkPeer({
      authorized: socket.authorized,
      certificate: socket.getPeerX509Certificate(),
      trustDomain: credentials.current.trustDomain,
      allowed,
    });
    if (!verdict.ok) {
      refused[verdict.code] = (refused[verdict.code] ?? 0) + 1;
      logger?.warn(
        { listener: name, errorCode: verdict.code, peer: verdict.spiffeId, remote: socket.remoteAddress },
        'mTLS: connection refused',
      );
      socket.destroy();
      return;
    }
    accepted++;
    (socket as TaggedSocket)[PEER] = verdict.peer;
  });
  server.on('tlsClientError', (err: Error & { code?: string }, socket: TLSSocket) => {
    refused.PEER_UNAUTHORIZED = (refused.PEER_UNAUTHORIZED ?? 0) + 1;
    logger?.warn(
      { listener: name, errorCode: 'PEER_UNAUTHORIZED', tlsError: err.code, remote: socket.remoteAddress },
      'mTLS: handshake refused',
    );
  });

  const unsubscribe = credentials.onChange((next) => {
    server.setSecureContext(contextOptions(next));
    logger?.info(
      { listener: name, spiffeId: next.spiffeId.id, notAfter: next.notAfter },
      'mTLS: new certificates in use for new connections',
    );
  });
  server.on('close', unsubscribe);
  server.mtlsStatus = () => ({ name, accepted, refused: { ...refused } });
  return server;
}

const FORWARDED_HEADERS = ['forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-port'];

/**
 * Express middleware, mounted first: forwarded headers survive only on requests from an authenticated mTLS peer
 * that `isTrustedProxy` accepts (default: any authenticated peer, i.e. one on the allow-list). With it in place,
 * `trust proxy` can be set to 1 on an mTLS listener without letting a direct client spoof its address.
 */
export function forwardedHeadersOnlyFromPeers(
  isTrustedProxy: (peer: PeerIdentity) => boolean = () => true,
): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    const peer = peerIdentity(req);
    if (!peer || !isTrustedProxy(peer)) {
      for (const h of FORWARDED_HEADERS) delete req.headers[h];
    }
    next();
  };
}
