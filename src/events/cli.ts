// `npm run risc -- <command>`: registers Scopewise's receiver with Google's RISC API using Scopewise's own
// identity (Application Default Credentials), checks it, sends a test event, and switches the stream off/on.
// Also lists and clears sign-in blocks left by account-disabled events (the operator's override).
//
// Exit codes: 0 done; 2 usage or configuration; 3 no usable credentials; 4 Google refused the call;
// 5 Google (or the store) could not be reached / failed.
import { randomBytes } from 'node:crypto';
import { checkFetchUrl, RISC_DEFAULTS } from './config.js';
import { RiscApiClient, RiscApiError, riscApiRoot, type GetAuthClient } from './risc-api.js';
import type { SignInBlockList } from '../storage/account-events/account-state.js';
import { RISC_EVENT_NAMES, RISC_EVENT_URIS, type RiscEventName } from './types.js';

export const EXIT = { ok: 0, usage: 2, credentials: 3, refused: 4, unavailable: 5 } as const;

export interface RiscCliIo {
  env: Record<string, string | undefined>;
  out(line: string): void;
  err(line: string): void;
  /** Credentials for the given scopes (default: google-auth-library's GoogleAuth, i.e. ADC). */
  getAuthClient?: GetAuthClient;
  fetch?: typeof fetch;
  /** Opens the sign-in block list of SESSION_STORE (for blocked/unblock); closes with the returned function. */
  openBlocks?: () => Promise<{ blocks: SignInBlockList; close(): Promise<void> }>;
  now?: () => number;
}

const USAGE = `usage: npm run risc -- <command> [options]

  register [--url URL] [--events a,b,…]   register the receiver (default URL: BASE_URL + RISC_PATH; default: all events)
  status                                  show the registered stream and whether it is enabled
  verify [--state TEXT]                   ask Google to send a verification event to the receiver
  disable | enable                        stop or resume the event stream
  blocked                                 list the sign-in blocks left by account-disabled events
  unblock SUB [--note TEXT]               lift a sign-in block (the operator's override)

Credentials: Application Default Credentials (an attached service account, or
gcloud auth application-default login --impersonate-service-account=SA). The service account needs the
RISC Configuration Admin role (roles/riscconfigs.admin). See docs/account-events.md.`;

class UsageError extends Error {}

function parseFlags(args: string[], allowed: string[]): { positional: string[]; flags: Map<string, string> } {
  const flags = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const [name, inline] = a.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (!allowed.includes(name)) throw new UsageError(`unknown option --${name}`);
    const value = inline ?? args[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    flags.set(name, value);
  }
  return { positional, flags };
}

function isLoopbackUrl(u: URL): boolean {
  return u.hostname === 'localhost' || u.hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(u.hostname);
}

