// Shared by the audit tests: a virtual clock (backoff without waiting), a logger whose lines can be read, and a
// bounded wait for a condition that another part of the process makes true.
import { createLogger, type Logger } from '../../src/log/logger.js';
import type { Clock } from '../../src/audit/queue.js';

/** Time that only moves when the queue sleeps; `onAdvance` runs at each step (e.g. to end an outage). */
export class VirtualClock implements Clock {
  t = 0;
  readonly sleeps: number[] = [];
  onAdvance: ((t: number) => Promise<void> | void) | undefined;

  now(): number {
    return this.t;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return;
    this.sleeps.push(ms);
    this.t += ms;
    await this.onAdvance?.(this.t);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

export interface CapturedLogger {
  logger: Logger;
  lines: Array<Record<string, unknown>>;
  find(msg: RegExp): Array<Record<string, unknown>>;
}

export function captureLogger(): CapturedLogger {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger('info', {
    write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>),
  });
  return { logger, lines, find: (msg) => lines.filter((l) => msg.test(String(l['msg']))) };
}

/** Polls `cond` (each turn of the event loop, then every 10 ms) until true; fails after `ms` naming `what`. */
export async function waitFor(cond: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
