// Below the floor: node:http alone answering GET /me with the same fixed JSON, no framework, no authentication.
import { createServer } from 'node:http';
import { host, port, stopOn, USER } from './common.mjs';

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/me') {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(USER));
    return;
  }
  res.writeHead(404).end();
});
server.keepAliveTimeout = 72_000;
server.listen(port, host);
stopOn(() => new Promise((resolve) => server.close(resolve)));
