/**
 * One HTTP call to a Google API: bearer auth, JSON in and out, a timeout per attempt, bounded retries with
 * exponential backoff and full jitter for idempotent calls only, a response size cap, and zod validation of
 * the answer. The access token goes in the Authorization header and nowhere else: never in a message, never
 * in an error, never in a log.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { readBodyLimited } from '../http/read-limited.js';
import type { z } from 'zod';
import { GoogleApiError, parseGoogleError, type HeadersLike } from './errors.js';
import { exchange, ExchangeTimeoutError } from './transport.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RetryPolicy {
  /** First backoff ceiling; attempt n waits random(0, min(maxDelayMs, baseDelayMs * 2^n)). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A `Retry-After` longer than this is not waited for: the error is returned at once. */
  maxRetryAfterMs: number;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_RETRIES = 2;
export const MAX_RETRIES = 5;
export const DEFAULT_MAX_RESPONSE_BYTES = 5 * 1024 * 1024;
const MAX_ERROR_BODY_BYTES = 64 * 1024;
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  baseDelayMs: 250,
  maxDelayMs: 4_000,
  maxRetryAfterMs: 5_000,
});

export interface GoogleRequestOptions<T> {
  method: HttpMethod;
  url: string;
  accessToken: string;
  /** Sent as JSON when present. */
  body?: unknown;
  /** Validates the parsed JSON answer; a mismatch is `BAD_RESPONSE`. Use loose objects. */
  schema: z.ZodType<T>;
  /** Whether the call may be repeated. Only idempotent calls are ever retried. */
  idempotent: boolean;
  /** Per attempt. Default 10 000. */
  timeoutMs?: number | undefined;
  /** Extra attempts for idempotent calls on 429/5xx/timeout/network. Default 2, at most 5. */
  retries?: number | undefined;
  /** Another transport (tests); by default node:http(s) over a keep-alive agent (transport.ts). */
  fetchImpl?: typeof fetch | undefined;
  /** Caller's cancellation; aborting rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
  maxResponseBytes?: number | undefined;
  retryPolicy?: Partial<RetryPolicy> | undefined;
  /** For tests: the jitter source, in [0, 1). */
  random?: (() => number) | undefined;
}

/** Full-jitter exponential backoff: a random delay in [0, min(maxDelayMs, baseDelayMs * 2^retryIndex)). */
export function computeBackoffDelay(
  retryIndex: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retryIndex);
  return Math.floor(random() * ceiling);
}

/**
 * How long to wait before the next attempt, or undefined when the error must not be retried
 * (not retryable, or Google asked for a longer pause than we are willing to hold a request for).
 */
export function retryDelay(
  error: GoogleApiError,
  retryIndex: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number | undefined {
  if (!error.retryable) return undefined;
  if (error.retryAfterMs !== undefined) {
    return error.retryAfterMs <= policy.maxRetryAfterMs ? error.retryAfterMs : undefined;
  }
  return computeBackoffDelay(retryIndex, policy, random);
}

const TOKEN_SHAPE = /^[\x21-\x7e]+$/;

export async function googleRequest<T>(options: GoogleRequestOptions<T>): Promise<T> {
  const {
    method,
    url,
    accessToken,
    schema,
    idempotent,
    signal,
    timeoutMs = DEFAULT_TIMEOUT_MS,
    fetchImpl,
    maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES,
    random = Math.random,
  } = options;
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retryPolicy };
  const retries = idempotent ? Math.max(0, Math.min(MAX_RETRIES, Math.floor(options.retries ?? DEFAULT_RETRIES))) : 0;

  // Checked here so that no header-validation error can ever quote the token back.
  if (typeof accessToken !== 'string' || !TOKEN_SHAPE.test(accessToken)) {
    throw new GoogleApiError({
      code: 'UNAUTHENTICATED',
      status: 0,
      message: 'The access token is missing or malformed.',
    });
  }

  const headers: Record<string, string> = {
    authorization: `Bearer ${accessToken}`,
    accept: 'application/json',
  };
  let body: string | undefined;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] = 'application/json; charset=utf-8';
  }

  for (let attempt = 0; ; attempt++) {
    signal?.throwIfAborted();
    const outcome = await attemptOnce<T>({
      method,
      url,
      headers,
      body,
      schema,
      timeoutMs,
      fetchImpl,
      signal,
      maxResponseBytes,
    });
    if (outcome.ok) return outcome.value;
    const error = redactToken(outcome.error, accessToken);
    if (attempt >= retries) throw error;
    const delay = retryDelay(error, attempt, policy, random);
    if (delay === undefined) throw error;
    try {
      await sleep(delay, undefined, signal ? { signal } : undefined);
    } catch {
      signal?.throwIfAborted();
      throw error;
    }
  }
}

interface AttemptInput<T> {
  method: HttpMethod;
  url: string;
  headers: Record<string, string>;
  body: string | undefined;
  schema: z.ZodType<T>;
  timeoutMs: number;
  fetchImpl: typeof fetch | undefined;
  signal: AbortSignal | undefined;
  maxResponseBytes: number;
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: GoogleApiError };

/** An answer as both transports give it: status, headers, and the body's text unless it was too large. */
interface Answer {
  status: number;
  headers: HeadersLike;
  text: string;
  tooLarge: boolean;
}

const isSuccess = (status: number): boolean => status >= 200 && status <= 299;

