// The authorization-code flow (openid-client 6): begin (build the authorization URL and remember the
// transaction) and complete (check the response, exchange the code, check the ID token).
import * as client from 'openid-client';
import type { Request } from 'express';
import type { LoginTransaction, SessionUser } from '../sessions/types.js';
import { addTransaction, takeTransaction } from './transaction.js';
import { AuthError, transactionError } from './errors.js';
import { IdpUnavailableError, type OidcProvider } from './oidc.js';

export const SIGN_IN_SCOPE = 'openid email profile';
const ANONYMOUS_SESSION_MS = 10 * 60 * 1000;

export interface BeginOptions {
  purpose: LoginTransaction['purpose'];
  /** Space-separated scope parameter. */
  scope: string;
  returnTo: string;
  featureId?: string;
  requestedScopes?: string[];
  extraParams?: Record<string, string | undefined>;
}

export interface FlowDeps {
  oidc: OidcProvider;
  redirectUri: string;
  now?: () => number;
}

/** Creates a transaction in the session and returns the issuer's authorization URL. */
export async function beginAuthorization(req: Request, deps: FlowDeps, opts: BeginOptions): Promise<URL> {
  const config = deps.oidc.get();
  const now = (deps.now ?? Date.now)();
  const codeVerifier = client.randomPKCECodeVerifier();
  const tx: LoginTransaction = {
    state: client.randomState(),
    nonce: client.randomNonce(),
    codeVerifier,
    returnTo: opts.returnTo,
    purpose: opts.purpose,
    createdAt: now,
    ...(opts.featureId ? { featureId: opts.featureId } : {}),
    ...(opts.requestedScopes ? { requestedScopes: opts.requestedScopes } : {}),
  };
  const params: Record<string, string> = {
    redirect_uri: deps.redirectUri,
    response_type: 'code',
    scope: opts.scope,
    state: tx.state,
    nonce: tx.nonce,
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
  };
  for (const [k, v] of Object.entries(opts.extraParams ?? {})) if (v !== undefined) params[k] = v;
  const url = client.buildAuthorizationUrl(config, params);
  req.session.logins = addTransaction(req.session.logins, tx, now);
  // A visitor who is not signed in gets a short-lived session that only carries the transaction.
  if (!req.session.user) req.session.cookie.maxAge = ANONYMOUS_SESSION_MS;
  return url;
}

export interface CompletedAuthorization {
  tx: LoginTransaction;
  tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers;
  claims: client.IDToken;
}

function single(v: unknown, name: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  throw new AuthError(
    'BAD_CALLBACK_REQUEST',
    400,
    'Sign-in could not be completed',
    `The sign-in response was malformed (parameter "${name}" appeared more than once).`,
  );
}

/**
 * Completes a callback. The transaction named by `state` is taken out of the session first, so it is
 * used up whatever happens next.
 */
export async function completeAuthorization(
  req: Request,
  deps: FlowDeps,
  currentUrl: URL,
): Promise<CompletedAuthorization> {
  const q = req.query as Record<string, unknown>;
  const state = single(q.state, 'state');
  const error = single(q.error, 'error');
  const errorDescription = single(q.error_description, 'error_description');
  for (const name of ['code', 'iss', 'scope']) single(q[name], name);

  const taken = takeTransaction(req.session.logins, state, (deps.now ?? Date.now)());
  req.session.logins = Object.keys(taken.rest).length > 0 ? taken.rest : undefined;
  if (!taken.ok) throw transactionError(taken.code);
  const tx = taken.tx;

  if (error !== undefined) {
    if (error === 'access_denied') {
      throw new AuthError(
        'ACCESS_DENIED',
        400,
        tx.purpose === 'consent' ? 'Access was not granted' : 'Sign-in was cancelled',
        tx.purpose === 'consent'
          ? 'You chose not to grant the access this feature needs. Nothing was changed; you can ask again whenever you like.'
          : 'You cancelled the sign-in at Google. Nothing was stored. You can try again whenever you like.',
      );
    }
    throw new AuthError(
      'IDP_ERROR',
      400,
      'The identity provider refused the request',
      `The identity provider answered with an error: ${error}${errorDescription ? ` (${errorDescription})` : ''}.`,
      error,
    );
  }

  let config: client.Configuration;
  try {
    config = deps.oidc.forTokenRequest();
  } catch (err) {
    if (err instanceof IdpUnavailableError) {
      throw new AuthError(
        'IDP_UNAVAILABLE',
        503,
        'Sign-in is unavailable',
        'The identity provider cannot be reached right now. Please try again in a moment.',
      );
    }
    throw err;
  }

  let tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers;
  try {
    tokens = await client.authorizationCodeGrant(config, currentUrl, {
      pkceCodeVerifier: tx.codeVerifier,
      expectedState: tx.state,
      expectedNonce: tx.nonce,
      idTokenExpected: true,
    });
  } catch (err) {
    throw classifyGrantError(err);
  } finally {
    deps.oidc.keepJwks(config);
  }
  const claims = tokens.claims();
  if (!claims || typeof claims.sub !== 'string' || claims.sub.length === 0) {
    throw new AuthError(
      'ID_TOKEN_INVALID',
      400,
      'Sign-in could not be completed',
      'The identity provider sent an ID token without a subject.',
    );
  }
  return { tx, tokens, claims };
}

