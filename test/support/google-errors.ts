// Google's answers, as its APIs send them, for tests that feed them to the app or compare the mock with them.

/**
 * The body Google sends when the access token lacks every scope the method accepts (403 PERMISSION_DENIED with an
 * ErrorInfo of reason ACCESS_TOKEN_SCOPE_INSUFFICIENT naming the service and the RPC method).
 */
export function insufficientScopeBody(service: string, method: string) {
  return {
    error: {
      code: 403,
      message: 'Request had insufficient authentication scopes.',
      errors: [{ message: 'Insufficient Permission', domain: 'global', reason: 'insufficientPermissions' }],
      status: 'PERMISSION_DENIED',
      details: [
        {
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT',
          domain: 'googleapis.com',
          metadata: { service, method },
        },
      ],
    },
  };
}

/**
 * The ErrorInfo Google sends when an API is off in a project (reason SERVICE_DISABLED, with the console link that
 * turns it on); `metadata` adds the fields some answers carry besides (containerInfo, serviceTitle).
 */
export function serviceDisabledErrorInfo(
  service: string,
  projectNumber: string,
  metadata: Record<string, string> = {},
) {
  return {
    '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
    reason: 'SERVICE_DISABLED',
    domain: 'googleapis.com',
    metadata: {
      service,
      consumer: `projects/${projectNumber}`,
      ...metadata,
      activationUrl: `https://console.developers.google.com/apis/api/${service}/overview?project=${projectNumber}`,
    },
  };
}

/** A Google API error body as JSON text: `{"error": {code, message, ...fields}}` (fields such as status, details, errors). */
export function googleErrorJson(code: number, message: string, fields: Record<string, unknown> = {}): string {
  return JSON.stringify({ error: { code, message, ...fields } });
}

/** A `google.rpc.ErrorInfo` entry of an error's details. */
export function errorInfo(reason: string, fields: Record<string, unknown> = {}) {
  return { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason, ...fields };
}
