// The pictures' builders: escaped, accessible, and honest at the edges (nothing to draw, one value, extremes).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  binLogVolume,
  bandOf,
  chartId,
  chartText,
  grantTimeChart,
  keyAgeChart,
  logHistogram,
  scopeMatrix,
  segmentWidths,
  severityBar,
  severityChips,
  orderColumns,
} from '../../src/web/charts/index.js';

const t = chartText('en');
const utc = { locale: 'en', timeZone: 'UTC' };
const HOSTILE = `<script>alert("x")</script>&'`;

/** The markup is one well-formed accessible SVG: role, labelled by its title, described by its desc. */
function assertAccessibleSvg(markup: string, id: string): { title: string; desc: string } {
  assert.match(markup, new RegExp(`^<svg [^>]*id="${id}"`));
  assert.match(markup, /role="img"/);
  assert.match(markup, new RegExp(`aria-labelledby="${id}-title"`));
  assert.match(markup, new RegExp(`aria-describedby="${id}-desc"`));
  assert.doesNotMatch(markup, /style=/, 'no inline style: the CSP forbids it');
  assert.doesNotMatch(markup, /NaN|Infinity|undefined/);
  const title = new RegExp(`<title id="${id}-title">([^<]*)</title>`).exec(markup)?.[1];
  const desc = new RegExp(`<desc id="${id}-desc">([^<]*)</desc>`).exec(markup)?.[1];
  assert.ok(title, 'a title');
  assert.ok(desc, 'a text equivalent');
  return { title, desc };
}

function assertNoRawHostile(markup: string): void {
  assert.doesNotMatch(markup, /<script/);
  assert.doesNotMatch(markup, /"x"\)/);
  assert.match(markup, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;&amp;&#39;/);
}

