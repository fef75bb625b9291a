// The authorization endpoint: request validation, account chooser, consent screen, and the redirect back.
import express, { Router, type Request, type Response } from 'express';
import type { MockContext } from '../context.js';
import { randomId } from '../crypto.js';
import { gate } from '../http.js';
import { authResponseIssuer } from '../hostile.js';
import { IDENTITY_SCOPES, OPENID, USERINFO_EMAIL, USERINFO_PROFILE, formatScopes, parseScopeParam } from '../scopes.js';
import { REST_ONLY_SCOPES } from '../cloud/authorization.js';
import { CODE_TTL_MS, type Client, type PendingAuth, type PromptNoneError } from '../state.js';
import { FIXTURE_USERS, findUserByEmail, findUserBySub, type FixtureUser } from '../users.js';
import { chooserPage, consentPage, errorPage, type ConsentScope } from '../views.js';
import {
  applyGrantLifetime,
  grantEnded,
  GRANT_LIFETIME_FIELD,
  lifetimeChoices,
  parseLifetimeField,
} from './time-limited.js';

const ACCOUNT_COOKIE = 'mock_google_account';
const PROMPT_NONE_DESCRIPTIONS: Record<PromptNoneError, string> = {
  interaction_required: 'Interaction required',
  consent_required: 'Consent required',
  login_required: 'Login required',
  account_selection_required: 'Account selection required',
};
const PROMPTS = new Set(['none', 'consent', 'select_account']);

export function sendPage(res: Response, status: number, page: string): void {
  res
    .status(status)
    .set(
      'Content-Security-Policy',
      "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; frame-ancestors 'none'",
    )
    .set('X-Frame-Options', 'DENY')
    .set('X-Content-Type-Options', 'nosniff')
    .set('Referrer-Policy', 'no-referrer')
    .set('Cache-Control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(page);
}

function showError(res: Response, status: number, error: string, message: string): void {
  sendPage(res, status, errorPage({ status, error, message }));
}

function redirectBack(
  ctx: MockContext,
  res: Response,
  redirectUri: string,
  params: Record<string, string | undefined>,
): void {
  const url = new URL(redirectUri);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  // Google sends `iss` on every authorization response (RFC 9207) without advertising it in discovery.
  url.searchParams.set('iss', authResponseIssuer(ctx.store.hostile, ctx.issuer()));
  res.set('Cache-Control', 'no-store').redirect(302, url.toString());
}

function rememberedUser(ctx: MockContext, req: Request): FixtureUser | undefined {
  const raw = req.get('cookie') ?? '';
  for (const part of raw.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name !== ACCOUNT_COOKIE) continue;
    const value = decodeURIComponent(rest.join('='));
    const dot = value.indexOf('.');
    if (value.slice(0, dot) === ctx.store.epoch) return findUserByEmail(value.slice(dot + 1));
  }
  return undefined;
}

function rememberUser(ctx: MockContext, res: Response, user: FixtureUser): void {
  res.cookie(ACCOUNT_COOKIE, `${ctx.store.epoch}.${user.email}`, { httpOnly: true, sameSite: 'lax', path: '/' });
}

function describeScope(ctx: MockContext, uri: string): string {
  if (uri === OPENID) return 'Associate you with your personal info on Google';
  return ctx.catalog.scopeDescriptions.get(uri) ?? uri;
}

function knownScope(ctx: MockContext, uri: string): boolean {
  return (
    uri === OPENID ||
    uri === USERINFO_EMAIL ||
    uri === USERINFO_PROFILE ||
    ctx.catalog.scopeDescriptions.has(uri) ||
    REST_ONLY_SCOPES.includes(uri)
  );
}

