// express-session + connect-redis 9 on node-redis 5, as connect-redis' README sets it up.
import { RedisStore } from 'connect-redis';
import express from 'express';
import session from 'express-session';
import { createClient } from 'redis';
import { host, port, stopOn, USER } from './common.mjs';

const redisClient = createClient({ url: process.env.REDIS_URL });
await redisClient.connect();
const redisStore = new RedisStore({ client: redisClient, prefix: 'myapp:' });

const app = express();
app.use(express.json());
app.use(
  session({
    store: redisStore,
    resave: false, // required: force lightweight session keep alive (touch)
    saveUninitialized: false, // recommended: only save session when data exists
    secret: process.env.SESSION_SECRET,
    cookie: { httpOnly: true, sameSite: 'strict' },
  }),
);

// Sign-in is not what is measured; it only hands the harness a session cookie.
app.post('/login', (req, res, next) => {
  req.session.regenerate((error) => {
    if (error) return next(error);
    req.session.user = USER;
    res.json({ ok: true });
  });
});

app.get('/me', (req, res) => {
  if (!req.session.user) return res.status(401).json({ error: 'unauthenticated' });
  res.json(req.session.user);
});

const server = app.listen(port, host);
stopOn(async () => {
  await new Promise((resolve) => server.close(resolve));
  await redisClient.quit();
});
