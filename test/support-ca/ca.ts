/**
 * A test certificate authority issuing SPIFFE X509-SVIDs with Debian's `openssl` CLI (OpenSSL 3.0). node:crypto
 * can read certificates (X509Certificate) but cannot create them, and `openssl ca` can back-date a certificate
 * (-startdate/-enddate) for the expired case, which `openssl x509 -req` of OpenSSL 3.0 cannot.
 *
 * `writeCredentialsDir` lays the files out as Google's Compute Engine guest agent does: a fresh content directory
 * per rotation and an atomic rename of a symlink over the credentials path.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rename, rm, symlink, writeFile, readlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function openssl(args: string[], cwd: string): Promise<void> {
  await run('openssl', args, { cwd, timeout: 30_000 });
}

export interface IssuedCertificate {
  /** Leaf certificate PEM. */
  certPem: string;
  /** PKCS#8 private key PEM. */
  keyPem: string;
}

export interface IssueOptions {
  /** URI SANs, e.g. ['spiffe://td.example/ns/a/sa/b']; more than one makes an invalid SVID. */
  uris: string[];
  /** Validity in days from now (default 2). */
  days?: number;
  /** Valid only in 2020. */
  expired?: boolean;
}

export class TestCa {
  private chain: Promise<unknown> = Promise.resolve();
  private serial = 0;

  private constructor(
    readonly dir: string,
    readonly certPem: string,
  ) {}

  /** A new self-signed root (EC P-256) in its own temporary directory. */
  static async create(name: string): Promise<TestCa> {
    const dir = await mkdtemp(join(tmpdir(), `scopewise-ca-${name}-`));
    await mkdir(join(dir, 'newcerts'));
    await writeFile(join(dir, 'index.txt'), '');
    await writeFile(join(dir, 'serial'), '1000\n');
    await writeFile(
      join(dir, 'ca.cnf'),
      [
        '[ ca ]',
        'default_ca = testca',
        '[ testca ]',
        `dir = ${dir}`,
        'database = $dir/index.txt',
        'new_certs_dir = $dir/newcerts',
        'serial = $dir/serial',
        'certificate = $dir/ca.pem',
        'private_key = $dir/ca.key',
        'default_md = sha256',
        'policy = policy_any',
        'unique_subject = no',
        'copy_extensions = none',
        '[ policy_any ]',
        'organizationName = optional',
        'commonName = optional',
        '',
      ].join('\n'),
    );
    await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'ca.key'], dir);
    await openssl(
      [
        'req',
        '-x509',
        '-new',
        '-key',
        'ca.key',
        '-subj',
        `/O=Scopewise test/CN=${name} root`,
        '-days',
        '30',
        '-sha256',
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign,cRLSign',
        '-out',
        'ca.pem',
      ],
      dir,
    );
    return new TestCa(dir, await readFile(join(dir, 'ca.pem'), 'utf8'));
  }

  /** Issues a leaf (serialised: `openssl ca` keeps a database). */
  issue(options: IssueOptions): Promise<IssuedCertificate> {
    const next = this.chain.then(() => this.issueNow(options));
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async issueNow(options: IssueOptions): Promise<IssuedCertificate> {
    const n = ++this.serial;
    const dir = this.dir;
    await writeFile(
      join(dir, `leaf${n}.ext`),
      [
        'basicConstraints = critical, CA:FALSE',
        'keyUsage = critical, digitalSignature, keyAgreement',
        'extendedKeyUsage = serverAuth, clientAuth',
        `subjectAltName = ${options.uris.map((u) => `URI:${u}`).join(', ')}`,
        'subjectKeyIdentifier = hash',
        'authorityKeyIdentifier = keyid',
        '',
      ].join('\n'),
    );
    await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `leaf${n}.key`], dir);
    await openssl(
      ['req', '-new', '-key', `leaf${n}.key`, '-subj', '/O=Scopewise test workload', '-out', `leaf${n}.csr`],
      dir,
    );
    const validity = options.expired
      ? ['-startdate', '20200101000000Z', '-enddate', '20200102000000Z']
      : ['-days', String(options.days ?? 2)];
    await openssl(
      [
        'ca',
        '-batch',
        '-config',
        'ca.cnf',
        '-notext',
        '-in',
        `leaf${n}.csr`,
        '-out',
        `leaf${n}.pem`,
        '-extfile',
        `leaf${n}.ext`,
        ...validity,
      ],
      dir,
    );
    return {
      certPem: await readFile(join(dir, `leaf${n}.pem`), 'utf8'),
      keyPem: await readFile(join(dir, `leaf${n}.key`), 'utf8'),
    };
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

export interface CredentialFiles {
  certificates: string;
  privateKey: string;
  caCertificates: string;
}

/**
 * Writes the three files into a new content directory next to `linkPath` and renames a fresh symlink over
 * `linkPath` (atomic), then removes the previous content directory: the guest agent's rotation.
 */
export async function writeCredentialsDir(linkPath: string, files: CredentialFiles, stamp: string): Promise<void> {
  const content = `${linkPath}-contents-${stamp}`;
  await mkdir(content, { recursive: true });
  await writeFile(join(content, 'certificates.pem'), files.certificates);
  await writeFile(join(content, 'private_key.pem'), files.privateKey);
  await writeFile(join(content, 'ca_certificates.pem'), files.caCertificates);
  const old = await readlink(linkPath).catch(() => undefined);
  const temp = `${linkPath}-symlink-${stamp}`;
  await symlink(content, temp);
  await rename(temp, linkPath);
  if (old) await rm(old, { recursive: true, force: true });
}
