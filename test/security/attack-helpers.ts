import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { createTestApp, PASSWORD, type TestApp, TestClient } from '../helpers/test-app.js';

/** Public addresses whose country geoip-country's bundled table knows (only ever placed in headers, never dialled). */
export const ADDRESSES = {
  US: '8.8.8.8',
  GB: '81.2.69.142',
  SE: '89.160.20.112',
  FR: '195.154.1.1',
  JP: '133.11.0.1',
} as const;

/** An app behind a trusted proxy on loopback, so tests can say where each request "comes from" via X-Forwarded-For. */
export function proxiedApp(env: Record<string, string> = {}): Promise<TestApp> {
  return createTestApp({ TRUST_PROXY: 'loopback', ...env });
}

/** A TestClient whose requests arrive through the proxy from `ip` (and with its own user agent, if given). */
export class RemoteClient extends TestClient {
  ip: string;

  constructor(app: FastifyInstance, ip: string, userAgent?: string) {
    super(app);
    this.ip = ip;
    if (userAgent) this.userAgent = userAgent;
  }

  override request(options: InjectOptions & { csrf?: boolean }): Promise<LightMyRequestResponse> {
    return super.request({
      ...options,
      headers: { 'x-forwarded-for': this.ip, ...(options.headers as Record<string, string>) },
    });
  }
}

export const FIREFOX_MAC = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:128.0) Gecko/20100101 Firefox/128.0';
export const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

/** Registers `email` from `client` and fails loudly otherwise. */
export async function mustRegister(client: TestClient, email: string, password = PASSWORD): Promise<string> {
  const response = await client.register(email, password);
  if (response.statusCode !== 201) throw new Error(`register ${email}: ${response.statusCode} ${response.body}`);
  return (response.json() as { user: { id: string } }).user.id;
}

export async function mustLogin(client: TestClient, email: string, password = PASSWORD): Promise<void> {
  const response = await client.login(email, password);
  if (response.statusCode !== 200) throw new Error(`login ${email}: ${response.statusCode} ${response.body}`);
}

export function errorCode(response: LightMyRequestResponse): string | undefined {
  return (response.json() as { error?: { code?: string } }).error?.code;
}

/** The audit events an admin sees for a user (newest first). */
export async function auditOf(admin: TestClient, userId: string, type?: string) {
  const query = new URLSearchParams({ userId, limit: '100', ...(type ? { type } : {}) });
  const response = await admin.get(`/api/admin/audit?${query}`);
  if (response.statusCode !== 200) throw new Error(`audit: ${response.statusCode} ${response.body}`);
  return (response.json() as { events: { type: string; details: Record<string, unknown>; country: string | null }[] })
    .events;
}