/** Validates the request; returns the pending record, or answers (error page / error redirect) and returns undefined. */
function parseRequest(ctx: MockContext, req: Request, res: Response): PendingAuth | undefined {
  const q = new URL(req.originalUrl, 'http://mock.invalid').searchParams;
  const one = (name: string) => q.get(name) ?? undefined;

  const client = ctx.store.clients.get(one('client_id') ?? '');
  if (!client) {
    showError(res, 401, 'invalid_client', 'The OAuth client was not found.');
    return undefined;
  }
  const redirectUri = one('redirect_uri');
  if (!redirectUri || !client.redirectUris.includes(redirectUri)) {
    showError(
      res,
      400,
      'redirect_uri_mismatch',
      `You can’t sign in to this app because it doesn’t comply with Google’s OAuth 2.0 policy. If you’re the app developer, register the redirect URI in the Google Cloud Console. Request details: redirect_uri=${redirectUri ?? '(missing)'}`,
    );
    return undefined;
  }
  const state = one('state');
  const fail = (error: string, description: string) => {
    redirectBack(ctx, res, redirectUri, { error, error_description: description, state });
    return undefined;
  };

  const repeated = [...new Set(q.keys())].find((k) => q.getAll(k).length > 1);
  if (repeated) return fail('invalid_request', `Parameter not allowed to be repeated: ${repeated}`);

  const responseType = one('response_type');
  if (!responseType) return fail('invalid_request', 'Required parameter is missing: response_type');
  if (responseType !== 'code') return fail('unsupported_response_type', `Unsupported response_type: ${responseType}`);

  const scopeParam = one('scope');
  const requested = parseScopeParam(scopeParam ?? '');
  if (requested.length === 0) return fail('invalid_request', 'Missing required parameter: scope');
  const invalid = requested.filter((s) => !knownScope(ctx, s.scope)).map((s) => s.asGiven);
  if (invalid.length > 0)
    return fail('invalid_scope', `Some requested scopes were invalid. {invalid=[${invalid.join(', ')}]}`);

  const codeChallenge = one('code_challenge');
  const methodParam = one('code_challenge_method');
  let codeChallengeMethod: 'S256' | 'plain' | undefined;
  if (methodParam !== undefined || codeChallenge !== undefined) {
    if (!codeChallenge) return fail('invalid_request', 'Missing code_challenge');
    const m = methodParam ?? 'plain';
    if (m !== 'S256' && m !== 'plain') return fail('invalid_request', `Invalid code_challenge_method: ${m}`);
    if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(codeChallenge)) return fail('invalid_request', 'Invalid code_challenge');
    codeChallengeMethod = m;
  }

  const prompt = new Set((one('prompt') ?? '').split(/\s+/).filter(Boolean));
  for (const p of prompt) if (!PROMPTS.has(p)) return fail('invalid_request', `Invalid prompt: ${p}`);
  if (prompt.has('none') && prompt.size > 1)
    return fail('invalid_request', 'prompt=none must not be combined with other values');

  const accessType = one('access_type') ?? 'online';
  if (accessType !== 'online' && accessType !== 'offline')
    return fail('invalid_request', `Invalid access_type: ${accessType}`);

  return {
    id: randomId(),
    csrf: randomId(),
    createdAt: ctx.store.now(),
    clientId: client.clientId,
    redirectUri,
    state,
    nonce: one('nonce'),
    scopes: requested.map((s) => s.scope),
    scopesAsGiven: new Map(requested.map((s) => [s.scope, s.asGiven])),
    codeChallenge,
    codeChallengeMethod,
    offline: accessType === 'offline',
    includeGrantedScopes: one('include_granted_scopes') === 'true',
    prompt,
    loginHint: one('login_hint'),
    hd: one('hd'),
    userSub: undefined,
    shown: undefined,
  };
}

/**
 * Ends the authorization: records what was granted, mints the code, redirects back.
 * `decided(uri)` says whether the user agreed to a scope shown on the consent screen.
 */
