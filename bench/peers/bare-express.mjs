// Express 5 answering GET /me with fixed JSON: the floor that express-session's cost is added to.
import express from 'express';
import { host, port, stopOn, USER } from './common.mjs';

const app = express();
app.get('/me', (_req, res) => {
  res.json(USER);
});
const server = app.listen(port, host);
stopOn(() => new Promise((resolve) => server.close(resolve)));
