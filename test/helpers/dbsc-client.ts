import type { LightMyRequestResponse } from 'fastify';
import { type DeviceKey, makeDeviceKey, signProof } from './dbsc-keys.js';
import type { TestClient } from './test-app.js';

export const BOUND_COOKIE = '__Host-heimdall-bound';

/** The challenge of a `Secure-Session-Registration` header, or null. */
export function registrationChallenge(response: LightMyRequestResponse): string | null {
  const header = response.headers['secure-session-registration'];
  return typeof header === 'string' ? (/;challenge="([^"]+)"/.exec(header)?.[1] ?? null) : null;
}

/** The challenge and session id of a `Secure-Session-Challenge` header, or null. */
export function refreshChallenge(response: LightMyRequestResponse): { challenge: string; id: string } | null {
  const header = response.headers['secure-session-challenge'];
  const match = typeof header === 'string' ? /^"([^"]+)";id="([^"]+)"$/.exec(header) : null;
  return match ? { challenge: match[1]!, id: match[2]! } : null;
}

/**
 * What a DBSC browser does, over inject(): holds a device key and the bound cookie beside the TestClient's session
 * cookie, registers with a sign-in's challenge, and refreshes (403 challenge, then a signed proof) as Chromium does.
 */
export class DbscDevice {
  bound: string | null = null;

  private constructor(
    readonly client: TestClient,
    readonly key: DeviceKey,
  ) {}

  /** A device with a new key, or with `key` (the same browser seen through another client or instance). */
  static async for(client: TestClient, key?: DeviceKey): Promise<DbscDevice> {
    return new DbscDevice(client, key ?? (await makeDeviceKey()));
  }

  /** Both cookies, as the browser would send them. */
  cookies(): string {
    return [
      this.client.cookie ? `__Host-heimdall=${this.client.cookie}` : '',
      this.bound ? `${BOUND_COOKIE}=${this.bound}` : '',
    ]
      .filter(Boolean)
      .join('; ');
  }

  get(url: string): Promise<LightMyRequestResponse> {
    return this.client.request({ method: 'GET', url, headers: { cookie: this.cookies() } });
  }

  /** POST /api/dbsc/register with a proof over `challenge` (no CSRF token: the browser sends none). */
  async register(challenge: string, proof?: string): Promise<LightMyRequestResponse> {
    const response = await this.client.request({
      method: 'POST',
      url: '/api/dbsc/register',
      csrf: false,
      headers: {
        cookie: this.cookies(),
        'secure-session-response': `"${proof ?? (await signProof(this.key, challenge))}"`,
      },
    });
    this.#keepBound(response);
    return response;
  }

  /** POST /api/dbsc/refresh, with a proof when given (else the server answers with a challenge). */
  async refreshWith(sessionId: string, proof?: string): Promise<LightMyRequestResponse> {
    const response = await this.client.request({
      method: 'POST',
      url: '/api/dbsc/refresh',
      csrf: false,
      headers: {
        cookie: this.cookies(),
        'sec-secure-session-id': `"${sessionId}"`,
        ...(proof ? { 'secure-session-response': `"${proof}"` } : {}),
      },
    });
    this.#keepBound(response);
    return response;
  }

  /** Chromium's refresh: ask, get the 403 challenge, sign it with this device's key, send it. */
  async refresh(sessionId: string): Promise<LightMyRequestResponse> {
    const asked = await this.refreshWith(sessionId);
    const challenge = refreshChallenge(asked);
    if (asked.statusCode !== 403 || !challenge) return asked;
    return this.refreshWith(sessionId, await signProof(this.key, challenge.challenge, { withJwk: false }));
  }

  #keepBound(response: LightMyRequestResponse): void {
    for (const cookie of response.cookies as { name: string; value: string }[]) {
      if (cookie.name === BOUND_COOKIE) this.bound = cookie.value;
    }
  }
}