function finish(
  ctx: MockContext,
  res: Response,
  p: PendingAuth,
  user: FixtureUser,
  shown: Set<string>,
  decided: (uri: string) => boolean,
  lifetimeSeconds?: number | null,
): void {
  const { store } = ctx;
  store.pending.delete(p.id);
  const grant = store.grant(user.sub, p.clientId);
  // A grant whose time-based access ran out is over, like a revoked one.
  if (grant.revoked || grantEnded(grant, store.now())) {
    grant.revoked = false;
    grant.scopes.clear();
    grant.refreshIssued = false;
    delete grant.expiresAt;
  }
  // Only a consent screen (or the test control standing in for it) sets how long the grant lasts.
  if (lifetimeSeconds !== undefined) applyGrantLifetime(grant, lifetimeSeconds, store.now());
  const previously = new Set(grant.scopes);
  const grantedNow = p.scopes.filter((s) => IDENTITY_SCOPES.has(s) || (shown.has(s) ? decided(s) : previously.has(s)));
  for (const s of grantedNow) grant.scopes.add(s);
  const tokenScopes = p.includeGrantedScopes ? [...grant.scopes] : grantedNow;
  const code = `4/mock.${randomId(32)}`;
  store.codes.set(code, {
    code,
    clientId: p.clientId,
    redirectUri: p.redirectUri,
    userSub: user.sub,
    scopes: tokenScopes,
    nonce: p.nonce,
    codeChallenge: p.codeChallenge,
    codeChallengeMethod: p.codeChallengeMethod,
    issueRefresh: p.offline && (!grant.refreshIssued || p.prompt.has('consent')),
    includeGrantedScopes: p.includeGrantedScopes,
    expiresAt: store.now() + CODE_TTL_MS,
    used: false,
  });
  redirectBack(ctx, res, p.redirectUri, {
    state: p.state,
    code,
    scope: formatScopes(tokenScopes),
    authuser: '0',
    hd: user.hd,
    prompt: shown.size > 0 ? 'consent' : 'none',
  });
}

function clientOf(ctx: MockContext, p: PendingAuth): Client {
  const c = ctx.store.clients.get(p.clientId);
  if (!c) throw new Error('client vanished');
  return c;
}

/** The user is known: show consent for what is new (or everything with prompt=consent), or go straight back. */
function continueAs(ctx: MockContext, res: Response, p: PendingAuth, user: FixtureUser): void {
  p.userSub = user.sub;
  const grant = ctx.store.findGrant(user.sub, p.clientId);
  const already = grant && !grant.revoked && !grantEnded(grant, ctx.store.now()) ? grant.scopes : new Set<string>();
  const toShow = p.prompt.has('consent') ? p.scopes : p.scopes.filter((s) => !already.has(s));
  if (toShow.length === 0) {
    finish(ctx, res, p, user, new Set(), () => true);
    return;
  }
  if (p.prompt.has('none')) {
    ctx.store.pending.delete(p.id);
    redirectBack(ctx, res, p.redirectUri, {
      error: 'consent_required',
      error_description: 'Consent required',
      state: p.state,
    });
    return;
  }
  p.shown = toShow;
  const scopes: ConsentScope[] = toShow.map((uri) => ({
    uri,
    asGiven: p.scopesAsGiven.get(uri) ?? uri,
    description: describeScope(ctx, uri),
    basic: IDENTITY_SCOPES.has(uri),
  }));
  const lifetime = { name: GRANT_LIFETIME_FIELD, options: lifetimeChoices(ctx.store.settings.grantLifetimeSeconds) };
  sendPage(
    res,
    200,
    consentPage({ fields: { pending: p.id, csrf: p.csrf }, clientName: clientOf(ctx, p).name, user, scopes, lifetime }),
  );
}

function showChooser(ctx: MockContext, res: Response, p: PendingAuth): void {
  const inDomain = (u: FixtureUser) => !p.hd || (p.hd === '*' ? u.hd !== undefined : u.hd === p.hd);
  sendPage(
    res,
    200,
    chooserPage({
      fields: { pending: p.id, csrf: p.csrf },
      clientName: clientOf(ctx, p).name,
      users: FIXTURE_USERS.filter(inDomain),
      others: FIXTURE_USERS.filter((u) => !inDomain(u)),
      hd: p.hd,
    }),
  );
}