describe('severity bar and chips', () => {
  it('says every count in words and draws one segment per severity present', () => {
    const svg = severityBar({ high: 5, medium: 20, low: 3 }, { id: 'viz-a', text: t, subject: 'acme-prod' });
    const { title, desc } = assertAccessibleSvg(svg, 'viz-a');
    assert.equal(title, 'Findings by severity for acme-prod');
    assert.equal(desc, '28 findings: 5 high, 20 medium, and 3 low.');
    assert.equal((svg.match(/class="viz-sev /g) ?? []).length, 3);
  });

  it('escapes a hostile subject', () => {
    assertNoRawHostile(severityBar({ high: 1 }, { id: 'viz-h', text: t, subject: HOSTILE }));
  });

  it('nothing found: an empty track and "No findings."', () => {
    const svg = severityBar({}, { id: 'viz-e', text: t });
    assert.equal(assertAccessibleSvg(svg, 'viz-e').desc, 'No findings.');
    assert.doesNotMatch(svg, /viz-sev /);
    assert.match(severityChips({}, t), /badge--ok">No findings</);
  });

  it('one finding fills the bar; negative, fractional and non-numeric counts are not counted as findings', () => {
    const svg = severityBar({ critical: 1, high: -4, medium: Number.NaN, low: 0.5 }, { id: 'viz-o', text: t });
    assert.equal(assertAccessibleSvg(svg, 'viz-o').desc, '1 finding: 1 critical.');
    assert.match(svg, /viz-sev--critical" x="0%" y="0" width="100%"/);
  });

  it('a single high finding among thousands of low ones stays visible', () => {
    const [high, low] = segmentWidths([1, 5000]);
    assert.ok(high! >= 1.5);
    assert.ok(Math.abs(high! + low! - 100) < 1e-9);
    assert.deepEqual(segmentWidths([0, 0]), [0, 0]);
  });

  it('chips: one badge per severity present, in severity order', () => {
    const chips = severityChips({ low: 2, critical: 1 }, t, 'Findings of VMs');
    assert.match(chips, /aria-label="Findings of VMs"/);
    assert.ok(chips.indexOf('badge--critical') < chips.indexOf('badge--low'));
    assert.match(chips, />1 critical</);
  });

  it('a thousand bars are cheap and their ids stay distinct', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const id = chartId(`sev-project-${i}`);
      ids.add(id);
      severityBar({ high: i % 7, medium: i % 13 }, { id, text: t, height: 8 });
    }
    assert.equal(ids.size, 1000);
  });
});

describe('chart ids', () => {
  it('keep letters, digits and hyphens only, and never start with a digit', () => {
    assert.equal(chartId('Acme Prod/"x"'), 'viz-acme-prod-x');
    assert.equal(chartId(''), 'viz-chart');
    assert.equal(chartId(HOSTILE).includes('<'), false);
  });
});

describe('log volume histogram', () => {
  const from = Date.UTC(2026, 11, 2, 12, 0, 0);
  const to = from + 3_600_000;

  it('buckets on round minutes, counts per band, and ignores points outside the range', () => {
    const v = binLogVolume(
      [
        { t: from + 1000, band: 'error' },
        { t: from + 61_000, band: 'info' },
        { t: to + 1, band: 'critical' },
        { t: from - 1, band: 'critical' },
      ],
      { from, to, timeZone: 'UTC' },
    );
    assert.equal(v.total, 2);
    assert.equal(v.perBand.critical, 0);
    assert.ok(v.bins.length >= 12 && v.bins.length <= 60, `${v.bins.length} bins`);
    assert.equal(v.bins[0]!.start, from);
    assert.equal(v.bins.at(-1)!.end, to);
    for (let i = 1; i < v.bins.length; i++) assert.equal(v.bins[i]!.start, v.bins[i - 1]!.end, 'contiguous');
  });

  it("aligns buckets to the reader's wall clock (Asia/Kolkata is UTC+5:30)", () => {
    const v = binLogVolume([], { from: Date.UTC(2026, 11, 1), to: Date.UTC(2026, 11, 2), timeZone: 'Asia/Kolkata' });
    // The second bucket starts on a round local half hour, which is a round UTC hour or half hour too.
    assert.equal(new Date(v.bins[1]!.start).getUTCMinutes() % 30, 0);
  });

  it('draws stacked columns with a tooltip each and says the totals and the busiest bucket', () => {
    const points = [
      ...Array.from({ length: 30 }, (_, i) => ({ t: from + 600_000 + i * 1000, band: 'error' as const })),
      ...Array.from({ length: 5 }, (_, i) => ({ t: from + 1_800_000 + i, band: 'info' as const })),
    ];
    const svg = logHistogram(binLogVolume(points, { from, to, timeZone: 'UTC' }), {
      id: 'viz-hist',
      text: t,
      ctx: utc,
      rangeLabel: t.rangeLastHour,
    });
    const { title, desc } = assertAccessibleSvg(svg, 'viz-hist');
    assert.equal(title, 'Log volume by severity, last hour');
    assert.match(
      desc,
      /^35 log entries from .*\. Error: 30 and Info or notice: 5\. Busiest: 30 entries from 12:10 to 12:11\.$/,
    );
    assert.match(svg, /viz-log--error/);
    assert.match(svg, />12:15</, 'a tick label on a round time');
  });

  it('no entries: an empty plot that says so', () => {
    const svg = logHistogram(binLogVolume([], { from, to, timeZone: 'UTC' }), {
      id: 'viz-none',
      text: t,
      ctx: utc,
      rangeLabel: 'x',
    });
    assert.match(assertAccessibleSvg(svg, 'viz-none').desc, /^No log entries from /);
    assert.doesNotMatch(svg, /viz-log--/);
  });

  it('a truncated read is said and drawn as not counted', () => {
    const v = binLogVolume([{ t: to - 10, band: 'warning' }], {
      from,
      to,
      timeZone: 'UTC',
      truncated: { coveredFrom: from + 2_400_000, counted: 2000 },
    });
    const svg = logHistogram(v, { id: 'viz-tr', text: t, ctx: utc, rangeLabel: 'x' });
    assert.match(
      assertAccessibleSvg(svg, 'viz-tr').desc,
      /Counted from the newest 2,000 entries only, back to .*older entries in this range are not counted\./,
    );
    assert.match(svg, /class="viz-uncounted"[^>]*width="66.67%"/);
    assert.match(svg, />not counted</);
  });

  it('an empty or inverted range draws nothing and does not throw', () => {
    const v = binLogVolume([{ t: from, band: 'error' }], { from, to: from, timeZone: 'UTC' });
    assert.equal(v.total, 0);
    assertAccessibleSvg(logHistogram(v, { id: 'viz-z', text: t, ctx: utc, rangeLabel: 'x' }), 'viz-z');
  });

  it('maps every Cloud Logging severity to a band', () => {
    assert.deepEqual(
      ['EMERGENCY', 'ALERT', 'CRITICAL', 'ERROR', 'WARNING', 'NOTICE', 'INFO', 'DEBUG', 'DEFAULT', undefined, 'x'].map(
        bandOf,
      ),
      ['critical', 'critical', 'critical', 'error', 'warning', 'info', 'info', 'debug', 'debug', 'debug', 'debug'],
    );
  });
});

describe('key age against 90 days', () => {
  it('oldest first, older keys red, the 90-day line drawn and said', () => {
    const svg = keyAgeChart(
      [
        { label: 'svc-03 key a1', ageDays: 12 },
        { label: 'deployer key b2', ageDays: 412.7 },
      ],
      { id: 'viz-k', text: t, subject: 'acme-prod' },
    );
    const { desc } = assertAccessibleSvg(svg, 'viz-k');
    assert.equal(desc, '2 user-managed keys. Older than 90 days: deployer key b2 (412 days). Within 90 days: 1.');
    assert.ok(svg.indexOf('deployer key b2') < svg.indexOf('svc-03 key a1'));
    assert.match(svg, /viz-row--danger/);
    assert.match(svg, /viz-row--ok/);
    assert.match(svg, /class="viz-marker"/);
    assert.match(svg, />90 days</);
  });

  it('no keys, and a hostile label', () => {
    assert.equal(
      assertAccessibleSvg(keyAgeChart([], { id: 'viz-k0', text: t }), 'viz-k0').desc,
      'No user-managed keys.',
    );
    assertNoRawHostile(keyAgeChart([{ label: HOSTILE, ageDays: 1 }], { id: 'viz-kh', text: t }));
  });

  it('a key of ten years still fits the scale; more than forty keys say how many are not drawn', () => {
    const many = Array.from({ length: 45 }, (_, i) => ({ label: `k${i}`, ageDays: 3650 - i }));
    const svg = keyAgeChart(many, { id: 'viz-km', text: t });
    assert.match(svg, /width="100%" height="10"/, 'the oldest bar at most full width');
    assert.match(svg, />5 more not drawn: see the table\.</);
  });
});

describe('grant time left', () => {
  const now = Date.UTC(2026, 11, 2, 12);
  it('one scale from now; ends within a day: amber; ended: says when', () => {
    const svg = grantTimeChart(
      [
        { label: 'Your Google access', endsAt: now + 58 * 60_000 },
        { label: 'Old grant', endsAt: now - 1000 },
      ],
      { id: 'viz-g', text: t, ctx: utc, now },
    )!;
    const { desc } = assertAccessibleSvg(svg, 'viz-g');
    assert.match(desc, /^Your Google access: ends in 58 minutes \(Dec 2, 2026, 12:58:00 UTC\)\. Old grant: ended on /);
    assert.match(svg, /viz-row--warn/);
    assert.match(svg, /viz-row--danger/);
  });
  it('no time-limited grant: nothing to draw', () => {
    assert.equal(grantTimeChart([], { id: 'x', text: t, ctx: utc, now }), undefined);
  });
});

describe('features × scopes', () => {
  it('shades asked cells by breadth, solid when held, and lists every scope with its features in words', () => {
    const columns = orderColumns([
      { label: 'cloud-platform', breadth: 'cloud-wide' as const, held: false },
      { label: 'compute.readonly', breadth: 'read-only' as const, held: true },
      { label: 'compute', breadth: 'read-write' as const, held: false },
    ]);
    assert.deepEqual(
      columns.map((c) => c.label),
      ['compute.readonly', 'compute', 'cloud-platform'],
    );
    const svg = scopeMatrix(
      {
        rows: [{ label: 'Virtual machines' }, { label: HOSTILE }],
        columns,
        asks: [
          [true, false, false],
          [false, true, true],
        ],
      },
      { id: 'viz-m', text: t },
    );
    const { desc } = assertAccessibleSvg(svg, 'viz-m');
    assert.match(
      desc,
      /^2 features and the 3 scopes they ask for\. compute\.readonly \(read-only, held by this session\): Virtual machines\./,
    );
    assert.match(svg, /viz-breadth--read-only viz-cell--held/);
    assert.match(svg, /viz-breadth--cloud-wide viz-cell--not-held/);
    assert.match(svg, /viewBox="0 0 \d+ \d+"/);
    assertNoRawHostile(svg);
  });
  it('no feature: an empty picture that says so', () => {
    const svg = scopeMatrix({ rows: [], columns: [], asks: [] }, { id: 'viz-m0', text: t });
    assert.equal(assertAccessibleSvg(svg, 'viz-m0').desc, '0 features and the 0 scopes they ask for.');
  });
});
