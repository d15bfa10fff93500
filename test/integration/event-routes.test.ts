import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildServices } from '../../src/app/build-services.js';
import type { LocalEventBus } from '../../src/stores/memory/local-event-bus.js';
import type { LocalStreamPresence } from '../../src/stores/memory/local-stream-presence.js';
import { SseClient } from '../helpers/sse-client.js';
import { createTestApp, signedUpClient, type TestApp, TestClient } from '../helpers/test-app.js';
import { testConfig } from '../helpers/test-config.js';

let testApp: TestApp | undefined;
const streams: SseClient[] = [];
const tempDirs: string[] = [];

afterEach(async () => {
  for (const stream of streams.splice(0)) stream.close();
  await testApp?.close();
  testApp = undefined;
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function start(env: Record<string, string> = {}) {
  testApp = await createTestApp(env);
  await testApp.app.listen({ port: 0, host: '127.0.0.1' });
  const address = testApp.app.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return { ...testApp, baseUrl: `http://127.0.0.1:${address.port}` };
}

async function openStream(baseUrl: string, client: TestClient): Promise<SseClient> {
  const stream = await SseClient.open(baseUrl, { cookie: `__Host-heimdall=${client.cookie}` });
  streams.push(stream);
  return stream;
}

/** Polls a condition on the server with a deadline (real sockets close asynchronously). */
async function eventually(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function sessionIdOf(client: TestClient): Promise<string> {
  return ((await client.get('/api/session')).json() as { session: { id: string } }).session.id;
}

describe('GET /api/events', () => {
  it('answers 401 unauthenticated without a live session', async () => {
    const { app } = await start();
    const response = await app.inject({ method: 'GET', url: '/api/events' });
    expect(response.statusCode).toBe(401);
    expect(response.json().error.code).toBe('unauthenticated');
  });

  it('refuses forged, malformed and cross-method requests with 4xx, never a stream or a 5xx', async () => {
    const { app, services } = await start();
    await signedUpClient(app, 'odin@asgard.example');
    const attempts = [
      { method: 'GET', headers: { cookie: '__Host-heimdall=' } },
      { method: 'GET', headers: { cookie: `__Host-heimdall=${'A'.repeat(43)}` } },
      { method: 'GET', headers: { cookie: '__Host-heimdall=%00%ff<script>' } },
      { method: 'GET', headers: { authorization: 'Bearer not.a.jwt' } },
      { method: 'GET', headers: { authorization: 'Bearer ' } },
      { method: 'POST', headers: {} },
      { method: 'DELETE', headers: {} },
    ] as const;
    for (const attempt of attempts) {
      const response = await app.inject({ method: attempt.method, url: '/api/events?x=%00', headers: attempt.headers });
      expect(response.statusCode, `${attempt.method} ${JSON.stringify(attempt.headers)}`).toBeGreaterThanOrEqual(400);
      expect(response.statusCode).toBeLessThan(500);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
    }
    expect(services.streams.stats().streams).toBe(0);
  });

  it('streams text/event-stream, uncached, with a reconnection hint first', async () => {
    const { baseUrl, app } = await start();
    const client = await signedUpClient(app, 'odin@asgard.example');
    const stream = await openStream(baseUrl, client);
    expect(stream.retries[0]).toBeGreaterThan(0);
    expect(stream.comments).toContain('connected');
  });

  it('pushes roles.changed to the user whose roles an admin changed, and nothing to others', async () => {
    const { baseUrl, app } = await start();
    const admin = await signedUpClient(app, 'odin@asgard.example');
    const thor = await signedUpClient(app, 'thor@asgard.example');
    const thorId = ((await thor.get('/api/session')).json() as { user: { id: string } }).user.id;
    const adminStream = await openStream(baseUrl, admin);
    const thorStream = await openStream(baseUrl, thor);

    const put = await admin.request({
      method: 'PUT',
      url: `/api/admin/users/${thorId}/roles`,
      payload: { roles: ['god'] },
    });
    expect(put.statusCode).toBe(200);
    expect((await thorStream.nextEvent('roles.changed')).data).toEqual({ roles: ['god'] });
    expect(adminStream.events).toEqual([]);
  });

  it("signing one device out from another ends only that device's stream, with session.revoked", async () => {
    const { baseUrl, app } = await start();
    const laptop = await signedUpClient(app, 'odin@asgard.example');
    const phone = new TestClient(app);
    await phone.login('odin@asgard.example');
    const laptopStream = await openStream(baseUrl, laptop);
    const phoneStream = await openStream(baseUrl, phone);

    const phoneId = await sessionIdOf(phone);
    expect((await laptop.request({ method: 'DELETE', url: `/api/sessions/${phoneId}` })).statusCode).toBe(204);
    expect((await phoneStream.nextEvent('session.revoked')).data).toEqual({ reason: 'revoked' });
    await phoneStream.ended;
    expect(laptopStream.isEnded).toBe(false);
    expect(laptopStream.events).toEqual([]);
  });

  it('sign-out everywhere ends every stream of the user', async () => {
    const { baseUrl, app, services } = await start();
    const laptop = await signedUpClient(app, 'odin@asgard.example');
    const phone = new TestClient(app);
    await phone.login('odin@asgard.example');
    const both = [await openStream(baseUrl, laptop), await openStream(baseUrl, phone)];

    expect((await phone.request({ method: 'POST', url: '/api/auth/logout-everywhere' })).statusCode).toBe(204);
    for (const stream of both) {
      expect((await stream.nextEvent('session.revoked')).data).toEqual({ reason: 'signed_out_everywhere' });
      await stream.ended;
    }
    await eventually(() => services.streams.stats().streams === 0, 'the hub to forget both streams');
  });

  it("a password change ends the other sessions' streams; the changing one is left to reopen with its new cookie", async () => {
    const { baseUrl, app, services } = await start();
    const laptop = await signedUpClient(app, 'odin@asgard.example');
    const phone = new TestClient(app);
    await phone.login('odin@asgard.example');
    const laptopStream = await openStream(baseUrl, laptop);
    const phoneStream = await openStream(baseUrl, phone);

    const changed = await laptop.request({
      method: 'POST',
      url: '/api/auth/password',
      payload: { currentPassword: 'correct horse battery staple', newPassword: 'a brand new passphrase' },
    });
    expect(changed.statusCode).toBe(200);
    expect((await phoneStream.nextEvent('session.revoked')).data).toEqual({ reason: 'password_changed' });
    expect(laptopStream.events).toEqual([]);
    // Its session is gone, so the next heartbeat ends it; by then the page has reopened with the new cookie.
    await services.streams.beat();
    expect((await laptopStream.nextEvent('session.revoked')).data).toEqual({ reason: 'revoked' });
    await openStream(baseUrl, laptop);
  });

  it('heartbeats are comment lines, and a session that expired loses its stream at the next one', async () => {
    const { baseUrl, app, services, clock } = await start();
    const client = await signedUpClient(app, 'odin@asgard.example');
    const stream = await openStream(baseUrl, client);

    await services.streams.beat();
    await stream.waitFor(() => stream.comments.includes('heartbeat'), 'a heartbeat');
    expect(stream.isEnded).toBe(false);

    clock.advance(31 * 60_000);
    await services.streams.beat();
    expect((await stream.nextEvent('session.revoked')).data).toEqual({ reason: 'expired' });
    await stream.ended;
  });

  it('a revocation or role change made by another process reaches open streams at the next heartbeat', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'heimdall-events-'));
    tempDirs.push(dir);
    const env = { DATABASE_URL: `sqlite:${join(dir, 'heimdall.db')}` };
    const { baseUrl, app, services } = await start(env);
    const admin = await signedUpClient(app, 'odin@asgard.example');
    const thor = await signedUpClient(app, 'thor@asgard.example');
    const adminStream = await openStream(baseUrl, admin);
    const thorStream = await openStream(baseUrl, thor);

    // The CLI: its own services over the same database, whose in-process bus reaches no server.
    const cli = await buildServices(testConfig(env));
    try {
      const thorUser = (await cli.users.findByEmail('thor@asgard.example'))!;
      const odinUser = (await cli.users.findByEmail('odin@asgard.example'))!;
      await cli.users.setRoles(thorUser.id, ['user', 'god']);
      await cli.sessions.revokeAll(odinUser.id, { by: 'admin' });
    } finally {
      await cli.close();
    }
    expect(thorStream.events).toEqual([]);

    await services.streams.beat();
    expect((await thorStream.nextEvent('roles.changed')).data).toEqual({ roles: ['god', 'user'] });
    expect((await adminStream.nextEvent('session.revoked')).data).toEqual({ reason: 'revoked' });
    await adminStream.ended;
    expect(thorStream.isEnded).toBe(false);
  });

  it('opening and closing many streams leaves no stream, presence entry, listener or timer behind', async () => {
    const { baseUrl, app, services } = await start();
    const client = await signedUpClient(app, 'odin@asgard.example');
    const userId = ((await client.get('/api/session')).json() as { user: { id: string } }).user.id;
    const bus = services.events as LocalEventBus;
    const presence = services.presence as LocalStreamPresence;
    const listenersBefore = bus.listenerCount;

    for (let round = 0; round < 5; round++) {
      const batch = await Promise.all(Array.from({ length: 20 }, () => openStream(baseUrl, client)));
      expect(services.streams.stats()).toMatchObject({ streams: 20, users: 1, heartbeatRunning: true });
      expect(await presence.count(userId)).toBe(20);
      for (const stream of batch) stream.close();
      await eventually(() => services.streams.stats().streams === 0, 'the hub to forget closed streams');
    }
    // Streams the server ends (revocation) are forgotten too.
    await Promise.all(Array.from({ length: 10 }, () => openStream(baseUrl, client)));
    await client.request({ method: 'POST', url: '/api/auth/logout' });
    await eventually(() => services.streams.stats().streams === 0, 'the hub to forget revoked streams');
    await eventually(async () => (await presence.count(userId)) === 0, 'presence to empty');

    expect(services.streams.stats()).toEqual({ streams: 0, users: 0, heartbeatRunning: false });
    expect(presence.userCount).toBe(0);
    expect(bus.listenerCount).toBe(listenersBefore);
  });

  it('graceful shutdown ends open streams with a retry hint instead of hanging', async () => {
    const { baseUrl, app } = await start();
    const client = await signedUpClient(app, 'odin@asgard.example');
    const stream = await openStream(baseUrl, client);
    const retriesBefore = stream.retries.length;

    await app.close();
    await stream.ended;
    expect(stream.retries.length).toBe(retriesBefore + 1);
    expect(stream.retries.at(-1)).toBeGreaterThanOrEqual(1_000);
  });
});

