// The receiver, apart from HTTP: one security event token in, one answer out (RFC 8935 §2.2–2.3).
// Verify → parse events → plan → claim the jti → act → mark it done. Until the claim, nothing is written
// anywhere, so every refused token changes nothing; a token already done (redelivered or replayed) is
// acknowledged and ignored. A claim is pending until its reaction is done: a delivery while it is pending is
// asked to come back (503), never told "duplicate", so a reaction cut short (the process died, the store
// blipped) is not lost; once the claim's deadline has passed, the redelivery takes it over and acts.
import { createHash } from 'node:crypto';
import { ReceiverUnavailableError, SetError, type Rfc8935Error } from './errors.js';
import { executeReaction, type AccountActions, type RiscAudit } from './execute.js';
import { parseEvents } from './parse-events.js';
import { DEFAULT_REACTION_POLICY, planReaction, type ReactionPolicy } from './plan.js';
import type { ClaimState, JtiStore } from '../storage/account-events/jti-store.js';
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
  /** How long a claimant may take to react before a redelivery takes the claim over (default 2 minutes). */
  claimLeaseMs?: number;
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

/**
 * Long enough for any reaction (ending a user's sessions is a few store writes each), short enough that Google's
 * redelivery of a reaction cut short is acted on within minutes.
 */
export const DEFAULT_CLAIM_LEASE_MS = 120_000;

/**
 * When a token's claim may lapse: the first moment the token is refused as too old (`checkIssuedAt` accepts an
 * iat down to now − maxAge), so that the claim is kept for exactly the token's acceptance window.
 */
export function acceptanceWindowEnd(iatSeconds: number, maxAgeMs: number): number {
  return iatSeconds * 1000 + maxAgeMs + 1;
}

export function createRiscReceiver(deps: RiscReceiverDeps): RiscReceiver {
  const now = deps.now ?? Date.now;
  const policy = deps.policy ?? DEFAULT_REACTION_POLICY;
  const log = deps.log ?? (() => undefined);
  const leaseMs = deps.claimLeaseMs ?? DEFAULT_CLAIM_LEASE_MS;

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
    const expiresAt = acceptanceWindowEnd(set.iat, deps.maxAgeMs);
    let claim: ClaimState;
    try {
      claim = await deps.jti.claim(key, { leaseUntil: now() + leaseMs, expiresAt });
    } catch (err) {
      throw new ReceiverUnavailableError('RISC_STORE_UNAVAILABLE', (err as Error).message);
    }
    if (claim === 'done') {
      deps.audit('risc-set-duplicate', { jti: set.jti, events: events.map((e) => e.name) });
      return { status: 202, outcome: 'duplicate', jti: set.jti };
    }
    if (claim === 'in-progress')
      throw new ReceiverUnavailableError('RISC_IN_PROGRESS', `another delivery of ${set.jti} is being acted on`);

    let ok = true;
    for (const { event, actions } of plans) {
      const result = await executeReaction(
        actions,
        // Decisions are ordered by the event's time (the token's iat), never by when it arrived.
        { jti: set.jti, at: event.at, event: event.name === 'ignored' ? event.uri : event.name },
        { accounts: deps.accounts, audit: deps.audit },
      );
      ok &&= result.ok;
    }
    if (!ok) {
      // Every action is idempotent: let the transmitter deliver the whole token again. Should the release fail
      // too, the claim stays pending only until its deadline.
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
    try {
      await deps.jti.complete(key, expiresAt);
    } catch (err) {
      // The reaction ran, but a redelivery would not know it: let it come (after the deadline) and act again.
      throw new ReceiverUnavailableError('RISC_STORE_UNAVAILABLE', (err as Error).message);
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
