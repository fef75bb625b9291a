// Every word the pictures say, in one place: labels, titles and text equivalents. Each message is a whole
// sentence or label with its numbers and names as parameters (never a sentence glued from fragments), numbers and
// lists are formatted by Intl for the locale, and plurals come from Intl.PluralRules. A language is one object
// implementing ChartText; `chartText(locale)` picks it (English only until the catalogues of issue 25 land).

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Cloud Logging's nine severities, drawn as five bands. */
export const LOG_BANDS = ['critical', 'error', 'warning', 'info', 'debug'] as const;
export type LogBand = (typeof LOG_BANDS)[number];

/** How much a scope allows, for the features × scopes picture. */
export const BREADTHS = ['read-only', 'read-write', 'cloud-wide'] as const;
export type Breadth = (typeof BREADTHS)[number];

export interface ChartText {
  readonly locale: string;
  number(n: number): string;
  list(items: readonly string[]): string;

  severity(s: Severity): string;
  /** A chip: `5 high`. */
  severityCount(s: Severity, n: number): string;
  severityTitle(subject: string | undefined): string;
  severityDesc(total: number, perSeverity: ReadonlyArray<[Severity, number]>): string;
  noFindings: string;

  logBand(b: LogBand): string;
  histogramTitle(range: string): string;
  histogramDesc(d: {
    total: number;
    from: string;
    to: string;
    perBand: ReadonlyArray<[LogBand, number]>;
    busiest?: { count: number; from: string; to: string } | undefined;
  }): string;
  /** A bar's tooltip: its time span and its counts. */
  histogramBin(from: string, to: string, perBand: ReadonlyArray<[LogBand, number]>): string;
  /** Said when the counts cover only the newest entries of the range. */
  histogramTruncated(counted: number, since: string): string;
  notCounted: string;
  rangeLastHour: string;
  rangeLastDay: string;
  rangeLastWeek: string;
  rangeBetween(from: string, to: string): string;

  days(n: number): string;
  keyAgeTitle(subject: string | undefined): string;
  keyAgeDesc(total: number, limitDays: number, old: ReadonlyArray<[string, number]>, recent: number): string;
  moreRows(n: number): string;

  grantTitle: string;
  grantLeft(label: string, relative: string, absolute: string): string;
  grantEnded(label: string, absolute: string): string;
  grantNone: string;

  breadth(b: Breadth): string;
  matrixTitle: string;
  matrixScope(d: { scope: string; breadth: Breadth; held: boolean; features: readonly string[] }): string;
  matrixSummary(features: number, scopes: number): string;
  held: string;
  notHeld: string;
}

