/**
 * Workflows definitions (YAML or JSON) → the `http.*` calls they make, each with its step and line.
 *
 * Parsing is the `yaml` package's (a YAML 1.2 parser; JSON is strictly validated with `JSON.parse` first, since
 * YAML's flow syntax would accept a JSON trailing comma). Positions come from the parser's `LineCounter`. The
 * walk follows the Workflows syntax: a list of steps, or a map of `main` and subworkflows each with `steps`;
 * inside a step: `call`/`args`, nested `steps`, `switch` conditions (with `steps` or an inline `call`), `for`,
 * `parallel` (`branches` or `for`), `try` (a `steps` block or an inline `call`), `except`. `args` is never
 * walked, so a request body containing a `call` key is not mistaken for a step.
 *
 * Definitions come from people's repositories and from Google (any project member may deploy one), so reading
 * one is bounded before any costly step (`SOURCE_LIMITS`): the size first; flow nesting (`[[[…`) before the
 * parser, which is slow on it; then, on the parser's token stream (built without recursion), the nesting depth
 * and the number of aliases, before the tree is composed (which recurses); then alias expansion (the yaml
 * package's `maxAliasCount`); and while walking, the depth and the number of steps with each alias counted where
 * it is used (an alias may point at its own ancestor). Duplicate keys are found with one set per map: the
 * parser's own check compares every pair of keys.
 */
import {
  CST,
  Composer,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  Lexer,
  LineCounter,
  Parser,
  visit,
  type Alias,
  type Document,
  type Node,
  type Pair,
  type YAMLMap,
} from 'yaml';
import { formatMessage, type MessageId, type MessageParams } from './rule-texts.js';

export type SourceFormat = 'yaml' | 'json';

/**
 * What reading one definition may cost. A definition beyond any of them is refused with WORKFLOW_SOURCE_LIMIT
 * naming the limit. No real workflow comes near them; each stops a known attack on parsers.
 */
export const SOURCE_LIMITS = {
  /** UTF-8 bytes: Workflows' own limit for a source, 128 KB (GUIDE_WORKFLOW_LIMITS). */
  maxBytes: 128 * 1024,
  /**
   * Maps and lists inside one another (aliases counted where used). Ten nested blocks of steps with a request
   * body ten deep stay under 50; the parser's own recursion runs out of stack near 800.
   */
  maxDepth: 100,
  /** Alias nodes (`*name`) in the text. */
  maxAliases: 100,
  /** The yaml package's `maxAliasCount` (its default): the nodes aliases may expand to, an alias bomb's measure. */
  maxAliasCount: 100,
  /** Steps walked, an alias counted each time it is used. A 128 KB file holds at most about 6,000 http steps. */
  maxSteps: 10_000,
} as const;

export type SourceLimitName = keyof typeof SOURCE_LIMITS;

export type WorkflowSourceErrorCode =
  | 'WORKFLOW_SOURCE_SYNTAX'
  | 'WORKFLOW_SOURCE_STRUCTURE'
  | 'WORKFLOW_SOURCE_EMPTY'
  | 'WORKFLOW_SOURCE_LIMIT';

/** A definition Scopewise cannot read; `line`/`column` (1-based) point at the problem when known. */
export class WorkflowSourceError extends Error {
  override readonly name = 'WorkflowSourceError';
  constructor(
    readonly code: WorkflowSourceErrorCode,
    message: string,
    readonly line?: number,
    readonly column?: number,
    /** WORKFLOW_SOURCE_LIMIT: the limit the definition goes beyond. */
    readonly limit?: { readonly name: SourceLimitName; readonly value: number },
  ) {
    super(message);
  }
}

export function isWorkflowSourceError(value: unknown): value is WorkflowSourceError {
  return value instanceof WorkflowSourceError;
}

function limitError(
  name: SourceLimitName,
  at: { line: number; column: number },
  params: MessageParams = {},
): WorkflowSourceError {
  const value = SOURCE_LIMITS[name];
  return new WorkflowSourceError(
    'WORKFLOW_SOURCE_LIMIT',
    formatMessage(`limit.${name}`, { limit: value, ...params }),
    at.line,
    at.column,
    { name, value },
  );
}

