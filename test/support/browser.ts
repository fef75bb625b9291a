// A tiny cookie-keeping HTTP client for integration tests: follows redirects by hand so that each hop
// (and each authorization URL) can be inspected, like a browser would make them.
export interface Hop {
  url: string;
  status: number;
  location?: string;
}

export class TestBrowser {
  /** hostname -> cookie name -> value (cookies are per host, not per port, as in browsers). */
  readonly jar = new Map<string, Map<string, string>>();
  readonly setCookieHeaders: string[] = [];
  history: Hop[] = [];

  cookieHeader(url: URL): string {
    const c = this.jar.get(url.hostname);
    return c ? [...c].map(([k, v]) => `${k}=${v}`).join('; ') : '';
  }

  cookie(hostname: string, name: string): string | undefined {
    return this.jar.get(hostname)?.get(name);
  }

  private store(url: URL, res: Response): void {
    for (const sc of res.headers.getSetCookie()) {
      this.setCookieHeaders.push(sc);
      const [pair, ...attrs] = sc.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired =
        attrs.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a)) || attrs.some((a) => /^\s*max-age=0/i.test(a));
      let c = this.jar.get(url.hostname);
      if (!c) {
        c = new Map();
        this.jar.set(url.hostname, c);
      }
      if (expired || value === '') c.delete(name);
      else c.set(name, value);
    }
  }

  /** The page the browser is on (the last URL it requested), which decides Sec-Fetch-Site. */
  private current: URL | undefined;

  /**
   * What a browser sends as Sec-Fetch-Site: `none` for the first (typed) request, `same-origin` when the request
   * comes from a page of the same origin (or a redirect from one), `cross-site` otherwise (loopback hosts and
   * ports count as different sites here, as they are different origins of no common registrable domain).
   */
  private fetchSite(target: URL): string {
    if (!this.current) return 'none';
    return this.current.origin === target.origin ? 'same-origin' : 'cross-site';
  }

  /**
   * One request, with the cookies of its host and the Fetch Metadata a browser would send. A test can set
   * `sec-fetch-site` itself; the empty string leaves the header out (an old browser or a non-browser client).
   */
  async request(url: string | URL, init: RequestInit & { headers?: Record<string, string> } = {}): Promise<Response> {
    const u = new URL(url);
    const headers: Record<string, string> = {
      'sec-fetch-site': this.fetchSite(u),
      ...((init.headers ?? {}) as Record<string, string>),
    };
    if (headers['sec-fetch-site'] === '') delete headers['sec-fetch-site'];
    const cookie = this.cookieHeader(u);
    if (cookie) headers.cookie = cookie;
    const res = await fetch(u, { ...init, headers, redirect: 'manual' });
    this.current = u;
    this.store(u, res);
    const location = res.headers.get('location') ?? undefined;
    this.history.push({
      url: u.href,
      status: res.status,
      ...(location ? { location: new URL(location, u).href } : {}),
    });
    return res;
  }

  /** GETs `url` and follows redirects (up to `max`), returning the final response. */
  async follow(url: string | URL, max = 10, stopAt?: (u: URL) => boolean): Promise<Response> {
    let current = new URL(url);
    for (let i = 0; i <= max; i++) {
      if (stopAt?.(current)) throw new StopAt(current);
      const res = await this.request(current);
      const loc = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && loc) {
        await res.arrayBuffer();
        current = new URL(loc, current);
        continue;
      }
      return res;
    }
    throw new Error(`too many redirects from ${url}`);
  }

  async postForm(
    url: string | URL,
    form: Record<string, string>,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    return this.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(form).toString(),
    });
  }
}

export class StopAt extends Error {
  constructor(readonly url: URL) {
    super(`stopped at ${url.href}`);
  }
}

/** The value of a hidden input in an HTML page. */
export function hiddenInput(html: string, name: string): string | undefined {
  const re = new RegExp(`<input[^>]*name="${name}"[^>]*value="([^"]*)"`, 'i');
  const m = re.exec(html) ?? new RegExp(`<input[^>]*value="([^"]*)"[^>]*name="${name}"`, 'i').exec(html);
  return m?.[1];
}

/** Every body, Location header and Set-Cookie header any RecordingBrowser saw (for the token scan). */
export const seen: string[] = [];

/** Access and refresh tokens of the mock (and Google) look like these. */
export const TOKEN_PATTERNS = [/ya29\./, /1\/\//];

/** A TestBrowser that keeps a copy of every response body, Location and Set-Cookie header. */
export class RecordingBrowser extends TestBrowser {
  override async request(
    url: string | URL,
    init: RequestInit & { headers?: Record<string, string> } = {},
  ): Promise<Response> {
    const res = await super.request(url, init);
    const text = await res.text();
    seen.push(
      `${res.status} ${String(url)}\n${res.headers.get('location') ?? ''}\n${res.headers.getSetCookie().join('\n')}\n${text}`,
    );
    const noBody = res.status === 204 || res.status === 304;
    return new Response(noBody ? null : text, { status: res.status, statusText: res.statusText, headers: res.headers });
  }
}

/** Asserts that no token shape appears in anything recorded so far (nor in `logs`, when given). */
export function assertNoTokensSeen(logs?: string): void {
  if (seen.length === 0) throw new Error('nothing was recorded');
  if (logs !== undefined)
    for (const re of TOKEN_PATTERNS) if (re.test(logs)) throw new Error(`token-like ${re} in the logs`);
  for (const entry of seen) {
    for (const re of TOKEN_PATTERNS) {
      if (re.test(entry)) throw new Error(`token-like ${re} in a response: ${entry.slice(0, 300)}`);
    }
  }
}

/** The session id in a browser's Scopewise cookie (`s:<id>.<signature>`). */
export function sessionIdOf(b: TestBrowser, host = 'localhost', name = 'scopewise'): string {
  const raw = decodeURIComponent(b.cookie(host, name) ?? '');
  return raw.slice(2, raw.lastIndexOf('.'));
}
