import type { EventSourceLike } from '../../src/client/index.js';
import { createTestApp, type TestApp } from './test-app.js';

/** One answer the client received: enough to check it against the OpenAPI document. */
export interface RecordedAnswer {
  method: string;
  path: string;
  status: number;
  contentType: string;
  body: unknown;
  /** The x-csrf-token the request carried, if any. */
  csrfToken: string | null;
}

/** A Heimdall app (real stores, fake clock) listening on a loopback port: the client talks HTTP to it. */
export async function startListeningApp(env: Record<string, string> = {}): Promise<TestApp & { url: string }> {
  const t = await createTestApp(env);
  const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
  return Object.assign(t, { url: address });
}

/**
 * fetch with a browser's cookie jar for one site (Set-Cookie in, Cookie out; attributes are the server's tests'
 * business), recording every answer.
 */
export function browserFetch(recorded: RecordedAnswer[] = []) {
  const jar = new Map<string, string>();
  const fetcher = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const headers = new Headers(init.headers);
    if (jar.size > 0 && init.credentials !== 'omit') {
      headers.set('cookie', [...jar].map(([name, value]) => `${name}=${value}`).join('; '));
    }
    const response = await fetch(input, { ...init, headers });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = ''] = cookie.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at);
      const value = pair.slice(at + 1);
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(cookie)) jar.delete(name);
      else jar.set(name, value);
    }
    const url = new URL(String(input instanceof Request ? input.url : input));
    const contentType = response.headers.get('content-type') ?? '';
    const text = contentType.includes('event-stream') ? '' : await response.clone().text();
    recorded.push({
      method: (init.method ?? 'GET').toUpperCase(),
      path: url.pathname,
      status: response.status,
      contentType,
      body: text && contentType.includes('json') ? JSON.parse(text) : text,
      csrfToken: headers.get('x-csrf-token'),
    });
    return response;
  };
  return Object.assign(fetcher as typeof fetch, { jar, recorded });
}

/**
 * The part of EventSource the client uses, over fetch (Node 20 has no EventSource): one connection, no
 * reconnection; `readyState` 2 (CLOSED) when the stream ends or is refused.
 */
export function fetchEventSource(fetcher: typeof fetch) {
  return class FetchEventSource implements EventSourceLike {
    readyState = 0;
    onerror: ((event: unknown) => void) | null = null;
    readonly #listeners = new Map<string, ((event: { data?: unknown }) => void)[]>();
    readonly #abort = new AbortController();

    constructor(url: string, _init: { withCredentials: boolean }) {
      void this.#run(url);
    }

    addEventListener(type: string, listener: (event: { data?: unknown }) => void): void {
      this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), listener]);
    }

    close(): void {
      this.readyState = 2;
      this.#abort.abort();
    }

    async #run(url: string): Promise<void> {
      try {
        const response = await fetcher(url, { headers: { accept: 'text/event-stream' }, signal: this.#abort.signal });
        if (!response.ok || !response.body) throw new Error(`status ${response.status}`);
        this.readyState = 1;
        let buffer = '';
        for await (const chunk of response.body.pipeThrough(new TextDecoderStream())) {
          buffer += chunk;
          let end = buffer.indexOf('\n\n');
          while (end >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const type = /^event: ?(.*)$/m.exec(block)?.[1];
            const data = [...block.matchAll(/^data: ?(.*)$/gm)].map((m) => m[1]).join('\n');
            if (type) for (const listener of this.#listeners.get(type) ?? []) listener({ data });
            end = buffer.indexOf('\n\n');
          }
        }
      } catch {
        // Refused, aborted or cut: as a browser that gives up.
      }
      if (this.readyState !== 2) {
        this.readyState = 2;
        this.onerror?.({});
      }
    }
  };
}
