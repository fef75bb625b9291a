/**
 * Per-minute counts of audit events that anyone can cause as often as they like (refused requests): one record
 * per event and minute, `{perMinute, count, byReason, from, to}`, instead of a record each, so that a flood of
 * them costs the audit trail a line a minute and never crowds out real events. Minutes are wall-clock minutes;
 * a minute's count is written when the next minute's first event arrives, when its timer fires, or on drain.
 */
import type { AuditEvent } from './record.js';

const MINUTE_MS = 60_000;

interface Window {
  start: number;
  count: number;
  byReason: Map<string, number>;
  timer: NodeJS.Timeout | undefined;
}

export class PerMinuteTally {
  private readonly windows = new Map<AuditEvent, Window>();

  constructor(
    private readonly now: () => number,
    /** Writes one count (the audit line and the export). */
    private readonly write: (event: AuditEvent, fields: Record<string, unknown>) => void,
  ) {}

  count(event: AuditEvent, reason: string): void {
    const now = this.now();
    const start = now - (now % MINUTE_MS);
    let w = this.windows.get(event);
    if (w && w.start !== start) {
      this.flush(event);
      w = undefined;
    }
    if (!w) {
      const timer = setTimeout(() => this.flush(event, start), start + MINUTE_MS - now);
      timer.unref();
      w = { start, count: 0, byReason: new Map(), timer };
      this.windows.set(event, w);
    }
    w.count++;
    w.byReason.set(reason, (w.byReason.get(reason) ?? 0) + 1);
  }

  /** Writes the counts not yet written (shutdown). */
  flushAll(): void {
    for (const event of [...this.windows.keys()]) this.flush(event);
  }

  /** Writes `event`'s current count (only the window starting at `start`, when given: a late timer). */
  private flush(event: AuditEvent, start?: number): void {
    const w = this.windows.get(event);
    if (!w || (start !== undefined && w.start !== start)) return;
    clearTimeout(w.timer);
    this.windows.delete(event);
    this.write(event, {
      perMinute: true,
      count: w.count,
      byReason: Object.fromEntries([...w.byReason].sort(([a], [b]) => a.localeCompare(b))),
      from: new Date(w.start).toISOString(),
      to: new Date(w.start + MINUTE_MS).toISOString(),
    });
  }
}