/** The default transport (transport.ts); a timeout or a failed connection rejects, as fetch does. */
async function answerByExchange(input: AttemptInput<unknown>): Promise<Answer> {
  const r = await exchange({
    method: input.method,
    url: input.url,
    headers: input.headers,
    body: input.body,
    timeoutMs: input.timeoutMs,
    signal: input.signal,
    limitFor: (status) => (isSuccess(status) ? input.maxResponseBytes : MAX_ERROR_BODY_BYTES),
  });
  return {
    status: r.status,
    headers: r.headers,
    text: r.body === undefined ? '' : r.body.toString('utf8'),
    tooLarge: r.body === undefined,
  };
}

/** A fetch-compatible transport (tests inject one). */
async function answerByFetch(
  input: AttemptInput<unknown>,
  fetchImpl: typeof fetch,
  signal: AbortSignal,
): Promise<Answer> {
  const response = await fetchImpl(input.url, {
    method: input.method,
    headers: input.headers,
    ...(input.body !== undefined ? { body: input.body } : {}),
    signal,
    redirect: 'manual',
  });
  const read = await readTextLimited(
    response,
    isSuccess(response.status) ? input.maxResponseBytes : MAX_ERROR_BODY_BYTES,
  );
  return { status: response.status, headers: response.headers, ...read };
}

async function attemptOnce<T>(input: AttemptInput<T>): Promise<Outcome<T>> {
  const timeout = input.fetchImpl ? AbortSignal.timeout(input.timeoutMs) : undefined;
  const timedOut = (err: unknown): boolean => err instanceof ExchangeTimeoutError || (timeout?.aborted ?? false);

  const transportError = (err: unknown): GoogleApiError => {
    if (input.signal?.aborted) throw input.signal.reason;
    if (timedOut(err)) {
      return new GoogleApiError({
        code: 'TIMEOUT',
        status: 0,
        message: `Google did not answer within ${input.timeoutMs} ms.`,
        retryable: true,
      });
    }
    return new GoogleApiError({
      code: 'NETWORK',
      status: 0,
      message: `Could not reach Google (${describeTransportError(err)}).`,
      retryable: true,
    });
  };

  let read: Answer;
  try {
    read = input.fetchImpl
      ? await answerByFetch(input, input.fetchImpl, input.signal ? AbortSignal.any([input.signal, timeout!]) : timeout!)
      : await answerByExchange(input);
  } catch (err) {
    return { ok: false, error: transportError(err) };
  }
  const response = read;
  const success = isSuccess(response.status);

  if (!success) {
    if (response.status >= 300 && response.status <= 399) {
      return {
        ok: false,
        error: new GoogleApiError({
          code: 'BAD_RESPONSE',
          status: response.status,
          message: `Google answered with a redirect (HTTP ${response.status}).`,
        }),
      };
    }
    return { ok: false, error: parseGoogleError(response.status, response.headers, read.tooLarge ? '' : read.text) };
  }

  if (read.tooLarge) {
    return {
      ok: false,
      error: new GoogleApiError({
        code: 'BAD_RESPONSE',
        status: response.status,
        message: `Google's answer was larger than ${input.maxResponseBytes} bytes.`,
      }),
    };
  }

  let json: unknown;
  try {
    json = read.text.trim() === '' ? {} : JSON.parse(read.text);
  } catch {
    return {
      ok: false,
      error: new GoogleApiError({
        code: 'BAD_RESPONSE',
        status: response.status,
        message: "Google's answer was not JSON.",
      }),
    };
  }

  const parsed = input.schema.safeParse(json);
  if (!parsed.success) {
    // Issue paths only: never the received values.
    const where = parsed.error.issues
      .slice(0, 3)
      .map((issue) => (issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)'))
      .join(', ');
    return {
      ok: false,
      error: new GoogleApiError({
        code: 'BAD_RESPONSE',
        status: response.status,
        message: `Google's answer had an unexpected shape at ${where}.`,
      }),
    };
  }
  return { ok: true, value: parsed.data };
}

/** Reads at most `limit` bytes of the body as text; beyond that, reports `tooLarge`. */
async function readTextLimited(response: Response, limit: number): Promise<{ text: string; tooLarge: boolean }> {
  const bytes = await readBodyLimited(response, limit);
  if (bytes === undefined) return { text: '', tooLarge: true };
  return { text: new TextDecoder('utf-8').decode(bytes), tooLarge: false };
}

function describeTransportError(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  const code = (cause as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[A-Z0-9_]{1,40}$/.test(code)) return code;
  return 'connection failed';
}

/**
 * Defence in depth: if an answer ever quotes the token (or a 16-character prefix of it, which survives
 * message truncation) back, the quoting fields are withheld from our error.
 */
function redactToken(error: GoogleApiError, accessToken: string): GoogleApiError {
  const needle = accessToken.length > 16 ? accessToken.slice(0, 16) : accessToken;
  const leaks = (text: string | undefined): boolean => text?.includes(needle) ?? false;
  const scopesLeak = error.requiredScopes?.some(leaks) ?? false;
  if (!leaks(error.message) && !leaks(error.reason) && !leaks(error.googleStatus) && !scopesLeak) return error;
  return new GoogleApiError({
    code: error.code,
    status: error.status,
    message: leaks(error.message) ? "Google's message was withheld because it quoted the credentials." : error.message,
    googleStatus: leaks(error.googleStatus) ? undefined : error.googleStatus,
    reason: leaks(error.reason) ? undefined : error.reason,
    requiredScopes: scopesLeak ? undefined : error.requiredScopes,
    retryable: error.retryable,
    retryAfterMs: error.retryAfterMs,
  });
}
