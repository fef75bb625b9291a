// What a feature page is, as data: the engine (engine.ts) mounts each spec, gates it on the feature's granted
// scopes, calls Google with the session's token, maps Google's errors and renders the page. A spec holds no
// HTTP handler, no token, no session: only what to call and how to show it.
import type { z } from 'zod';
import type { FeatureId } from '../scopes/index.js';
import type { GoogleCallContext } from '../google/index.js';
import type { AuditEvent } from '../log/audit.js';
import type { Cell, FormField, Link, ViewName, ViewData } from '../web/views.js';
import type { LocaleContext } from '../web/time.js';
import type { Markup } from '../web/charts/index.js';

export type { Cell, FormField, Link };

/** What every page spec can read: its parsed input, and the project the engine chose for it. */
export interface PageInput<Q> {
  q: Q;
  /** The project asked for, else the one last used, else DEFAULT_PROJECT (pages with `project: true`). */
  project: string | undefined;
}

/** One page of a list (a Google list call, paged). */
export interface ListResult {
  rows: Cell[][];
  /** Google's page token for the next page, when there is one. */
  nextPageToken?: string | undefined;
  notices?: string[];
  /** Pictures shown above the table (src/web/charts), each with its own text equivalent, and a visible caption. */
  pictures?: Array<{ caption: string; svg: Markup }>;
}

export interface ListPageSpec<Q extends Record<string, unknown>> {
  kind: 'list';
  feature: FeatureId;
  /** Express route (with `:params`). */
  route: string;
  /** Validates the route's params and query, merged (a 400 naming each wrong field otherwise). */
  input: z.ZodType<Q>;
  /** The page is about one project (a `project` field, remembered across pages). */
  project?: boolean;
  title(input: PageInput<Q>): string;
  intro?(input: PageInput<Q>): string | undefined;
  columns: readonly string[];
  /** The filter form (when the page has one). */
  form?(input: PageInput<Q>): FormField[];
  back?(input: PageInput<Q>): Link | undefined;
  /** Shown when the page has nothing to list (also before a project is chosen). */
  empty(input: PageInput<Q>): string;
  /** The Google call(s), mapped to rows. Not called for a project page without a project. */
  load(google: GoogleCallContext, input: PageInput<Q>): Promise<ListResult>;
  /** The query the next page's link keeps (besides `pageToken`). */
  keep?(input: PageInput<Q>): Record<string, string | undefined>;
}

/** What a page's spec may use besides its input: Google (with the feature's token), the reader's locale, the clock. */
export interface PageEnv {
  /** Calls Google with this feature's access (the engine refreshes, retries a 401, maps errors). */
  google<T>(fn: (ctx: GoogleCallContext) => Promise<T>): Promise<T>;
  /** The reader's language and time zone. */
  locale: LocaleContext;
  now: number;
  /** What every feature page says about the grant (its time-limited end). */
  notices: string[];
}

/** A page's view, its status, and (for a page following work at Google) how soon it should reload itself. */
export type PageResult = ViewCall & { status?: number; refreshSeconds?: number | undefined };

/**
 * A page that renders its own view from Google's answers (the Logs viewer, a VM operation's progress): the spec
 * decides when to call Google (`env.google`) and how to show what came back, including Google's refusal of the
 * user's own input (a Logs filter error stays on the page, with the filter).
 */
export interface ViewPageSpec<Q extends Record<string, unknown>> {
  kind: 'view';
  feature: FeatureId;
  route: string;
  input: z.ZodType<Q>;
  /** The page is about one project (a `project` field, remembered across pages). */
  project?: boolean;
  load(input: PageInput<Q>, env: PageEnv): Promise<PageResult>;
}

/** A JSON endpoint for a page's script (polling an operation); every answer, errors included, is JSON. */
export interface JsonSpec<Q extends Record<string, unknown>> {
  kind: 'json';
  feature: FeatureId;
  /** Under `/api/`, so that errors answer JSON too. */
  route: string;
  input: z.ZodType<Q>;
  load(google: GoogleCallContext, q: Q, env: Omit<PageEnv, 'google' | 'notices'>): Promise<unknown>;
}

/** Where an action's result is shown: a view right away, or a page of its own to go to (303 See Other). */
export type ActionOutcome = ViewCall | { redirect: string };

/** A change made at Google: a confirmation page (GET) and the action (POST, CSRF-protected, audited). */
export interface ActionSpec<Q extends Record<string, string>, R> {
  kind: 'action';
  feature: FeatureId;
  route: string;
  input: z.ZodType<Q>;
  confirm(q: Q): ViewCall;
  act(google: GoogleCallContext, q: Q): Promise<R>;
  done(q: Q, result: R): ActionOutcome;
  /** The audit line's fields for this action (the engine adds the user, the result and any error). */
  audit: { event: AuditEvent; fields(q: Q): Record<string, unknown>; result(r: R): Record<string, unknown> };
}

/** A page made of sections, each its own feature with its own access (the workload identity review). */
export interface SectionsPageSpec<Q extends Record<string, unknown>, S> {
  kind: 'sections';
  route: string;
  /** The feature whose navigation entry and consent defaults this page carries (its first section). */
  feature: FeatureId;
  input: z.ZodType<Q>;
  project: true;
  title: string;
  intro: string;
  form(input: PageInput<Q>): FormField[];
  sections: ReadonlyArray<SectionSpec<Q, S>>;
  /** Renders the page from the sections' states. */
  view(input: PageInput<Q>, sections: ReadonlyArray<SectionState<S>>): ViewCall;
}

export interface SectionSpec<Q, S> {
  feature: FeatureId;
  /**
   * Loads the section (never throws for a Google answer: the outcome says what happened). `granted` tells a
   * section which other features of the page are ready (an optional part that needs more access).
   */
  load(google: GoogleCallContext, input: PageInput<Q>, granted: (feature: FeatureId) => boolean): Promise<S>;
}

export type SectionState<S> =
  | { feature: FeatureId; ready: true; outcome: S }
  | { feature: FeatureId; ready: false; consentUrl: string; missing: string[]; lost: boolean };

/** A view and its data, typed together. */
export type ViewCall = { [V in ViewName]: { view: V; data: ViewData[V] } }[ViewName];

export type PageSpec =
  | ListPageSpec<Record<string, unknown>>
  | ViewPageSpec<Record<string, unknown>>
  | JsonSpec<Record<string, unknown>>
  | ActionSpec<Record<string, string>, unknown>
  | SectionsPageSpec<Record<string, unknown>, unknown>;
