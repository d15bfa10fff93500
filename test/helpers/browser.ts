/**
 * A browser over real HTTP for redirect flows: a cookie jar per host (Set-Cookie in, Cookie out, Max-Age=0 and past
 * Expires delete) and redirects followed by hand, so tests can stop at, inspect or tamper with any hop.
 */
export class Browser {
  readonly #jar = new Map<string, Map<string, string>>();
  userAgent = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';

  async request(url: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}) {
    const target = new URL(url);
    const headers: Record<string, string> = { 'user-agent': this.userAgent, ...init.headers };
    const cookies = [...(this.#jar.get(target.host) ?? new Map<string, string>())];
    if (cookies.length > 0) headers.cookie = cookies.map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(url, { method: init.method ?? 'GET', body: init.body, headers, redirect: 'manual' });
    this.#remember(target.host, response.headers.getSetCookie());
    return response;
  }

  cookie(url: string, name: string): string | undefined {
    return this.#jar.get(new URL(url).host)?.get(name);
  }

  setCookie(url: string, name: string, value: string): void {
    const host = new URL(url).host;
    const cookies = this.#jar.get(host) ?? new Map<string, string>();
    cookies.set(name, value);
    this.#jar.set(host, cookies);
  }

  deleteCookie(url: string, name: string): void {
    this.#jar.get(new URL(url).host)?.delete(name);
  }

  #remember(host: string, setCookies: string[]): void {
    const cookies = this.#jar.get(host) ?? new Map<string, string>();
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const name = pair.slice(0, pair.indexOf('='));
      const value = pair.slice(pair.indexOf('=') + 1);
      const expired = attributes.some((a) => {
        const [key = '', v = ''] = a.split('=');
        if (key.toLowerCase() === 'max-age') return Number(v) <= 0;
        if (key.toLowerCase() === 'expires') return new Date(v).getTime() <= Date.now();
        return false;
      });
      if (expired || value === '') cookies.delete(name);
      else cookies.set(name, value);
    }
    this.#jar.set(host, cookies);
  }
}

/** The Location of a redirect, resolved against the URL that answered. */
export function locationOf(response: Response, base: string): string {
  const location = response.headers.get('location');
  if (!location) throw new Error(`expected a redirect from ${base}, got ${response.status}`);
  return new URL(location, base).href;
}
