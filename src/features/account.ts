// /account: what this session holds and why (each scope, the sources that list it, whether it was verified live),
// how long the grant lasts, the user's other sessions; reduce access (revoke, then ask again for only what is
// used); /disconnect (revoke the grant at Google, then sign out); /account/verify (the live check).
import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { emptyToUndefined, ids } from '../google/ids.js';
import { redirectLocal, redirectToIssuer } from '../http/redirect.js';
import {
  accountSummary,
  cloudScopes,
  explainCatalogue,
  exportLiveEvidence,
  isIdentityScope,
  methodsToVerify,
  shortScope,
  SIGN_IN_SCOPES,
  type EvidenceCarrier,
  type Discovery,
} from '../scopes/index.js';
import type { SessionCookieSettings } from '../sessions/middleware.js';
import { destroySession } from '../sessions/session-ops.js';
import type { AccountSession, AccountView, VerifyView } from '../web/views.js';
import { startConsent, type ConsentDeps } from './consent.js';
import { formatWhen, parseInput } from './engine.js';
import { verifyLive } from './live-check.js';
import { accountPictures } from './account-pictures.js';
import { localeOf } from '../web/locale.js';

/** The user's sessions across instances (the subject index of the storage backend). */
export interface AccountSessions {
  list(sub: string): Promise<
    Array<{
      sid: string;
      createdAt: number;
      lastSeenAt: number;
      userAgent?: string | undefined;
      ip?: string | undefined;
    }>
  >;
  /** Ends every session of `sub` but `keepSid` (and drops their tokens); returns how many ended. */
  endOthers(sub: string, keepSid: string): Promise<number>;
  holdsGrant(sid: string): Promise<boolean>;
}

/** "Your Google password changed: check recent activity" (Cross-Account Protection). */
export interface CredentialNotices {
  get(sub: string): Promise<{ since: number } | undefined>;
  clear(sub: string, seenAt: number): Promise<void>;
}

export interface AccountDeps extends ConsentDeps {
  cookie: SessionCookieSettings;
  requireUser: RequestHandler;
  sessions: AccountSessions;
  credentialNotices: CredentialNotices;
  apiBaseOverride: string | undefined;
  defaultProject: string | undefined;
}

const STATE_LABEL: Record<string, string> = {
  ready: 'Ready',
  'needs-consent': 'Needs your consent',
  'partly-granted': 'Partly granted',
};

const verifyInput = z.object({
  project: z.preprocess(emptyToUndefined, ids.project.optional()),
  format: z.enum(['html', 'json'], { error: 'expected html or json' }).optional(),
});

/** A user agent for people: the browser family and platform, never the whole string. */
function deviceOf(userAgent: string | undefined): string {
  if (!userAgent) return 'unknown device';
  const browser = /Edg\//.test(userAgent)
    ? 'Edge'
    : /Chrome\//.test(userAgent)
      ? 'Chrome'
      : /Firefox\//.test(userAgent)
        ? 'Firefox'
        : /Safari\//.test(userAgent)
          ? 'Safari'
          : 'a browser';
  const platform = /Windows/.test(userAgent)
    ? 'Windows'
    : /Mac OS X/.test(userAgent)
      ? 'macOS'
      : /Android/.test(userAgent)
        ? 'Android'
        : /iPhone|iPad/.test(userAgent)
          ? 'iOS'
          : /Linux/.test(userAgent)
            ? 'Linux'
            : 'another system';
  return `${browser} on ${platform}`;
}