/** The calls Workflows offers in the `http` library; `http.default_retry*` are retry policies, not calls. */
export const HTTP_CALLS = ['http.get', 'http.post', 'http.put', 'http.patch', 'http.delete', 'http.request'] as const;
export type HttpCallName = (typeof HTTP_CALLS)[number];

const VERB_OF_CALL: Readonly<Record<HttpCallName, string | undefined>> = {
  'http.get': 'GET',
  'http.post': 'POST',
  'http.put': 'PUT',
  'http.patch': 'PATCH',
  'http.delete': 'DELETE',
  'http.request': undefined,
};

/** A value as written: a plain string, a `${…}` expression, or something else (number, list, map). */
export type SourceValue =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'expression'; readonly text: string }
  | { readonly kind: 'other'; readonly display: string };

export interface HttpAuthSpec {
  /** `OAuth2`, `OIDC`, anything else as written, or an expression. */
  readonly type: SourceValue | undefined;
  /** Undefined when not given (OAuth2 then uses cloud-platform). */
  readonly scopes: SourceValue | { readonly kind: 'list'; readonly items: readonly SourceValue[] } | undefined;
  readonly audience: SourceValue | undefined;
}

export interface HttpCall {
  /** `main` or the subworkflow's name. */
  readonly workflow: string;
  /** Enclosing steps and blocks, outermost first, e.g. `["notify_all", "branch_a", "post_result"]`. */
  readonly stepPath: readonly string[];
  readonly call: HttpCallName;
  /** HTTP method: from the call name, or `args.method` of `http.request` (undefined when absent or computed). */
  readonly httpMethod: string | undefined;
  /** 1-based position of the `call:` entry. */
  readonly line: number;
  readonly column: number;
  readonly hasArgs: boolean;
  readonly url: SourceValue | undefined;
  /** Undefined: no `auth` (the request carries no Google token). */
  readonly auth: HttpAuthSpec | undefined;
}

export interface ParsedWorkflowSource {
  readonly format: SourceFormat;
  readonly calls: readonly HttpCall[];
  /** Workflow names found (`main` for a top-level list of steps). */
  readonly workflows: readonly string[];
}

/** `.json` → json, `.yaml`/`.yml` → yaml, otherwise by the first non-blank character. */
export function detectFormat(text: string, fileName?: string): SourceFormat {
  const lower = fileName?.toLowerCase() ?? '';
  if (lower.endsWith('.json')) return 'json';
  if (lower.endsWith('.yaml') || lower.endsWith('.yml')) return 'yaml';
  const first = text.trimStart()[0];
  return first === '{' || first === '[' ? 'json' : 'yaml';
}

/** 1-based line and column of a 0-based offset. */
export function positionOf(text: string, offset: number): { line: number; column: number } {
  const clamped = Math.max(0, Math.min(offset, text.length));
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < clamped; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: clamped - lineStart + 1 };
}

/**
 * Where `JSON.parse` stopped. Node 20 says "… at position N", Node 22+ adds "(line L column C)"; "Unexpected end
 * of JSON input" has no position: the end of the text.
 */
export function jsonErrorPosition(text: string, message: string): { line: number; column: number } {
  const lc = /\(line (\d+) column (\d+)\)/.exec(message);
  if (lc) return { line: Number(lc[1]), column: Number(lc[2]) };
  const pos = /at position (\d+)/.exec(message);
  if (pos) return positionOf(text, Number(pos[1]));
  return positionOf(text, text.length);
}

function firstLine(message: string): string {
  return message.split('\n')[0]?.trim() ?? message;
}

/** A value from the file shown inside a message: long ones are cut (the output escapes the rest). */
function shown(value: string, max = 80): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}

/**
 * The first map or list nested deeper than `maxDepth` in flow style (`[…]`, `{…}`, all of JSON), found before the
 * parser builds its tree: the parser spends long on each level of deep flow nesting (seconds for the 60,000 levels
 * a 128 KiB file can hold), and this stops at the first level too many. JSON is scanned by hand (strings
 * skipped); YAML with that many brackets at all goes through the yaml package's lexer, which tells flow
 * indicators from brackets inside scalars. Returns the offset of the offending bracket.
 */
