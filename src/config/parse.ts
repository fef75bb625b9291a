// The small parsers every configuration module shares (src/config/env.ts and the option modules it calls:
// identity, audit export, mTLS, account events, workloads). Pure; each problem names the variable and what is
// expected, and never echoes a secret.

export type Env = Readonly<Record<string, string | undefined>>;

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return LOOPBACK_HOSTS.has(h) || /^127(\.\d{1,3}){3}$/.test(h);
}

/** A whole number setting: the fallback when unset or empty; a problem (and the fallback) when out of range. */
export function intSetting(
  env: Env,
  name: string,
  fallback: number,
  min: number,
  max: number,
  problems: string[],
): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const t = raw.trim();
  if (!/^\d+$/.test(t) || Number(t) < min || Number(t) > max) {
    problems.push(`${name}="${raw}" is not valid: expected a whole number from ${min} to ${max}`);
    return fallback;
  }
  return Number(t);
}

/** A comma-separated list, trimmed, empty entries dropped. */
export function listSetting(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * An absolute https URL, or plain http on a loopback host. Returns the URL, or what was expected; never echoes
 * the value (it may carry credentials).
 */
export function httpsOrLoopbackUrl(value: string): URL | string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return 'an absolute https:// URL';
  }
  if (u.username || u.password) return 'a URL without credentials';
  if (u.protocol === 'https:') return u;
  if (u.protocol === 'http:' && isLoopbackHost(u.hostname)) return u;
  return 'an https:// URL (plain http only on loopback addresses)';
}
