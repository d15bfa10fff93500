export const TEST_PASSWORD = 'correct horse battery staple';

export interface HttpResponse {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: JSON bodies of many shapes
  body: any;
}

/**
 * A browser-like client over real HTTP (fetch): keeps the session cookie and CSRF token it is given and replays
 * them to whichever server it is pointed at (no sticky sessions: the same cookie may go to any instance).
 */
export class HttpClient {
  cookie: string | null = null;
  csrfToken: string | null = null;
  readonly #cookieName: string;

  constructor(cookieName = '__Host-heimdall') {
    this.#cookieName = cookieName;
  }

  /** Another client holding the same cookie and CSRF token (the same browser). */
  clone(): HttpClient {
    const copy = new HttpClient(this.#cookieName);
    copy.cookie = this.cookie;
    copy.csrfToken = this.csrfToken;
    return copy;
  }

  async request(baseUrl: string, method: string, path: string, body?: unknown): Promise<HttpResponse> {
    const headers: Record<string, string> = { 'user-agent': 'heimdall-tests' };
    if (this.cookie) headers.cookie = `${this.#cookieName}=${this.cookie}`;
    if (method !== 'GET' && this.csrfToken) headers['x-csrf-token'] = this.csrfToken;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(new URL(path, baseUrl), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = ''] = cookie.split(';');
      const [name, value = ''] = pair.split('=');
      if (name !== this.#cookieName) continue;
      const cleared = value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(cookie);
      this.cookie = cleared ? null : value;
    }
    const text = await response.text();
    const parsed = text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
    if (parsed && typeof parsed === 'object' && typeof parsed.csrfToken === 'string') this.csrfToken = parsed.csrfToken;
    return { status: response.status, body: parsed };
  }

  get(baseUrl: string, path: string): Promise<HttpResponse> {
    return this.request(baseUrl, 'GET', path);
  }

  async register(baseUrl: string, email: string, password = TEST_PASSWORD): Promise<HttpResponse> {
    return this.request(baseUrl, 'POST', '/api/auth/register', { email, password });
  }

  async login(baseUrl: string, email: string, password = TEST_PASSWORD): Promise<HttpResponse> {
    return this.request(baseUrl, 'POST', '/api/auth/login', { email, password });
  }
}
