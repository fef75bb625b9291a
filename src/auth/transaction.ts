// Login/consent transactions kept in the session (the SameSite=Lax cookie comes back on the IdP's
// top-level redirect). Each is one-time and short-lived; a few may be pending at once (several tabs).
import type { LoginTransaction } from '../sessions/types.js';

export const TRANSACTION_TTL_MS = 10 * 60 * 1000;
export const MAX_PENDING_TRANSACTIONS = 5;

type Pending = Record<string, LoginTransaction> | undefined;

/** Returns the pending set with `tx` added, dropping expired ones and the oldest beyond the cap. */
export function addTransaction(pending: Pending, tx: LoginTransaction, now: number): Record<string, LoginTransaction> {
  const live = Object.values(pending ?? {})
    .filter((t) => now - t.createdAt < TRANSACTION_TTL_MS)
    .sort((a, b) => a.createdAt - b.createdAt);
  while (live.length >= MAX_PENDING_TRANSACTIONS) live.shift();
  const out: Record<string, LoginTransaction> = {};
  for (const t of live) out[t.state] = t;
  out[tx.state] = tx;
  return out;
}

export type TakeResult =
  | { ok: true; tx: LoginTransaction; rest: Record<string, LoginTransaction> }
  | {
      ok: false;
      code: 'STATE_MISSING' | 'STATE_UNKNOWN' | 'TRANSACTION_EXPIRED';
      rest: Record<string, LoginTransaction>;
    };

/** Takes (and so uses up) the transaction named by `state`. */
export function takeTransaction(pending: Pending, state: unknown, now: number): TakeResult {
  const rest: Record<string, LoginTransaction> = { ...(pending ?? {}) };
  if (typeof state !== 'string' || state.length === 0) return { ok: false, code: 'STATE_MISSING', rest };
  const tx = Object.hasOwn(rest, state) ? rest[state] : undefined;
  if (!tx) return { ok: false, code: 'STATE_UNKNOWN', rest };
  delete rest[state];
  if (now - tx.createdAt >= TRANSACTION_TTL_MS) return { ok: false, code: 'TRANSACTION_EXPIRED', rest };
  return { ok: true, tx, rest };
}