function deepFlowAt(text: string, format: SourceFormat): number | undefined {
  const max = SOURCE_LIMITS.maxDepth;
  if (format === 'json') {
    let depth = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
      } else if (c === 0x5b || c === 0x7b) {
        if (++depth > max) return i;
      } else if (c === 0x5d || c === 0x7d) depth--;
    }
    return undefined;
  }
  let brackets = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) brackets++;
  }
  if (brackets <= max) return undefined;
  let depth = 0;
  let offset = 0;
  let scalarNext = false;
  for (const token of new Lexer().lex(text)) {
    if (!scalarNext && (token === '[' || token === '{')) {
      if (++depth > max) return offset;
    } else if (!scalarNext && (token === ']' || token === '}')) depth--;
    scalarNext = token === CST.SCALAR;
    // The lexer's markers (document, scalar, flow end) are not in the text.
    if (token !== CST.SCALAR && token !== CST.DOCUMENT && token !== CST.FLOW_END) offset += token.length;
  }
  return undefined;
}

/**
 * One pass over the parser's tokens, without recursion: refuses nesting deeper than `maxDepth` and more than
 * `maxAliases` aliases before the composer (which recurses) sees them. Returns the offset of the first alias.
 */
function checkTokens(tokens: readonly CST.Token[], lines: LineCounter): { firstAlias: number | undefined } {
  const at = (offset: number) => {
    const p = lines.linePos(offset);
    return { line: p.line, column: p.col };
  };
  let aliases = 0;
  let firstAlias: number | undefined;
  const stack: [CST.Token, number][] = tokens.map((t): [CST.Token, number] => [t, 0]);
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [token, depth] = next;
    switch (token.type) {
      case 'document':
        if (token.value) stack.push([token.value, depth]);
        break;
      case 'block-map':
      case 'block-seq':
      case 'flow-collection': {
        if (depth + 1 > SOURCE_LIMITS.maxDepth) throw limitError('maxDepth', at(token.offset));
        for (const item of token.items) {
          if (item.key) stack.push([item.key, depth + 1]);
          if (item.value) stack.push([item.value, depth + 1]);
        }
        break;
      }
      case 'alias':
        aliases++;
        firstAlias = firstAlias === undefined ? token.offset : Math.min(firstAlias, token.offset);
        if (aliases > SOURCE_LIMITS.maxAliases) throw limitError('maxAliases', at(token.offset));
        break;
      default:
        break;
    }
  }
  return { firstAlias };
}

/** Each alias's node (the last node before it with its anchor), in one pass; an alias without one is an error. */
function resolveAliases(doc: Document, unresolved: (alias: Alias) => WorkflowSourceError): Map<Alias, Node> {
  const anchors = new Map<string, Node>();
  const targets = new Map<Alias, Node>();
  visit(doc, {
    Node(_key, node) {
      if (isAlias(node)) {
        const target = anchors.get(node.source);
        if (!target) throw unresolved(node);
        targets.set(node, target);
      } else if (node.anchor) anchors.set(node.anchor, node);
    },
  });
  return targets;
}

/** The first key that repeats in a map (aliases are not followed: their maps are checked where they are written). */
function firstDuplicateKey(doc: Document): Node | undefined {
  const stack: unknown[] = [doc.contents];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (isMap(node)) {
      const seen = new Set<unknown>();
      for (const pair of node.items) {
        const key = pair.key as Node | null;
        // The parser's own rule: scalar keys are equal when their values are; other keys only if the same node.
        const identity = isScalar(key) ? key.value : key;
        if (seen.has(identity)) return key ?? undefined;
        seen.add(identity);
        stack.push(pair.key, pair.value);
      }
    } else if (isSeq(node)) stack.push(...node.items);
  }
  return undefined;
}