function english(locale: string): ChartText {
  const nf = new Intl.NumberFormat(locale);
  const lf = new Intl.ListFormat(locale, { style: 'long', type: 'conjunction' });
  const pr = new Intl.PluralRules(locale);
  const n = (v: number) => nf.format(v);
  const plural = (v: number, one: string, other: string) => (pr.select(v) === 'one' ? one : other);
  const SEV: Record<Severity, string> = {
    critical: 'Critical',
    high: 'High',
    medium: 'Medium',
    low: 'Low',
    info: 'Info',
  };
  const BAND: Record<LogBand, string> = {
    critical: 'Critical or worse',
    error: 'Error',
    warning: 'Warning',
    info: 'Info or notice',
    debug: 'Debug or default',
  };
  const BREADTH: Record<Breadth, string> = {
    'read-only': 'Read-only',
    'read-write': 'Read-write',
    'cloud-wide': 'Cloud-wide',
  };
  return {
    locale,
    number: n,
    list: (items) => lf.format(items),

    severity: (s) => SEV[s],
    severityCount: (s, v) => `${n(v)} ${SEV[s].toLowerCase()}`,
    severityTitle: (subject) => (subject ? `Findings by severity for ${subject}` : 'Findings by severity'),
    severityDesc: (total, per) =>
      total === 0
        ? 'No findings.'
        : `${n(total)} ${plural(total, 'finding', 'findings')}: ${lf.format(
            per.filter(([, v]) => v > 0).map(([s, v]) => `${n(v)} ${SEV[s].toLowerCase()}`),
          )}.`,
    noFindings: 'No findings',

    logBand: (b) => BAND[b],
    histogramTitle: (range) => `Log volume by severity, ${range}`,
    histogramDesc: (d) => {
      if (d.total === 0) return `No log entries from ${d.from} to ${d.to}.`;
      const bands = lf.format(d.perBand.filter(([, v]) => v > 0).map(([b, v]) => `${BAND[b]}: ${n(v)}`));
      const head = `${n(d.total)} log ${plural(d.total, 'entry', 'entries')} from ${d.from} to ${d.to}. ${bands}.`;
      return d.busiest
        ? `${head} Busiest: ${n(d.busiest.count)} ${plural(d.busiest.count, 'entry', 'entries')} from ${d.busiest.from} to ${d.busiest.to}.`
        : head;
    },
    histogramBin: (from, to, per) => {
      const present = per.filter(([, v]) => v > 0);
      return present.length
        ? `${from} to ${to}: ${lf.format(present.map(([b, v]) => `${BAND[b]}: ${n(v)}`))}`
        : `${from} to ${to}: no entries`;
    },
    histogramTruncated: (counted, since) =>
      `Counted from the newest ${n(counted)} ${plural(counted, 'entry', 'entries')} only, back to ${since}: older entries in this range are not counted.`,
    notCounted: 'not counted',
    rangeLastHour: 'last hour',
    rangeLastDay: 'last 24 hours',
    rangeLastWeek: 'last 7 days',
    rangeBetween: (from, to) => `from ${from} to ${to}`,

    days: (v) => `${n(v)} ${plural(v, 'day', 'days')}`,
    keyAgeTitle: (subject) =>
      subject ? `Age of user-managed keys of ${subject}, against 90 days` : 'Age of user-managed keys, against 90 days',
    keyAgeDesc: (total, limit, old, recent) => {
      if (total === 0) return 'No user-managed keys.';
      const head = `${n(total)} user-managed ${plural(total, 'key', 'keys')}.`;
      const olds = old.length
        ? ` Older than ${n(limit)} days: ${lf.format(old.map(([label, days]) => `${label} (${n(days)} ${plural(days, 'day', 'days')})`))}.`
        : ` None is older than ${n(limit)} days.`;
      const recents = recent > 0 ? ` Within ${n(limit)} days: ${n(recent)}.` : '';
      return head + olds + recents;
    },
    moreRows: (v) => `${n(v)} more not drawn: see the table.`,

    grantTitle: 'Time left on your Google access',
    grantLeft: (label, relative, absolute) => `${label}: ends ${relative} (${absolute}).`,
    grantEnded: (label, absolute) => `${label}: ended on ${absolute}.`,
    grantNone: 'Your Google access has no end: it lasts until you remove it.',

    breadth: (b) => BREADTH[b],
    matrixTitle: 'Scopes each feature asks for, shaded by breadth',
    matrixScope: (d) =>
      `${d.scope} (${BREADTH[d.breadth].toLowerCase()}, ${d.held ? 'held by this session' : 'not held'}): ${
        d.features.length ? lf.format(d.features) : 'no feature'
      }.`,
    matrixSummary: (features, scopes) =>
      `${n(features)} ${plural(features, 'feature', 'features')} and the ${n(scopes)} ${plural(scopes, 'scope', 'scopes')} they ask for.`,
    held: 'held by this session',
    notHeld: 'not held',
  };
}

const cache = new Map<string, ChartText>();

/** The pictures' words for a locale (English until the other catalogues exist). */
export function chartText(locale = 'en'): ChartText {
  let t = cache.get(locale);
  if (!t) {
    t = english(locale);
    cache.set(locale, t);
  }
  return t;
}