export function accountRoutes(deps: AccountDeps): Router {
  const router = Router();
  const { engine } = deps;
  const data = engine.discovery as Discovery & EvidenceCarrier;
  const titles = new Map(engine.catalogue.map((f) => [f.id, f.title]));

  router.get('/account', deps.requireUser, async (req, res) => {
    const who = await engine.signedIn(req);
    const granted = engine.grantedScopes(who);
    const summary = accountSummary(engine.catalogue, granted, data);
    const end = engine.grantEnd(who);
    const notice = await deps.credentialNotices.get(who.user.sub);
    const sessions = await deps.sessions.list(who.user.sub);
    const rows: AccountSession[] = await Promise.all(
      sessions
        .sort((a, b) => b.lastSeenAt - a.lastSeenAt)
        .map(async (s) => ({
          current: s.sid === who.sid,
          device: deviceOf(s.userAgent),
          address: s.ip ?? 'unknown',
          signedIn: formatWhen(s.createdAt),
          lastUsed: formatWhen(s.lastSeenAt),
          holdsGrant:
            s.sid === who.sid ? granted.some((g) => !isIdentityScope(g)) : await deps.sessions.holdsGrant(s.sid),
        })),
    );
    const view: AccountView = {
      lost: Boolean(who.record?.lost),
      grant: {
        confirmed: who.record?.confirmedAt !== undefined ? formatWhen(who.record.confirmedAt) : undefined,
        endsOn: end ? formatWhen(end.at) : undefined,
        endsSoon: end?.soon ?? false,
        ended: end?.ended ?? false,
      },
      credentialChange: notice ? { since: formatWhen(notice.since) } : undefined,
      scopes: summary.scopes.map((s) => ({
        uri: s.scope,
        short: s.short,
        description: s.description ?? s.scope,
        usedBy: s.identity
          ? 'Sign-in (who you are)'
          : s.usedBy.length
            ? s.usedBy.map((id) => titles.get(id as never) ?? id).join(', ')
            : 'No feature',
        stillNeeded: s.identity
          ? 'Yes'
          : s.excess
            ? 'No: broader than any feature needs'
            : s.stillNeeded
              ? 'Yes'
              : 'No',
      })),
      holdsExcess: summary.holdsExcess,
      excess: summary.excess.map(shortScope).join(', '),
      features: summary.features.map((f) => {
        const feature = engine.feature(f.id as never);
        return {
          title: f.title,
          href: feature.path,
          state: f.state,
          stateLabel: STATE_LABEL[f.state] ?? f.state,
          missing: f.missingScopes.map(shortScope).join(', '),
          ...(f.state !== 'ready' ? { consentUrl: engine.consentHref(feature.id, '/account') } : {}),
        };
      }),
      explanations: explainCatalogue(engine.catalogue, data).map((e) => ({
        title: e.title,
        lines: e.asked.map((scope) => ({
          scope: shortScope(scope),
          sources: [...new Set(e.methods.flatMap((m) => m.askedListedBy[scope] ?? []))].join(', ') || 'none',
          verified: e.verifiedLiveOn ? `verified live on ${e.verifiedLiveOn}` : 'not verified live yet',
        })),
        considered: e.considered.map((c) => ({ scope: shortScope(c.scope), why: c.reason })),
        notes: [...e.notes],
      })),
      sessions: rows,
      otherSessions: rows.filter((r) => !r.current).length,
      pictures: accountPictures({
        catalogue: engine.catalogue,
        granted,
        grantEndsAt: end?.at,
        now: deps.now(),
        ctx: localeOf(req),
      }),
    };
    if (notice) await deps.credentialNotices.clear(who.user.sub, deps.now());
    deps.render(req, res, 'account', { title: 'Account', ...view });
  });

  router.post('/account/sign-out-others', deps.requireUser, deps.csrf.protect, async (req, res) => {
    const who = await engine.signedIn(req);
    const ended = await deps.sessions.endOthers(who.user.sub, who.sid);
    deps.audit('sign-out-others', { sub: who.user.sub, ended });
    redirectLocal(res, '/account');
  });

  router.post('/account/reduce', deps.requireUser, deps.csrf.protect, async (req, res) => {
    const who = await engine.signedIn(req);
    const summary = accountSummary(engine.catalogue, engine.grantedScopes(who), data);
    // Keep what the ready features use, without the excess.
    const keep = summary.scopes.filter((s) => !s.identity && !s.excess && s.usedBy.length > 0).map((s) => s.scope);
    const result = await deps.vault.revoke(who.sid, who.user.sub);
    deps.audit('reduce-access', { sub: who.user.sub, dropped: summary.excess, kept: keep, revoked: result.revoked });
    if (!result.revoked) {
      return deps.render(
        req,
        res,
        'message',
        {
          title: 'Access could not be reduced',
          heading: 'Google did not confirm the revocation',
          message:
            'Scopewise dropped the tokens it held, but Google did not confirm that the grant was revoked. You can remove Scopewise’s access in your Google Account (Security → Third-party access).',
          action: { href: '/account', label: 'Back to your account' },
        },
        502,
      );
    }
    if (keep.length === 0) return redirectLocal(res, '/account');
    // The revocation removed the whole grant, identity included: ask for who the user is again too (as at
    // sign-in), or the grant would be left without email and profile.
    const identity = SIGN_IN_SCOPES.filter((s) => s !== 'openid');
    const url = await startConsent(deps, req, {
      scopes: [...identity, ...keep.filter((s) => !isIdentityScope(s))],
      returnTo: '/account',
    });
    redirectToIssuer(res, url, deps.oidc.authorizationOrigin);
  });

  router.post('/disconnect', deps.requireUser, deps.csrf.protect, async (req, res) => {
    const who = await engine.signedIn(req);
    const result = await deps.vault.revoke(who.sid, who.user.sub);
    deps.audit('disconnect', { sub: who.user.sub, revoked: result.revoked, error: result.error });
    await destroySession(req, res, deps.cookie);
    if (result.revoked) return redirectLocal(res, '/?disconnected=1');
    deps.render(
      req,
      res,
      'message',
      {
        title: 'Signed out',
        heading: 'Signed out, but Google did not confirm the revocation',
        message:
          'You are signed out of Scopewise and it no longer holds any token. Google did not confirm that it revoked Scopewise’s access, so please check your Google Account (Security → Third-party access) and remove it there.',
        action: { href: '/', label: 'Back to Scopewise' },
      },
      502,
    );
  });

  // The live check: each method of each feature this session can use, called once in a way that changes nothing.
  const verifyPage = (project: string): VerifyView => ({
    ran: false,
    project,
    results: [],
    nothingToVerify: false,
    formAction: '/account/verify',
  });
  router.get('/account/verify', deps.requireUser, async (req, res) => {
    const { project } = parseInput(verifyInput, req.query);
    deps.render(req, res, 'account-verify', {
      title: 'Verify scopes with Google',
      ...verifyPage(project ?? engine.chooseProject(req, undefined) ?? ''),
    });
  });
  router.post('/account/verify', deps.requireUser, deps.csrf.protect, async (req, res) => {
    const { project: asked, format } = parseInput(verifyInput, {
      project: req.body?.project,
      format: req.body?.format || undefined,
    });
    const project = engine.chooseProject(req, asked);
    const who = await engine.signedIn(req);
    const ready = engine.catalogue.filter((f) => engine.readiness(who, f).state === 'ready');
    const methods = methodsToVerify(ready, data);
    const view = verifyPage(project ?? '');
    if (methods.length === 0 || !project) {
      return deps.render(req, res, 'account-verify', {
        title: 'Verify scopes with Google',
        ...view,
        ran: true,
        nothingToVerify: methods.length === 0,
      });
    }
    const feature = ready[0]!;
    const results = await engine.google(who, feature, (g) =>
      verifyLive({
        methods,
        accessToken: g.accessToken,
        scopesHeld: cloudScopes(engine.grantedScopes(who)),
        data,
        probe: { project },
        apiBaseOverride: deps.apiBaseOverride,
        timeoutMs: 10_000,
      }),
    );
    deps.audit('scopes-verified', {
      sub: who.user.sub,
      project,
      methods: results.length,
      refused: results.filter((r) => r.outcome === 'refused-for-scope').map((r) => r.methodId),
    });
    if (format === 'json') {
      const evidence = exportLiveEvidence(
        results,
        deps.apiBaseOverride ? 'a Google stand-in (GOOGLE_API_BASE_URL)' : 'Google',
      );
      res.set('Content-Disposition', 'attachment; filename="scopewise-verified.json"');
      res.type('application/json').send(`${JSON.stringify(evidence, null, 2)}\n`);
      return;
    }
    const featureOf = (methodId: string) =>
      ready
        .filter((f) => f.methods.includes(methodId))
        .map((f) => f.title)
        .join(', ');
    const LABEL = { accepted: 'Accepted', 'refused-for-scope': 'Refused for scope', unknown: 'Unknown' } as const;
    deps.render(req, res, 'account-verify', {
      title: 'Verify scopes with Google',
      ...view,
      ran: true,
      at: formatWhen(deps.now()),
      results: results.map((r) => ({
        method: r.methodId,
        feature: featureOf(r.methodId),
        outcome: r.outcome,
        outcomeLabel: LABEL[r.outcome],
        status: r.status ? String(r.status) : '',
        detail: r.detail,
      })),
      summary: `${results.filter((r) => r.outcome === 'accepted').length} accepted, ${results.filter((r) => r.outcome === 'refused-for-scope').length} refused for scope, ${results.filter((r) => r.outcome === 'unknown').length} unknown.`,
    });
  });

  return router;
}
