// Redis for tests: the shared server (REDIS_URL, required in CI) and redis-server children of a test's own, on
// their own ports, that a test may kill and start again.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './ports.js';

export interface RedisChildOptions {
  /** Keep data across restarts (append-only file in a temp directory, fsync on every write). */
  persistent?: boolean;
  /** More redis-server settings, e.g. ['--maxmemory', '64mb', '--maxmemory-policy', 'allkeys-lru']. */
  args?: string[];
}

export class RedisChild {
  private child: ChildProcess | undefined;
  private readonly dir: string;

  private constructor(
    readonly port: number,
    private readonly persistent: boolean,
    private readonly extraArgs: readonly string[] = [],
  ) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scopewise-redis-'));
  }

  static async start(opts: RedisChildOptions = {}): Promise<RedisChild> {
    const r = new RedisChild(await freePort(), opts.persistent ?? false, opts.args);
    await r.startProcess();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  private args(): string[] {
    const base = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--dir', this.dir, '--logfile', ''];
    return [
      ...(this.persistent
        ? [...base, '--appendonly', 'yes', '--appendfsync', 'always']
        : [...base, '--appendonly', 'no']),
      ...this.extraArgs,
    ];
  }

  private async startProcess(): Promise<void> {
    const child = spawn('redis-server', this.args(), { stdio: 'ignore' });
    this.child = child;
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`))),
    );
    exited.catch(() => undefined);
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      if (await Promise.race([ping(this.port), exited])) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`redis-server on port ${this.port} did not answer within 5 s`);
  }

  /** Kills the server at once (SIGKILL, like a crash) and waits for it to be gone. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await gone;
  }

  /** Starts the server again on the same port (with its data when persistent). */
  async restart(): Promise<void> {
    await this.kill();
    await this.startProcess();
  }

  async stop(): Promise<void> {
    await this.kill();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Whether a Redis on 127.0.0.1:`port` answers PING within half a second (false on any error). */
export function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}

// Whether a Redis answers for the tests: REDIS_URL when set (then it is required), else 127.0.0.1:6379.
export const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

let probe: Promise<string | undefined> | undefined;

/** Resolves undefined when Redis answers PING, or the reason to skip the Redis tests. */
export function redisUnavailable(): Promise<string | undefined> {
  // With REDIS_URL set (CI), Redis is required: the tests run and fail if it is not there.
  if (process.env.REDIS_URL) return Promise.resolve(undefined);
  probe ??= new Promise((resolve) => {
    const u = new URL(REDIS_URL);
    const socket = net.connect({ host: u.hostname, port: Number(u.port || 6379) });
    const done = (reason: string | undefined) => {
      socket.destroy();
      resolve(reason);
    };
    socket.setTimeout(1000, () => done(`Redis at ${REDIS_URL} did not answer within 1 s`));
    socket.once('error', (err) => {
      done(`no Redis at ${REDIS_URL} (${err.message}); set REDIS_URL or start redis-server to run these tests`);
    });
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', () => done(undefined));
  });
  return probe;
}
