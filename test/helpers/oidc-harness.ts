import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { CustomFetch } from 'openid-client';
import { pino } from 'pino';
import { buildServices, type Services } from '../../src/app/build-services.js';
import type { Config } from '../../src/config/config.js';
import { buildApp } from '../../src/http/app.js';
import { loggerOptions } from '../../src/http/logger-options.js';
import { type Browser, locationOf } from './browser.js';
import { FakeClock } from './fake-clock.js';
import { onFreePort } from './free-port.js';
import { tempDir } from './heimdall-process.js';
import { type ProviderUser, startTestProvider, type TestProvider } from './oidc-test-provider.js';
import { testConfig } from './test-config.js';

/** Accounts at both test providers. */
export const PROVIDER_USERS: ProviderUser[] = [
  { sub: 'alice-sub', email: 'alice@example.com', email_verified: true, name: 'Alice' },
  { sub: 'odin-sub', email: 'Odin@Asgard.example', email_verified: true, name: 'Odin at the IdP' },
  { sub: 'mallory-sub', email: 'odin@asgard.example', email_verified: false, name: 'Mallory' },
  { sub: 'anon-sub', name: 'No Email' },
  { sub: 'frigg-sub', email: 'frigg@asgard.example', email_verified: true, name: 'Frigg' },
];

export type TokenTamper = (body: Record<string, unknown>) => Promise<Record<string, unknown>>;

export interface AuditLine {
  type: string;
  [field: string]: unknown;
}

export interface OidcHarness {
  /** Heimdall's public URL (HEIMDALL_PUBLIC_URL), listening on a real socket. */
  url: string;
  config: Config;
  services: Services;
  app: FastifyInstance;
  clock: FakeClock;
  /** The provider configured as `idp`, and a second one configured as `rogue` (mix-up attacks, foreign keys). */
  idp: TestProvider;
  rogue: TestProvider;
  dbPath: string;
  /** Rewrites the token endpoint's answer before Heimdall sees it (a tampered or injected response). */
  tamperTokenResponse: TokenTamper | null;
  /** `audit` objects from Heimdall's log, oldest first. */
  audits(type?: string): AuditLine[];
  /** Starts a sign-on in `browser` and signs `login` in at the provider; returns where the provider sent it back. */
  authorize(browser: Browser, provider: string, login: string, options?: AuthorizeOptions): Promise<string>;
  /** authorize(), then delivers the callback; returns Heimdall's answer to it. */
  signIn(browser: Browser, provider: string, login: string, options?: AuthorizeOptions): Promise<Response>;
  close(): Promise<void>;
}

export interface AuthorizeOptions {
  returnTo?: string;
  /** Decline at the provider instead of signing in. */
  decline?: boolean;
  /** The URL that starts the flow (default GET /api/oidc/<provider>/start). */
  startUrl?: string;
}

export interface OidcHarnessOptions {
  /**
   * The host name in Heimdall's public URL (it listens on 127.0.0.1 either way). `localhost` puts Heimdall on
   * another site than the providers (http://127.0.0.1:<port>), as a browser sees them: the return from the
   * provider is then a real cross-site navigation.
   */
  publicHost?: 'localhost' | '127.0.0.1';
}

/** Two real OpenID providers and Heimdall over real sockets, on loopback, with a file database and captured logs. */
export function startOidcHarness(
  env: Record<string, string> = {},
  options: OidcHarnessOptions = {},
): Promise<OidcHarness> {
  // Heimdall's public URL must be known before the providers are configured, so its port is chosen before it listens.
  return onFreePort((port) => startOnPort(port, env, options));
}