/** Reads the user's profile and checks that it belongs to the ID token's subject. */
export async function fetchProfile(deps: FlowDeps, accessToken: string, claims: client.IDToken): Promise<SessionUser> {
  let info: client.UserInfoResponse;
  try {
    info = await client.fetchUserInfo(deps.oidc.get(), accessToken, claims.sub);
  } catch (err) {
    throw new AuthError(
      'USERINFO_INVALID',
      400,
      'Sign-in could not be completed',
      'The identity provider sent a profile that does not match the signed-in account.',
      errorReason(err).text,
    );
  }
  const pick = (k: string): unknown => claims[k] ?? info[k];
  const email = pick('email');
  const name = pick('name');
  const hd = claims.hd; // only the ID token's verified claim counts
  return {
    sub: claims.sub,
    iss: claims.iss,
    email: typeof email === 'string' ? email : '',
    emailVerified: claims.email_verified === true,
    name: typeof name === 'string' && name ? name : typeof email === 'string' ? email : claims.sub,
    ...(typeof hd === 'string' ? { hd } : {}),
  };
}

/**
 * openid-client wraps the specific reason (which claim, which check) in `cause`, under a generic message
 * ("invalid response encountered"). Both go to the log; neither carries token or code values.
 */
function errorReason(err: unknown): { code: string; text: string; causeName?: string } {
  const e = err as { code?: unknown; name?: string; message?: string; cause?: unknown };
  const code = typeof e.code === 'string' ? e.code : (e.name ?? 'ERROR');
  const cause = e.cause instanceof Error ? e.cause : undefined;
  const causeMessage = cause && cause.message !== e.message ? ` (${cause.message})` : '';
  return { code, text: `${code}: ${e.message ?? ''}${causeMessage}`, ...(cause ? { causeName: cause.name } : {}) };
}

const ID_TOKEN_CODES = new Set([
  'OAUTH_JWT_CLAIM_COMPARISON_FAILED',
  'OAUTH_JWT_TIMESTAMP_CHECK_FAILED',
  'OAUTH_KEY_SELECTION_FAILED',
]);

export function classifyGrantError(err: unknown): AuthError {
  if (err instanceof AuthError) return err;
  const e = err as { error?: string; name?: string };
  const { code, text, causeName } = errorReason(err);
  if (err instanceof client.ResponseBodyError || err instanceof client.AuthorizationResponseError) {
    return new AuthError(
      'TOKEN_EXCHANGE_FAILED',
      400,
      'Sign-in could not be completed',
      'The identity provider did not accept the sign-in response. Please start again.',
      `${code}: ${e.error ?? ''}`,
    );
  }
  if (
    code === 'OAUTH_TIMEOUT' ||
    code === 'OAUTH_ABORT' ||
    e.name === 'TimeoutError' ||
    e.name === 'AbortError' ||
    causeName === 'TimeoutError' ||
    code === 'ETIMEDOUT' ||
    code === 'UND_ERR_CONNECT_TIMEOUT'
  ) {
    return new AuthError(
      'TOKEN_EXCHANGE_FAILED',
      400,
      'Sign-in could not be completed',
      'The identity provider took too long to answer. Please start again.',
      text,
    );
  }
  // An ID token check (claims, timestamps, alg, signature, key) as opposed to the authorization response's own
  // parameters ("iss" response parameter), which are also reported as OAUTH_INVALID_RESPONSE.
  if (
    ID_TOKEN_CODES.has(code) ||
    code.startsWith('OAUTH_JWT') ||
    (code === 'OAUTH_INVALID_RESPONSE' && /\bJWT\b|ID Token|id_token/.test(text))
  ) {
    return new AuthError(
      'ID_TOKEN_INVALID',
      400,
      'Sign-in could not be completed',
      'The identity provider sent an ID token that failed verification. Nothing was stored.',
      text,
    );
  }
  return new AuthError(
    'TOKEN_EXCHANGE_FAILED',
    400,
    'Sign-in could not be completed',
    'The sign-in response could not be verified. Nothing was stored. Please start again.',
    text,
  );
}
