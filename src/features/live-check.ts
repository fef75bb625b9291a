/**
 * The live check's runner: one call per method with the session's token, each built from the Discovery data
 * (`baseUrl + path`, with GOOGLE_API_BASE_URL applied by `apiRoot`), made by `googleRequest` without retries
 * (one answer is all the classification needs, and a write probe is never repeated), classified by live.ts.
 * Calls run one after another: a handful of methods, and Google's quotas stay untouched.
 */
import { z } from 'zod';
import { GoogleApiError } from '../google/errors.js';
import { googleRequest } from '../google/request.js';
import { apiRoot, methodUrl } from '../google/urls.js';
import { apiBaseUrl, findMethod, type Discovery, type MethodId } from '../scopes/discovery.js';
import { classifyLiveAnswer, cloudScopes, probeFor, type LiveResult, type ProbeContext } from '../scopes/live.js';

export interface VerifyLiveOptions {
  readonly methods: readonly MethodId[];
  readonly accessToken: string;
  /** The scopes the token holds (as granted); recorded with each result. */
  readonly scopesHeld: readonly string[];
  readonly data: Discovery;
  readonly probe: ProbeContext;
  /** GOOGLE_API_BASE_URL, e.g. the mock Google. */
  readonly apiBaseOverride?: string | undefined;
  readonly fetchImpl?: typeof fetch | undefined;
  /** Per call; default 10 000 ms. */
  readonly timeoutMs?: number | undefined;
  readonly now?: (() => Date) | undefined;
  readonly signal?: AbortSignal | undefined;
}

const anything = z.unknown();

export async function verifyLive(options: VerifyLiveOptions): Promise<LiveResult[]> {
  const now = options.now ?? (() => new Date());
  const held = cloudScopes(options.scopesHeld);
  const results: LiveResult[] = [];
  for (const methodId of options.methods) {
    const checkedAt = now().toISOString();
    const base = { methodId, checkedAt, scopesHeld: held };
    const method = findMethod(options.data, methodId);
    const probe = probeFor(methodId, options.probe);
    if (!method || !probe) {
      results.push({
        ...base,
        outcome: 'unknown',
        status: 0,
        detail: !method ? 'not in the Discovery data (no URL to call)' : 'no harmless probe defined for this method',
      });
      continue;
    }
    let url: string;
    try {
      url = methodUrl(
        apiRoot(apiBaseUrl(options.data, methodId), options.apiBaseOverride),
        method.path,
        probe.pathParams,
        probe.query,
      );
    } catch (err) {
      results.push({
        ...base,
        outcome: 'unknown',
        status: 0,
        detail: `could not build the URL (${(err as Error).message})`,
      });
      continue;
    }
    try {
      await googleRequest({
        method: probe.httpMethod,
        url,
        accessToken: options.accessToken,
        ...(probe.body !== undefined ? { body: probe.body } : {}),
        schema: anything,
        idempotent: false,
        retries: 0,
        timeoutMs: options.timeoutMs,
        fetchImpl: options.fetchImpl,
        signal: options.signal,
      });
      results.push({
        ...base,
        outcome: classifyLiveAnswer({ status: 200 }),
        status: 200,
        detail: `Google answered (${probe.harmless})`,
      });
    } catch (err) {
      if (!(err instanceof GoogleApiError)) throw err;
      const outcome = classifyLiveAnswer({ status: err.status, errorCode: err.code, reason: err.reason });
      const detail =
        outcome === 'refused-for-scope'
          ? `Google refused the token for scope${err.requiredScopes ? ` (accepts: ${err.requiredScopes.join(' ')})` : ''}`
          : outcome === 'accepted'
            ? `past the scope check: ${err.code} (${probe.harmless})`
            : `no conclusion: ${err.code}`;
      results.push({ ...base, outcome, status: err.status, ...(err.reason ? { reason: err.reason } : {}), detail });
    }
  }
  return results;
}
