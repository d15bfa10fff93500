import type { IncomingHttpHeaders } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  json<T = Record<string, unknown>>(): T;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** CA certificates to trust (a self-signed test certificate). */
  ca?: Buffer;
  /** Source address of the connection (e.g. 127.0.0.2, to tell the client apart from the proxy). */
  localAddress?: string;
}

/** One HTTP(S) request over a fresh connection, answered as text; JSON bodies are sent as JSON. */
export function send(url: string, options: RequestOptions = {}): Promise<Answer> {
  const target = new URL(url);
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers: Record<string, string> = {
    ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
    ...options.headers,
  };
  const make = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = make(
      target,
      {
        method: options.method ?? 'GET',
        headers,
        agent: false,
        ...(options.ca ? { ca: options.ca } : {}),
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          body += chunk;
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            json: <T>() => JSON.parse(body) as T,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * A browser-like client over real sockets: keeps the session cookie, sends its Origin and, on unsafe requests, the
 * CSRF token it learned (as the SPA does).
 */
export class CookieClient {
  cookie: string | null = null;
  csrfToken: string | null = null;
  readonly #base: string;
  readonly #cookieName: string;
  readonly #defaults: RequestOptions;

  constructor(base: string, defaults: RequestOptions = {}, cookieName = '__Host-heimdall') {
    this.#base = base;
    this.#defaults = defaults;
    this.#cookieName = cookieName;
  }

  async request(path: string, options: RequestOptions & { csrf?: boolean } = {}): Promise<Answer> {
    const method = (options.method ?? 'GET').toUpperCase();
    const headers: Record<string, string> = { origin: this.#base, ...options.headers };
    if (this.cookie) headers.cookie = `${this.#cookieName}=${this.cookie}`;
    if (!['GET', 'HEAD'].includes(method) && options.csrf !== false && this.csrfToken) {
      headers['x-csrf-token'] = this.csrfToken;
    }
    const answer = await send(`${this.#base}${path}`, { ...this.#defaults, ...options, method, headers });
    for (const line of [answer.headers['set-cookie'] ?? []].flat()) {
      const match = new RegExp(`^${this.#cookieName}=([^;]*)`).exec(line);
      if (match) this.cookie = match[1] || null;
    }
    if (String(answer.headers['content-type']).startsWith('application/json')) {
      const token = answer.json<{ csrfToken?: unknown }>().csrfToken;
      if (typeof token === 'string') this.csrfToken = token;
    }
    return answer;
  }
}
