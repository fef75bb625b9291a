// What never leaves the process in a log line or an exported audit record, in one place: secrets by the name of
// the field that holds them (tokens, client secrets, PKCE verifiers, nonces, session ids, cookies, credentials),
// and the OAuth `code` and `state` where they travel: inside a request's parameters (`query`, `body`, `params`).
// A `code` or `state` anywhere else is the app's own (an error code; the state of Google's RISC verification
// event) and is what an operator needs to read: it is not hidden.

/** Field names (any letter case) whose string or object value is a secret wherever it appears. */
export const SECRET_FIELD =
  /(token|secret|password|passwd|cookie|authorization|verifier|nonce|session.?id|^sid$|^key$|private.?key|^auth(orization)?_?code$|tokenref)/i;

/** Where OAuth parameters travel; `code` and `state` inside them are the authorization code and the transaction. */
export const PARAMETER_CONTAINERS = ['query', 'body', 'params'] as const;
export const OAUTH_PARAMETERS = ['code', 'state'] as const;

/** Whether the field `key` (inside the object held by `parentKey`) holds a secret. */
export function isSecretField(key: string, parentKey?: string): boolean {
  if (SECRET_FIELD.test(key)) return true;
  return (
    parentKey !== undefined &&
    (PARAMETER_CONTAINERS as readonly string[]).includes(parentKey) &&
    (OAUTH_PARAMETERS as readonly string[]).includes(key)
  );
}

/** The logger's fixed names, at the top and up to three levels down (pino redacts by path, fast). */
const LOGGED_SECRET_NAMES = [
  'access_token',
  'refresh_token',
  'id_token',
  'accessToken',
  'refreshToken',
  'idToken',
  'client_secret',
  'clientSecret',
  'code_verifier',
  'codeVerifier',
  'authorization_code',
  'password',
  'nonce',
  'tokenRef',
  'sessionId',
  'authorization',
  'cookie',
];

function atDepths(path: string, depths = 3): string[] {
  return Array.from({ length: depths + 1 }, (_, d) => `${'*.'.repeat(d)}${path}`);
}

export const REDACT_PATHS: readonly string[] = [
  ...LOGGED_SECRET_NAMES.flatMap((name) => atDepths(name)),
  ...PARAMETER_CONTAINERS.flatMap((c) => OAUTH_PARAMETERS.flatMap((p) => atDepths(`${c}.${p}`, 2))),
  'res.headers["set-cookie"]',
  '*.headers["set-cookie"]',
];