/** The receiver's public URL: --url, RISC_RECEIVER_URL, or BASE_URL + RISC_PATH. */
export function receiverUrl(flag: string | undefined, env: Record<string, string | undefined>): string {
  const explicit = flag ?? env['RISC_RECEIVER_URL']?.trim();
  let raw = explicit;
  if (!raw) {
    const base = env['BASE_URL']?.trim();
    if (!base) throw new UsageError('no receiver URL: give --url, or set BASE_URL (and RISC_PATH if not /risc)');
    raw = new URL((env['RISC_PATH']?.trim() || RISC_DEFAULTS.path).replace(/^\/*/, '/'), base).href;
  }
  const problem = checkFetchUrl(raw);
  if (problem) throw new UsageError(`the receiver URL ${problem}: ${raw}`);
  const u = new URL(raw);
  if (u.search) throw new UsageError(`the receiver URL must not have a query: ${raw}`);
  // Google delivers only to https; plain http passes here only for loopback (the mock Google).
  if (u.protocol === 'http:' && !isLoopbackUrl(u)) throw new UsageError(`Google delivers only to https URLs: ${raw}`);
  return u.href;
}

function parseEvents(raw: string | undefined): RiscEventName[] {
  if (!raw) return [...RISC_EVENT_NAMES];
  const out: RiscEventName[] = [];
  for (const item of raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const byUri = RISC_EVENT_NAMES.find((n) => RISC_EVENT_URIS[n] === item);
    const name = byUri ?? (RISC_EVENT_NAMES as string[]).find((n) => n === item);
    if (!name) throw new UsageError(`unknown event type "${item}"; one of ${RISC_EVENT_NAMES.join(', ')}`);
    if (!out.includes(name as RiscEventName)) out.push(name as RiscEventName);
  }
  if (out.length === 0) throw new UsageError('--events names no event type');
  return out;
}

async function defaultGetAuthClient(scopes: string[]) {
  const { GoogleAuth } = await import('google-auth-library');
  return new GoogleAuth({ scopes });
}

export async function runRiscCli(argv: string[], io: RiscCliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    const api = () =>
      new RiscApiClient({
        root: riscApiRoot(io.env),
        getAuthClient: io.getAuthClient ?? defaultGetAuthClient,
        ...(io.fetch ? { fetch: io.fetch } : {}),
      });
    switch (command) {
      case 'register': {
        const { positional, flags } = parseFlags(rest, ['url', 'events']);
        if (positional.length) throw new UsageError(`unexpected argument ${positional[0]}`);
        const url = receiverUrl(flags.get('url'), io.env);
        const events = parseEvents(flags.get('events'));
        const stream = await api().updateStream(url, events);
        io.out(`Registered ${stream.delivery?.url ?? url}`);
        io.out(`  events delivered: ${(stream.events_delivered ?? []).map(shortName).join(', ') || '(none)'}`);
        const missing = events.filter((e) => !(stream.events_delivered ?? []).includes(RISC_EVENT_URIS[e]));
        if (missing.length) io.out(`  not delivered by Google: ${missing.join(', ')}`);
        io.out('Next: npm run risc -- verify   (then look for the risc-verification audit line)');
        return EXIT.ok;
      }
      case 'status': {
        parseNoArgs(rest);
        const client = api();
        const stream = await client.getStream();
        const status = await client.getStatus();
        io.out(`Receiver: ${stream.delivery?.url ?? '(none)'}`);
        io.out(`Status:   ${status.status ?? 'unknown'}`);
        io.out(
          `Events:   ${(stream.events_delivered ?? stream.events_requested ?? []).map(shortName).join(', ') || '(none)'}`,
        );
        return EXIT.ok;
      }
      case 'verify': {
        const { positional, flags } = parseFlags(rest, ['state']);
        if (positional.length) throw new UsageError(`unexpected argument ${positional[0]}`);
        const state = flags.get('state') ?? `scopewise-verify-${randomBytes(6).toString('hex')}`;
        await api().verify(state);
        io.out(`Verification requested with state "${state}".`);
        io.out(
          'Google sends it to the registered receiver (if the stream asks for verification events); Scopewise logs it as the audit event risc-verification.',
        );
        return EXIT.ok;
      }
      case 'disable':
      case 'enable': {
        parseNoArgs(rest);
        const result = await api().setStatus(command === 'disable' ? 'disabled' : 'enabled');
        io.out(
          `Stream ${result.status ?? (command === 'disable' ? 'disabled' : 'enabled')}.${command === 'disable' ? ' Google neither sends nor keeps events while disabled.' : ''}`,
        );
        return EXIT.ok;
      }
      case 'blocked':
      case 'unblock':
        return await blocks(command, rest, io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(USAGE);
        return command === undefined ? EXIT.usage : EXIT.ok;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`risc: ${err.message}`);
      io.err(USAGE);
      return EXIT.usage;
    }
    if (err instanceof RiscApiError) {
      io.err(`risc: ${err.message}`);
      if (err.hint) io.err(`  ${err.hint}`);
      return err.code === 'RISC_AUTH_FAILED'
        ? EXIT.credentials
        : err.code === 'RISC_API_REFUSED'
          ? EXIT.refused
          : EXIT.unavailable;
    }
    io.err(`risc: ${(err as Error).message}`);
    return EXIT.unavailable;
  }
}

function parseNoArgs(rest: string[]): void {
  if (rest.length) throw new UsageError(`unexpected argument ${rest[0]}`);
}

function shortName(uri: string): string {
  return RISC_EVENT_NAMES.find((n) => RISC_EVENT_URIS[n] === uri) ?? uri;
}

async function blocks(command: 'blocked' | 'unblock', rest: string[], io: RiscCliIo): Promise<number> {
  const { positional, flags } = parseFlags(rest, command === 'unblock' ? ['note'] : []);
  if (command === 'blocked' && positional.length) throw new UsageError(`unexpected argument ${positional[0]}`);
  if (command === 'unblock' && positional.length !== 1)
    throw new UsageError('unblock needs exactly one SUB (the Google account ID shown by "blocked")');
  if (!io.openBlocks) throw new UsageError('no session store to read blocks from');
  const { blocks: list, close } = await io.openBlocks();
  try {
    if (command === 'blocked') {
      const all = await list.listBlocked();
      if (all.length === 0) io.out('No sign-in is blocked.');
      for (const b of all)
        io.out(
          `${b.sub}  blocked since ${new Date(b.at).toISOString()}  reason: ${b.reason}  (${b.source}${b.jti ? `, event ${b.jti}` : ''})`,
        );
      return EXIT.ok;
    }
    const sub = positional[0]!;
    const current = await list.isBlocked(sub);
    if (!current) {
      io.out(`${sub} is not blocked.`);
      return EXIT.ok;
    }
    const note = flags.get('note') ?? 'cleared by an operator';
    const applied = await list.unblock(sub, Math.max((io.now ?? Date.now)(), current.at + 1), 'operator', note);
    io.out(applied ? `Sign-in unblocked for ${sub}.` : `${sub} was changed meanwhile; run "blocked" again.`);
    return applied ? EXIT.ok : EXIT.unavailable;
  } finally {
    await close();
  }
}
