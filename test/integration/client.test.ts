import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, HeimdallClient, type HeimdallEvent, needsSecondFactor } from '../../src/client/index.js';
import { generateTotp } from '../../src/core/totp.js';
import { browserFetch, fetchEventSource, startListeningApp } from '../helpers/client-harness.js';
import type { TestApp } from '../helpers/test-app.js';

const PASSWORD = 'correct horse battery staple';
const TOTP_STEP_MS = 30_000;

/** heimdall-auth/client against a Heimdall listening on a real port (its clock is fake, so steps need no waiting). */
describe('the typed client (heimdall-auth/client)', () => {
  let app: TestApp & { url: string };
  let admin: HeimdallClient;

  const browser = (options: ConstructorParameters<typeof HeimdallClient>[0] = {}) => {
    const fetcher = browserFetch();
    const client = new HeimdallClient({ baseUrl: app.url, fetch: fetcher, ...options });
    return { client, fetcher, recorded: fetcher.recorded };
  };

  beforeAll(async () => {
    app = await startListeningApp();
    admin = browser().client;
    await admin.register({ email: 'admin@example.com', password: PASSWORD });
  });

  afterAll(async () => {
    await app.close();
  });

  it('register signs in, keeps the CSRF token and sends it on unsafe calls', async () => {
    const { client, recorded } = browser();
    const signedIn = await client.register({ email: 'ann@example.com', password: PASSWORD, name: 'Ann' });
    expect(signedIn.user.email).toBe('ann@example.com');
    expect(client.csrfToken).toBe(signedIn.csrfToken);
    expect(await client.revokeOtherSessions()).toEqual({ revoked: 0 });
    expect(recorded.at(-1)).toMatchObject({ method: 'POST', status: 200, csrfToken: signedIn.csrfToken });
  });

  it('a client that holds no CSRF token yet reads it from GET /api/session before an unsafe call', async () => {
    const first = browser();
    await first.client.register({ email: 'bea@example.com', password: PASSWORD });
    // The same browser, a fresh page: the cookie is there, the token is not.
    const page = new HeimdallClient({ baseUrl: app.url, fetch: first.fetcher });
    const before = first.recorded.length;
    expect(page.csrfToken).toBeNull();
    expect(await page.revokeOtherSessions()).toEqual({ revoked: 0 });
    const calls = first.recorded.slice(before).map((r) => `${r.method} ${r.path} ${r.status}`);
    expect(calls).toEqual(['GET /api/session 200', 'POST /api/sessions/revoke-others 200']);
  });

  it('a stale CSRF token is refused by the server, refreshed once, and the call retried', async () => {
    const { client, recorded } = browser();
    await client.register({ email: 'cid@example.com', password: PASSWORD });
    client.transport.csrfToken = 'stale-token';
    const before = recorded.length;
    await client.revokeOtherSessions();
    const calls = recorded.slice(before).map((r) => `${r.method} ${r.path} ${r.status}`);
    expect(calls).toEqual([
      'POST /api/sessions/revoke-others 403',
      'GET /api/session 200',
      'POST /api/sessions/revoke-others 200',
    ]);
    expect(recorded.at(-1)?.csrfToken).toBe(client.csrfToken);
  });

  it('errors are ApiError with the API code; only an unexpected 401 reports the session as gone', async () => {
    const ended: string[] = [];
    const { client } = browser({ onUnauthenticated: (error) => ended.push(error.code) });
    const wrong = await client.login({ email: 'ann@example.com', password: 'not the password' }).catch((e) => e);
    expect(wrong).toBeInstanceOf(ApiError);
    expect(wrong).toMatchObject({ code: 'invalid_credentials', status: 401 });
    await expect(client.getSession()).rejects.toMatchObject({ code: 'unauthenticated', status: 401 });
    expect(ended).toEqual([]);
    await expect(client.listSessions()).rejects.toMatchObject({ code: 'unauthenticated' });
    expect(ended).toEqual(['unauthenticated']);
    const taken = await client.register({ email: 'ann@example.com', password: PASSWORD }).catch((e) => e);
    expect(taken).toMatchObject({ code: 'email_taken', status: 409 });
    const bad = await client.register({ email: 'x', password: PASSWORD }).catch((e) => e);
    expect(bad).toMatchObject({ code: 'invalid_request', status: 400 });
  });

  it('a sign-in with a second factor stops at it, and finishes with a code (new CSRF token)', async () => {
    const owner = browser().client;
    await owner.register({ email: 'dan@example.com', password: PASSWORD });
    const { secret } = await owner.account.startTotp();
    const { recoveryCodes } = await owner.account.confirmTotp(generateTotp(secret, app.clock.now()));
    expect(recoveryCodes).toHaveLength(10);
    app.clock.advance(TOTP_STEP_MS);

    const { client } = browser();
    const first = await client.login({ email: 'dan@example.com', password: PASSWORD });
    expect(needsSecondFactor(first)).toBe(true);
    if (!needsSecondFactor(first)) return;
    expect(first.methods).toEqual(expect.arrayContaining(['totp', 'recovery_code']));
    expect(client.csrfToken).toBeNull();
    await expect(client.submitSecondFactor({ totp: '000000' })).rejects.toMatchObject({ status: 401 });
    const done = await client.submitSecondFactor({ totp: generateTotp(secret, app.clock.now()) });
    expect(done.user.email).toBe('dan@example.com');
    expect(done.session.methods).toEqual(['password', 'totp']);
    expect(client.csrfToken).toBe(done.csrfToken);
    expect((await client.getSession()).session.id).toBe(done.session.id);
  });

  it('a sensitive action asks for re-authentication, then is retried once with the new CSRF token', async () => {
    const asked: string[] = [];
    const holder: { client?: HeimdallClient } = {};
    const { client, recorded } = browser({
      onReauthenticationRequired: async (error) => {
        asked.push(error.code);
        await holder.client!.reauthenticate({ password: PASSWORD });
        return true;
      },
    });
    holder.client = client;
    await client.register({ email: 'eve@example.com', password: PASSWORD });
    const oldToken = client.csrfToken;
    app.clock.advance(app.config.reauthMaxAgeMs + 1_000);
    const pair = await client.issueTokens();
    expect(pair.tokenType).toBe('Bearer');
    expect(asked).toEqual(['reauthentication_required']);
    expect(client.csrfToken).not.toBe(oldToken);
    const calls = recorded.slice(-3).map((r) => `${r.method} ${r.path} ${r.status}`);
    expect(calls).toEqual(['POST /api/tokens 403', 'POST /api/auth/reauthenticate 200', 'POST /api/tokens 200']);

    // Declined: the error comes through.
    const declining = browser({ onReauthenticationRequired: async () => false }).client;
    await declining.register({ email: 'fay@example.com', password: PASSWORD });
    app.clock.advance(app.config.reauthMaxAgeMs + 1_000);
    await expect(declining.issueTokens()).rejects.toMatchObject({ code: 'reauthentication_required', status: 403 });
  });

  it('API tokens: issued for a password, refreshed, and revoked', async () => {
    const { client } = browser();
    await client.register({ email: 'gus@example.com', password: PASSWORD });
    const pair = await browser().client.issueTokens({ email: 'gus@example.com', password: PASSWORD });
    const next = await client.refreshTokens(pair.refreshToken);
    expect(next.refreshToken).not.toBe(pair.refreshToken);
    await expect(client.refreshTokens(pair.refreshToken)).rejects.toMatchObject({ code: 'token_reused' });
    await expect(client.revokeTokens(next.refreshToken)).resolves.toBeUndefined();
  });

  it('the event stream delivers typed events, and ends with session.revoked', async () => {
    const { client, fetcher } = browser();
    const { user } = await client.register({ email: 'hal@example.com', password: PASSWORD });
    const events: HeimdallEvent[] = [];
    let closed = false;
    const stream = client.events((event) => events.push(event), {
      EventSource: fetchEventSource(fetcher),
      onClosed: () => {
        closed = true;
      },
    });
    // Delivered once the stream is registered on the server.
    await expect.poll(async () => (await admin.admin.sendMessage(user.id, 'hello')).delivered).toBeGreaterThan(0);
    await expect.poll(() => events.find((e) => e.type === 'message')).toMatchObject({ data: { text: 'hello' } });
    await client.logoutEverywhere();
    await expect.poll(() => events.at(-1)?.type).toBe('session.revoked');
    stream.close();
    expect(closed).toBe(false);
  });

  it('logout ends the session and forgets the CSRF token', async () => {
    const { client } = browser();
    await client.register({ email: 'ida@example.com', password: PASSWORD });
    await client.logout();
    expect(client.csrfToken).toBeNull();
    await expect(client.getSession()).rejects.toMatchObject({ code: 'unauthenticated' });
  });
});
