// A Fastify app of its own that trusts Heimdall for who is signed in: the same settings as the Heimdall server
// (DATABASE_URL, HEIMDALL_SECRET, REDIS_URL… from the environment, or as options: register(heimdall, { databaseUrl,
// secret })), and the same checks of the cookie or Bearer token on every request, against Heimdall's stores.
import Fastify from 'fastify';
import { heimdall } from 'heimdall-auth/fastify';

// Behind a reverse proxy, as Heimdall's TRUST_PROXY: the client's address and scheme come from X-Forwarded-*.
const app = Fastify({ trustProxy: 'loopback' });
await app.register(heimdall);

// Anyone: request.heimdall is { user, session, scheme, csrfToken } or null.
app.get('/', async (request) => ({ signedIn: request.heimdall !== null, email: request.heimdall?.user.email ?? null }));

// Any signed-in user: the handler runs only behind the guard, so request.heimdall is never null in it.
app.get(
  '/me',
  app.heimdall.requireSession(async (request) => ({
    user: request.heimdall.user,
    sessionId: request.heimdall.session.id,
    scheme: request.heimdall.scheme,
  })),
);

// Gods only: the role is read from Heimdall's database on this very request. The guard can also be a hook.
app.get('/valhalla', { preHandler: app.heimdall.requireRole('god') }, async (request) => ({
  welcome: request.heimdall.user.email,
}));

// An unsafe method: with the cookie it needs Heimdall's CSRF token (x-csrf-token) and an allowed Origin.
app.post(
  '/notes',
  { bodyLimit: 16_384 },
  app.heimdall.requireSession(async (request, reply) =>
    reply.code(201).send({ note: request.body, by: request.heimdall.user.id }),
  ),
);

const address = await app.listen({ port: Number(process.env.PORT ?? 4000), host: process.env.HOST ?? '127.0.0.1' });
console.log(`example app listening on ${address}`);

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    app.close().then(() => process.exit(0));
  });
}
