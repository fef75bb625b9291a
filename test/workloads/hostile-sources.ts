// Workflows definitions built to exhaust a parser (the review's reproductions), and the largest ones the lint
// still accepts. Shared by the parser's, the CLI's and the workload review's tests.

/**
 * About 1 KB: nine anchors, each a block of eight steps aliasing the previous one, so the last expands to 8^8
 * (16.7 million) steps. The former lint followed every alias and never finished.
 */
export function nestedAliasBomb(): string {
  const names = 'abcdefghi';
  const lines = [
    'main:',
    '  steps:',
    '    - a: &a {steps: [{s: {call: http.get, args: {url: "https://example.com/"}}}]}',
  ];
  for (let i = 1; i < names.length; i++) {
    const name = names[i] as string;
    const prev = names[i - 1] as string;
    const items = Array.from({ length: 8 }, (_, k) => `{${name}${k + 1}: *${prev}}`).join(', ');
    lines.push(`    - ${name}: &${name} {steps: [${items}]}`);
  }
  return `${lines.join('\n')}\n`;
}

/** `count` steps, each aliasing its own anchor once (the review's "4,000 aliases in 63 KB" shape). */
export function manyAliases(count: number): string {
  const lines = ['main:', '  steps:'];
  for (let i = 0; i < count; i++) lines.push(`    - s${i}: &x${i} {call: sys.log}`, `    - t${i}: *x${i}`);
  return `${lines.join('\n')}\n`;
}

/** A step whose own `steps` alias the step itself: a cycle, endless if followed. */
export const SELF_ALIAS = `main:
  steps:
    - loop: &loop
        steps:
          - again: *loop
`;

/** JSON arrays nested `depth` deep inside one step's `args.body` (arrays in a body are never walked). */
export function deepJsonBody(depth: number): string {
  return `{"main":{"steps":[{"a":{"call":"http.post","args":{"url":"https://example.com/","body":${'['.repeat(depth)}${']'.repeat(depth)}}}}]}}`;
}

/** The whole file is `depth` nested arrays: far beyond any parser's stack. */
export function deepJsonArrays(depth: number): string {
  return `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

/** Counts the collections (maps and lists) around the innermost value of `text`, the way the limit counts. */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') max = Math.max(max, ++depth);
    else if (c === '}' || c === ']') depth--;
  }
  return max;
}

const STOP = (i: number) =>
  `    - s${i}:\n        call: http.post\n        args:\n          url: https://compute.googleapis.com/compute/v1/projects/p/zones/z/instances/vm${i}/stop\n          auth: {type: OAuth2}\n`;

/** Fills up to `bytes` with real `http.post` steps to Compute (each one a finding with a fix). */
export function largestRealistic(bytes: number): string {
  let text = 'main:\n  steps:\n';
  for (let i = 0; text.length + STOP(i).length <= bytes; i++) text += STOP(i);
  return text;
}

/** Fills up to `bytes` with the smallest `http.get` steps there are (the most calls a file can hold). */
export function mostCalls(bytes: number): string {
  let text = '';
  for (let i = 0; ; i++) {
    const step = `- s${i}: {call: http.get}\n`;
    if (text.length + step.length > bytes) return text;
    text += step;
  }
}

/** One JSON step whose `args.body` is a map with as many keys as fit in `bytes`. */
export function widestJsonMap(bytes: number): string {
  const head = '{"main":{"steps":[{"a":{"call":"http.post","args":{"url":"https://example.com/","body":{';
  const tail = '}}}}]}}';
  const keys: string[] = [];
  let size = head.length + tail.length;
  for (let i = 0; ; i++) {
    const entry = `"k${i}":1`;
    if (size + entry.length + 1 > bytes) break;
    keys.push(entry);
    size += entry.length + 1;
  }
  return `${head}${keys.join(',')}${tail}`;
}

/**
 * One anchored block of `perBlock` http calls, aliased `uses` times: expands to `perBlock × (uses + 1)` calls and
 * `(perBlock + 1) × (uses + 1)` steps. At (99, 99), the most a definition may expand to within the limits.
 */
export function aliasedBlocks(perBlock: number, uses: number): string {
  const calls = Array.from(
    { length: perBlock },
    (_, i) =>
      `{c${i}: {call: http.get, args: {url: "https://logging.googleapis.com/v2/entries:list", auth: {type: OAuth2}}}}`,
  );
  const lines = ['main:', '  steps:', `    - block: &block {steps: [${calls.join(', ')}]}`];
  for (let i = 0; i < uses; i++) lines.push(`    - again${i}: *block`);
  return `${lines.join('\n')}\n`;
}
