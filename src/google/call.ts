/**
 * The shared path from "endpoint + parameters" to a validated answer, used by every API client.
 */
import type { z } from 'zod';
import { ENDPOINTS, type EndpointKey } from './endpoints.js';
import { googleRequest, type RetryPolicy } from './request.js';
import { apiRoot, methodUrl, type PathParams, type QueryParams } from './urls.js';

/** What a client function needs to make a call; the caller owns the token (and its refresh). */
export interface GoogleCallContext {
  accessToken: string;
  /** `GOOGLE_API_BASE_URL` (the mock Google), see docs/contracts.md. */
  apiBaseOverride?: string | undefined;
  fetchImpl?: typeof fetch | undefined;
  /** Per attempt; default 10 000. */
  timeoutMs?: number | undefined;
  /** Extra attempts for idempotent calls; default 2. */
  retries?: number | undefined;
  retryPolicy?: Partial<RetryPolicy> | undefined;
  signal?: AbortSignal | undefined;
}

export interface EndpointCall<T> {
  pathParams?: PathParams;
  query?: QueryParams;
  body?: unknown;
  schema: z.ZodType<T>;
}

/** The URL of an endpoint for these parameters (exported for logging/tests; contains no secret). */
export function endpointUrl(
  key: EndpointKey,
  apiBaseOverride: string | undefined,
  pathParams: PathParams = {},
  query: QueryParams = {},
): string {
  const endpoint = ENDPOINTS[key];
  return methodUrl(apiRoot(endpoint.baseUrl, apiBaseOverride), endpoint.path, pathParams, query);
}

export function callEndpoint<T>(ctx: GoogleCallContext, key: EndpointKey, call: EndpointCall<T>): Promise<T> {
  const endpoint = ENDPOINTS[key];
  return googleRequest<T>({
    method: endpoint.httpMethod,
    url: endpointUrl(key, ctx.apiBaseOverride, call.pathParams, call.query),
    accessToken: ctx.accessToken,
    body: call.body,
    schema: call.schema,
    idempotent: endpoint.idempotent,
    timeoutMs: ctx.timeoutMs,
    retries: ctx.retries,
    retryPolicy: ctx.retryPolicy,
    fetchImpl: ctx.fetchImpl,
    signal: ctx.signal,
  });
}
