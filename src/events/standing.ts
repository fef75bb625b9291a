// Whether a signed-in session may go on, given what Google's account events left for its account: a sign-in
// block (account-disabled, until a newer account-enabled or an operator lifts it) ends every session; a cutoff
// (sessions-revoked, account-disabled) ends the sessions signed in at or before it. Pure.

/** Why account events end a session (the audit's `reason`). */
export type AccountEndReason = 'ACCOUNT_DISABLED' | 'SESSIONS_REVOKED';

export interface AccountStanding {
  /** A sign-in block is in force. */
  blocked: boolean;
  /** Sessions signed in at or before this time (ms) are over; null: none. */
  cutoff: number | null;
}

/**
 * `signedInAt` undefined (a session from before sign-in times were kept) counts as signed in at the beginning of
 * time: any cutoff ends it (fail closed).
 */
export function standingVerdict(
  standing: AccountStanding,
  signedInAt: number | undefined,
): AccountEndReason | undefined {
  if (standing.blocked) return 'ACCOUNT_DISABLED';
  if (standing.cutoff !== null && (signedInAt ?? Number.NEGATIVE_INFINITY) <= standing.cutoff)
    return 'SESSIONS_REVOKED';
  return undefined;
}
