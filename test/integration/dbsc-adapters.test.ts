import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { heimdall as heimdallExpress } from '../../src/adapters/express.js';
import { heimdall as heimdallFastify } from '../../src/adapters/fastify.js';
import { DbscDevice, registrationChallenge } from '../helpers/dbsc-client.js';
import { send } from '../helpers/https-client.js';
import { createTestApp, type TestApp, TestClient } from '../helpers/test-app.js';

/**
 * The embedding middleware decide through the same request authenticator as Heimdall's routes: a device-bound
 * session needs its bound cookie in a host app too (issue 21).
 */
describe('device-bound sessions in the embedding middleware', () => {
  let t: TestApp;
  let fastifyHost: FastifyInstance;
  let expressHost: Server;
  let expressOrigin: string;
  let device: DbscDevice;

  beforeAll(async () => {
    t = await createTestApp();
    const client = new TestClient(t.app);
    await client.register('odin@asgard.example');
    const login = await client.login('odin@asgard.example');
    device = await DbscDevice.for(client);
    expect((await device.register(registrationChallenge(login)!)).statusCode).toBe(200);
    // Past the grace after binding, when the first bound cookie may still be on its way.
    t.clock.advance(10_000);

    fastifyHost = Fastify();
    await fastifyHost.register(heimdallFastify, { services: t.services, config: t.config });
    fastifyHost.get(
      '/me',
      fastifyHost.heimdall.requireSession(async (request) => ({ id: request.heimdall.user.id })),
    );
    await fastifyHost.ready();

    const auth = await heimdallExpress({ services: t.services, config: t.config });
    const me = auth.requireSession((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ id: req.heimdall.user.id }));
    });
    expressHost = createServer((req, res) => me(req, res, () => res.end()));
    await new Promise<void>((resolve) => expressHost.listen(0, '127.0.0.1', resolve));
    expressOrigin = `http://127.0.0.1:${(expressHost.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await fastifyHost?.close();
    await new Promise((resolve) => expressHost?.close(resolve));
    await t?.close();
  });

  it('heimdall-auth/fastify refuses the session cookie alone and accepts it with the bound cookie', async () => {
    const alone = await fastifyHost.inject({
      url: '/me',
      headers: { cookie: `__Host-heimdall=${device.client.cookie}` },
    });
    expect(alone.statusCode).toBe(401);
    expect(alone.json().error.code).toBe('unauthenticated');
    const both = await fastifyHost.inject({ url: '/me', headers: { cookie: device.cookies() } });
    expect(both.statusCode).toBe(200);
  });

  it('heimdall-auth/express refuses the session cookie alone and accepts it with the bound cookie', async () => {
    const alone = await send(`${expressOrigin}/me`, { headers: { cookie: `__Host-heimdall=${device.client.cookie}` } });
    expect(alone.status).toBe(401);
    const both = await send(`${expressOrigin}/me`, { headers: { cookie: device.cookies() } });
    expect(both.status).toBe(200);
  });
});
