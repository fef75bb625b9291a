// A small subset of the Cloud Logging query language: comparisons, AND/OR/NOT, parentheses, global text search.
import { invalidArgument, type ApiError } from '../errors.js';
import type { LogEntry } from '../fixtures.js';

export const SEVERITY_LEVELS: Record<string, number> = {
  DEFAULT: 0,
  DEBUG: 100,
  INFO: 200,
  NOTICE: 300,
  WARNING: 400,
  ERROR: 500,
  CRITICAL: 600,
  ALERT: 700,
  EMERGENCY: 800,
};

const ROOT_FIELDS = new Set([
  'logName',
  'resource',
  'timestamp',
  'receiveTimestamp',
  'severity',
  'insertId',
  'textPayload',
  'jsonPayload',
  'protoPayload',
  'labels',
  'httpRequest',
  'operation',
  'trace',
  'spanId',
  'sourceLocation',
]);
const OPS = ['>=', '<=', '!=', '=~', '!~', '=', '<', '>', ':'] as const;
type Op = (typeof OPS)[number];

type Pred = (e: LogEntry) => boolean;

class Parser {
  private i = 0;
  constructor(private readonly s: string) {}

  fail(what: string): ApiError {
    const before = this.s.slice(0, this.i);
    const line = before.split('\n').length;
    const column = this.i - (before.lastIndexOf('\n') + 1) + 1;
    return invalidArgument(`Unparseable filter: ${what} at line ${line}, column ${column}`);
  }

  private ws(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i] ?? '')) this.i++;
  }

  private peekWord(word: string): boolean {
    this.ws();
    return this.s.startsWith(word, this.i) && !/[\w.]/.test(this.s[this.i + word.length] ?? '');
  }

  parse(): Pred {
    this.ws();
    if (this.i >= this.s.length) return () => true;
    const p = this.or();
    this.ws();
    if (this.i < this.s.length) throw this.fail(`syntax error, unexpected '${this.s[this.i]}'`);
    return p;
  }

  private or(): Pred {
    const parts = [this.and()];
    while (this.peekWord('OR')) {
      this.i += 2;
      parts.push(this.and());
    }
    return parts.length === 1 ? (parts[0] as Pred) : (e) => parts.some((p) => p(e));
  }

  private and(): Pred {
    const parts = [this.unary()];
    for (;;) {
      this.ws();
      if (this.i >= this.s.length || this.s[this.i] === ')' || this.peekWord('OR')) break;
      if (this.peekWord('AND')) this.i += 3;
      parts.push(this.unary());
    }
    return parts.length === 1 ? (parts[0] as Pred) : (e) => parts.every((p) => p(e));
  }

  private unary(): Pred {
    this.ws();
    if (this.peekWord('NOT')) {
      this.i += 3;
      const p = this.unary();
      return (e) => !p(e);
    }
    if (this.s[this.i] === '-' && !/\s/.test(this.s[this.i + 1] ?? ' ')) {
      this.i++;
      const p = this.unary();
      return (e) => !p(e);
    }
    return this.primary();
  }

  private quoted(): string {
    const q = this.s[this.i];
    this.i++;
    let out = '';
    while (this.i < this.s.length && this.s[this.i] !== q) {
      if (this.s[this.i] === '\\') this.i++;
      out += this.s[this.i] ?? '';
      this.i++;
    }
    if (this.i >= this.s.length) throw this.fail('unterminated string');
    this.i++;
    return out;
  }

  /** A value: quoted string, or a bare run up to whitespace or a parenthesis (colons allowed, for timestamps). */
  private value(): string {
    this.ws();
    const c = this.s[this.i];
    if (c === '"' || c === "'") return this.quoted();
    const start = this.i;
    while (this.i < this.s.length && !/[\s()"]/.test(this.s[this.i] ?? '')) this.i++;
    if (start === this.i) throw this.fail('syntax error, expected a value');
    const v = this.s.slice(start, this.i);
    if (OPS.some((op) => v.startsWith(op))) throw this.fail(`syntax error, unexpected '${v}'`);
    return v;
  }

  private fieldPath(): string[] | undefined {
    const save = this.i;
    const parts: string[] = [];
    for (;;) {
      const c = this.s[this.i];
      if (c === '"') parts.push(this.quoted());
      else {
        const m = /^[A-Za-z_@][\w@-]*/.exec(this.s.slice(this.i));
        if (!m) break;
        parts.push(m[0]);
        this.i += m[0].length;
      }
      if (this.s[this.i] === '.') this.i++;
      else break;
    }
    this.ws();
    if (parts.length === 0 || !OPS.some((op) => this.s.startsWith(op, this.i))) {
      this.i = save;
      return undefined;
    }
    return parts;
  }

  private primary(): Pred {
    this.ws();
    if (this.s[this.i] === '(') {
      this.i++;
      const p = this.or();
      this.ws();
      if (this.s[this.i] !== ')') throw this.fail("syntax error, missing ')'");
      this.i++;
      return p;
    }
    if (this.s[this.i] === ')') throw this.fail("syntax error, unexpected ')'");
    const path = this.fieldPath();
    if (!path) {
      const text = this.value().toLowerCase();
      return (e) => JSON.stringify(e).toLowerCase().includes(text);
    }
    const op = OPS.find((o) => this.s.startsWith(o, this.i)) as Op;
    this.i += op.length;
    const raw = this.value();
    return this.comparison(path, op, raw);
  }

  private comparison(path: string[], op: Op, raw: string): Pred {
    const root = path[0] ?? '';
    if (!ROOT_FIELDS.has(root)) throw this.fail(`unrecognized field '${path.join('.')}'`);
    if (root === 'severity' && path.length === 1) {
      const level = SEVERITY_LEVELS[raw.toUpperCase()] ?? (/^\d+$/.test(raw) ? Number(raw) : undefined);
      if (level === undefined) throw invalidArgument(`Invalid severity value: ${raw}`);
      return (e) => compare(SEVERITY_LEVELS[e.severity] ?? 0, level, op);
    }
    if ((root === 'timestamp' || root === 'receiveTimestamp') && path.length === 1) {
      const t = Date.parse(raw);
      if (Number.isNaN(t)) throw invalidArgument(`Invalid timestamp value: ${raw}`);
      return (e) => compare(Date.parse(e[root]), t, op);
    }
    let regex: RegExp | undefined;
    if (op === '=~' || op === '!~') {
      try {
        regex = new RegExp(raw);
      } catch {
        throw this.fail('invalid regular expression');
      }
    }
    return (e) => {
      const v = lookup(e, path);
      if (v === undefined) return op === '!=' || op === '!~';
      const str = typeof v === 'string' ? v : JSON.stringify(v);
      switch (op) {
        case ':':
          return str.toLowerCase().includes(raw.toLowerCase());
        case '=~':
          return regex?.test(str) ?? false;
        case '!~':
          return !(regex?.test(str) ?? false);
        default:
          return compare(str, raw, op);
      }
    };
  }
}

function lookup(e: LogEntry, path: string[]): unknown {
  let cur: unknown = e;
  for (const part of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function compare<T extends number | string>(a: T, b: T, op: Op): boolean {
  switch (op) {
    case '=':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    default:
      return a === b;
  }
}

/** Parses a Logging filter; throws a Google-shaped 400 INVALID_ARGUMENT when it cannot. */
export function parseLogFilter(filter: string): Pred {
  return new Parser(filter).parse();
}
