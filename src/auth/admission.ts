// Who may sign in. Checked against the ID token's verified claims only: the `hd` claim (never the `hd`
// hint we sent, which a user can strip from the URL) and the e-mail only when `email_verified` is true.
export interface AdmissionPolicy {
  allowedDomains: readonly string[];
  allowedEmails: readonly string[];
}

export interface IdentityClaims {
  [claim: string]: unknown;
  email?: unknown;
  email_verified?: unknown;
  hd?: unknown;
}

export type AdmissionResult =
  | { admitted: true; via: 'open' | 'domain' | 'email' }
  | { admitted: false; code: 'DOMAIN_NOT_ALLOWED' | 'EMAIL_NOT_VERIFIED' | 'NOT_ALLOWED'; reason: string };

export function admit(claims: IdentityClaims, policy: AdmissionPolicy): AdmissionResult {
  if (policy.allowedDomains.length === 0 && policy.allowedEmails.length === 0) return { admitted: true, via: 'open' };
  const hd = typeof claims.hd === 'string' ? claims.hd.toLowerCase() : undefined;
  if (hd && policy.allowedDomains.includes(hd)) return { admitted: true, via: 'domain' };
  const email = typeof claims.email === 'string' ? claims.email.toLowerCase() : undefined;
  if (email && policy.allowedEmails.includes(email)) {
    if (claims.email_verified === true) return { admitted: true, via: 'email' };
    return {
      admitted: false,
      code: 'EMAIL_NOT_VERIFIED',
      reason: 'the e-mail address is allowed but not verified by the identity provider',
    };
  }
  if (policy.allowedDomains.length > 0 && !hd) {
    return {
      admitted: false,
      code: 'DOMAIN_NOT_ALLOWED',
      reason: 'the account does not belong to an allowed Google Workspace domain',
    };
  }
  return {
    admitted: false,
    code: 'NOT_ALLOWED',
    reason: 'the account is not on the list of administrators allowed to use Scopewise',
  };
}

/** The `hd` hint Google shows in its account chooser: only meaningful with exactly one domain. */
export function hostedDomainHint(policy: AdmissionPolicy): string | undefined {
  return policy.allowedDomains.length === 1 ? policy.allowedDomains[0] : undefined;
}
