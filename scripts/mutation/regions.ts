// Where a named part of a source file is, as the line range Stryker's `mutate` takes (`file:start-end`). A module
// of the mutation run can name the declarations it covers (a function, a class, a class's method, a constant)
// instead of line numbers, which every edit to the file would move. Pure: source text in, lines out.
//
// Selectors:  `function name`   a top-level function (exported or not, async or not)
//             `class Name`      a whole class
//             `const NAME`      a top-level constant (one line, or up to the line that closes it)
//             `Class.method`    one member of a class (`Class.constructor` for its constructor)
// The project is formatted by Biome (two-space indent), so a declaration ends at the first later line that has
// its indentation and starts with its closing bracket; a one-line declaration is its own range.

export interface LineRange {
  /** 1-based, inclusive. */
  start: number;
  end: number;
}

export class RegionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegionError';
  }
}

const MODIFIERS =
  '(?:(?:export|default|declare|abstract|async|private|protected|public|static|override|readonly|get|set)\\s+)*';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

/** The line that closes the declaration opened on line `start` (0-based), or `start` for a one-liner. */
function closingLine(lines: readonly string[], start: number): number {
  const opening = lines[start]!.trimEnd();
  const opens = opening.split('{').length - 1;
  // `const X = 1;`, `f(): void { return; }`: complete on its line.
  if (opens > 0 ? opens === opening.split('}').length - 1 : opening.endsWith(';')) return start;
  const indent = indentOf(opening);
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const text = line.trimStart();
    // `}` closes a body; `];`, `);` or a backtick and `;` close a statement. A signature's `): T {` does not.
    if (indentOf(line) === indent && (text.startsWith('}') || /^[\])`][^{]*;$/.test(text))) return i;
    // A template literal's lines may start anywhere, even at column 0: only its end is looked for there.
    if (indentOf(line) < indent && !opening.endsWith('`')) break;
  }
  throw new RegionError(`the declaration on line ${start + 1} has no closing line at its indentation`);
}

function findLine(lines: readonly string[], pattern: RegExp, from = 0, to = lines.length): number {
  for (let i = from; i < to; i++) if (pattern.test(lines[i]!)) return i;
  return -1;
}

/** The lines of `selector` in `source`; throws RegionError naming the selector when it is not found once. */
export function findRegion(source: string, selector: string): LineRange {
  const lines = source.split('\n');
  const top = /^(function|class|const)\s+([A-Za-z_$][\w$]*)$/.exec(selector.trim());
  const member = /^([A-Za-z_$][\w$]*)\.([A-Za-z_$][\w$]*)$/.exec(selector.trim());
  if (top) {
    const [, kind, name] = top;
    const keyword = kind === 'function' ? 'function\\*?' : kind;
    const pattern = new RegExp(`^${MODIFIERS}${keyword}\\s+${escapeRegExp(name!)}\\b`);
    const at = findLine(lines, pattern);
    if (at < 0) throw new RegionError(`${selector}: not found`);
    if (findLine(lines, pattern, at + 1) >= 0) throw new RegionError(`${selector}: declared more than once`);
    return { start: at + 1, end: closingLine(lines, at) + 1 };
  }
  if (member) {
    const [, className, name] = member;
    const cls = findRegion(source, `class ${className}`);
    const memberIndent = indentOf(lines[cls.start - 1]!) + 2;
    const pattern = new RegExp(`^ {${memberIndent}}${MODIFIERS}${escapeRegExp(name!)}\\s*[(<]`);
    const at = findLine(lines, pattern, cls.start, cls.end - 1);
    if (at < 0) throw new RegionError(`${selector}: no member ${name} in class ${className}`);
    return { start: at + 1, end: closingLine(lines, at) + 1 };
  }
  throw new RegionError(`${selector}: expected "function f", "class C", "const X" or "C.method"`);
}