describe('POST /api/admin/users/:id/messages', () => {
  async function setUp() {
    const started = await start();
    const admin = await signedUpClient(started.app, 'odin@asgard.example');
    const thor = await signedUpClient(started.app, 'thor@asgard.example');
    const thorId = ((await thor.get('/api/session')).json() as { user: { id: string } }).user.id;
    return { ...started, admin, thor, thorId };
  }

  it('delivers the message to every open stream of the user and says how many it reached', async () => {
    const { baseUrl, app, admin, thor, thorId } = await setUp();
    const thorPhone = new TestClient(app);
    await thorPhone.login('thor@asgard.example');
    const thorStreams = [await openStream(baseUrl, thor), await openStream(baseUrl, thorPhone)];
    const adminStream = await openStream(baseUrl, admin);

    const sent = await admin.request({
      method: 'POST',
      url: `/api/admin/users/${thorId}/messages`,
      payload: { text: '  Mind the hammer.  ' },
    });
    expect(sent.statusCode).toBe(202);
    expect(sent.json()).toEqual({ delivered: 2 });
    for (const stream of thorStreams) {
      expect((await stream.nextEvent('message')).data).toMatchObject({ text: 'Mind the hammer.', from: 'odin' });
    }
    expect(adminStream.events).toEqual([]);
  });

  it('answers delivered: 0 when the user has no open page', async () => {
    const { admin, thorId } = await setUp();
    const sent = await admin.request({
      method: 'POST',
      url: `/api/admin/users/${thorId}/messages`,
      payload: { text: 'hello' },
    });
    expect(sent.statusCode).toBe(202);
    expect(sent.json()).toEqual({ delivered: 0 });
  });

  it('refuses non-admins, unknown users and empty or malformed messages', async () => {
    const { admin, thor, thorId } = await setUp();
    const url = `/api/admin/users/${thorId}/messages`;
    const asThor = await thor.request({ method: 'POST', url, payload: { text: 'hi' } });
    expect([asThor.statusCode, asThor.json().error.code]).toEqual([403, 'forbidden']);
    const unknown = await admin.request({
      method: 'POST',
      url: '/api/admin/users/nobody/messages',
      payload: { text: 'hi' },
    });
    expect([unknown.statusCode, unknown.json().error.code]).toEqual([404, 'not_found']);
    for (const payload of [
      { text: '' },
      { text: '   ' },
      { text: 'x'.repeat(1_001) },
      { text: 'hi', html: '<b>' },
      {},
    ]) {
      const bad = await admin.request({ method: 'POST', url, payload });
      expect([bad.statusCode, bad.json().error.code]).toEqual([400, 'invalid_request']);
    }
    const noCsrf = await admin.request({ method: 'POST', url, payload: { text: 'hi' }, csrf: false });
    expect([noCsrf.statusCode, noCsrf.json().error.code]).toEqual([403, 'csrf_failed']);
  });
});
