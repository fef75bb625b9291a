// Every view (views/<name>.eta) and the data it is rendered with. `render` accepts only these names with
// these shapes, so a template never meets a value it does not expect; templates hold no logic beyond loops
// and conditionals (all wording, links and formatting are decided here or by the spec that fills them).
import type { Markup } from './charts/markup.js';

/** A table cell: what it shows, never how (the view decides). */
export type Cell =
  | { kind: 'text'; text: string }
  | { kind: 'code'; text: string; href?: string }
  | { kind: 'link'; text: string; href: string }
  | { kind: 'status'; text: string; status: string }
  | { kind: 'actions'; actions: readonly Link[] };

export interface Link {
  href: string;
  label: string;
}

export interface FormField {
  name: string;
  label: string;
  value?: string;
  placeholder?: string;
}

export interface ScopeLine {
  uri: string;
  short: string;
  description: string;
}

export interface FeatureCard {
  href: string;
  title: string;
  summary: string;
  state: string;
  stateLabel: string;
}

export interface ListView {
  heading: string;
  intro?: string | undefined;
  back?: Link | undefined;
  notices: string[];
  form?: { action: string; fields: FormField[] } | undefined;
  columns: readonly string[];
  rows: Cell[][];
  empty: string;
  next?: string | undefined;
  /** Pictures above the table (the key ages on a service account's keys). */
  pictures?: Array<{ caption: string; svg: Markup }> | undefined;
}

export interface ConsentView {
  feature: {
    title: string;
    summary: string;
    why: string;
    broadOnly?: string | undefined;
    accessNote?: string | undefined;
  };
  reason: 'NOT_GRANTED' | 'GRANT_LOST' | 'SCOPE_INSUFFICIENT' | 'NO_REFRESH_TOKEN' | 'GRANT_ENDED';
  lost: boolean;
  partly: boolean;
  declined: string;
  missing: ScopeLine[];
  consentUrl: string;
  /** Time-based access: when the grant ended (GRANT_ENDED). */
  endedOn?: string | undefined;
}

export interface AccountSession {
  current: boolean;
  device: string;
  address: string;
  signedIn: string;
  lastUsed: string;
  holdsGrant: boolean;
}

export interface AccountView {
  lost: boolean;
  grant: { confirmed?: string | undefined; endsOn?: string | undefined; endsSoon: boolean; ended: boolean };
  credentialChange?: { since: string } | undefined;
  scopes: Array<ScopeLine & { usedBy: string; stillNeeded: string }>;
  holdsExcess: boolean;
  excess: string;
  features: Array<{
    title: string;
    href: string;
    state: string;
    stateLabel: string;
    missing: string;
    consentUrl?: string | undefined;
  }>;
  explanations: Array<{
    title: string;
    lines: Array<{ scope: string; sources: string; verified: string }>;
    considered: Array<{ scope: string; why: string }>;
    notes: string[];
  }>;
  sessions: AccountSession[];
  otherSessions: number;
  /** Features × scopes by breadth, and the grant's time left (src/features/account-pictures.ts). */
  pictures?: { matrix: Markup; grants?: Markup | undefined; grantNote?: string | undefined } | undefined;
}

export interface VerifyView {
  ran: boolean;
  project: string;
  at?: string | undefined;
  results: Array<{
    method: string;
    feature: string;
    outcome: string;
    outcomeLabel: string;
    status: string;
    detail: string;
  }>;
  summary?: string | undefined;
  nothingToVerify: boolean;
  exportHref?: string | undefined;
  formAction: string;
}

export interface SectionView {
  id: string;
  title: string;
  why: string;
  ready: boolean;
  /** Not ready: what it asks for, and the link that asks. */
  consentUrl?: string | undefined;
  missing?: string | undefined;
  lost?: boolean | undefined;
  /** Ready: a status line (empty project, API disabled, permission denied…) or the table and its findings. */
  status?: string | undefined;
  statusKind?: 'ok' | 'empty' | 'warning' | 'error' | undefined;
  action?: Link | undefined;
  findingCount: number;
  findingLabel: string;
  columns: string[];
  rows: Cell[][];
  findings: Array<{
    severity: string;
    subject: string;
    message: string;
    recommendation: string;
    guide?: Link | undefined;
  }>;
  notes: string[];
  /** An optional part that needs more access (Cloud Run invokers). */
  extra?: { label: string; consentUrl: string; missing: string } | undefined;
  /** Findings by severity (once the section was read), as counts and as chips beside the heading. */
  severityCounts?: Partial<Record<string, number>> | undefined;
  chips?: Markup | undefined;
  /** The section's picture (key ages against 90 days). */
  picture?: Markup | undefined;
}

