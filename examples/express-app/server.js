// An app of its own that trusts Heimdall for who is signed in. It reads Heimdall's settings from the environment
// (DATABASE_URL, HEIMDALL_SECRET, REDIS_URL…: the same values the Heimdall server runs with; or pass them as options,
// heimdall({ databaseUrl, secret })) and checks the Heimdall session cookie or a Bearer access token against
// Heimdall's stores on every request. The cookie name, token issuer and the server's own origin come from what the
// Heimdall server recorded in its database.
import express from 'express';
import { heimdall } from 'heimdall-auth/express';

const auth = await heimdall(); // TypeScript: heimdall<Request, Response>() types the guarded handlers' req and res
const app = express();
// Behind a reverse proxy, as Heimdall's TRUST_PROXY: the client's address and scheme come from X-Forwarded-*.
app.set('trust proxy', 'loopback');
app.use(auth);
app.use(express.json({ limit: '16kb' }));

// Anyone: req.heimdall is { user, session, scheme, csrfToken } or null.
app.get('/', (req, res) => {
  res.json({ signedIn: req.heimdall !== null, email: req.heimdall?.user.email ?? null });
});

// Any signed-in user: the handler runs only behind the guard, so req.heimdall is never null in it.
app.get(
  '/me',
  auth.requireSession((req, res) => {
    res.json({ user: req.heimdall.user, sessionId: req.heimdall.session.id, scheme: req.heimdall.scheme });
  }),
);

// Gods only: the role is read from Heimdall's database on this very request, so a demotion bites at once.
app.get(
  '/valhalla',
  auth.requireRole('god', (req, res) => res.json({ welcome: req.heimdall.user.email })),
);

// An unsafe method: with the cookie it needs Heimdall's CSRF token (x-csrf-token) and an allowed Origin.
app.post(
  '/notes',
  auth.requireSession((req, res) => res.status(201).json({ note: req.body, by: req.heimdall.user.id })),
);

const server = app.listen(Number(process.env.PORT ?? 4000), process.env.HOST ?? '127.0.0.1', (error) => {
  if (error) throw error;
  const { address, port } = server.address();
  console.log(`example app listening on http://${address}:${port}`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    server.close(() => auth.close().then(() => process.exit(0)));
  });
}
