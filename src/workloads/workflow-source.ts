/**
 * Workflows definitions (YAML or JSON) → the `http.*` calls they make, each with its step and line.
 *
 * Parsing is the `yaml` package's (a YAML 1.2 parser; JSON is strictly validated with `JSON.parse` first, since
 * YAML's flow syntax would accept a JSON trailing comma). Positions come from the parser's `LineCounter`. The
 * walk follows the Workflows syntax: a list of steps, or a map of `main` and subworkflows each with `steps`;
 * inside a step: `call`/`args`, nested `steps`, `switch` conditions (with `steps` or an inline `call`), `for`,
 * `parallel` (`branches` or `for`), `try` (a `steps` block or an inline `call`), `except`. `args` is never
 * walked, so a request body containing a `call` key is not mistaken for a step.
 */
import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Document,
  type Node,
  type Pair,
  type YAMLMap,
} from 'yaml';

export type SourceFormat = 'yaml' | 'json';

export type WorkflowSourceErrorCode = 'WORKFLOW_SOURCE_SYNTAX' | 'WORKFLOW_SOURCE_STRUCTURE' | 'WORKFLOW_SOURCE_EMPTY';

/** A definition Scopewise cannot read; `line`/`column` (1-based) point at the problem when known. */
export class WorkflowSourceError extends Error {
  override readonly name = 'WorkflowSourceError';
  constructor(
    readonly code: WorkflowSourceErrorCode,
    message: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
  }
}

export function isWorkflowSourceError(value: unknown): value is WorkflowSourceError {
  return value instanceof WorkflowSourceError;
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

/** Parses and walks a definition. Throws `WorkflowSourceError` (with line and column) when it cannot. */
export function parseWorkflowSource(text: string, format: SourceFormat): ParsedWorkflowSource {
  if (text.trim() === '') throw new WorkflowSourceError('WORKFLOW_SOURCE_EMPTY', 'The definition is empty.', 1, 1);
  if (format === 'json') {
    try {
      JSON.parse(text);
    } catch (err) {
      const message = (err as Error).message;
      const at = jsonErrorPosition(text, message);
      throw new WorkflowSourceError(
        'WORKFLOW_SOURCE_SYNTAX',
        `Invalid JSON: ${firstLine(message)}`,
        at.line,
        at.column,
      );
    }
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const error = doc.errors[0];
  if (error) {
    const pos = error.linePos?.[0];
    throw new WorkflowSourceError(
      'WORKFLOW_SOURCE_SYNTAX',
      `Invalid ${format === 'json' ? 'JSON' : 'YAML'}: ${firstLine(error.message)}`,
      pos?.line,
      pos?.col,
    );
  }
  return { format, ...new Walker(doc, lineCounter).walk() };
}

type AnyNode = Node | Pair | null | undefined;

class Walker {
  private readonly calls: HttpCall[] = [];

  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  walk(): { calls: HttpCall[]; workflows: string[] } {
    const root = this.deref(this.doc.contents);
    if (isSeq(root)) {
      this.steps(root, 'main', []);
      return { calls: this.calls, workflows: ['main'] };
    }
    if (!isMap(root)) {
      throw this.structure(
        root,
        'The definition must be a list of steps, or a map of workflows (main and subworkflows) each with steps.',
      );
    }
    const workflows: string[] = [];
    for (const pair of root.items) {
      const name = this.keyName(pair);
      const body = this.deref(pair.value as Node | null);
      if (!isMap(body))
        throw this.structure(
          body ?? (pair.key as Node),
          `Workflow "${name}" must be a map with steps (and optional params), not ${this.describe(body)}.`,
        );
      const steps = this.deref(body.get('steps', true) as Node | undefined);
      if (!isSeq(steps)) throw this.structure(steps ?? body, `Workflow "${name}" must have a list of steps.`);
      workflows.push(name);
      this.steps(steps, name, []);
    }
    if (workflows.length === 0) throw this.structure(root, 'The definition has no workflow.');
    return { calls: this.calls, workflows };
  }

  private steps(seq: Node, workflow: string, path: readonly string[]): void {
    if (!isSeq(seq)) throw this.structure(seq, `"steps" in ${this.where(workflow, path)} must be a list of steps.`);
    seq.items.forEach((raw, index) => {
      const item = this.deref(raw as Node | null);
      if (!isMap(item) || item.items.length !== 1) {
        throw this.structure(
          item,
          `Step ${index + 1} in ${this.where(workflow, path)} must be a map with one step name, not ${this.describe(item)}.`,
        );
      }
      const pair = item.items[0] as Pair;
      const name = this.keyName(pair);
      const body = this.deref(pair.value as Node | null);
      if (!isMap(body))
        throw this.structure(
          body ?? (pair.key as Node),
          `Step "${name}" in ${this.where(workflow, path)} must be a map, not ${this.describe(body)}.`,
        );
      this.block(body, workflow, [...path, name]);
    });
  }

  /** A step body, a `switch` condition, a `try`/`except`/`for` block or a parallel branch. */
  private block(body: YAMLMap, workflow: string, path: readonly string[]): void {
    const call = this.deref(body.get('call', true) as Node | undefined);
    if (isScalar(call) && typeof call.value === 'string' && (HTTP_CALLS as readonly string[]).includes(call.value)) {
      this.httpCall(body, call.value as HttpCallName, workflow, path);
    }
    const steps = this.deref(body.get('steps', true) as Node | undefined);
    if (steps) this.steps(steps, workflow, path);
    const conditions = this.deref(body.get('switch', true) as Node | undefined);
    if (isSeq(conditions)) {
      conditions.items.forEach((raw, i) => {
        const cond = this.deref(raw as Node | null);
        if (isMap(cond)) this.block(cond, workflow, [...path, `condition ${i + 1}`]);
      });
    }
    for (const key of ['for', 'try', 'except'] as const) {
      const inner = this.deref(body.get(key, true) as Node | undefined);
      if (isMap(inner)) this.block(inner, workflow, key === 'for' ? path : [...path, key]);
    }
    const parallel = this.deref(body.get('parallel', true) as Node | undefined);
    if (isMap(parallel)) {
      const branches = this.deref(parallel.get('branches', true) as Node | undefined);
      if (isSeq(branches)) {
        for (const raw of branches.items) {
          const branch = this.deref(raw as Node | null);
          if (!isMap(branch)) continue;
          for (const pair of branch.items) {
            const inner = this.deref(pair.value as Node | null);
            if (isMap(inner)) this.block(inner, workflow, [...path, this.keyName(pair)]);
          }
        }
      }
      const loop = this.deref(parallel.get('for', true) as Node | undefined);
      if (isMap(loop)) this.block(loop, workflow, path);
    }
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
    if (isAlias(node)) return this.deref(node.resolve(this.doc) as Node | undefined);
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

  private structure(node: Node | undefined, message: string): WorkflowSourceError {
    const p = this.pos(node ?? (this.doc.contents as Node | undefined));
    return new WorkflowSourceError('WORKFLOW_SOURCE_STRUCTURE', message, p.line, p.column);
  }
}
