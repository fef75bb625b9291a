// Every view (views/<name>.eta) and the data it is rendered with. `render` accepts only these names with
// these shapes, so a template never meets a value it does not expect; templates hold no logic beyond loops
// and conditionals (all wording, links and formatting are decided here or by the spec that fills them).
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
  'vm-operation': {
    verb: string;
    instance: string;
    project: string;
    operationName: string;
    status: string;
    operationType: string;
    progress?: string | undefined;
    backHref: string;
  };
  'workload-review': {
    heading: string;
    intro: string;
    project: string | undefined;
    form: { action: string; fields: FormField[] };
    sections: SectionView[];
    guide: Link;
    empty: string;
  };
}

export type ViewName = keyof ViewData;
