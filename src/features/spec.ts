// What a feature page is, as data: the engine (engine.ts) mounts each spec, gates it on the feature's granted
// scopes, calls Google with the session's token, maps Google's errors and renders the page. A spec holds no
// HTTP handler, no token, no session: only what to call and how to show it.
import type { z } from 'zod';
import type { FeatureId } from '../scopes/index.js';
import type { GoogleCallContext } from '../google/index.js';
import type { AuditEvent } from '../log/audit.js';
import type { Cell, FormField, Link, ViewName, ViewData } from '../web/views.js';

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

/** A change made at Google: a confirmation page (GET) and the action (POST, CSRF-protected, audited). */
export interface ActionSpec<Q extends Record<string, string>, R> {
  kind: 'action';
  feature: FeatureId;
  route: string;
  input: z.ZodType<Q>;
  confirm(q: Q): ViewCall;
  act(google: GoogleCallContext, q: Q): Promise<R>;
  done(q: Q, result: R): ViewCall;
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
  | ActionSpec<Record<string, string>, unknown>
  | SectionsPageSpec<Record<string, unknown>, unknown>;
