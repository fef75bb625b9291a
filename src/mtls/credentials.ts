/**
 * The X.509 credentials Google provisions for a managed workload identity, read from disk and kept fresh.
 *
 * Where and what (Google Cloud documentation, read 2026-12-01):
 * - "Authenticate workloads to other workloads over mTLS" (Compute Engine, last updated 2026-04-14),
 *   https://cloud.google.com/compute/docs/access/authenticate-workloads-over-mtls : the guest agent writes
 *   /var/run/secrets/workload-spiffe-credentials (0755) holding private_key.pem (PEM private key),
 *   certificates.pem (PEM chain, presented as client or server chain), ca_certificates.pem (PEM trust anchors of
 *   the VM's own SPIFFE trust domain) and config_status; it rotates them, and "your application code must verify
 *   that the private key and certificate file are consistent" because a read can fall between two rotations.
 * - "Configure managed workload identity authentication for GKE" (last updated 2026-04-10),
 *   https://cloud.google.com/iam/docs/create-managed-workload-identities-gke : the same directory in a Pod (CSI
 *   driver podcertificate.gke.io) with ca_certificates.pem, certificates.pem, private_key.pem, trust_bundles.json.
 * - The guest agent rotates by writing a new directory and renaming a symlink over
 *   /run/secrets/workload-spiffe-credentials (GoogleCloudPlatform/guest-agent, gce_workload_cert_refresh), so a
 *   watch on the old directory goes quiet: the parent directory is watched too, the directory watch is re-armed
 *   after every reload, and a slow poll catches whatever a watch misses.
 *
 * Federated trust domains (trust_bundles.json) are not read: peers are accepted only from the trust domain of
 * the anchors in ca_certificates.pem, which is this workload's own (see server.ts).
 */
import { createHash, createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Logger } from '../log/logger.js';
import { spiffeIdOfCertificate, type SpiffeId } from './spiffe.js';

export const DEFAULT_CREDENTIALS_DIR = '/var/run/secrets/workload-spiffe-credentials';
export const CERTIFICATES_FILE = 'certificates.pem';
export const PRIVATE_KEY_FILE = 'private_key.pem';
export const CA_CERTIFICATES_FILE = 'ca_certificates.pem';

export type MtlsCredentialErrorCode =
  | 'MTLS_FILES_UNREADABLE'
  | 'MTLS_CERT_INVALID'
  | 'MTLS_KEY_INVALID'
  | 'MTLS_KEY_MISMATCH'
  | 'MTLS_CA_EMPTY'
  | 'MTLS_NOT_AN_SVID';

