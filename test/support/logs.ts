// The log lines an app under test wrote (pino, one JSON object a line), and what tests ask of them.
import { Writable } from 'node:stream';

export class LogCapture {
  readonly lines: string[] = [];
  readonly stream = new Writable({
    write: (chunk: Buffer, _enc, cb) => {
      this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      cb();
    },
  });
  get text(): string {
    return this.lines.join('\n');
  }
  /**
   * Whether `secret` is in the logs in any form a log line could hold it: as is, percent-encoded (a logged URL
   * or query), form-encoded, or JSON-escaped.
   */
  mentions(secret: string): boolean {
    const text = this.text;
    const forms = new Set([
      secret,
      encodeURIComponent(secret),
      encodeURI(secret),
      new URLSearchParams({ x: secret }).toString().slice(2),
      JSON.stringify(secret).slice(1, -1),
    ]);
    return [...forms].some((f) => text.includes(f));
  }

  /** Waits until the request line of a request to `pathPrefix` is written (pino-http writes it when the response ends). */
  async waitForRequestLine(pathPrefix: string, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.some((l) => {
        const o = JSON.parse(l) as { req?: { url?: string }; res?: unknown };
        return o.res !== undefined && typeof o.req?.url === 'string' && o.req.url.startsWith(pathPrefix);
      });
      if (found) return;
      if (Date.now() > deadline) throw new Error(`no request line for ${pathPrefix} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  events(event: string): Array<Record<string, unknown>> {
    return this.lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((o) => o.audit === true && o.event === event);
  }
}
