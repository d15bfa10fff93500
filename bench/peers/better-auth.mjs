// better-auth with its SQLite setup (better-sqlite3), mounted in Fastify as its Fastify guide shows. GET /me asks
// auth.api.getSession() — the get-session endpoint, called the documented server-side way. COOKIE_CACHE_SEC > 0
// turns on session.cookieCache (the session kept in a signed cookie for that long).
import { join } from 'node:path';
import { betterAuth } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import { fromNodeHeaders } from 'better-auth/node';
import Database from 'better-sqlite3';
import Fastify from 'fastify';
import { host, PASSWORD, port, stopOn, USER } from './common.mjs';

const cookieCacheSec = Number(process.env.COOKIE_CACHE_SEC ?? 0);
const baseURL = `http://${host}:${port}`;
const database = new Database(join(process.env.DATA_DIR ?? '.', 'better-auth.db'));

export const auth = betterAuth({
  baseURL,
  secret: process.env.BETTER_AUTH_SECRET,
  database,
  emailAndPassword: { enabled: true },
  ...(cookieCacheSec > 0 ? { session: { cookieCache: { enabled: true, maxAge: cookieCacheSec } } } : {}),
  telemetry: { enabled: false },
});

const { runMigrations } = await getMigrations(auth.options);
await runMigrations();
await auth.api.signUpEmail({ body: { email: USER.email, password: PASSWORD, name: USER.name } });

const app = Fastify({ logger: false });

app.route({
  method: ['GET', 'POST'],
  url: '/api/auth/*',
  async handler(request, reply) {
    const url = new URL(request.url, `http://${request.headers.host}`);
    const headers = new Headers();
    for (const [key, value] of Object.entries(request.headers)) if (value) headers.append(key, value.toString());
    const req = new Request(url.toString(), {
      method: request.method,
      headers,
      ...(request.body ? { body: JSON.stringify(request.body) } : {}),
    });
    const response = await auth.handler(req);
    reply.status(response.status);
    response.headers.forEach((value, key) => {
      reply.header(key, value);
    });
    return reply.send(response.body ? await response.text() : null);
  },
});

app.get('/me', async (request, reply) => {
  const session = await auth.api.getSession({ headers: fromNodeHeaders(request.headers) });
  if (!session) return reply.code(401).send({ error: 'unauthenticated' });
  return { id: session.user.id, email: session.user.email, name: session.user.name };
});

await app.listen({ port, host });
stopOn(async () => {
  await app.close();
  database.close();
});