export class MtlsCredentialError extends Error {
  override readonly name = 'MtlsCredentialError';
  constructor(
    readonly code: MtlsCredentialErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface LoadedCredentials {
  /** PEM private key (never logged). */
  key: string;
  /** PEM chain, leaf first. */
  cert: string;
  /** PEM trust anchors, one per entry. */
  ca: string[];
  /** This workload's own SPIFFE ID (from the leaf). */
  spiffeId: SpiffeId;
  /** The trust domain the anchors stand for (this workload's own). */
  trustDomain: string;
  /** SHA-256 fingerprints (Node's `AA:BB:…` form) of the anchors. */
  anchorFingerprints: ReadonlySet<string>;
  notAfter: string;
  fingerprint256: string;
  /** SHA-256 over the three files: a reload with the same digest changes nothing. */
  digest: string;
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

export function splitPemCertificates(pem: string): string[] {
  return pem.match(PEM_CERT) ?? [];
}

/** Parses and cross-checks the three files' contents (pure). */
export function parseCredentials(files: {
  certificates: string;
  privateKey: string;
  caCertificates: string;
}): LoadedCredentials {
  const chain = splitPemCertificates(files.certificates);
  if (chain.length === 0)
    throw new MtlsCredentialError('MTLS_CERT_INVALID', `${CERTIFICATES_FILE} holds no PEM certificate`);
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(chain[0] ?? '');
  } catch {
    throw new MtlsCredentialError('MTLS_CERT_INVALID', `${CERTIFICATES_FILE}: the first certificate cannot be parsed`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(files.privateKey);
  } catch {
    throw new MtlsCredentialError('MTLS_KEY_INVALID', `${PRIVATE_KEY_FILE} holds no usable private key`);
  }
  // Google's note: a read can fall between two rotations; never serve a key with another key's certificate.
  if (!leaf.checkPrivateKey(key))
    throw new MtlsCredentialError(
      'MTLS_KEY_MISMATCH',
      `${PRIVATE_KEY_FILE} does not belong to the certificate in ${CERTIFICATES_FILE} (rotation in progress?)`,
    );
  let spiffeId: SpiffeId;
  try {
    spiffeId = spiffeIdOfCertificate(leaf);
  } catch (err) {
    throw new MtlsCredentialError('MTLS_NOT_AN_SVID', `${CERTIFICATES_FILE}: ${(err as Error).message}`);
  }
  const ca = splitPemCertificates(files.caCertificates);
  if (ca.length === 0)
    throw new MtlsCredentialError('MTLS_CA_EMPTY', `${CA_CERTIFICATES_FILE} holds no PEM certificate`);
  const anchorFingerprints = new Set<string>();
  for (const pem of ca) {
    try {
      anchorFingerprints.add(new X509Certificate(pem).fingerprint256);
    } catch {
      throw new MtlsCredentialError('MTLS_CERT_INVALID', `${CA_CERTIFICATES_FILE}: a certificate cannot be parsed`);
    }
  }
  const digest = createHash('sha256')
    .update(files.certificates)
    .update('\0')
    .update(files.privateKey)
    .update('\0')
    .update(files.caCertificates)
    .digest('hex');
  return {
    key: files.privateKey,
    cert: files.certificates,
    ca,
    spiffeId,
    trustDomain: spiffeId.trustDomain,
    anchorFingerprints,
    notAfter: new Date(leaf.validTo).toISOString(),
    fingerprint256: leaf.fingerprint256,
    digest,
  };
}

export async function loadCredentials(dir: string): Promise<LoadedCredentials> {
  let files: { certificates: string; privateKey: string; caCertificates: string };
  try {
    const [certificates, privateKey, caCertificates] = await Promise.all([
      readFile(join(dir, CERTIFICATES_FILE), 'utf8'),
      readFile(join(dir, PRIVATE_KEY_FILE), 'utf8'),
      readFile(join(dir, CA_CERTIFICATES_FILE), 'utf8'),
    ]);
    files = { certificates, privateKey, caCertificates };
  } catch (err) {
    throw new MtlsCredentialError(
      'MTLS_FILES_UNREADABLE',
      `cannot read the credential files in ${dir} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  return parseCredentials(files);
}

export interface CredentialsStatus {
  dir: string;
  spiffeId: string;
  notAfter: string;
  fingerprint256: string;
  loadedAt: string;
  reloads: number;
  /** Failed reloads since start (each retried after a growing delay). */
  failedReloads: number;
  lastError?: { code: string; at: string };
}

export interface WatchOptions {
  logger?: Logger;
  /** Poll interval, a safety net for file systems where a watch misses events (default 60 s). */
  pollMs?: number;
  /** Wait this long after the last file event before reloading (default 200 ms). */
  debounceMs?: number;
  /**
   * After a failed reload (e.g. half-rotated files), try again after this long (default 1 s), doubling at each
   * further failure up to `maxRetryMs` (default: the poll interval, at most a minute).
   */
  retryMs?: number;
  maxRetryMs?: number;
}

/** The delay before retry number `failures` (1 = the first retry): `baseMs`, doubling, at most `maxMs`. Pure. */
export function reloadRetryDelay(failures: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(0, failures - 1), 30));
}

type Listener = (creds: LoadedCredentials) => void;

/** The current credentials of a directory, reloaded when its files change. */
export class MtlsCredentials {
  private currentCreds: LoadedCredentials;
  private loadedAt: string;
  private reloads = 0;
  private failedReloads = 0;
  /** Consecutive failed reloads: sets the retry delay; the first success after them is logged. */
  private failures = 0;
  private lastError: { code: string; at: string } | undefined;
  private readonly listeners = new Set<Listener>();
  private dirWatcher: FSWatcher | undefined;
  private parentWatcher: FSWatcher | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private poll: NodeJS.Timeout | undefined;
  private reloading: Promise<boolean> | undefined;
  private again = false;
  private closed = false;
  private readonly waiters = new Set<() => void>();

  private constructor(
    readonly dir: string,
    first: LoadedCredentials,
    private readonly options: Required<Omit<WatchOptions, 'logger'>> & { logger: Logger | undefined },
  ) {
    this.currentCreds = first;
    this.loadedAt = new Date().toISOString();
  }

  /** Loads the directory (a failure here is a start-up error) and starts watching it. */
  static async open(dir: string, options: WatchOptions = {}): Promise<MtlsCredentials> {
    const first = await loadCredentials(dir);
    const creds = new MtlsCredentials(dir, first, {
      logger: options.logger,
      pollMs: options.pollMs ?? 60_000,
      debounceMs: options.debounceMs ?? 200,
      retryMs: options.retryMs ?? 1000,
      maxRetryMs: options.maxRetryMs ?? Math.min(options.pollMs ?? 60_000, 60_000),
    });
    creds.arm();
    creds.poll = setInterval(() => creds.schedule(0), creds.options.pollMs);
    creds.poll.unref();
    options.logger?.info({ spiffeId: first.spiffeId.id, notAfter: first.notAfter, dir }, 'mTLS credentials loaded');
    return creds;
  }

  get current(): LoadedCredentials {
    return this.currentCreds;
  }

  /** Called with the new credentials after each change; returns an unsubscribe function. */
  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  status(): CredentialsStatus {
    const c = this.currentCreds;
    return {
      dir: this.dir,
      spiffeId: c.spiffeId.id,
      notAfter: c.notAfter,
      fingerprint256: c.fingerprint256,
      loadedAt: this.loadedAt,
      reloads: this.reloads,
      failedReloads: this.failedReloads,
      ...(this.lastError ? { lastError: this.lastError } : {}),
    };
  }

  /** Resolves at the next successful change (tests and operators' tooling). */
  nextChange(): Promise<void> {
    return new Promise((resolve) => this.waiters.add(resolve));
  }

  /** Reads the files now; true when they changed and listeners were told. */
  reload(): Promise<boolean> {
    if (this.reloading) {
      this.again = true;
      return this.reloading;
    }
    this.reloading = this.doReload().finally(() => {
      this.reloading = undefined;
      if (this.again && !this.closed) {
        this.again = false;
        this.schedule(0);
      }
    });
    return this.reloading;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.debounce);
    clearInterval(this.poll);
    this.dirWatcher?.close();
    this.parentWatcher?.close();
    this.listeners.clear();
  }

  private async doReload(): Promise<boolean> {
    let next: LoadedCredentials;
    try {
      next = await loadCredentials(this.dir);
    } catch (err) {
      const code = err instanceof MtlsCredentialError ? err.code : 'MTLS_FILES_UNREADABLE';
      const sameCause = this.lastError?.code === code;
      this.lastError = { code, at: new Date().toISOString() };
      this.failures++;
      this.failedReloads++;
      const retryInMs = reloadRetryDelay(this.failures, this.options.retryMs, this.options.maxRetryMs);
      // One line per cause, not per attempt: a rotation stuck for a day is a few lines, not one a second.
      if (!sameCause)
        this.options.logger?.warn(
          { errorCode: code, dir: this.dir, err: (err as Error).message, retryInMs },
          'mTLS credentials: reload failed, keeping the current ones (retrying with a growing delay; logged again when the cause changes)',
        );
      this.schedule(retryInMs);
      return false;
    } finally {
      this.arm();
    }
    if (this.failures > 0) {
      this.options.logger?.info(
        { failedReloads: this.failures, lastErrorCode: this.lastError?.code },
        'mTLS credentials: reloading works again',
      );
      this.failures = 0;
    }
    this.lastError = undefined;
    if (next.digest === this.currentCreds.digest) return false;
    this.currentCreds = next;
    this.loadedAt = new Date().toISOString();
    this.reloads++;
    this.options.logger?.info(
      { spiffeId: next.spiffeId.id, notAfter: next.notAfter, reloads: this.reloads },
      'mTLS credentials reloaded',
    );
    for (const l of this.listeners) {
      try {
        l(next);
      } catch (err) {
        this.options.logger?.error({ err }, 'mTLS credentials: a listener failed');
      }
    }
    for (const w of this.waiters) w();
    this.waiters.clear();
    return true;
  }

  private schedule(ms: number): void {
    if (this.closed) return;
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      void this.reload(); // errors are handled inside reload(); nothing to await in a timer
    }, ms);
    this.debounce.unref();
  }

  /** (Re)watches the directory (whatever it points at now) and its parent (a symlink swap happens there). */
  private arm(): void {
    if (this.closed) return;
    const onEvent = () => this.schedule(this.options.debounceMs);
    this.dirWatcher?.close();
    this.dirWatcher = this.tryWatch(this.dir, onEvent);
    if (!this.parentWatcher) {
      const name = basename(this.dir);
      this.parentWatcher = this.tryWatch(dirname(this.dir), (_event, file) => {
        if (file === null || String(file).includes(name)) onEvent();
      });
    }
  }

  private tryWatch(
    path: string,
    listener: (event: string, file: string | Buffer | null) => void,
  ): FSWatcher | undefined {
    try {
      const w = watch(path, { persistent: false }, listener);
      // A watched directory that disappears (the old target of a swapped symlink) emits an error: re-arm later.
      w.on('error', () => {
        w.close();
        this.schedule(this.options.debounceMs);
      });
      return w;
    } catch {
      return undefined;
    }
  }
}
