import { createServer } from 'node:net';

/** A port that was free a moment ago on 127.0.0.1 (the server binds it right after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  body: string;
  json<T = unknown>(): T;
}

/** One HTTP request from the harness itself (setup and checks, never the measured load). */
export async function request(url: string, init: RequestInit = {}): Promise<HttpResponse> {
  const response = await fetch(url, { ...init, redirect: 'manual' });
  const body = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body,
    json: <T>() => JSON.parse(body) as T,
  };
}

export function postJson(url: string, payload: unknown, headers: Record<string, string> = {}) {
  return request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(payload),
  });
}

/** The `name=value` pairs of every Set-Cookie in a response, ready to send back in a Cookie header. */
export function cookiesFrom(response: HttpResponse): string {
  return response.headers
    .getSetCookie()
    .map((line) => line.split(';')[0]!.trim())
    .filter((pair) => pair.split('=')[1] !== '')
    .join('; ');
}

/** Polls until the URL answers (any status), with a deadline; servers are real processes that take a moment. */
export async function waitForHttp(url: string, deadlineMs: number, isAlive: () => boolean): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error(`the process exited before ${url} answered`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(1_000) });
      return;
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`${url} did not answer within ${deadlineMs} ms: ${String(lastError)}`);
}
