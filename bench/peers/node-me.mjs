// The node:http peers' server: GET /me answered by `answer()` ([headers, body]), 404 for anything else, keep-alive as
// long as Fastify's default (72 s) so the connections live as long as the floor's.
import { createServer } from 'node:http';
import { host, port, stopOn } from './common.mjs';

export function serveMe(answer) {
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/me') {
      const [headers, body] = answer();
      res.writeHead(200, headers);
      res.end(body);
      return;
    }
    res.writeHead(404).end();
  });
  server.keepAliveTimeout = 72_000;
  server.listen(port, host);
  stopOn(() => new Promise((resolve) => server.close(resolve)));
}
