// The receiver, apart from HTTP: one security event token in, one answer out (RFC 8935 §2.2–2.3).
// Verify → parse events → plan → claim the jti → act. Until the claim, nothing is written anywhere, so every
// refused token changes nothing; a token already claimed (redelivered or replayed) is acknowledged and ignored.
import { createHash } from 'node:crypto';
import { ReceiverUnavailableError, SetError, type Rfc8935Error } from './errors.js';
import { executeReaction, type AccountActions, type RiscAudit } from './execute.js';
import { parseEvents } from './parse-events.js';
import { DEFAULT_REACTION_POLICY, planReaction, type ReactionPolicy } from './plan.js';
import type { JtiStore } from '../storage/account-events/jti-store.js';
import { verifySecurityEventToken, type SetKeySource } from './verify-set.js';

export const SET_MEDIA_TYPE = 'application/secevent+jwt';

/** RFC 8935 §2.3 error body. */
export interface Rfc8935ErrorBody {
  err: Rfc8935Error;
  description: string;
}

export type ReceiveResult =
  | { status: 202; outcome: 'accepted' | 'duplicate'; jti: string }
  | { status: 400; body: Rfc8935ErrorBody; code: string }
  | { status: 503; body: { description: string }; code: string };

export interface RiscReceiverDeps {
  keys: SetKeySource;
  /** Accepted `aud` values. */
  clientIds: readonly string[];
  /** Issuers whose `sub` are this app's users. */
  subjectIssuers: readonly string[];
  jti: JtiStore;
  accounts: AccountActions;
  audit: RiscAudit;
  policy?: ReactionPolicy;
  maxAgeMs: number;
  clockSkewMs: number;
  now?: () => number;
  /** Where failures are logged with their detail (the audit carries the code only). */
  log?: (level: 'info' | 'warn', fields: Record<string, unknown>, message: string) => void;
}

export interface RiscReceiver {
  receive(contentType: string | undefined, body: Buffer | string | undefined): Promise<ReceiveResult>;
}

/** `application/secevent+jwt`, parameters and case aside. */
export function isSetMediaType(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase() === SET_MEDIA_TYPE;
}

/** The replay key: jti is unique per stream (issuer), and bounded in size by hashing. */
export function jtiKey(iss: string, jti: string): string {
  return createHash('sha256').update(`${iss}\n${jti}`).digest('base64url');
}

/** Ample margin so that a claim outlives every token that could still pass the freshness check. */
const CLAIM_MARGIN_MS = 60_000;

export function createRiscReceiver(deps: RiscReceiverDeps): RiscReceiver {
  const now = deps.now ?? Date.now;
  const policy = deps.policy ?? DEFAULT_REACTION_POLICY;
  const log = deps.log ?? (() => undefined);
  const claimTtlMs = deps.maxAgeMs + deps.clockSkewMs + CLAIM_MARGIN_MS;

  async function handle(contentType: string | undefined, body: Buffer | string | undefined): Promise<ReceiveResult> {
    if (!isSetMediaType(contentType)) throw new SetError('SET_CONTENT_TYPE', `content-type ${contentType ?? '(none)'}`);
    const token = (typeof body === 'string' ? body : (body?.toString('latin1') ?? '')).trim();
    const set = await verifySecurityEventToken(token, {
      keys: deps.keys,
      clientIds: deps.clientIds,
      now: now(),
      maxAgeMs: deps.maxAgeMs,
      clockSkewMs: deps.clockSkewMs,
    });
    const events = parseEvents(set, { subjectIssuers: deps.subjectIssuers });
    const plans = events.map((event) => ({ event, actions: planReaction(event, policy) }));

    const key = jtiKey(set.iss, set.jti);
    let first: boolean;
    try {
      first = await deps.jti.claimOnce(key, claimTtlMs);
    } catch (err) {
      throw new ReceiverUnavailableError('RISC_STORE_UNAVAILABLE', (err as Error).message);
    }
    if (!first) {
      deps.audit('risc-set-duplicate', { jti: set.jti, events: events.map((e) => e.name) });
      return { status: 202, outcome: 'duplicate', jti: set.jti };
    }

    let ok = true;
    for (const { event, actions } of plans) {
      const result = await executeReaction(
        actions,
        { jti: set.jti, at: event.at, event: event.name === 'ignored' ? event.uri : event.name },
        { accounts: deps.accounts, audit: deps.audit },
      );
      ok &&= result.ok;
    }
    if (!ok) {
      // Every action is idempotent: let the transmitter deliver the whole token again.
      await deps.jti
        .release(key)
        .catch((err: unknown) =>
          log(
            'warn',
            { jti: set.jti, err: (err as Error).message },
            'risc: could not release the jti after a failed reaction',
          ),
        );
      throw new ReceiverUnavailableError('RISC_REACTION_FAILED', `a reaction to ${set.jti} failed`);
    }
    return { status: 202, outcome: 'accepted', jti: set.jti };
  }

  return {
    async receive(contentType, body) {
      try {
        return await handle(contentType, body);
      } catch (err) {
        if (err instanceof SetError) {
          deps.audit('risc-set-refused', { code: err.code, err: err.err });
          log('info', { code: err.code, detail: err.detail }, 'risc: security event token refused');
          return { status: 400, body: { err: err.err, description: err.description }, code: err.code };
        }
        if (err instanceof ReceiverUnavailableError) {
          log('warn', { code: err.code, detail: err.message }, 'risc: cannot judge a security event token now');
          return {
            status: 503,
            body: { description: 'The receiver cannot process security event tokens right now; deliver again later.' },
            code: err.code,
          };
        }
        log('warn', { code: 'RISC_INTERNAL', detail: (err as Error).message }, 'risc: unexpected failure');
        return {
          status: 503,
          body: { description: 'The receiver cannot process security event tokens right now; deliver again later.' },
          code: 'RISC_INTERNAL',
        };
      }
    },
  };
}
