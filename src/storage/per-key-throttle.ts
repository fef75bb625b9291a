/**
 * Lets a per-key action (a session touch, a last-seen write) through at most once per interval for each key.
 * In-process bookkeeping only: forgetting is always safe (the action merely runs again), so the map is simply
 * emptied once it holds 100 000 keys instead of growing with every session ever seen.
 */
export class PerKeyThrottle {
  private readonly lastPassed = new Map<string, number>();

  constructor(private readonly intervalMs: number) {}

  /** True, and remembered as the key's last pass, when `key` has not passed within the interval before `now`. */
  pass(key: string, now: number): boolean {
    const last = this.lastPassed.get(key);
    if (last !== undefined && now - last < this.intervalMs) return false;
    if (this.lastPassed.size >= 100_000) this.lastPassed.clear();
    this.lastPassed.set(key, now);
    return true;
  }

  /** The key passes again on its next call (e.g. its session was destroyed). */
  forget(key: string): void {
    this.lastPassed.delete(key);
  }
}
