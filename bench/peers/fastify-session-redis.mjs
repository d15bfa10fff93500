// @fastify/session with a Redis store (connect-redis, which its README names as compatible), on node-redis 5.
import fastifyCookie from '@fastify/cookie';
import fastifySession from '@fastify/session';
import { RedisStore } from 'connect-redis';
import Fastify from 'fastify';
import { createClient } from 'redis';
import { host, port, stopOn, USER } from './common.mjs';

const redisClient = createClient({ url: process.env.REDIS_URL });
await redisClient.connect();

const app = Fastify({ logger: false });
app.register(fastifyCookie);
app.register(fastifySession, {
  secret: process.env.SESSION_SECRET,
  // Plain HTTP on loopback: the README says to turn `secure` off for unencrypted connections.
  cookie: { secure: false, httpOnly: true, sameSite: 'strict' },
  saveUninitialized: false,
  store: new RedisStore({ client: redisClient, prefix: 'fsess:' }),
});

// Sign-in is not what is measured; it only hands the harness a session cookie.
app.post('/login', async (request) => {
  await request.session.regenerate();
  request.session.user = USER;
  return { ok: true };
});

app.get('/me', async (request, reply) => {
  const user = request.session.user;
  if (!user) return reply.code(401).send({ error: 'unauthenticated' });
  return user;
});

await app.listen({ port, host });
stopOn(async () => {
  await app.close();
  await redisClient.quit();
});
