// The feature engine: mounts page specs (spec.ts). For every feature request it reads the session's token
// record once, checks the feature's readiness against the scopes Google really granted, shows the consent page
// instead of the feature when something is missing (never a redirect to Google on its own: no consent loops),
// calls Google with a fresh access token, retries once after a 401 (Google acted on nothing it refused to
// authenticate), turns Google's answers into pages, and renders through typed views.
import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { z } from 'zod';
import type { Feature, FeatureId, Discovery, FeatureReadiness } from '../scopes/index.js';
import { featureReadiness, scopeDescription, shortScope } from '../scopes/index.js';
import { GoogleApiError, InvalidInputError, type GoogleCallContext } from '../google/index.js';
import { GRANT_ENDED_REASON, NoAccessError, TokenServiceUnavailableError, type TokenVault } from '../tokens/vault.js';
import { ENDS_SOON_MS as GRANT_ENDS_SOON_MS } from '../tokens/token-set.js';
import type { TokenRecord } from '../tokens/token-store.js';
import type { SessionUser } from '../sessions/types.js';
import type { AuditEvent } from '../log/audit.js';
import { HttpError } from '../web/errors.js';
import { redirectLocal } from '../http/redirect.js';
import type { Render } from '../web/render.js';
import type { CsrfKit } from '../web/security.js';
import type { ConsentView, ListView, ScopeLine } from '../web/views.js';
import { withQuery } from './cells.js';
import { localeOf } from '../web/locale.js';
import type {
  ActionSpec,
  JsonSpec,
  ListPageSpec,
  PageEnv,
  PageInput,
  PageSpec,
  SectionState,
  SectionsPageSpec,
  ViewPageSpec,
} from './spec.js';

export interface EngineDeps {
  catalogue: readonly Feature[];
  discovery: Discovery;
  vault: TokenVault;
  render: Render;
  csrf: CsrfKit;
  requireUser: RequestHandler;
  /** This request's token record (read with the session where the backend can). */
  tokenRecord(req: Request): Promise<TokenRecord | null>;
  google: { apiBaseOverride: string | undefined; timeoutMs: number };
  defaultProject: string | undefined;
  audit(event: AuditEvent, fields: Record<string, unknown>): void;
  /** Google API errors by code, for metrics. */
  onGoogleError?(api: string, code: string): void;
  now(): number;
}

/** Who is asking, and the token record their session holds: read once per request, passed explicitly. */
export interface SignedIn {
  user: SessionUser;
  sid: string;
  record: TokenRecord | null;
}

export type AccessProblem = 'NOT_GRANTED' | 'GRANT_LOST' | 'GRANT_ENDED' | 'SCOPE_INSUFFICIENT' | 'NO_REFRESH_TOKEN';

/** A feature cannot run without (more) consent: the engine answers with the feature's consent page. */
export class FeatureAccessError extends Error {
  constructor(
    readonly feature: Feature,
    readonly reason: AccessProblem,
  ) {
    super(`${feature.id}: ${reason}`);
  }
}

/** Parses input (query, params or body) or answers 400 naming each wrong field. Repeated parameters fail. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const fields = [...new Set(r.error.issues.map((i) => i.path.join('.') || 'input'))];
  const detail = r.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ');
  throw new HttpError(
    400,
    'INVALID_INPUT',
    'Check what you entered',
    `Some values are not valid (${fields.join(', ')}). ${detail}.`,
  );
}

/** What a scope without a Google description shows (its short name is shown beside it). */
export const NO_DESCRIPTION = 'Google publishes no description of this scope';

const methodApi = (methodId: string): string => methodId.split(':').slice(0, 2).join(':');