/** Throws WORKFLOW_SOURCE_LIMIT for a definition of `size` UTF-8 bytes beyond `maxBytes` (before reading it all). */
export function checkSourceSize(size: number): void {
  if (size > SOURCE_LIMITS.maxBytes) throw limitError('maxBytes', { line: 1, column: 1 }, { size });
}

/** Parses and walks a definition. Throws `WorkflowSourceError` (with line and column) when it cannot. */
export function parseWorkflowSource(text: string, format: SourceFormat): ParsedWorkflowSource {
  checkSourceSize(Buffer.byteLength(text, 'utf8'));
  if (text.trim() === '') throw new WorkflowSourceError('WORKFLOW_SOURCE_EMPTY', formatMessage('source.empty'), 1, 1);
  const formatName = format === 'json' ? 'JSON' : 'YAML';
  if (format === 'json') {
    try {
      JSON.parse(text);
    } catch (err) {
      const message = (err as Error).message;
      const at = jsonErrorPosition(text, message);
      throw new WorkflowSourceError(
        'WORKFLOW_SOURCE_SYNTAX',
        formatMessage('source.invalid', { format: formatName, detail: firstLine(message) }),
        at.line,
        at.column,
      );
    }
  }
  const deep = deepFlowAt(text, format);
  if (deep !== undefined) throw limitError('maxDepth', positionOf(text, deep));
  const lines = new LineCounter();
  const tokens = [...new Parser(lines.addNewLine).parse(text)];
  const { firstAlias } = checkTokens(tokens, lines);
  const position = (offset: number | undefined): { line: number; column: number } => {
    if (offset === undefined) return { line: 1, column: 1 };
    const p = lines.linePos(offset);
    return { line: p.line, column: p.col };
  };
  const syntax = (offset: number | undefined, id: MessageId, params: MessageParams): WorkflowSourceError => {
    const p = position(offset);
    return new WorkflowSourceError(
      'WORKFLOW_SOURCE_SYNTAX',
      formatMessage(id, { format: formatName, ...params }),
      p.line,
      p.column,
    );
  };
  const docs = [...new Composer({ uniqueKeys: false }).compose(tokens, true, text.length)];
  const doc = docs[0];
  if (!doc) throw new WorkflowSourceError('WORKFLOW_SOURCE_EMPTY', formatMessage('source.empty'), 1, 1);
  const error = doc.errors[0];
  if (error) throw syntax(error.pos[0], 'source.invalid', { detail: firstLine(error.message) });
  if (docs.length > 1) throw syntax(docs[1]?.range[0], 'source.several-documents', {});
  const duplicate = firstDuplicateKey(doc);
  if (duplicate) {
    const key = isScalar(duplicate) ? String(duplicate.value) : 'a key';
    throw syntax(duplicate.range?.[0], 'source.duplicate-key', { key: shown(key) });
  }
  const aliasTargets =
    firstAlias === undefined
      ? new Map<Alias, Node>()
      : resolveAliases(doc, (alias) =>
          syntax(alias.range?.[0], 'source.alias-without-anchor', { name: shown(alias.source) }),
        );
  if (firstAlias !== undefined) {
    try {
      doc.toJS({ maxAliasCount: SOURCE_LIMITS.maxAliasCount });
    } catch (err) {
      if (err instanceof ReferenceError && /excessive alias count/i.test(err.message))
        throw limitError('maxAliasCount', position(firstAlias));
      throw err;
    }
  }
  return { format, ...new Walker(doc, lines, aliasTargets).walk() };
}

type AnyNode = Node | Pair | null | undefined;

