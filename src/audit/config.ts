// Audit export settings. Pure: env in, value and problems out; each problem names the variable and what is expected.
//
//   AUDIT_SINK               cloud-logging:PROJECT_ID/LOG_ID      (off when unset)
//   AUDIT_WEBHOOK_URL        https://… (http only on loopback)   (off when unset)
//   AUDIT_WEBHOOK_AUDIENCE   the ID token's audience; default: the webhook URL's origin. It must be that origin or a
//                            path prefix of the URL, unless AUDIT_WEBHOOK_CUSTOM_AUDIENCE=true says the receiving
//                            service lists it as a custom audience
//   AUDIT_WEBHOOK_CUSTOM_AUDIENCE  true: AUDIT_WEBHOOK_AUDIENCE is a custom audience of the receiving service
//   AUDIT_QUEUE_CAPACITY     records buffered per sink, 100–1 000 000 (10 000)
//   AUDIT_BATCH_SIZE         records per entries.write, 1–500 (100)
//   AUDIT_FLUSH_MS           how long a partial batch waits, 0–60 000 (1000)
//   AUDIT_DRAIN_SECONDS      shutdown deadline for delivering what is buffered, 1–60 (5)
import { httpsOrLoopbackUrl, intSetting, type Env } from '../config/parse.js';
import { isProjectId } from '../google/ids.js';
import type { Parsed } from '../identity/config.js';

export interface AuditExportConfig {
  cloudLogging: { projectId: string; logId: string } | undefined;
  webhook: { url: string; audience: string } | undefined;
  queueCapacity: number;
  batchSize: number;
  flushMs: number;
  drainSeconds: number;
}

/** Cloud Logging LOG_ID: letters, digits, `_-./`, up to 512 characters. */
export const LOG_ID = /^[A-Za-z0-9_\-./]{1,512}$/;

export function parseAuditSink(value: string): { projectId: string; logId: string } | string {
  const m = /^cloud-logging:([^/]+)\/(.+)$/.exec(value);
  if (!m) return 'cloud-logging:PROJECT_ID/LOG_ID, e.g. cloud-logging:my-project/scopewise-audit';
  const [, projectId = '', logId = ''] = m;
  if (!isProjectId(projectId)) return `a Google Cloud project id after "cloud-logging:" (got "${projectId}")`;
  if (!LOG_ID.test(logId)) return 'a LOG_ID of letters, digits and _-./ (at most 512 characters) after the project';
  return { projectId, logId };
}

export function parseWebhookUrl(value: string): URL | string {
  const url = httpsOrLoopbackUrl(value);
  if (typeof url === 'string') return url;
  if (url.hash) return 'a URL without a fragment';
  return url;
}

/**
 * How an ID token's audience relates to the URL it is sent to: the URL's origin (Cloud Run's default audience),
 * a prefix of the URL on a path-segment boundary (same origin; no query or fragment), or something else: a
 * custom audience, which the receiving service must list (https://cloud.google.com/run/docs/configuring/custom-audiences,
 * read 2026-12-07: "the audience is the full URL of the target service"; custom audiences for other URLs). Pure.
 */
export function webhookAudienceRelation(url: string, audience: string): 'origin' | 'prefix' | 'custom' {
  let aud: URL;
  let target: URL;
  try {
    aud = new URL(audience);
    target = new URL(url);
  } catch {
    return 'custom';
  }
  // Compared as written (not only as parsed): `https://host:443` or a trailing `?` is not what the service sees.
  if (aud.origin !== target.origin || aud.search || aud.hash || audience.includes('?') || audience.includes('#'))
    return 'custom';
  if (audience === aud.origin || audience === `${aud.origin}/`) return 'origin';
  if (!audience.startsWith(`${aud.origin}/`)) return 'custom';
  const prefix = aud.pathname.endsWith('/') ? aud.pathname : `${aud.pathname}/`;
  return target.pathname === aud.pathname || target.pathname.startsWith(prefix) ? 'prefix' : 'custom';
}

export function parseAuditExportConfig(env: Env): Parsed<AuditExportConfig> {
  const problems: string[] = [];
  let cloudLogging: AuditExportConfig['cloudLogging'];
  const sink = env['AUDIT_SINK']?.trim();
  if (sink) {
    const parsed = parseAuditSink(sink);
    if (typeof parsed === 'string') problems.push(`AUDIT_SINK="${sink}" is not valid: expected ${parsed}`);
    else cloudLogging = parsed;
  }
  let webhook: AuditExportConfig['webhook'];
  const hook = env['AUDIT_WEBHOOK_URL']?.trim();
  const audienceRaw = env['AUDIT_WEBHOOK_AUDIENCE']?.trim();
  const customRaw = env['AUDIT_WEBHOOK_CUSTOM_AUDIENCE']?.trim().toLowerCase();
  const custom = customRaw === 'true';
  if (customRaw && customRaw !== 'true' && customRaw !== 'false')
    problems.push(`AUDIT_WEBHOOK_CUSTOM_AUDIENCE="${customRaw}" is not valid: expected true or false`);
  else if (custom && !audienceRaw)
    problems.push(
      'AUDIT_WEBHOOK_CUSTOM_AUDIENCE=true needs AUDIT_WEBHOOK_AUDIENCE: the custom audience the receiving service lists',
    );
  if (hook) {
    const parsed = parseWebhookUrl(hook);
    if (typeof parsed === 'string') problems.push(`AUDIT_WEBHOOK_URL is not valid: expected ${parsed}`);
    else {
      let audience = parsed.origin;
      if (audienceRaw) {
        if (audienceRaw.length > 1024 || /\s/.test(audienceRaw))
          problems.push(
            'AUDIT_WEBHOOK_AUDIENCE is not valid: expected one audience (no spaces, at most 1024 characters)',
          );
        else if (!custom && webhookAudienceRelation(parsed.href, audienceRaw) === 'custom')
          // An ID token is a bearer credential for its audience: one for another service must not reach this host.
          problems.push(
            `AUDIT_WEBHOOK_AUDIENCE "${audienceRaw}" is not the origin of AUDIT_WEBHOOK_URL nor a prefix of it (${parsed.origin}): the webhook's host would receive an ID token valid for another service. Leave it unset (the URL's origin), or, if the receiving service lists it as a custom audience, set AUDIT_WEBHOOK_CUSTOM_AUDIENCE=true`,
          );
        else audience = audienceRaw;
      }
      webhook = { url: parsed.href, audience };
    }
  } else if (audienceRaw) {
    problems.push('AUDIT_WEBHOOK_AUDIENCE is set without AUDIT_WEBHOOK_URL: expected both, or neither');
  }
  return {
    value: {
      cloudLogging,
      webhook,
      queueCapacity: intSetting(env, 'AUDIT_QUEUE_CAPACITY', 10_000, 100, 1_000_000, problems),
      batchSize: intSetting(env, 'AUDIT_BATCH_SIZE', 100, 1, 500, problems),
      flushMs: intSetting(env, 'AUDIT_FLUSH_MS', 1000, 0, 60_000, problems),
      drainSeconds: intSetting(env, 'AUDIT_DRAIN_SECONDS', 5, 1, 60, problems),
    },
    problems,
  };
}
