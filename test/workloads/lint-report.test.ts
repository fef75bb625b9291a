// The lint's pure report half: arguments, cleaning values for CI logs, annotation escapes, the texts table.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadDiscovery } from '../../src/scopes/index.js';
import {
  FINDING_CODES,
  FINDING_TEXTS,
  MESSAGES,
  NOTE_CODES,
  buildMethodIndex,
  cleanText,
  escapeAnnotationData,
  escapeAnnotationProperty,
  formatGithub,
  formatJson,
  formatMessage,
  formatText,
  lintFile,
  noteTitle,
  parseLintArgs,
  ruleMetadata,
  type LintFileResult,
} from '../../src/workloads/index.js';

const index = buildMethodIndex(loadDiscovery());

describe('parseLintArgs', () => {
  const args = (...a: string[]) => parseLintArgs(a);
  /** The arguments, when accepted. */
  const ok = (...a: string[]) => {
    const r = parseLintArgs(a);
    assert.ok('args' in r, JSON.stringify(r));
    return r.args;
  };
  it('formats: --format X, --format=X, --json; text by default', () => {
    assert.deepEqual(args('a.yaml'), { args: { files: ['a.yaml'], format: 'text', output: undefined, help: false } });
    for (const [given, format] of [
      [['--format', 'sarif'], 'sarif'],
      [['--format=github'], 'github'],
      [['--json'], 'json'],
      [['--json', '--format', 'json'], 'json'],
    ] as const)
      assert.equal(ok(...given, 'a.yaml').format, format);
  });
  it('--output / -o / --output=FILE; "--" ends the options', () => {
    assert.deepEqual(args('-o', 'r.sarif', 'a.yaml'), {
      args: { files: ['a.yaml'], format: 'text', output: 'r.sarif', help: false },
    });
    assert.equal(ok('--output=x', 'a').output, 'x');
    assert.deepEqual(ok('--', '--format', '-o').files, ['--format', '-o']);
  });
  it('refuses what it cannot honour, with a sentence', () => {
    assert.deepEqual(args('--format', 'xml', 'a'), {
      error: '--format takes one of text, json, sarif, github, not xml.',
    });
    assert.deepEqual(args('--format'), { error: '--format takes one of text, json, sarif, github.' });
    assert.deepEqual(args('--json', '--format', 'sarif', 'a'), { error: 'Two formats given: json and sarif.' });
    assert.deepEqual(args('--output'), { error: '--output takes a file name.' });
    assert.deepEqual(args('-x', 'a'), { error: 'Unknown option -x.' });
    assert.deepEqual(args(), { error: 'No file given.' });
  });
});

describe('cleanText: a value from a file, made one safe line', () => {
  it('line breaks and control characters become visible escapes', () => {
    assert.equal(cleanText('a\nb\rc\td'), 'a\\nb\\rc\\td');
    assert.equal(cleanText('\u001b[31m\u0000\u007f'), '\\x1b[31m\\x00\\x7f');
    assert.equal(cleanText('x\u0085y\u2028z\u2029'), 'x\\x85y\\u2028z\\u2029');
  });
  it('format characters are dropped: bidi overrides and isolates, marks, zero-width characters, the BOM', () => {
    assert.equal(
      cleanText(
        'a\u202ab\u202bc\u202cd\u202de\u202ef\u2066g\u2067h\u2068i\u2069j\u200ek\u200fl\u061cm\u200bn\u200do\ufeffp\u00adq',
      ),
      'abcdefghijklmnopq',
    );
  });
  it('other text is kept as it is', () => {
    const text = 'ステップ é 🚀 ${a + "b"} https://x.googleapis.com/v1/p:list \\ #';
    assert.equal(cleanText(text), text);
  });
});

describe('GitHub workflow-command escapes', () => {
  it('data: %, CR and LF; properties also : and ,', () => {
    assert.equal(escapeAnnotationData('50% done\r\n::x,y'), '50%25 done%0D%0A::x,y');
    assert.equal(escapeAnnotationProperty('a:b,c%\n'), 'a%3Ab%2Cc%25%0A');
  });
  it('a % that looks like an escape stays literal text', () => {
    assert.equal(escapeAnnotationData('%0A'), '%250A');
  });
});

describe('formats from crafted results', () => {
  const checked = (file: string, src: string): LintFileResult => lintFile(file, src, index);
  const STEP =
    '- "s::x ##[group]y":\n    call: http.post\n    args: {url: "https://hooks.example.com/", auth: {type: OAuth2}}\n';
  it('text: a file name that is a command is written escaped at the start of its lines', () => {
    const out = formatText([checked('::add-mask::secret.yaml', STEP)]);
    assert.ok(out.split('\n').every((l) => !l.trimStart().startsWith('::')));
    assert.match(out, /^\\::add-mask::secret\.yaml\n/);
    assert.match(out, /s::x #\\#\[group\]y/);
  });
  it('json: ##[ is written #\\u0023[, which reads back as the same text', () => {
    const out = formatJson([checked('w.yaml', STEP)]);
    assert.ok(!out.includes('##['));
    const doc = JSON.parse(out) as { files: { calls: { step: string }[] }[] };
    assert.equal(doc.files[0]?.calls[0]?.step, 's::x ##[group]y');
  });
  it('github: the title names code, severity and rule; the message holds recommendation, fix and guide', () => {
    const out = formatGithub([checked('dir/a,b:c.yaml', STEP)]);
    assert.match(
      out,
      /^::error file=dir\/a%2Cb%3Ac\.yaml,line=2,col=5,title=http-oauth2-to-other-host \(high\)%3A Access token sent outside Google::Step s::x #\\#\[group\]y sends/,
    );
    assert.match(
      out,
      /%0A%0AFix: remove args\.auth\.%0A%0Ahttps:\/\/cloud\.google\.com\/workflows\/docs\/authenticate-from-workflow\n/,
    );
  });
});

describe('the table of texts', () => {
  it('formatMessage fills every placeholder, groups numbers, and refuses a missing value', () => {
    assert.equal(formatMessage('limit.maxSteps', { limit: 10_000 }).includes('10,000 steps'), true);
    assert.throws(() => formatMessage('limit.maxSteps'), /no value for \{limit\}/);
  });
  it('every rule has a title and a recommendation; titles differ; every note has a title', () => {
    const titles = FINDING_CODES.map((c) => ruleMetadata(c).title);
    assert.equal(new Set(titles).size, titles.length);
    for (const c of FINDING_CODES) {
      assert.ok(FINDING_TEXTS[c].title.length > 5 && FINDING_TEXTS[c].recommendation.length > 20, c);
    }
    for (const c of NOTE_CODES) assert.ok(noteTitle(c).length > 5, c);
  });
  it('messages are one line each, with well-formed placeholders', () => {
    for (const [id, text] of Object.entries(MESSAGES)) {
      assert.ok(!text.includes('\n'), id);
      assert.equal(text.replace(/\{[A-Za-z]+\}/g, '').match(/[{}]/), null, id);
    }
  });
});
