// The session store cannot be reached (Redis down or restarting): the request gets a 503, nothing is lost.
export class SessionUnavailableError extends Error {
  readonly code = 'SESSION_STORE_UNAVAILABLE';
  readonly status = 503;
  readonly title = 'Scopewise is briefly unavailable';
  constructor() {
    super('Sessions cannot be reached right now. Please try again in a few seconds; nothing was lost.');
    this.name = 'SessionUnavailableError';
  }
}
