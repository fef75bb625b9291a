// A redis-server child process of the test, on its own port, that a test may kill and start again.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../helpers/stack.js';

export interface RedisChildOptions {
  /** Keep data across restarts (append-only file in a temp directory, fsync on every write). */
  persistent?: boolean;
}

export class RedisChild {
  private child: ChildProcess | undefined;
  private readonly dir: string;

  private constructor(
    readonly port: number,
    private readonly persistent: boolean,
  ) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scopewise-redis-'));
  }

  static async start(opts: RedisChildOptions = {}): Promise<RedisChild> {
    const r = new RedisChild(await freePort(), opts.persistent ?? false);
    await r.startProcess();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  private args(): string[] {
    const base = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--dir', this.dir, '--logfile', ''];
    return this.persistent
      ? [...base, '--appendonly', 'yes', '--appendfsync', 'always']
      : [...base, '--appendonly', 'no'];
  }

  private async startProcess(): Promise<void> {
    const child = spawn('redis-server', this.args(), { stdio: 'ignore' });
    this.child = child;
    const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`))));
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

function ping(port: number): Promise<boolean> {
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
