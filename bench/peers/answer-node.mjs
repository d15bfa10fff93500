// Heimdall's answer to GET /api/session from node:http alone, with no framework and no session check
// (answer-shape.mjs): what the answer itself costs on Node.js.
import { createServer } from 'node:http';
import { ANSWER, answerHeaders } from './answer-shape.mjs';
import { host, port, stopOn } from './common.mjs';

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/me') {
    res.writeHead(200, answerHeaders());
    res.end(JSON.stringify(ANSWER));
    return;
  }
  res.writeHead(404).end();
});
server.keepAliveTimeout = 72_000;
server.listen(port, host);
stopOn(() => new Promise((resolve) => server.close(resolve)));
