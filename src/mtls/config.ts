// mTLS and the internal listener. Pure: env in, value and problems out. Off unless MTLS_CREDENTIALS_DIR is set.
//
//   MTLS_CREDENTIALS_DIR          the managed workload identity's credential directory, on Google Cloud
//                                 /var/run/secrets/workload-spiffe-credentials (certificates.pem, private_key.pem,
//                                 ca_certificates.pem)
//   MTLS_ALLOWED_SPIFFE_IDS       comma-separated exact SPIFFE IDs allowed on the main listener; when set, the main
//                                 listener serves HTTPS and requires their client certificates
//   INTERNAL_PORT                 the internal listener (/metrics, /healthz), always mTLS
//   INTERNAL_HOST                 its address (default 0.0.0.0)
//   INTERNAL_ALLOWED_SPIFFE_IDS   who may call it (default: MTLS_ALLOWED_SPIFFE_IDS)
//   MTLS_RELOAD_POLL_SECONDS      safety-net poll of the credential files besides the file watch, 5–3600 (60)
import { isAbsolute } from 'node:path';
import type { Parsed } from '../identity/config.js';
import { parseSpiffeIdList } from './spiffe.js';

export interface MtlsConfig {
  credentialsDir: string | undefined;
  /** Main listener: mTLS with these peers; undefined = plain HTTP as before. */
  mainAllowedSpiffeIds: string[] | undefined;
  internal: { port: number; host: string; allowedSpiffeIds: string[] } | undefined;
  reloadPollSeconds: number;
}

type Env = Readonly<Record<string, string | undefined>>;

export function parseMtlsConfig(env: Env): Parsed<MtlsConfig> {
  const problems: string[] = [];
  const dirRaw = env['MTLS_CREDENTIALS_DIR']?.trim() || undefined;
  if (dirRaw !== undefined && !isAbsolute(dirRaw))
    problems.push(
      `MTLS_CREDENTIALS_DIR="${dirRaw}" is not valid: expected an absolute directory path, e.g. /var/run/secrets/workload-spiffe-credentials`,
    );

  const list = (name: string): string[] | undefined => {
    const raw = env[name]?.trim();
    if (!raw) return undefined;
    const { ids, problems: p } = parseSpiffeIdList(raw);
    for (const m of p)
      problems.push(
        `${name} is not valid: ${m}; expected exact IDs such as spiffe://POOL.global.PROJECT_NUMBER.workload.id.goog/ns/NAMESPACE/sa/NAME, comma-separated`,
      );
    return ids.map((i) => i.id);
  };
  const mainAllowedSpiffeIds = list('MTLS_ALLOWED_SPIFFE_IDS');
  const internalAllowedRaw = list('INTERNAL_ALLOWED_SPIFFE_IDS');

  let internal: MtlsConfig['internal'];
  const portRaw = env['INTERNAL_PORT']?.trim();
  if (portRaw) {
    if (!/^\d+$/.test(portRaw) || Number(portRaw) > 65535)
      problems.push(`INTERNAL_PORT="${portRaw}" is not valid: expected a port number from 0 to 65535`);
    else {
      const allowed = internalAllowedRaw ?? mainAllowedSpiffeIds ?? [];
      if (!dirRaw)
        problems.push(
          'INTERNAL_PORT is set without MTLS_CREDENTIALS_DIR: /metrics and /healthz are served only over mTLS',
        );
      if (allowed.length === 0)
        problems.push(
          'INTERNAL_PORT is set but no SPIFFE ID may call it: set INTERNAL_ALLOWED_SPIFFE_IDS (or MTLS_ALLOWED_SPIFFE_IDS)',
        );
      internal = { port: Number(portRaw), host: env['INTERNAL_HOST']?.trim() || '0.0.0.0', allowedSpiffeIds: allowed };
    }
  } else if (internalAllowedRaw) {
    problems.push('INTERNAL_ALLOWED_SPIFFE_IDS is set without INTERNAL_PORT');
  }
  if (mainAllowedSpiffeIds && !dirRaw)
    problems.push(
      'MTLS_ALLOWED_SPIFFE_IDS is set without MTLS_CREDENTIALS_DIR: expected the directory of the workload certificates',
    );
  if (dirRaw && !mainAllowedSpiffeIds && !portRaw)
    problems.push(
      'MTLS_CREDENTIALS_DIR is set but nothing uses it: set MTLS_ALLOWED_SPIFFE_IDS (main listener) and/or INTERNAL_PORT',
    );

  let reloadPollSeconds = 60;
  const pollRaw = env['MTLS_RELOAD_POLL_SECONDS']?.trim();
  if (pollRaw) {
    if (!/^\d+$/.test(pollRaw) || Number(pollRaw) < 5 || Number(pollRaw) > 3600)
      problems.push(`MTLS_RELOAD_POLL_SECONDS="${pollRaw}" is not valid: expected a whole number from 5 to 3600`);
    else reloadPollSeconds = Number(pollRaw);
  }
  return { value: { credentialsDir: dirRaw, mainAllowedSpiffeIds, internal, reloadPollSeconds }, problems };
}