/** The Logs viewer (src/features/pages/logs.ts). */
export interface LogsView {
  title: string;
  heading: string;
  intro: string;
  /** The zone the times are written in (public/tz.js reloads once when the browser's differs). */
  timeZone: string;
  project: string | undefined;
  /** The Scopewise audit trail, drawn as a timeline. */
  audit: boolean;
  form: {
    action: string;
    project: FormField;
    filter: string;
    filterMax: number;
    ranges: Array<{ value: string; label: string; checked: boolean }>;
    /** The custom range's inputs (`YYYY-MM-DDTHH:MM` in `zoneName`). */
    from: string;
    to: string;
    zoneName: string;
    view?: string | undefined;
  };
  /** What is wrong with the form, next to the field; `googleSaid` is Google's own message. */
  error?: { field: 'filter' | 'range' | 'from' | 'to'; message: string; googleSaid?: string | undefined } | undefined;
  notices: string[];
  rangeText?: string | undefined;
  /** The filter Scopewise sent (the range and the user's filter): Google's error positions refer to it. */
  sentFilter?: string | undefined;
  histogram?:
    | {
        svg: Markup;
        note?: string | undefined;
        total: string;
        bands: Array<{ band: string; label: string; count: string }>;
        rows: Array<{ from: string; to: string; counts: string[]; total: string }>;
      }
    | undefined;
  histogramNote?: string | undefined;
  entries: Array<{
    id: string;
    time: string;
    clock: string;
    iso: string;
    ago: string;
    severity: string;
    badge: string;
    log: string;
    resource: string;
    summary: string;
    details?: string | undefined;
    audit?: AuditLine | undefined;
  }>;
  timeline?: Array<{
    day: string;
    items: Array<AuditLine & { clock: string; iso: string; ago: string; details?: string | undefined }>;
  }>;
  empty: string;
  next?: string | undefined;
  first?: string | undefined;
  auditHref?: string | undefined;
  entriesHref?: string | undefined;
}

export interface AuditLine {
  who: string;
  what: string;
  scopes: string[];
  declined: string[];
  tone: string;
}

/** A VM stop or start followed until Google reports it done (src/features/pages/vm-operation.ts). */
export interface VmOperationView {
  title: string;
  verb: string;
  instance: string;
  project: string;
  zone: string;
  operationName: string;
  /** Google's word: PENDING, RUNNING or DONE. */
  status: string;
  done: boolean;
  failed: boolean;
  statusText: string;
  resultText?: string | undefined;
  vmStatus?: string | undefined;
  vmTone: 'ok' | 'warn' | 'neutral' | 'danger';
  steps: Array<{ label: string; state: 'done' | 'current' | 'todo' }>;
  /** The zone the times are written in. */
  timeZone: string;
  startedAt?: string | undefined;
  startedAgo?: string | undefined;
  /** While not done: the page reloads itself after this many seconds when scripts are off. */
  refreshSeconds?: number | undefined;
  selfHref: string;
  pollUrl: string;
  backHref: string;
}

export interface ViewData {
  home: { notice?: string | undefined; scopes?: ScopeLine[]; features?: FeatureCard[]; banner?: string | undefined };
  account: AccountView;
  'account-verify': VerifyView;
  'feature-list': ListView;
  'feature-consent': ConsentView;
  'consent-confirm': { featureTitle: string; action: string; returnTo: string; again: boolean };
  error: { heading: string; message: string; code: string; action?: Link | undefined; requestId?: string | undefined };
  message: { heading: string; message: string; action?: Link | undefined };
  'vm-power': {
    verb: string;
    instance: string;
    project: string;
    zone: string;
    action: string;
    explanation: string;
    danger: boolean;
    cancelHref: string;
  };
  'vm-operation': VmOperationView;
  logs: LogsView;
  'workload-review': {
    heading: string;
    intro: string;
    project: string | undefined;
    form: { action: string; fields: FormField[] };
    sections: SectionView[];
    guide: Link;
    empty: string;
    /** All sections' findings by severity: a bar and chips (src/web/charts). */
    summary?: { bar: Markup; chips: Markup } | undefined;
  };
}

export type ViewName = keyof ViewData;
