// SCOPEWISE_IDENTITY: whether, and how, Scopewise finds its own Google identity. Pure: env in, value and
// problems out (the lead's config loader turns problems into a ConfigError).
//
//   off       (default) Scopewise calls Google only as its signed-in users.
//   adc       Application Default Credentials, in Google's search order: GOOGLE_APPLICATION_CREDENTIALS, the gcloud
//             ADC file, then the attached service account through the metadata server. For laptops and CI.
//   metadata  Only the attached service account, through the metadata server (Compute Engine, Cloud Run, GKE
//             Workload Identity). A stray key file or gcloud login is never picked up: the production setting.

export const IDENTITY_MODES = ['off', 'adc', 'metadata'] as const;
export type IdentityMode = (typeof IDENTITY_MODES)[number];

export interface IdentityConfig {
  mode: IdentityMode;
}

export interface Parsed<T> {
  value: T;
  problems: string[];
}

export function parseIdentityConfig(env: Readonly<Record<string, string | undefined>>): Parsed<IdentityConfig> {
  const raw = (env['SCOPEWISE_IDENTITY'] ?? '').trim();
  if (raw === '' || raw === 'off') return { value: { mode: 'off' }, problems: [] };
  if ((IDENTITY_MODES as readonly string[]).includes(raw))
    return { value: { mode: raw as IdentityMode }, problems: [] };
  return {
    value: { mode: 'off' },
    problems: [
      `SCOPEWISE_IDENTITY="${raw}" is not valid: expected off, adc (Application Default Credentials) or metadata (attached service account only)`,
    ],
  };
}