async function startOnPort(
  port: number,
  env: Record<string, string>,
  options: OidcHarnessOptions,
): Promise<OidcHarness> {
  const url = `http://${options.publicHost ?? '127.0.0.1'}:${port}`;
  const idp = await startTestProvider({
    clientId: 'heimdall',
    clientSecret: 'idp-client-secret',
    redirectUris: [`${url}/api/oidc/idp/callback`],
    users: PROVIDER_USERS,
  });
  const rogue = await startTestProvider({
    clientId: 'heimdall',
    clientSecret: 'rogue-client-secret',
    redirectUris: [`${url}/api/oidc/rogue/callback`],
    users: PROVIDER_USERS,
  });
  const dir = tempDir('heimdall-oidc-');
  const dbPath = join(dir.dir, 'heimdall.db');
  const config = testConfig({
    DATABASE_URL: `sqlite:${dbPath}`,
    PORT: String(port),
    HEIMDALL_PUBLIC_URL: url,
    OIDC_IDP_ISSUER: idp.issuer,
    OIDC_IDP_CLIENT_ID: 'heimdall',
    OIDC_IDP_CLIENT_SECRET: 'idp-client-secret',
    OIDC_IDP_LABEL: 'Test IdP',
    OIDC_ROGUE_ISSUER: rogue.issuer,
    OIDC_ROGUE_CLIENT_ID: 'heimdall',
    OIDC_ROGUE_CLIENT_SECRET: 'rogue-client-secret',
    ...env,
  });
  const lines: Record<string, unknown>[] = [];
  const logger = pino(loggerOptions('info') as object, {
    write: (line: string) => {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    },
  });
  const clock = new FakeClock(Date.now());
  const harness = { tamperTokenResponse: null as TokenTamper | null };
  const outbound: CustomFetch = async (target, options) => {
    const response = await fetch(target, options as RequestInit);
    if (!harness.tamperTokenResponse || !target.endsWith('/token') || !response.ok) return response;
    const body = await harness.tamperTokenResponse((await response.json()) as Record<string, unknown>);
    return new Response(JSON.stringify(body), { status: response.status, headers: response.headers });
  };
  const services = await buildServices(config, { clock, oidc: { fetch: outbound } });
  const app = await buildApp(services, config, { logger });
  const close = async () => {
    await app.close();
    await services.close();
    await idp.close();
    await rogue.close();
    dir.remove();
  };
  try {
    await app.listen({ port, host: '127.0.0.1' });
  } catch (error) {
    await close();
    throw error;
  }

  const authorize = async (browser: Browser, provider: string, login: string, options: AuthorizeOptions = {}) => {
    const query = options.returnTo === undefined ? '' : `?returnTo=${encodeURIComponent(options.returnTo)}`;
    let current = options.startUrl ?? `${url}/api/oidc/${provider}/start${query}`;
    let response = await browser.request(current);
    for (let hop = 0; hop < 12; hop++) {
      if (response.status === 200 && new URL(current).pathname.startsWith('/interaction/')) {
        current = `${current}/${options.decline ? 'abort' : 'login'}`;
        response = await browser.request(current, {
          method: 'POST',
          body: new URLSearchParams({ login }).toString(),
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        });
        continue;
      }
      const next = locationOf(response, current);
      if (next.startsWith(`${url}/`)) return next;
      current = next;
      response = await browser.request(current);
    }
    throw new Error(`no way back to Heimdall from ${current}`);
  };

  return Object.assign(harness, {
    url,
    config,
    services,
    app,
    clock,
    idp,
    rogue,
    dbPath,
    audits: (type?: string) =>
      lines
        .map((line) => line.audit as AuditLine | undefined)
        .filter((a): a is AuditLine => a !== undefined && (type === undefined || a.type === type)),
    authorize,
    async signIn(browser: Browser, provider: string, login: string, options?: AuthorizeOptions) {
      return browser.request(await authorize(browser, provider, login, options));
    },
    close,
  });
}

/** GET /api/session as the browser; null when it has no live session. */
export async function sessionOf(
  browser: Browser,
  url: string,
): Promise<{ user: { id: string; email: string; name: string }; session: { provider: string | null } } | null> {
  const response = await browser.request(`${url}/api/session`);
  return response.status === 200 ? ((await response.json()) as never) : null;
}
