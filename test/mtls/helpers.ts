// Shared by the mTLS tests: two CAs (our trust domain's and a stranger's), SVIDs, a credential directory laid
// out like Google's, and an HTTPS client that presents a client certificate and checks the server's SPIFFE ID.
import https from 'node:https';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { checkServerSpiffeId } from '../../src/mtls/spiffe.js';
import { TestCa, writeCredentialsDir, type IssuedCertificate } from '../support-ca/ca.js';

export const TD = 'pool-1.global.123456789012.workload.id.goog';
export const SERVER_ID = `spiffe://${TD}/ns/scopewise/sa/app`;
export const LB_ID = `spiffe://${TD}/ns/edge/sa/load-balancer`;
export const SCRAPER_ID = `spiffe://${TD}/ns/ops/sa/prometheus`;
export const INTRUDER_ID = `spiffe://${TD}/ns/other/sa/intruder`;
/**
 * IDs of our trust domain that differ from LB_ID only in their last characters or segment, in its namespace: what a
 * prefix, suffix or namespace match of the allow-list would let in.
 */
export const LB_NEAR_MISSES = [
  `${LB_ID}-canary`, // the allowed ID is a prefix of it
  `${LB_ID}/sidecar`, // a path below the allowed ID
  `spiffe://${TD}/ns/edge/sa/load-balance`, // a prefix of the allowed ID
  `spiffe://${TD}/ns/edge/sa/intruder`, // another service account of the same namespace
] as const;
export const OTHER_TD_LB_ID = 'spiffe://pool-9.global.999999999999.workload.id.goog/ns/edge/sa/load-balancer';

export interface Pki {
  ca: TestCa;
  stranger: TestCa;
  dir: string;
  credsPath: string;
  server: IssuedCertificate;
  cleanup(): Promise<void>;
}

let stamp = 0;

export async function rotate(pki: Pki, cert: IssuedCertificate): Promise<void> {
  await writeCredentialsDir(
    pki.credsPath,
    { certificates: cert.certPem, privateKey: cert.keyPem, caCertificates: pki.ca.certPem },
    `${Date.now()}-${++stamp}`,
  );
}

export async function createPki(): Promise<Pki> {
  const [ca, stranger] = await Promise.all([TestCa.create('ours'), TestCa.create('stranger')]);
  const dir = await mkdtemp(join(tmpdir(), 'scopewise-mtls-'));
  const credsPath = join(dir, 'workload-spiffe-credentials');
  const server = await ca.issue({ uris: [SERVER_ID] });
  const pki: Pki = {
    ca,
    stranger,
    dir,
    credsPath,
    server,
    async cleanup() {
      await Promise.all([ca.remove(), stranger.remove(), rm(dir, { recursive: true, force: true })]);
    },
  };
  await rotate(pki, server);
  return pki;
}

export interface ClientAnswer {
  status: number;
  body: string;
  /** Fingerprint of the server certificate seen on this connection. */
  serverFingerprint: string;
  reusedSocket: boolean;
  socket: TLSSocket;
}

export interface ClientOptions {
  ca: string;
  client?: IssuedCertificate;
  agent?: https.Agent;
  headers?: Record<string, string>;
}

export function clientAgent(opts: { ca: string; client?: IssuedCertificate; keepAlive?: boolean }): https.Agent {
  return new https.Agent({
    keepAlive: opts.keepAlive ?? false,
    maxSockets: 1,
    ca: opts.ca,
    ...(opts.client ? { cert: opts.client.certPem, key: opts.client.keyPem } : {}),
    checkServerIdentity: checkServerSpiffeId(new Set([SERVER_ID])),
  });
}

/** GET over mTLS; rejects when the connection is refused. */
export function get(url: string, opts: ClientOptions): Promise<ClientAnswer> {
  const agent = opts.agent ?? clientAgent({ ca: opts.ca, ...(opts.client ? { client: opts.client } : {}) });
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: 'GET', agent, headers: opts.headers ?? {}, timeout: 5000 }, (res) => {
      const socket = res.socket as TLSSocket;
      const serverFingerprint = socket.getPeerCertificate().fingerprint256;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body, serverFingerprint, reusedSocket: req.reusedSocket, socket }),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** Rejects with `what` when `p` has not settled within `ms` (a missed file event must fail, not hang). */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
    }),
  ]);
}
