// The Logs viewer over real HTTP against the mock Google: a time range that becomes part of the Logging filter,
// severity badges, local times, payloads folded to one line, a histogram read cheaply, and a filter that stays on
// the page with Google's words when Google refuses it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../support/stack.js';
import { rows, text, type RecordingBrowser } from '../support/index.js';

let stack: Stack;
let b: RecordingBrowser;

before(async () => {
  stack = await startStack();
  await stack.control('reset', {});
  b = await stack.signIn();
  assert.equal((await stack.grant(b, 'logs', '/logs')).status, 200);
});
after(async () => {
  await stack?.close();
});

/** The `datetime` of each entry's time, in page order. */
function entryTimes(html: string): number[] {
  const table = /<table class="log-table">[\s\S]*?<\/table>/.exec(html)?.[0] ?? '';
  return [...table.matchAll(/<time datetime="([^"]+)">/g)].map((m) => Date.parse(m[1]!));
}
function olderLink(html: string): string | undefined {
  const m = /<a class="button" href="([^"]+)">Older entries<\/a>/.exec(html);
  return m ? text(m[1]!) : undefined;
}
function textarea(html: string): string | undefined {
  const m = /<textarea id="f-filter"(?:[^>"]|"[^"]*")*>([\s\S]*?)<\/textarea>/.exec(html);
  return m ? text(m[1]!) : undefined;
}
async function entriesListCalls(): Promise<number> {
  return (await stack.counts())['api:logging:v2:entries.list'] ?? 0;
}

test('the last hour by default: entries in range, newest first, severity badges, a histogram with its text', async () => {
  const t0 = Date.now();
  const before = await entriesListCalls();
  const page = await stack.get(b, '/logs?project=acme-prod');
  assert.equal(page.status, 200);
  const times = entryTimes(page.html);
  assert.ok(times.length > 10 && times.length <= 50, `${times.length} entries`);
  assert.deepEqual(
    [...times].sort((x, y) => y - x),
    times,
    'newest first',
  );
  for (const t of times) assert.ok(t >= t0 - 3_600_000 - 5_000, 'within the last hour');
  assert.match(page.html, /<input type="radio" name="range" value="1h" checked>/);
  assert.match(
    page.html,
    /<span class="badge badge--(info|danger|warn|critical|neutral)">(INFO|ERROR|WARNING|CRITICAL|DEBUG|NOTICE|DEFAULT)<\/span>/,
  );
  // The histogram: an accessible SVG whose text says how many entries there are.
  const desc = /<desc id="viz-log-volume-desc">([^<]+)<\/desc>/.exec(page.html)?.[1];
  assert.ok(desc, 'a histogram with a text equivalent');
  assert.match(text(desc!), new RegExp(`^${times.length} log entries from `));
  assert.match(page.html, /<svg [^>]*id="viz-log-volume"[^>]*role="img"/);
  assert.match(page.html, /The counts as a table/);
  // Two reads: the page of entries, and the cheap one (timestamps and severities only) for the histogram.
  assert.equal((await entriesListCalls()) - before, 2);
  assert.doesNotMatch(page.html, /style=/, 'no inline style');
});

test("payloads fold to one line and open on demand; times are in the reader's zone", async () => {
  const page = await stack.get(b, '/logs?project=acme-prod&range=24h');
  // JSON payloads (Cloud Run request logs) are a <details> whose summary is the message, and the JSON inside.
  const folded =
    /<details class="log-details"><summary><span class="log-summary">([^<]+)<\/span><\/summary><pre>([\s\S]*?)<\/pre><\/details>/.exec(
      page.html,
    );
  assert.ok(folded, 'a folded payload');
  assert.match(text(folded![1]!), /latencyMs=\d+/);
  assert.match(text(folded![2]!), /"latencyMs": \d+/);

  b.jar.get('localhost')?.set('tz', 'Asia%2FTokyo');
  const tokyo = await stack.get(b, '/logs?project=acme-prod');
  assert.match(tokyo.html, /data-times-tz="Asia\/Tokyo"/);
  assert.match(text(tokyo.html), /Times are in Asia\/Tokyo \(UTC\+9\)/);
  assert.match(text(tokyo.html), /GMT\+9/);
  b.jar.get('localhost')?.set('tz', 'Not%2FA_Zone');
  assert.match((await stack.get(b, '/logs?project=acme-prod')).html, /data-times-tz="UTC"/, 'an unknown zone is UTC');
  b.jar.get('localhost')?.delete('tz');
});

test('a longer range pages with the very same filter (pinned to when it was read), without reading the histogram again', async () => {
  const first = await stack.get(b, '/logs?project=acme-prod&range=7d');
  assert.equal(entryTimes(first.html).length, 50);
  const older = olderLink(first.html);
  assert.ok(older, 'an "Older entries" link');
  const url = new URL(older!, stack.baseUrl);
  assert.equal(url.searchParams.get('range'), '7d');
  assert.match(url.searchParams.get('at') ?? '', /^\d+$/);
  const calls = await entriesListCalls();
  const second = await stack.get(b, older!);
  assert.equal(second.status, 200, 'Google accepted the page token: same filter');
  const a = entryTimes(first.html);
  const c = entryTimes(second.html);
  assert.ok(c.length > 0 && c[0]! <= a.at(-1)!, 'the next page carries on where the first stopped');
  assert.equal((await entriesListCalls()) - calls, 1, 'no histogram read on a later page');
  assert.match(second.html, /The volume chart of this range is on its first page/);
  assert.match(second.html, />Newest entries</);
});

test('a filter narrows the entries and stays in the form', async () => {
  const page = await stack.get(b, `/logs?project=acme-prod&range=7d&filter=${encodeURIComponent('severity>=ERROR')}`);
  assert.equal(page.status, 200);
  const table = /<table class="log-table">[\s\S]*?<\/table>/.exec(page.html)?.[0] ?? '';
  const severities = rows(table).map((r) => r[1]);
  assert.ok(severities.length > 0);
  for (const s of severities) assert.ok(['ERROR', 'CRITICAL', 'ALERT', 'EMERGENCY'].includes(s!), `severity ${s}`);
  assert.equal(textarea(page.html), 'severity>=ERROR');
  const older = olderLink(page.html);
  if (older) assert.equal(new URL(older, stack.baseUrl).searchParams.get('filter'), 'severity>=ERROR');
});

test("a filter Google refuses stays on the page with Google's words and a way back", async () => {
  const bad = 'severity>>>(';
  const page = await stack.get(b, `/logs?project=acme-prod&filter=${encodeURIComponent(bad)}`);
  assert.equal(page.status, 400);
  const html = text(page.html);
  assert.equal(textarea(page.html), bad, 'the filter is kept');
  assert.match(page.html, /aria-invalid="true"/);
  assert.match(html, /Google could not use this filter/);
  assert.match(html, /Google said: <code class="break">Unparseable filter/);
  assert.match(html, /The query Scopewise sent/);
  assert.match(html, /timestamp>="/, 'the query sent, with the range');
  assert.match(html, /<a href="\/logs\?project=acme-prod">Show the entries without a filter<\/a>/);
  assert.match(html, /<form method="get" action="\/logs"/, 'the form is still there');

  const hostile = await stack.get(
    b,
    `/logs?project=acme-prod&filter=${encodeURIComponent('"<script>alert(1)</script>')}`,
  );
  assert.ok(hostile.status === 200 || hostile.status === 400, `${hostile.status}`);
  assert.ok(!hostile.html.includes('<script>alert(1)'), 'the filter is escaped wherever it shows');

  const long = await stack.get(b, `/logs?project=acme-prod&filter=${'x'.repeat(2500)}`);
  assert.equal(long.status, 400);
  assert.equal(textarea(long.html)?.length, 2500, 'an over-long filter is kept too');
  assert.match(text(long.html), /Check what you entered: the filter is 2500 characters long/);
});

test("a custom range: given in the reader's zone, checked, kept when wrong", async () => {
  const wrong = await stack.get(b, '/logs?project=acme-prod&range=custom&from=2026-12-02T10:00&to=2026-12-02T09:00');
  assert.equal(wrong.status, 400);
  assert.match(text(wrong.html), /The end must be after the start\./);
  assert.match(wrong.html, /id="f-from" name="from" value="2026-12-02T10:00"/);
  assert.match(wrong.html, /id="f-to" name="to" value="2026-12-02T09:00" aria-invalid="true"/);
  const missing = await stack.get(b, '/logs?project=acme-prod&range=custom&from=&to=');
  assert.equal(missing.status, 400);
  assert.match(text(missing.html), /Give the start of the range/);
  const unknown = await stack.get(b, '/logs?project=acme-prod&range=forever');
  assert.equal(unknown.status, 400);

  const now = Date.now();
  const wall = (ms: number) => new Date(ms).toISOString().slice(0, 16);
  const from = now - 30 * 60_000;
  const page = await stack.get(b, `/logs?project=acme-prod&range=custom&from=${wall(from)}&to=${wall(now + 60_000)}`);
  assert.equal(page.status, 200);
  const times = entryTimes(page.html);
  assert.ok(times.length > 0);
  for (const t of times) assert.ok(t >= from - 60_000, 'within the custom range');
});