/** Workflows' structure, walked with the depth (maps and lists from the root) and the steps counted. */
class Walker {
  private readonly calls: HttpCall[] = [];
  private steps = 0;
  /** The alias most recently followed: where a limit reached through aliases is reported. */
  private viaAlias: Alias | undefined;

  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
    private readonly aliasTargets: ReadonlyMap<Alias, Node>,
  ) {}

  walk(): { calls: HttpCall[]; workflows: string[] } {
    const root = this.deref(this.doc.contents);
    if (isSeq(root)) {
      this.stepList(root, 'main', [], 1);
      return { calls: this.calls, workflows: ['main'] };
    }
    if (!isMap(root)) throw this.structure(root, 'source.not-workflows', {});
    const workflows: string[] = [];
    for (const pair of root.items) {
      const name = this.keyName(pair);
      const body = this.deref(pair.value as Node | null);
      if (!isMap(body))
        throw this.structure(body ?? (pair.key as Node), 'source.workflow-not-map', {
          workflow: name,
          found: this.describe(body),
        });
      const steps = this.deref(body.get('steps', true) as Node | undefined);
      if (!isSeq(steps)) throw this.structure(steps ?? body, 'source.workflow-without-steps', { workflow: name });
      workflows.push(name);
      this.stepList(steps, name, [], 3);
    }
    if (workflows.length === 0) throw this.structure(root, 'source.no-workflow', {});
    return { calls: this.calls, workflows };
  }

  /** `depth`: how deep `seq` is (the root is 1). */
  private stepList(seq: Node, workflow: string, path: readonly string[], depth: number): void {
    if (!isSeq(seq)) throw this.structure(seq, 'source.steps-not-list', { where: this.where(workflow, path) });
    this.enter(seq, depth);
    seq.items.forEach((raw, index) => {
      const item = this.deref(raw as Node | null);
      if (!isMap(item) || item.items.length !== 1) {
        throw this.structure(item, 'source.step-not-named', {
          index: index + 1,
          where: this.where(workflow, path),
          found: this.describe(item),
        });
      }
      this.countStep(item);
      const pair = item.items[0] as Pair;
      const name = this.keyName(pair);
      const body = this.deref(pair.value as Node | null);
      if (!isMap(body))
        throw this.structure(body ?? (pair.key as Node), 'source.step-not-map', {
          step: name,
          where: this.where(workflow, path),
          found: this.describe(body),
        });
      this.block(body, workflow, [...path, name], depth + 2);
    });
  }

  /** A step body, a `switch` condition, a `try`/`except`/`for` block or a parallel branch, `depth` deep. */
  private block(body: YAMLMap, workflow: string, path: readonly string[], depth: number): void {
    this.enter(body, depth);
    const call = this.deref(body.get('call', true) as Node | undefined);
    if (isScalar(call) && typeof call.value === 'string' && (HTTP_CALLS as readonly string[]).includes(call.value)) {
      this.httpCall(body, call.value as HttpCallName, workflow, path);
    }
    const steps = this.deref(body.get('steps', true) as Node | undefined);
    if (steps) this.stepList(steps, workflow, path, depth + 1);
    const conditions = this.deref(body.get('switch', true) as Node | undefined);
    if (isSeq(conditions)) {
      this.enter(conditions, depth + 1);
      conditions.items.forEach((raw, i) => {
        const cond = this.deref(raw as Node | null);
        if (isMap(cond)) this.block(cond, workflow, [...path, `condition ${i + 1}`], depth + 2);
      });
    }
    for (const key of ['for', 'try', 'except'] as const) {
      const inner = this.deref(body.get(key, true) as Node | undefined);
      if (isMap(inner)) this.block(inner, workflow, key === 'for' ? path : [...path, key], depth + 1);
    }
    const parallel = this.deref(body.get('parallel', true) as Node | undefined);
    if (isMap(parallel)) {
      this.enter(parallel, depth + 1);
      const branches = this.deref(parallel.get('branches', true) as Node | undefined);
      if (isSeq(branches)) {
        this.enter(branches, depth + 2);
        for (const raw of branches.items) {
          const branch = this.deref(raw as Node | null);
          if (!isMap(branch)) continue;
          this.enter(branch, depth + 3);
          for (const pair of branch.items) {
            const inner = this.deref(pair.value as Node | null);
            if (isMap(inner)) this.block(inner, workflow, [...path, this.keyName(pair)], depth + 4);
          }
        }
      }
      const loop = this.deref(parallel.get('for', true) as Node | undefined);
      if (isMap(loop)) this.block(loop, workflow, path, depth + 2);
    }
  }

  /** Text nesting is checked before the walk; beyond it, only aliases (one may point at its ancestor) go deeper. */
  private enter(node: Node, depth: number): void {
    if (depth > SOURCE_LIMITS.maxDepth) throw limitError('maxDepth', this.pos(this.viaAlias ?? node));
  }

  private countStep(node: Node): void {
    this.steps++;
    if (this.steps > SOURCE_LIMITS.maxSteps) throw limitError('maxSteps', this.pos(this.viaAlias ?? node));
  }

  private httpCall(body: YAMLMap, call: HttpCallName, workflow: string, path: readonly string[]): void {
    const callPair = body.items.find((p) => this.keyName(p) === 'call');
    const at = this.pos((callPair?.key as Node | undefined) ?? body);
    const args = this.deref(body.get('args', true) as Node | undefined);
    const argsMap = isMap(args) ? args : undefined;
    const get = (map: YAMLMap | undefined, key: string): Node | undefined =>
      map ? this.deref(map.get(key, true) as Node | undefined) : undefined;
    const authNode = get(argsMap, 'auth');
    const authMap = isMap(authNode) ? authNode : undefined;
    let httpMethod = VERB_OF_CALL[call];
    if (call === 'http.request') {
      const m = this.value(get(argsMap, 'method'));
      httpMethod = m?.kind === 'string' ? m.value.toUpperCase() : undefined;
    }
    let scopes: HttpAuthSpec['scopes'];
    const scopesNode = get(authMap, 'scopes');
    if (isSeq(scopesNode)) {
      scopes = {
        kind: 'list',
        items: scopesNode.items.map((n) => this.value(this.deref(n as Node | null)) ?? { kind: 'other', display: '' }),
      };
    } else {
      scopes = this.value(scopesNode);
    }
    this.calls.push({
      workflow,
      stepPath: path,
      call,
      httpMethod,
      line: at.line,
      column: at.column,
      hasArgs: argsMap !== undefined,
      url: this.value(get(argsMap, 'url')),
      auth:
        authNode === undefined
          ? undefined
          : { type: this.value(get(authMap, 'type')), scopes, audience: this.value(get(authMap, 'audience')) },
    });
  }

  private value(node: Node | undefined): SourceValue | undefined {
    if (node === undefined) return undefined;
    if (isScalar(node)) {
      if (node.value === null) return undefined;
      if (typeof node.value === 'string') {
        const s = node.value.trim();
        return s.startsWith('${') && s.endsWith('}')
          ? { kind: 'expression', text: s }
          : { kind: 'string', value: node.value };
      }
      return { kind: 'other', display: String(node.value) };
    }
    return { kind: 'other', display: isSeq(node) ? 'a list' : isMap(node) ? 'a map' : 'a value' };
  }

  private deref(node: AnyNode): Node | undefined {
    if (node === null || node === undefined) return undefined;
    if (isAlias(node)) {
      this.viaAlias = node;
      return this.aliasTargets.get(node);
    }
    return node as Node;
  }

  private keyName(pair: Pair): string {
    const key = pair.key as Node | null;
    return isScalar(key) ? String(key.value) : '(unnamed)';
  }

  private describe(node: Node | undefined): string {
    if (node === undefined) return 'nothing';
    if (isSeq(node)) return 'a list';
    if (isMap(node)) return `a map with ${node.items.length} entries`;
    return 'a single value';
  }

  private where(workflow: string, path: readonly string[]): string {
    return path.length === 0 ? `workflow "${workflow}"` : `step "${path.join(' › ')}" of workflow "${workflow}"`;
  }

  private pos(node: Node | undefined): { line: number; column: number } {
    const offset = node?.range?.[0];
    if (offset === undefined) return { line: 1, column: 1 };
    const p = this.lines.linePos(offset);
    return { line: p.line, column: p.col };
  }

  private structure(node: Node | undefined, id: MessageId, params: MessageParams): WorkflowSourceError {
    const p = this.pos(node ?? (this.doc.contents as Node | undefined));
    return new WorkflowSourceError('WORKFLOW_SOURCE_STRUCTURE', formatMessage(id, params), p.line, p.column);
  }
}
