import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { type BuildServicesOptions, buildServices, type Services } from '../../src/app/build-services.js';
import type { Config } from '../../src/config/config.js';
import { buildApp } from '../../src/http/app.js';
import { FakeClock } from './fake-clock.js';
import { testConfig } from './test-config.js';

export interface TestApp {
  app: FastifyInstance;
  services: Services;
  config: Config;
  clock: FakeClock;
  close(): Promise<void>;
}

export interface TestAppOptions extends Omit<BuildServicesOptions, 'clock'> {
  /**
   * The fake clock to use. Suites on Redis pass one near the wall clock (`new FakeClock(Date.now())`): Redis expires
   * session keys by real time (PEXPIREAT), so sessions made in the past would vanish at once.
   */
  clock?: FakeClock;
}

/** A real app over real (in-memory SQLite by default) stores and a fake clock, driven with inject(). */
export async function createTestApp(env: Record<string, string> = {}, options: TestAppOptions = {}): Promise<TestApp> {
  const config = testConfig(env);
  const { clock: givenClock, ...rest } = options;
  const clock = givenClock ?? new FakeClock();
  const services = await buildServices(config, { ...rest, clock });
  const app = await buildApp(services, config, { logger: false });
  await app.ready();
  return {
    app,
    services,
    config,
    clock,
    async close() {
      await app.close();
      await services.close();
    },
  };
}

export const PASSWORD = 'correct horse battery staple';

/**
 * A browser-like client for inject(): keeps the session cookie it is given, sends it back, and sends the CSRF token
 * it learned on unsafe requests (as the SPA does).
 */
export class TestClient {
  readonly #app: FastifyInstance;
  readonly #cookieName: string;
  cookie: string | null = null;
  csrfToken: string | null = null;
  userAgent = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';

  constructor(app: FastifyInstance, cookieName = '__Host-heimdall') {
    this.#app = app;
    this.#cookieName = cookieName;
  }

  async request(options: InjectOptions & { csrf?: boolean }): Promise<LightMyRequestResponse> {
    const headers: Record<string, string> = {
      'user-agent': this.userAgent,
      ...(options.headers as Record<string, string>),
    };
    if (this.cookie && !('cookie' in headers)) headers.cookie = `${this.#cookieName}=${this.cookie}`;
    const unsafe = !['GET', 'HEAD', 'OPTIONS'].includes((options.method ?? 'GET').toUpperCase());
    if (unsafe && options.csrf !== false && this.csrfToken && !('x-csrf-token' in headers)) {
      headers['x-csrf-token'] = this.csrfToken;
    }
    const { csrf: _csrf, ...rest } = options;
    const response = await this.#app.inject({ ...rest, headers });
    this.#remember(response);
    return response;
  }

  #remember(response: LightMyRequestResponse): void {
    for (const cookie of response.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      if (cookie.name !== this.#cookieName) continue;
      const cleared =
        cookie.value === '' || cookie.maxAge === 0 || (cookie.expires && cookie.expires.getTime() <= Date.now());
      this.cookie = cleared ? null : cookie.value;
      if (cleared) this.csrfToken = null;
    }
    if (response.headers['content-type']?.toString().startsWith('application/json') && response.body) {
      const body = response.json() as { csrfToken?: unknown };
      if (typeof body.csrfToken === 'string') this.csrfToken = body.csrfToken;
    }
  }

  register(email: string, password = PASSWORD, extra: Record<string, unknown> = {}) {
    return this.request({ method: 'POST', url: '/api/auth/register', payload: { email, password, ...extra } });
  }

  login(email: string, password = PASSWORD, extra: Record<string, unknown> = {}) {
    return this.request({ method: 'POST', url: '/api/auth/login', payload: { email, password, ...extra } });
  }

  get(url: string) {
    return this.request({ method: 'GET', url });
  }
}

/** Registers a user with a fresh client and returns the signed-in client. */
export async function signedUpClient(app: FastifyInstance, email: string, password = PASSWORD): Promise<TestClient> {
  const client = new TestClient(app);
  const response = await client.register(email, password);
  if (response.statusCode !== 201) throw new Error(`register ${email}: ${response.statusCode} ${response.body}`);
  return client;
}