/** A moment for people: `2026-12-02 14:05 UTC`. */
export function formatWhen(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

export class FeatureEngine {
  private readonly byId: ReadonlyMap<FeatureId, Feature>;

  constructor(private readonly deps: EngineDeps) {
    this.byId = new Map(deps.catalogue.map((f) => [f.id, f]));
  }

  get catalogue(): readonly Feature[] {
    return this.deps.catalogue;
  }

  get discovery(): Discovery {
    return this.deps.discovery;
  }

  feature(id: FeatureId): Feature {
    const f = this.byId.get(id);
    if (!f) throw new Error(`feature ${id} is not in the catalogue`);
    return f;
  }

  /** The signed-in user and their token record (requireUser has run). */
  async signedIn(req: Request): Promise<SignedIn> {
    const user = req.session.user;
    if (!user)
      throw new HttpError(401, 'NOT_SIGNED_IN', 'Please sign in', 'You need to sign in first.', {
        href: '/login',
        label: 'Sign in with Google',
      });
    return { user, sid: req.sessionID, record: await this.deps.tokenRecord(req) };
  }

  /** The scopes the session really holds: none once its grant was lost, or its time-limited access ended. */
  grantedScopes(who: SignedIn): readonly string[] {
    const rec = who.record;
    if (!rec || rec.lost) return [];
    if (rec.grantEndsAt !== undefined && this.deps.now() >= rec.grantEndsAt) return [];
    return rec.scopes;
  }

  readiness(who: SignedIn, feature: Feature): FeatureReadiness {
    return featureReadiness(feature, this.grantedScopes(who), this.deps.discovery);
  }

  /** What a feature page says about a time-limited grant: when it ends, and a warning in its last day. */
  grantNotices(who: SignedIn): string[] {
    const end = this.grantEnd(who);
    if (!end || end.ended) return [];
    return end.soon
      ? [
          `Your time-limited Google access ends on ${formatWhen(end.at)}, within a day. After that, features ask you to grant access again.`,
        ]
      : [`You granted Google access until ${formatWhen(end.at)}.`];
  }

  /** The time-limited grant's end, when the session's grant has one. */
  grantEnd(who: SignedIn): { at: number; ended: boolean; soon: boolean } | undefined {
    const end = who.record?.grantEndsAt;
    if (end === undefined) return undefined;
    const now = this.deps.now();
    return { at: end, ended: now >= end, soon: now < end && end - now <= GRANT_ENDS_SOON_MS };
  }

  /**
   * The link that starts a feature's consent. `again`: ask Google even when the record says the feature is
   * ready (Google refused the token for scope, so the record and the token disagree).
   */
  consentHref(featureId: FeatureId, returnTo: string, again = false): string {
    return `/consent/${encodeURIComponent(featureId)}?returnTo=${encodeURIComponent(returnTo)}${again ? '&again=1' : ''}`;
  }

  describeScope(uri: string): ScopeLine {
    // Google describes most scopes in its Discovery documents; a scope only its REST reference lists (iam) has none.
    return { uri, short: shortScope(uri), description: scopeDescription(this.deps.discovery, uri) ?? NO_DESCRIPTION };
  }

  /** The "this feature needs access" page: what it will ask, in Google's words, and why. */
  renderConsentNeeded(
    req: Request,
    res: Response,
    who: SignedIn,
    feature: Feature,
    reason: AccessProblem,
    status = 200,
    returnTo?: string,
  ): void {
    const readiness = this.readiness(who, feature);
    const missing = (readiness.missingScopes.length > 0 ? readiness.missingScopes : feature.scopes).filter((s) =>
      feature.scopes.includes(s),
    );
    const lost = Boolean(who.record?.lost);
    const end = this.grantEnd(who);
    const ended = reason === 'GRANT_ENDED' || (end?.ended ?? false) || who.record?.lost?.reason === GRANT_ENDED_REASON;
    const view: ConsentView = {
      feature,
      reason: ended ? 'GRANT_ENDED' : lost && reason === 'NOT_GRANTED' ? 'GRANT_LOST' : reason,
      ...(ended && end ? { endedOn: formatWhen(end.at) } : {}),
      lost,
      partly: readiness.state === 'partly-granted',
      declined: this.declinedScopes(req, feature, readiness, lost).map(shortScope).join(', '),
      missing: missing.map((s) => this.describeScope(s)),
      // After consent the browser comes back with a GET: a form post cannot be its destination.
      consentUrl: this.consentHref(
        feature.id,
        returnTo ?? (req.method === 'GET' ? req.originalUrl : feature.path),
        reason === 'SCOPE_INSUFFICIENT',
      ),
    };
    this.deps.render(req, res, 'feature-consent', { title: feature.title, ...view }, status);
  }

  /**
   * The scopes this feature's last consent asked for that it still lacks, once Google has answered (no consent
   * for it pending): the user unticked them at Google's consent screen (or left without finishing).
   */
  private declinedScopes(
    req: Request,
    feature: Feature,
    readiness: FeatureReadiness,
    lost: boolean,
  ): readonly string[] {
    const last = req.session.lastConsent;
    if (!last || last.featureId !== feature.id || lost) return [];
    const pending = Object.values(req.session.logins ?? {}).some(
      (tx) => tx.purpose === 'consent' && tx.featureId === feature.id,
    );
    if (pending) return [];
    return readiness.missingScopes.filter((s) => last.scopes.includes(s));
  }

  /**
   * Calls Google for a feature with a fresh access token. A 401 refreshes once and retries (Google did not act on
   * a request it refused to authenticate, so even a stop is safe to resend); an insufficient scope becomes a
   * FeatureAccessError (ask for consent); other Google errors become plain pages.
   */
  async google<T>(who: SignedIn, feature: Feature, fn: (ctx: GoogleCallContext) => Promise<T>): Promise<T> {
    const ctxFor = (accessToken: string): GoogleCallContext => ({
      accessToken,
      timeoutMs: this.deps.google.timeoutMs,
      ...(this.deps.google.apiBaseOverride ? { apiBaseOverride: this.deps.google.apiBaseOverride } : {}),
    });
    try {
      const token = await this.deps.vault.accessToken(who.sid, who.user.sub, who.record);
      try {
        return await fn(ctxFor(token.accessToken));
      } catch (err) {
        if (err instanceof GoogleApiError && err.code === 'UNAUTHENTICATED') {
          const again = await this.deps.vault.refreshAfterRejection(who.sid, who.user.sub, token.version);
          return await fn(ctxFor(again.accessToken));
        }
        throw err;
      }
    } catch (err) {
      if (err instanceof GoogleApiError) this.deps.onGoogleError?.(methodApi(feature.methods[0] ?? ''), err.code);
      throw translate(err, feature);
    }
  }

  /** The project to show: the one asked for (remembered), else the last one, else the configured default. */
  chooseProject(req: Request, asked: string | undefined): string | undefined {
    if (asked) {
      req.session.lastProject = asked;
      return asked;
    }
    return req.session.lastProject ?? this.deps.defaultProject;
  }

  /** Runs a feature handler; a FeatureAccessError met on the way becomes the feature's consent page. */
  private guard(
    returnTo: (req: Request) => string | undefined,
    handler: (req: Request, res: Response, who: SignedIn) => Promise<void>,
  ): RequestHandler {
    return async (req: Request, res: Response, next: NextFunction) => {
      let who: SignedIn | undefined;
      try {
        who = await this.signedIn(req);
        await handler(req, res, who);
      } catch (err) {
        if (err instanceof FeatureAccessError && who && !res.headersSent) {
          this.renderConsentNeeded(req, res, who, err.feature, err.reason, 403, returnTo(req));
          return;
        }
        next(err);
      }
    };
  }

  /** A signed-in page's handlers: sign-in required, then `handler` with who is signed in (see `guard`). */
  private signedInPage(
    handler: (req: Request, res: Response, who: SignedIn) => Promise<void>,
    returnTo: (req: Request) => string | undefined = () => undefined,
  ): RequestHandler[] {
    return [this.deps.requireUser, this.guard(returnTo, handler)];
  }

  /** Checks readiness; renders the consent page and returns false when the feature is not ready. */
  private ready(req: Request, res: Response, who: SignedIn, feature: Feature, returnTo?: string): boolean {
    if (this.readiness(who, feature).state === 'ready') return true;
    this.renderConsentNeeded(req, res, who, feature, who.record?.lost ? 'GRANT_LOST' : 'NOT_GRANTED', 200, returnTo);
    return false;
  }

  mount(spec: PageSpec): Router {
    switch (spec.kind) {
      case 'list':
        return this.mountList(spec);
      case 'action':
        return this.mountAction(spec);
      case 'sections':
        return this.mountSections(spec);
      case 'view':
        return this.mountView(spec);
      case 'json':
        return this.mountJson(spec);
    }
  }

  private inputOf<Q>(req: Request, schema: z.ZodType<Q>, withProject: boolean | undefined): PageInput<Q> {
    const q = parseInput(schema, { ...req.query, ...req.params });
    const asked = (q as { project?: unknown }).project;
    return {
      q,
      project: withProject ? this.chooseProject(req, typeof asked === 'string' ? asked : undefined) : undefined,
    };
  }

  private mountList<Q extends Record<string, unknown>>(spec: ListPageSpec<Q>): Router {
    const router = Router();
    const feature = this.feature(spec.feature);
    router.get(
      spec.route,
      ...this.signedInPage(async (req, res, who) => {
        const input = this.inputOf(req, spec.input, spec.project);
        if (!this.ready(req, res, who, feature)) return;
        const view: ListView = {
          heading: spec.title(input),
          intro: spec.intro?.(input),
          back: spec.back?.(input),
          notices: [],
          form: spec.form ? { action: req.path, fields: spec.form(input) } : undefined,
          columns: spec.columns,
          rows: [],
          empty: spec.empty(input),
        };
        view.notices = this.grantNotices(who);
        if (!spec.project || input.project) {
          const result = await this.google(who, feature, (g) => spec.load(g, input));
          view.rows = result.rows;
          view.notices.push(...(result.notices ?? []));
          if (result.pictures?.length) view.pictures = result.pictures;
          if (result.nextPageToken)
            view.next = withQuery(req.path, { ...(spec.keep?.(input) ?? {}), pageToken: result.nextPageToken });
        }
        this.deps.render(req, res, 'feature-list', { title: view.heading, ...view });
      }),
    );
    return router;
  }

  private mountAction<Q extends Record<string, string>, R>(spec: ActionSpec<Q, R>): Router {
    const router = Router();
    const feature = this.feature(spec.feature);
    // After a consent asked from the POST, come back to the confirmation page of the same action.
    const confirmUrl = (req: Request): string | undefined => {
      const r = spec.input.safeParse(req.method === 'POST' ? req.body : req.query);
      return r.success ? withQuery(spec.route, r.data) : feature.path;
    };
    router.get(
      spec.route,
      ...this.signedInPage(async (req, res, who) => {
        const q = parseInput(spec.input, req.query);
        if (!this.ready(req, res, who, feature)) return;
        const call = spec.confirm(q);
        this.deps.render(req, res, call.view, call.data as never);
      }, confirmUrl),
    );
    router.post(
      spec.route,
      this.deps.requireUser,
      this.deps.csrf.protect,
      this.guard(confirmUrl, async (req, res, who) => {
        const q = parseInput(spec.input, req.body);
        if (!this.ready(req, res, who, feature, confirmUrl(req))) return;
        const fields = { sub: who.user.sub, feature: feature.id, ...spec.audit.fields(q) };
        let result: R;
        try {
          result = await this.google(who, feature, (g) => spec.act(g, q));
        } catch (err) {
          this.deps.audit(spec.audit.event, {
            ...fields,
            result: 'failed',
            error: err instanceof Error ? err.message : String(err),
          });
          throw err;
        }
        this.deps.audit(spec.audit.event, { ...fields, ...spec.audit.result(result) });
        const call = spec.done(q, result);
        // A page of its own (the operation's progress): reloading it never sends the action again.
        if ('redirect' in call) return redirectLocal(res, call.redirect);
        this.deps.render(req, res, call.view, call.data as never);
      }),
    );
    router.all(spec.route, (_req, _res, next) =>
      next(new HttpError(405, 'METHOD_NOT_ALLOWED', 'Not allowed', 'Use the buttons on the page.')),
    );
    return router;
  }

  private mountView<Q extends Record<string, unknown>>(spec: ViewPageSpec<Q>): Router {
    const router = Router();
    const feature = this.feature(spec.feature);
    router.get(
      spec.route,
      ...this.signedInPage(async (req, res, who) => {
        const input = this.inputOf(req, spec.input, spec.project);
        if (!this.ready(req, res, who, feature)) return;
        const env: PageEnv = {
          google: (fn) => this.google(who, feature, fn),
          locale: localeOf(req),
          now: this.deps.now(),
          notices: this.grantNotices(who),
        };
        const { status, refreshSeconds, ...call } = await spec.load(input, env);
        const data = { ...(call.data as object), ...(refreshSeconds ? { refreshSeconds } : {}) };
        this.deps.render(req, res, call.view, data as never, status);
      }),
    );
    return router;
  }

  private mountJson<Q extends Record<string, unknown>>(spec: JsonSpec<Q>): Router {
    const router = Router();
    const feature = this.feature(spec.feature);
    router.get(spec.route, this.deps.requireUser, async (req, res, next) => {
      try {
        const who = await this.signedIn(req);
        const q = parseInput(spec.input, req.query);
        const consentUrl = this.consentHref(feature.id, feature.path);
        if (this.readiness(who, feature).state !== 'ready')
          return void res
            .status(403)
            .json({ error: 'NEEDS_CONSENT', message: `${feature.title} needs your consent.`, consentUrl });
        try {
          const body = await this.google(who, feature, (g) =>
            spec.load(g, q, { locale: localeOf(req), now: this.deps.now() }),
          );
          res.json(body);
        } catch (err) {
          if (err instanceof FeatureAccessError)
            return void res
              .status(403)
              .json({ error: err.reason, message: `${feature.title} needs your consent again.`, consentUrl });
          throw err;
        }
      } catch (err) {
        next(err);
      }
    });
    return router;
  }

  private mountSections<Q extends Record<string, unknown>, S>(spec: SectionsPageSpec<Q, S>): Router {
    const router = Router();
    router.get(
      spec.route,
      ...this.signedInPage(async (req, res, who) => {
        const input = this.inputOf(req, spec.input, true);
        const readyIds = new Set(
          spec.sections.map((s) => s.feature).filter((id) => this.readiness(who, this.feature(id)).state === 'ready'),
        );
        const granted = (id: FeatureId) => readyIds.has(id);
        const states: SectionState<S>[] = await Promise.all(
          spec.sections.map(async (section): Promise<SectionState<S>> => {
            const feature = this.feature(section.feature);
            const notReady = (): SectionState<S> => ({
              feature: feature.id,
              ready: false,
              consentUrl: this.consentHref(feature.id, req.originalUrl),
              missing: this.readiness(who, feature).missingScopes.map(shortScope),
              lost: Boolean(who.record?.lost),
            });
            if (!readyIds.has(feature.id)) return notReady();
            if (!input.project) return { feature: feature.id, ready: true, outcome: undefined as S };
            try {
              return {
                feature: feature.id,
                ready: true,
                outcome: await this.google(who, feature, (g) => section.load(g, input, granted)),
              };
            } catch (err) {
              // Google refused this section's token for scope: this section asks again; the others carry on.
              if (err instanceof FeatureAccessError)
                return {
                  ...(notReady() as Extract<SectionState<S>, { ready: false }>),
                  consentUrl: this.consentHref(feature.id, req.originalUrl, true),
                };
              throw err;
            }
          }),
        );
        const call = spec.view(input, states);
        this.deps.render(req, res, call.view, call.data as never);
      }),
    );
    return router;
  }
}

function translate(err: unknown, feature: Feature): unknown {
  if (err instanceof NoAccessError) {
    const reasons: Record<typeof err.reason, AccessProblem> = {
      GRANT_LOST: 'GRANT_LOST',
      GRANT_ENDED: 'GRANT_ENDED',
      NO_REFRESH_TOKEN: 'NO_REFRESH_TOKEN',
      NO_GRANT: 'NOT_GRANTED',
    };
    return new FeatureAccessError(feature, reasons[err.reason]);
  }
  if (err instanceof TokenServiceUnavailableError) {
    return new HttpError(
      503,
      'TOKEN_SERVICE_UNAVAILABLE',
      'Google access could not be refreshed',
      `${err.message} Your access was kept.`,
    );
  }
  if (err instanceof InvalidInputError) {
    return new HttpError(400, 'INVALID_INPUT', 'Check what you entered', err.message);
  }
  if (err instanceof GoogleApiError) {
    switch (err.code) {
      case 'SCOPE_INSUFFICIENT':
        return new FeatureAccessError(feature, 'SCOPE_INSUFFICIENT');
      case 'UNAUTHENTICATED':
        return new FeatureAccessError(feature, 'GRANT_LOST');
      case 'PERMISSION_DENIED':
        return new HttpError(
          403,
          'GOOGLE_PERMISSION_DENIED',
          'Google refused: missing IAM permission',
          `Your Google Cloud IAM role does not allow this (Google said: “${err.message}”). Scopewise has the access you granted; what is missing is a role on the project. Ask a project owner to grant it.`,
        );
      case 'NOT_FOUND':
        return new HttpError(
          404,
          'GOOGLE_NOT_FOUND',
          'Not found',
          `Google found no such resource (${err.message}). Check the name and the project.`,
        );
      case 'INVALID_ARGUMENT':
      case 'FAILED_PRECONDITION':
        return new HttpError(
          400,
          'GOOGLE_INVALID_ARGUMENT',
          'Google could not use that request',
          `Google said: “${err.message}”`,
        );
      case 'RATE_LIMITED':
        return new HttpError(
          429,
          'GOOGLE_RATE_LIMITED',
          'Google is limiting requests',
          'Google asked Scopewise to slow down. Please wait a little and try again.',
        );
      default:
        return new HttpError(
          502,
          `GOOGLE_${err.code}`,
          'Google is unavailable right now',
          'Google Cloud did not answer properly. Nothing was changed by Scopewise; please try again shortly.',
        );
    }
  }
  return err;
}
