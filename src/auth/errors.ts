// Every rejected sign-in or consent has a code (for the log) and a plain message (for the page).
export type AuthErrorCode =
  | 'STATE_MISSING'
  | 'STATE_UNKNOWN'
  | 'TRANSACTION_EXPIRED'
  | 'BAD_CALLBACK_REQUEST'
  | 'ACCESS_DENIED'
  | 'IDP_ERROR'
  | 'TOKEN_EXCHANGE_FAILED'
  | 'ID_TOKEN_INVALID'
  | 'USERINFO_INVALID'
  | 'NOT_ADMITTED'
  | 'SUBJECT_MISMATCH'
  | 'NOT_SIGNED_IN'
  | 'IDP_UNAVAILABLE';

export class AuthError extends Error {
  constructor(
    readonly code: AuthErrorCode,
    readonly status: number,
    readonly title: string,
    readonly userMessage: string,
    readonly detail?: string,
  ) {
    super(`${code}: ${detail ?? userMessage}`);
    this.name = 'AuthError';
  }
}

const RETRY = 'Please start again from the sign-in page.';

export function transactionError(code: 'STATE_MISSING' | 'STATE_UNKNOWN' | 'TRANSACTION_EXPIRED'): AuthError {
  switch (code) {
    case 'STATE_MISSING':
      return new AuthError(
        code,
        400,
        'Sign-in could not be completed',
        `The response from the identity provider carried no state. ${RETRY}`,
      );
    case 'STATE_UNKNOWN':
      return new AuthError(
        code,
        400,
        'Sign-in could not be completed',
        `This sign-in response does not match a sign-in started in this browser, or it was already used. ${RETRY}`,
      );
    case 'TRANSACTION_EXPIRED':
      return new AuthError(
        code,
        400,
        'Sign-in took too long',
        `The sign-in was started more than 10 minutes ago. ${RETRY}`,
      );
  }
}
