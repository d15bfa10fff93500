import { ApiError, errorFromAnswer } from './api-error.js';

export interface TransportOptions {
  /** Heimdall's origin (`https://auth.example.com`); empty (the default) for the page's own origin. */
  baseUrl?: string;
  /** The fetch to use (tests and server-side callers pass one with a cookie jar); the global one by default. */
  fetch?: typeof fetch;
  /**
   * Asked when an action answers `reauthentication_required` (a sensitive action on a session without a recent
   * proof): prove a factor again — `client.reauthenticate(...)` — and resolve true to retry the action once, or
   * false to give up (the ApiError is thrown).
   */
  onReauthenticationRequired?: (error: ApiError) => Promise<boolean>;
  /** Told when a request that needed a session finds none (it ended elsewhere or expired). */
  onUnauthenticated?: (error: ApiError) => void;
}

export interface RequestOptions {
  body?: unknown;
  /** A 401 is an expected outcome here (sign-in, who-am-I): onUnauthenticated is not told. */
  expectUnauthenticated?: boolean;
  /** No session is involved (sign-in, sign-up, email links): no CSRF token is fetched first. */
  anonymous?: boolean;
  /** This is the retry after a re-authentication (or the re-authentication itself): never ask again. */
  noReauthentication?: boolean;
  /** This is the retry after learning a new CSRF token: never refresh again. */
  csrfRetried?: boolean;
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * JSON over fetch with the session cookie (`credentials: 'include'`, also to Heimdall on another origin) and the
 * CSRF token on unsafe methods. The token is kept in memory only: it is not a credential (the session is an HttpOnly
 * cookie no script can read), it is learned from any answer that carries `csrfToken` (GET /api/session, every
 * sign-in, re-authentication, password change) and fetched from GET /api/session when an unsafe call needs it.
 */
export class Transport {
  csrfToken: string | null = null;
  readonly baseUrl: string;
  readonly #fetch: typeof fetch;
  readonly #options: TransportOptions;

  constructor(options: TransportOptions = {}) {
    this.baseUrl = (options.baseUrl ?? '').replace(/\/+$/, '');
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#options = options;
  }

  url(path: string): string {
    return `${this.baseUrl}${path}`;
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const unsafe = !SAFE.has(method);
    if (unsafe && !options.anonymous && this.csrfToken === null) await this.refreshCsrfToken();
    try {
      return await this.#send<T>(method, path, options);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      // The token rotated elsewhere (re-authentication or a password change in another tab): learn it, try once more.
      const retryCsrf = error.code === 'csrf_failed' && unsafe && !options.anonymous && !options.csrfRetried;
      if (retryCsrf && (await this.refreshCsrfToken())) {
        return this.request<T>(method, path, { ...options, csrfRetried: true });
      }
      if (error.code === 'unauthenticated' && !options.expectUnauthenticated) this.#options.onUnauthenticated?.(error);
      const ask = this.#options.onReauthenticationRequired;
      if (error.code === 'reauthentication_required' && ask && !options.noReauthentication && (await ask(error))) {
        return this.request<T>(method, path, { ...options, noReauthentication: true });
      }
      throw error;
    }
  }

  /** GET /api/session for its CSRF token; false without a live session. */
  async refreshCsrfToken(): Promise<boolean> {
    try {
      await this.#send('GET', '/api/session', {});
      return this.csrfToken !== null;
    } catch {
      return false;
    }
  }

  async #send<T>(method: string, path: string, options: RequestOptions): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (!SAFE.has(method) && this.csrfToken) headers['x-csrf-token'] = this.csrfToken;
    let response: Response;
    try {
      response = await this.#fetch(this.url(path), {
        method,
        headers,
        credentials: 'include',
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      });
    } catch {
      throw new ApiError('network_error', 'Cannot reach the server.', 0);
    }
    if (response.status === 204) return undefined as T;
    const payload = (await response.json().catch(() => null)) as unknown;
    if (!response.ok) {
      const error = errorFromAnswer(response.status, response.headers, payload);
      if (error.code === 'unauthenticated') this.csrfToken = null;
      throw error;
    }
    const token = (payload as { csrfToken?: unknown } | null)?.csrfToken;
    if (typeof token === 'string') this.csrfToken = token;
    return payload as T;
  }
}
