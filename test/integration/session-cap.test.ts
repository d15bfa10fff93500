import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PushEvent } from '../../src/core/events.js';
import { ApiClient } from '../helpers/api-client.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { type RedisUnderTest, useRedis } from '../helpers/redis-topologies.js';
import { createTestApp, signedUpClient, type TestApp, TestClient } from '../helpers/test-app.js';

const CAP = 3;

interface SessionBody {
  user: { id: string };
  session: { id: string };
}

/** SESSION_MAX_PER_USER on the embedded default (SQLite) and on Redis. */
const backends: { name: string; env: () => Promise<Record<string, string>> }[] = [
  { name: 'SQLite', env: async () => ({}) },
];
const redis = useRedis('single');
let redisUnderTest: RedisUnderTest | undefined;
backends.push({
  name: 'Redis',
  env: async () => {
    redisUnderTest ??= await redis();
    return redisUnderTest.env;
  },
});

for (const backend of backends) {
  describe(`SESSION_MAX_PER_USER on ${backend.name}`, () => {
    let t: TestApp | undefined;
    let env: Record<string, string>;
    beforeAll(async () => {
      env = { SESSION_MAX_PER_USER: String(CAP), ...(await backend.env()) };
    });
    afterEach(async () => {
      await t?.close();
      t = undefined;
    });

    async function start() {
      t = await createTestApp(env, { clock: new FakeClock(Date.now()) });
      const events: PushEvent[] = [];
      t.services.events.subscribe((event) => events.push(event));
      return { t, app: t.app, events };
    }

    it('a sign-in beyond the cap ends the oldest session: refused, announced, audited, listed', async () => {
      const { t, app, events } = await start();
      const email = `cap-${Date.now()}@example.test`;
      const clients = [await signedUpClient(app, email)];
      for (let i = 1; i < CAP; i++) {
        t.clock.advance(1_000);
        const client = new TestClient(app);
        expect((await client.login(email)).statusCode).toBe(200);
        clients.push(client);
      }
      const ids = await Promise.all(
        clients.map(async (c) => ((await c.get('/api/session')).json() as SessionBody).session.id),
      );
      expect(events.filter((e) => e.type === 'session.revoked')).toEqual([]);

      t.clock.advance(1_000);
      const newest = new TestClient(app);
      expect((await newest.login(email)).statusCode).toBe(200);
      const me = (await newest.get('/api/session')).json() as SessionBody;

      // The oldest is refused; every other one, the newest included, still works.
      expect((await clients[0]!.get('/api/session')).statusCode).toBe(401);
      for (const client of [...clients.slice(1), newest])
        expect((await client.get('/api/session')).statusCode).toBe(200);
      const listed = (await newest.get('/api/sessions')).json() as { sessions: { id: string }[] };
      expect(listed.sessions.map((s) => s.id).sort()).toEqual([...ids.slice(1), me.session.id].sort());

      // Its open streams are told why.
      expect(events.filter((e) => e.type === 'session.revoked')).toEqual([
        { type: 'session.revoked', userId: me.user.id, sessionIds: [ids[0]], data: { reason: 'session_limit' } },
      ]);
      // And the owner's activity lists it as ended by the limit.
      const audit = (await newest.get('/api/audit?type=session.revoked')).json() as {
        events: { sessionId: string | null; details: Record<string, unknown> }[];
      };
      expect(audit.events).toHaveLength(1);
      expect(audit.events[0]).toMatchObject({ sessionId: ids[0], details: { by: 'session_limit', limit: CAP } });
    });

    it('concurrent sign-ins never leave more than the cap', async () => {
      const { app } = await start();
      const email = `rush-${Date.now()}@example.test`;
      await signedUpClient(app, email);
      const clients = Array.from({ length: 5 }, () => new TestClient(app));
      const answers = await Promise.all(clients.map((c) => c.login(email)));
      expect(answers.map((r) => r.statusCode)).toEqual(clients.map(() => 200));
      const reads = await Promise.all(clients.map((c) => c.get('/api/session')));
      const live = reads.filter((r) => r.statusCode === 200);
      expect(live.length).toBeLessThanOrEqual(CAP);
      expect(live.length).toBeGreaterThanOrEqual(1);
      // Listed by a client whose session survived (which of the concurrent ones the cap ended is not fixed).
      const survivor = clients[reads.findIndex((r) => r.statusCode === 200)]!;
      const listed = (await survivor.get('/api/sessions')).json() as { sessions: unknown[] };
      expect(listed.sessions.length).toBeLessThanOrEqual(CAP);
    });

    it('API token families count toward the cap, and an evicted family stops working at once', async () => {
      const { t, app } = await start();
      const email = `tokens-${Date.now()}@example.test`;
      await signedUpClient(app, email);
      t.clock.advance(1_000);
      const api = new ApiClient(app);
      expect((await api.signIn(email)).statusCode).toBe(200);
      expect((await api.get('/api/session')).statusCode).toBe(200);
      for (let i = 0; i < CAP; i++) {
        t.clock.advance(1_000);
        expect((await new TestClient(app).login(email)).statusCode).toBe(200);
      }
      // The cookie session of the sign-up went first, then the token family.
      expect((await api.get('/api/session')).statusCode).toBe(401);
      expect((await api.refresh()).statusCode).toBe(401);
    });
  });
}