/** Finds the pending record named by the form and checks its per-page nonce. */
function pendingFromForm(ctx: MockContext, req: Request, res: Response): PendingAuth | undefined {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const p = typeof body['pending'] === 'string' ? ctx.store.pending.get(body['pending']) : undefined;
  if (!p || body['csrf'] !== p.csrf) {
    showError(
      res,
      400,
      'invalid_request',
      'This sign-in request has expired or is not valid. Go back to the app and try again.',
    );
    return undefined;
  }
  return p;
}

export function authorizeRouter(ctx: MockContext): Router {
  const r = Router();
  const form = express.urlencoded({ extended: false, limit: '64kb' });

  r.get('/o/oauth2/v2/auth', gate(ctx.store, 'authorize'), (req, res) => {
    const p = parseRequest(ctx, req, res);
    if (!p) return;
    const { store } = ctx;

    const forced = store.settings.promptNoneError;
    if (p.prompt.has('none') && forced) {
      redirectBack(ctx, res, p.redirectUri, {
        error: forced,
        error_description: PROMPT_NONE_DESCRIPTIONS[forced],
        state: p.state,
      });
      return;
    }
    const auto = store.settings.autoApprove ? findUserByEmail(store.settings.autoApprove.email) : undefined;
    if (auto) {
      p.userSub = auto.sub;
      finish(ctx, res, p, auto, new Set(p.scopes), () => true, store.settings.grantLifetimeSeconds);
      return;
    }

    const user = p.prompt.has('select_account')
      ? undefined
      : (findUserByEmail(p.loginHint) ?? rememberedUser(ctx, req));
    if (!user) {
      if (p.prompt.has('none')) {
        redirectBack(ctx, res, p.redirectUri, {
          error: 'login_required',
          error_description: 'Login required',
          state: p.state,
        });
        return;
      }
      store.pending.set(p.id, p);
      showChooser(ctx, res, p);
      return;
    }
    store.pending.set(p.id, p);
    continueAs(ctx, res, p, user);
  });

  r.post('/o/oauth2/v2/auth/choose', form, (req, res) => {
    const p = pendingFromForm(ctx, req, res);
    if (!p) return;
    const user = findUserByEmail(String((req.body as Record<string, unknown>)['email'] ?? ''));
    if (!user) {
      showChooser(ctx, res, p);
      return;
    }
    rememberUser(ctx, res, user);
    continueAs(ctx, res, p, user);
  });

  r.post('/o/oauth2/v2/auth/consent', form, (req, res) => {
    const p = pendingFromForm(ctx, req, res);
    if (!p) return;
    const user = p.userSub ? findUserBySub(p.userSub) : undefined;
    if (!user || !p.shown) {
      showError(res, 400, 'invalid_request', 'No account was chosen for this request.');
      return;
    }
    const body = req.body as Record<string, unknown>;
    if (body['action'] !== 'allow') {
      ctx.store.pending.delete(p.id);
      redirectBack(ctx, res, p.redirectUri, { error: 'access_denied', state: p.state });
      return;
    }
    const lifetime = parseLifetimeField(body[GRANT_LIFETIME_FIELD], ctx.store.settings.grantLifetimeSeconds);
    if (lifetime === 'invalid') {
      showError(res, 400, 'invalid_request', 'The access duration chosen is not one this screen offered.');
      return;
    }
    const raw = body['scope'];
    const ticked = new Set(Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? [raw] : []);
    // With one non-sign-in scope Google shows no checkbox: Allow grants it (only Cancel declines).
    const extra = p.shown.filter((s) => !IDENTITY_SCOPES.has(s));
    if (extra.length === 1) {
      finish(ctx, res, p, user, new Set(p.shown), () => true, lifetime);
      return;
    }
    finish(ctx, res, p, user, new Set(p.shown), (uri) => ticked.has(uri), lifetime);
  });
  return r;
}
